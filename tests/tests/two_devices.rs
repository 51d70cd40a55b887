//! Two PCs of one office (the second enrolled into an empty directory) edit the same records
//! while offline, then sync in either order: both end identical, and equal to the county.
//! Field-level last writer wins by HLC; the value that lost stays in the record's history; a
//! delete on one PC and an edit on the other end as a tombstone with the edit's fields; a PC
//! whose clock is a year slow still converges.

use std::sync::Arc;

use chrono::{Duration, Utc};
use fengqiao_e2e::*;
use fengqiao_model::{FieldVisit, Gender, Kind, Person, Record};
use fengqiao_store::Store;
use uuid::Uuid;

const OFFICE: &str = "城西街道司法所";
const DIVISION: &str = "350503002";

struct Pair {
    county: County,
    a: Office,
    b: Office,
    _tmp: tempfile::TempDir,
}

/// An office with demo data on PC A, synced; PC B enrolled into an empty directory and synced.
fn pair() -> Pair {
    let tmp = tempfile::tempdir().unwrap();
    let county = County::start(&tmp.path().join("county"));
    let (_, code) = county.add_office(OFFICE, DIVISION);
    let a = Office::new(&tmp.path().join("a"));
    a.init(OFFICE, DIVISION);
    a.demo(30, 5, 10, 3);
    a.enroll(&county.url(), &code);
    a.sync_ok();
    let b = Office::new(&tmp.path().join("b"));
    b.enroll(&county.url(), &county.new_code(DIVISION));
    b.sync_ok();
    assert_same_export("B after its first sync", &a.export(), &b.export());
    Pair { county, a, b, _tmp: tmp }
}

fn edit<R: Record>(store: &mut Store, id: Uuid, f: impl FnOnce(&mut R)) -> String {
    let mut rec: R = store.require(id).unwrap();
    f(&mut rec);
    store.save(rec).unwrap();
    store.history(R::KIND, id).unwrap().last().unwrap().hlc.clone()
}

/// What both PCs do offline; returns the stamps of A's and B's edits of the shared phone field.
fn offline_edits(a: &mut Store, b: &mut Store) -> (Uuid, Uuid, String, String) {
    let persons = a.all::<Person>().unwrap();
    let (p0, p1) = (persons[0].meta.id, persons[1].meta.id);
    // The same field on both; different fields of one record on each.
    let a_stamp = edit::<Person>(a, p0, |p| {
        p.phone = Some("13900000001".into());
        p.occupation = Some("个体经营".into());
    });
    let b_stamp = edit::<Person>(b, p0, |p| {
        p.phone = Some("13900000002".into());
        p.residence_address = Some("城西街道新华路1号".into());
    });
    edit::<Person>(a, p1, |p| p.note = Some("甲机补记".into()));
    edit::<Person>(b, p1, |p| p.alias = Some("阿乙".into()));
    // A deletes a field visit that B edits.
    if let Some(v) = a.all::<FieldVisit>().unwrap().first() {
        let id = v.meta.id;
        a.delete::<FieldVisit>(id).unwrap();
        edit::<FieldVisit>(b, id, |v| v.follow_up = Some("下周再访".into()));
    }
    // New records on both.
    a.save(Person { name: Some("甲新增".into()), gender: Some(Gender::Male), ..Default::default() }).unwrap();
    b.save(Person { name: Some("乙新增".into()), gender: Some(Gender::Female), ..Default::default() }).unwrap();
    (p0, p1, a_stamp, b_stamp)
}

fn check(pair: &Pair, p0: Uuid, p1: Uuid, a_stamp: &str, b_stamp: &str) {
    let from_county = pair.county.export(DIVISION);
    assert_same_export("county vs A", &from_county, &pair.a.export());
    assert_same_export("county vs B", &from_county, &pair.b.export());
    for office in [&pair.a, &pair.b] {
        let store = office.store();
        let p: Person = store.require(p0).unwrap();
        let winner = if a_stamp > b_stamp { "13900000001" } else { "13900000002" };
        assert_eq!(p.phone.as_deref(), Some(winner), "the later stamp wins the field");
        assert_eq!(p.occupation.as_deref(), Some("个体经营"));
        assert_eq!(p.residence_address.as_deref(), Some("城西街道新华路1号"));
        let q: Person = store.require(p1).unwrap();
        assert_eq!((q.note.as_deref(), q.alias.as_deref()), (Some("甲机补记"), Some("阿乙")));
        // Both values of the contested field are in the history, the loser's too.
        let phones: Vec<String> =
            store.history(Kind::Person, p0).unwrap().iter().filter_map(|c| c.data["phone"].as_str().map(str::to_string)).collect();
        assert!(phones.iter().any(|p| p == "13900000001") && phones.iter().any(|p| p == "13900000002"), "{phones:?}");
        let st = office.status();
        assert_eq!((st["pending"].as_i64(), st["set_aside"].as_i64()), (Some(0), Some(0)), "{st}");
    }
    let (a_total, a_local) = pair.a.log_sizes();
    let (b_total, b_local) = pair.b.log_sizes();
    assert_eq!(a_total, b_total, "each PC holds every change once");
    assert_eq!(pair.county.changes(DIVISION), a_local + b_local, "the county holds every change once");
}

#[test]
fn offline_edits_synced_a_first() {
    let pair = pair();
    let (p0, p1, a_stamp, b_stamp) = {
        let (mut a, mut b) = (pair.a.store(), pair.b.store());
        offline_edits(&mut a, &mut b)
    };
    pair.a.sync_ok();
    pair.b.sync_ok();
    pair.a.sync_ok();
    check(&pair, p0, p1, &a_stamp, &b_stamp);
}

#[test]
fn offline_edits_synced_b_first_with_a_clock_a_year_slow() {
    let pair = pair();
    let (p0, p1, a_stamp, b_stamp) = {
        let mut a = pair.a.store();
        let slow = Arc::new(|| Utc::now() - Duration::days(365));
        let mut b = Store::open_with_clock(&pair.b.dir, slow).unwrap();
        offline_edits(&mut a, &mut b)
    };
    pair.b.sync_ok();
    pair.a.sync_ok();
    pair.b.sync_ok();
    check(&pair, p0, p1, &a_stamp, &b_stamp);
    // Each PC once more: nothing new either way.
    for office in [&pair.a, &pair.b] {
        let report: serde_json::Value = serde_json::from_str(&office.ok(&["--json", "sync", "--once"])).unwrap();
        assert_eq!((report["report"]["pushed"].as_u64(), report["report"]["pulled"].as_u64()), (Some(0), Some(0)), "{report}");
    }
}

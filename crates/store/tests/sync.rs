//! The office side of sync, between two real stores of one office (two PCs): changes carried
//! from one to the other converge whatever the order, duplicates have no effect, losers stay
//! in the history, acknowledgements and set-aside changes behave.

mod common;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use fengqiao_model::*;
use fengqiao_store::*;

/// A second PC of the same office, made the way a new PC is: an empty store for the office
/// that then pulls every change the first one made.
fn second_pc(f: &Fixture, clock: Clock) -> (tempfile::TempDir, Store) {
    let mut out = Vec::new();
    f.store.export(&mut out).unwrap();
    let office_line = String::from_utf8(out).unwrap().lines().next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init_for_import(dir.path(), &office_line, clock).unwrap();
    store.apply_remote(&f.store.pending_changes(100_000).unwrap()).unwrap();
    (dir, store)
}

/// Everything `from` has that `to` has not seen yet, as the county would relay it.
fn relay(from: &Store, to: &mut Store) -> sync::ApplyReport {
    let changes: Vec<ChangeEntry> = from.pending_changes(100_000).unwrap();
    to.apply_remote(&changes).unwrap()
}

fn export(s: &Store) -> String {
    let mut out = Vec::new();
    s.export(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn two_pcs_editing_the_same_case_offline_converge_in_either_order() {
    let mut a = fixture();
    let case_id = a.case_with_parties("张伟与李娜相邻通行纠纷", "张伟", "李娜");
    // PC B starts from A's data; B's clock is a year ahead.
    let year_ahead: Clock = Arc::new(|| Utc.with_ymd_and_hms(2027, 11, 20, 2, 0, 0).unwrap());
    let (_dir, mut b) = second_pc(&a, year_ahead);
    let base_changes = a.store.pending_changes(100_000).unwrap();
    // Both mark what came with the export as sent, so only new edits travel.
    let ids: Vec<_> = base_changes.iter().map(|c| c.change_id).collect();
    a.store.acknowledge(&ids).unwrap();
    let b_pending: Vec<_> = b.pending_changes(100_000).unwrap().iter().map(|c| c.change_id).collect();
    b.acknowledge(&b_pending).unwrap();

    // Offline: A edits the place, B edits the amount and (later, in HLC terms) the place too.
    let mut on_a = a.store.require::<DisputeCase>(case_id).unwrap();
    on_a.occurred_place = Some("东山村三组".into());
    on_a.is_difficult = true;
    a.store.save(on_a).unwrap();
    let mut on_b = b.require::<DisputeCase>(case_id).unwrap();
    on_b.amount_cents = Some(120_000);
    b.save(on_b).unwrap();

    // Sync in both orders into two fresh copies of the county's view: A then B, B then A.
    let a_changes = a.store.pending_changes(1000).unwrap();
    let b_changes = b.pending_changes(1000).unwrap();
    assert!(!a_changes.is_empty() && !b_changes.is_empty());
    let r1 = b.apply_remote(&a_changes).unwrap();
    let r2 = a.store.apply_remote(&b_changes).unwrap();
    assert_eq!((r1.applied, r2.applied), (a_changes.len(), b_changes.len()));
    assert_eq!(export(&a.store), export(&b), "both PCs end identical");
    let merged = a.store.require::<DisputeCase>(case_id).unwrap();
    assert_eq!(merged.occurred_place.as_deref(), Some("东山村三组"));
    assert_eq!(merged.amount_cents, Some(120_000));
    assert!(merged.is_difficult);

    // The same changes again: no effect.
    let again = b.apply_remote(&a_changes).unwrap();
    assert_eq!((again.applied, again.duplicates), (0, a_changes.len()));
    assert_eq!(export(&a.store), export(&b));

    // A, whose clock is right (a year behind B's), edits after seeing B's stamps: its edit
    // still wins, because its clock has taken B's stamps into account.
    let mut later = a.store.require::<DisputeCase>(case_id).unwrap();
    later.occurred_place = Some("西岭村".into());
    a.store.save(later).unwrap();
    let newest: Vec<_> =
        a.store.pending_changes(1000).unwrap().into_iter().filter(|c| !a_changes.iter().any(|x| x.change_id == c.change_id)).collect();
    b.apply_remote(&newest).unwrap();
    assert_eq!(b.require::<DisputeCase>(case_id).unwrap().occurred_place.as_deref(), Some("西岭村"));
    assert_eq!(export(&a.store), export(&b));
    // What lost stays in the history.
    let history = a.store.history(Kind::DisputeCase, case_id).unwrap();
    assert!(history.iter().any(|h| h.data["occurred_place"] == "东山村三组"));
}

#[test]
fn concurrent_edits_of_one_field_pick_the_same_winner_everywhere() {
    let mut a = fixture();
    let p = a.store.save(person("张伟", None)).unwrap().record;
    let (_dir, mut b) = second_pc(&a, fixed_clock());
    let mut pa = a.store.require::<Person>(p.meta.id).unwrap();
    pa.phone = Some("13800000001".into());
    a.store.save(pa).unwrap();
    let mut pb = b.require::<Person>(p.meta.id).unwrap();
    pb.phone = Some("13900000002".into());
    b.save(pb).unwrap();
    let (ca, cb) = (a.store.pending_changes(100_000).unwrap(), b.pending_changes(100_000).unwrap());
    a.store.apply_remote(&cb).unwrap();
    b.apply_remote(&ca).unwrap();
    let (x, y) = (a.store.require::<Person>(p.meta.id).unwrap(), b.require::<Person>(p.meta.id).unwrap());
    assert_eq!(x.phone, y.phone, "same winner on both");
    assert_eq!(export(&a.store), export(&b));
}

#[test]
fn deletes_travel_as_tombstones() {
    let mut a = fixture();
    let p = a.store.save(person("王五", None)).unwrap().record;
    let (_dir, mut b) = second_pc(&a, fixed_clock());
    a.store.delete::<Person>(p.meta.id).unwrap();
    relay(&a.store, &mut b);
    assert!(b.get::<Person>(p.meta.id).unwrap().unwrap().meta.deleted);
    assert_eq!(export(&a.store), export(&b));
}

#[test]
fn acknowledged_and_set_aside_changes_leave_the_queue() {
    let mut f = fixture();
    f.store.save(person("张伟", None)).unwrap();
    let pending = f.store.pending_changes(10).unwrap();
    assert!(pending.len() >= 3);
    let status = f.store.sync_status().unwrap();
    assert_eq!(status.pending as usize, pending.len());
    f.store.acknowledge(&[pending[0].change_id]).unwrap();
    f.store.set_aside(pending[1].change_id, "县级服务器：不属于本所").unwrap();
    let status = f.store.sync_status().unwrap();
    assert_eq!(status.pending as usize, pending.len() - 2);
    assert_eq!(status.set_aside, 1);
    let aside = f.store.set_aside_changes().unwrap();
    assert_eq!(aside[0].1, "县级服务器：不属于本所");
    assert!(!f.store.pending_changes(10).unwrap().iter().any(|c| c.change_id == pending[1].change_id));
    f.store.set_sync_setting(sync::keys::SERVER, Some("https://county.example:8443")).unwrap();
    f.store.record_sync_result(None).unwrap();
    let status = f.store.sync_status().unwrap();
    assert_eq!(status.server.as_deref(), Some("https://county.example:8443"));
    assert!(status.last_sync_at.is_some() && status.last_error.is_none());
}

#[test]
fn a_remote_change_that_cannot_be_applied_is_refused_not_stored() {
    let mut f = fixture();
    let before = f.store.log_counts().unwrap();
    let bad = ChangeEntry {
        seq: 0,
        change_id: uuid::Uuid::now_v7(),
        kind: "spaceship".into(),
        record_id: uuid::Uuid::now_v7(),
        op: "upsert".into(),
        version: 1,
        data: serde_json::json!({}),
        changed_fields: vec![],
        hlc: format!("{:015}-000000-{}", (Utc::now() + Duration::days(1)).timestamp_millis(), uuid::Uuid::nil()),
        device_id: uuid::Uuid::now_v7(),
        created_at: "2026-11-20T00:00:00Z".into(),
        acked_at: None,
    };
    let wrong_type = ChangeEntry { change_id: uuid::Uuid::now_v7(), kind: "person".into(), data: serde_json::json!({"gender": "7"}), ..bad.clone() };
    let report = f.store.apply_remote(&[bad, wrong_type]).unwrap();
    assert_eq!(report.applied, 0);
    assert_eq!(report.refused.len(), 2);
    assert!(report.refused[0].1.contains("未知的记录类别"));
    assert_eq!(f.store.log_counts().unwrap(), before);
}

/// A pulled batch is audited once — how many changes of which kinds, from which PC, and the
/// records they touched — not once a change (each was audited where it was made).
#[test]
fn a_pulled_batch_is_one_audit_entry() {
    let mut f = fixture();
    let (_dir, mut other) = second_pc(&f, fixed_clock());
    f.case_with_parties("张伟与李娜相邻通行纠纷", "张伟", "李娜");
    let before = other.audit_entries(usize::MAX).unwrap().len();
    let report = relay(&f.store, &mut other);
    assert_eq!(report.applied, 5, "a case, two persons, two parties: {report:?}");
    let entries = other.audit_entries(usize::MAX).unwrap();
    assert_eq!(entries.len(), before + 1);
    let e = &entries[0];
    assert_eq!(e.action, "sync_apply");
    assert!(e.summary.starts_with(&format!("同步收到{}条修改（", report.applied)), "{}", e.summary);
    assert!(e.summary.contains("当事人2条"), "{}", e.summary);
    let records: Vec<String> = serde_json::from_str(e.detail.as_deref().unwrap()).unwrap();
    assert_eq!(records.len(), report.applied);
    assert!(other.verify_audit().unwrap().is_ok());
    // The same batch again changes nothing and adds no entry.
    relay(&f.store, &mut other);
    assert_eq!(other.audit_entries(usize::MAX).unwrap().len(), before + 1);
}

#[test]
fn a_copy_without_pulled_history_merges_to_the_same_records_and_keeps_no_log() {
    let mut a = fixture();
    let case_id = a.case_with_parties("王芳与赵强债务纠纷", "王芳", "赵强");
    let mut c = a.store.require::<DisputeCase>(case_id).unwrap();
    c.amount_cents = Some(50_000);
    a.store.save(c).unwrap();
    let mut c = a.store.require::<DisputeCase>(case_id).unwrap();
    c.occurred_place = Some("东山村".into());
    a.store.save(c).unwrap();
    let changes = a.store.pending_changes(100_000).unwrap();

    let (_full_dir, full) = second_pc(&a, fengqiao_store::system_clock());
    let lean_dir = tempfile::tempdir().unwrap();
    let mut lean = Store::init_for_enrollment(lean_dir.path(), uuid::Uuid::now_v7(), a.store.office_id(), system_clock()).unwrap();
    lean.without_pulled_history();
    // Newest first, then everything again: the clocks decide, not the order or the repeats.
    let mut reversed = changes.clone();
    reversed.reverse();
    let first = lean.apply_remote(&reversed).unwrap();
    let again = lean.apply_remote(&changes).unwrap();
    assert_eq!((first.applied, first.duplicates, again.duplicates), (changes.len(), 0, 0));

    let records = |s: &Store| export(s).lines().skip(1).map(str::to_string).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(records(&lean), records(&full), "the same records as a copy with its history");
    let merged = lean.require::<DisputeCase>(case_id).unwrap();
    assert_eq!((merged.amount_cents, merged.occurred_place.as_deref()), (Some(50_000), Some("东山村")));
    let logged: i64 = lean.connection().query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).unwrap();
    assert_eq!(logged, 0, "no pulled change is kept");
    let (from, to) = (chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(), chrono::NaiveDate::from_ymd_opt(2030, 12, 31).unwrap());
    assert_eq!(lean.case_statistics(from, to).unwrap().own_total, full.case_statistics(from, to).unwrap().own_total);
}

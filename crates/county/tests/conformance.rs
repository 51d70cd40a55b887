//! The conformance suite every county store passes: SQLite always, PostgreSQL when
//! `FENGQIAO_TEST_PG_URL` names a database (each test in a schema of its own, dropped after).

mod common;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use common::*;
use fengqiao_county::store::{CountyStore, EnrollOutcome};
use fengqiao_county::{auth, export, notice};
use fengqiao_sync::protocol::{Change, PushStatus, MAX_BATCH};
use serde_json::{json, Value};
use uuid::Uuid;

fn statuses(results: &[fengqiao_sync::protocol::PushResult]) -> Vec<PushStatus> {
    results.iter().map(|r| r.status).collect()
}

async fn idempotent_push(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let (b, _) = device(s, &o).await;
    let id = Uuid::now_v7();
    let create = person_created(o.id, a.id, id, 1_000);
    let r = s.push(o.id, a.id, vec![create.clone()], Utc::now()).await.unwrap();
    assert_eq!(statuses(&r), [PushStatus::Applied]);
    let before = s.record(o.id, "person", id).await.unwrap().expect("record stored");
    // The same change again (a retry after a lost reply), alone and twice in one batch.
    let r = s.push(o.id, a.id, vec![create.clone()], Utc::now()).await.unwrap();
    assert_eq!(statuses(&r), [PushStatus::Duplicate]);
    let edit = person_change(o.id, a.id, id, 2, 2_000, json!({"phone": "13900000000"}), &["phone"]);
    let r = s.push(o.id, a.id, vec![create.clone(), edit.clone(), edit.clone()], Utc::now()).await.unwrap();
    assert_eq!(statuses(&r), [PushStatus::Duplicate, PushStatus::Applied, PushStatus::Duplicate]);
    let after = s.record(o.id, "person", id).await.unwrap().unwrap();
    assert_ne!(before.data, after.data);
    assert_eq!(after.data["phone"], "13900000000");
    assert_eq!(after.data["version"], 2);
    // One effect each: the other device sees exactly two changes.
    let page = s.pull(o.id, b.id, 0, MAX_BATCH, Utc::now()).await.unwrap();
    let ids: Vec<Uuid> = page.changes.iter().map(|c| c.change_id).collect();
    assert_eq!(ids, [create.change_id, edit.change_id]);
    assert_eq!(page.changes[0], create, "a change comes back exactly as pushed");
    let summary = s.offices().await.unwrap();
    assert_eq!(summary.iter().find(|x| x.office.id == o.id).unwrap().changes, 2);
}

/// A change id sent again with other content (an office's change log damaged or restored
/// from an older copy) is refused with the reason, never taken for a duplicate; the record
/// keeps what was applied under that id, and the rest of the batch goes on.
async fn reused_change_id_with_other_content_is_refused(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let id = Uuid::now_v7();
    let create = person_created(o.id, a.id, id, 1_000);
    assert_eq!(statuses(&s.push(o.id, a.id, vec![create.clone()], Utc::now()).await.unwrap()), [PushStatus::Applied]);
    let mut altered = create.clone();
    altered.data["name"] = json!("改过的名字");
    let edit = person_change(o.id, a.id, id, 2, 2_000, json!({"phone": "13900000000"}), &["phone"]);
    let r = s.push(o.id, a.id, vec![altered, edit], Utc::now()).await.unwrap();
    assert_eq!(statuses(&r), [PushStatus::Rejected, PushStatus::Applied]);
    assert!(r[0].reason.as_deref().unwrap().contains("内容不同"), "{:?}", r[0].reason);
    let stored = s.record(o.id, "person", id).await.unwrap().unwrap();
    assert_eq!(stored.data["name"], create.data["name"]);
    assert_eq!(stored.data["phone"], "13900000000");
    // The untouched original is still a plain duplicate.
    assert_eq!(statuses(&s.push(o.id, a.id, vec![create], Utc::now()).await.unwrap()), [PushStatus::Duplicate]);
}

/// Two devices edit one record offline; whichever pushes first, the county ends identical.
async fn merge_converges_in_either_order(s: &dyn CountyStore) {
    let x = office(s, "甲所").await;
    let y = office(s, "乙所").await;
    let (ax, _) = device(s, &x).await;
    let (bx, _) = device(s, &x).await;
    let (ay, _) = device(s, &y).await;
    let (by, _) = device(s, &y).await;
    let id = Uuid::now_v7();
    // Per office: A creates; then offline A changes phone and (later) name, B changes the
    // address and (earlier than A) the phone too, then deletes nothing; A's later name wins,
    // B's address wins, A's phone (later stamp) wins over B's.
    let changes = |org: Uuid, a: Uuid, b: Uuid| -> (Vec<Change>, Vec<Change>) {
        let create = person_created(org, a, id, 1_000);
        let a1 = person_change(org, a, id, 2, 3_000, json!({"phone": "A-phone"}), &["phone"]);
        let a2 = person_change(org, a, id, 3, 5_000, json!({"phone": "A-phone", "name": "张三丰"}), &["name"]);
        let b1 = person_change(org, b, id, 2, 2_000, json!({"phone": "B-phone", "hukou_address": "乙村"}), &["phone", "hukou_address"]);
        let b2 = person_change(org, b, id, 3, 4_000, json!({"phone": "B-phone", "hukou_address": "乙村", "note": "B的备注"}), &["note"]);
        (vec![create, a1, a2], vec![b1, b2])
    };
    let (a_x, b_x) = changes(x.id, ax.id, bx.id);
    let (a_y, b_y) = changes(y.id, ay.id, by.id);
    // Office x: A first, then B. Office y: B's edits first (before even the creation), then A.
    for c in a_x {
        s.push(x.id, ax.id, vec![c], Utc::now()).await.unwrap();
    }
    s.push(x.id, bx.id, b_x, Utc::now()).await.unwrap();
    s.push(y.id, by.id, b_y.into_iter().rev().collect(), Utc::now()).await.unwrap();
    s.push(y.id, ay.id, a_y.into_iter().rev().collect(), Utc::now()).await.unwrap();
    let rx = s.record(x.id, "person", id).await.unwrap().unwrap();
    let ry = s.record(y.id, "person", id).await.unwrap().unwrap();
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("org_id");
        v
    };
    assert_eq!(strip(rx.data.clone()), strip(ry.data.clone()));
    assert_eq!(rx.data["phone"], "A-phone");
    assert_eq!(rx.data["name"], "张三丰");
    assert_eq!(rx.data["hukou_address"], "乙村");
    assert_eq!(rx.data["note"], "B的备注");
    assert_eq!(rx.data["version"], 3);
    assert_eq!(rx.data["updated_at"], "2026-01-05T08:00:03Z");
    // The clocks differ only by device ids; the fields carry the same times.
    let times = |c: &fengqiao_model::merge::FieldClocks| c.0.iter().map(|(k, v)| (k.clone(), v[..22].to_string())).collect::<HashMap<_, _>>();
    assert_eq!(times(&rx.clocks), times(&ry.clocks));
    // A delete from one device is a tombstone whatever came before it.
    let mut del = person_change(x.id, bx.id, id, 4, 6_000, json!({"deleted": true}), &[]);
    del.op = "delete".into();
    s.push(x.id, bx.id, vec![del], Utc::now()).await.unwrap();
    let late = person_change(x.id, ax.id, id, 4, 5_500, json!({"phone": "late"}), &["phone"]);
    s.push(x.id, ax.id, vec![late], Utc::now()).await.unwrap();
    let rx = s.record(x.id, "person", id).await.unwrap().unwrap();
    assert_eq!(rx.data["deleted"], true);
    assert_eq!(rx.data["phone"], "late");
}

async fn pull_excludes_own_changes_and_pages(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let (b, _) = device(s, &o).await;
    let mut from_a = Vec::new();
    let mut from_b = Vec::new();
    // Interleaved: a, b, a, a, b, a, …
    for i in 0..12 {
        let mine = i % 3 == 1;
        let (d, list) = if mine { (b.id, &mut from_b) } else { (a.id, &mut from_a) };
        let c = person_created(o.id, d, Uuid::now_v7(), 1_000 + i);
        s.push(o.id, d, vec![c.clone()], Utc::now()).await.unwrap();
        list.push(c.change_id);
    }
    assert_eq!((from_a.len(), from_b.len()), (8, 4));
    // Device a pages through b's changes, two at a time.
    let mut got = Vec::new();
    let mut cursor = 0;
    for _ in 0..10 {
        let page = s.pull(o.id, a.id, cursor, 2, Utc::now()).await.unwrap();
        assert!(page.changes.len() <= 2);
        assert!(page.changes.iter().all(|c| c.device_id == b.id), "own changes are never pulled");
        assert!(page.next_cursor >= cursor);
        got.extend(page.changes.iter().map(|c| c.change_id));
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(got, from_b);
    // Nothing new: an empty page, the cursor stays.
    let page = s.pull(o.id, a.id, cursor, 2, Utc::now()).await.unwrap();
    assert!(page.changes.is_empty() && !page.more);
    assert_eq!(page.next_cursor, cursor);
    // Device b gets a's eight, in push order, whatever the limit asked (clamped).
    let page = s.pull(o.id, b.id, 0, 0, Utc::now()).await.unwrap();
    assert_eq!(page.changes.len(), 1, "limit 0 is clamped to 1");
    let page = s.pull(o.id, b.id, 0, 10_000, Utc::now()).await.unwrap();
    assert_eq!(page.changes.iter().map(|c| c.change_id).collect::<Vec<_>>(), from_a);
    assert!(!page.more);
    // A new change after the cursor is the only one that comes.
    let c = person_created(o.id, b.id, Uuid::now_v7(), 9_000);
    s.push(o.id, b.id, vec![c.clone()], Utc::now()).await.unwrap();
    let next = s.pull(o.id, a.id, cursor, 100, Utc::now()).await.unwrap();
    assert_eq!(next.changes.iter().map(|c| c.change_id).collect::<Vec<_>>(), [c.change_id]);
    // The device's sync status follows.
    let devs = s.devices(Some(o.id)).await.unwrap();
    let da = devs.iter().find(|d| d.id == a.id).unwrap();
    assert!(da.last_pull_at.is_some() && da.last_push_at.is_some());
    assert_eq!(da.changes_pushed, 8);
    assert_eq!(da.pull_cursor, next.next_cursor, "where its last complete pull ended");
    assert!(s.offices().await.unwrap().iter().find(|x| x.office.id == o.id).unwrap().last_sync_at.is_some());
}

/// Each office's latest change in one query: 0 before any, then where a pull from 0 ends (what
/// the dashboard compares with a mirror's cursor); another office's changes and a refused
/// change leave it where it was; the offices in `offices()`'s order.
async fn office_heads_follow_each_offices_latest_change(s: &dyn CountyStore) {
    let x = office(s, "甲所").await;
    let y = office(s, "乙所").await;
    let (ax, _) = device(s, &x).await;
    let (ay, _) = device(s, &y).await;
    let heads = |list: Vec<fengqiao_county::store::OfficeHead>| list.into_iter().map(|h| (h.office.id, h.head)).collect::<Vec<_>>();
    assert_eq!(heads(s.office_heads().await.unwrap()), [(x.id, 0), (y.id, 0)]);
    for i in 0..3 {
        s.push(x.id, ax.id, vec![person_created(x.id, ax.id, Uuid::now_v7(), 1_000 + i)], Utc::now()).await.unwrap();
    }
    let end_x = s.pull(x.id, Uuid::nil(), 0, MAX_BATCH, Utc::now()).await.unwrap().next_cursor;
    assert!(end_x > 0);
    assert_eq!(heads(s.office_heads().await.unwrap()), [(x.id, end_x), (y.id, 0)]);
    // y's change moves y's head only, past x's.
    s.push(y.id, ay.id, vec![person_created(y.id, ay.id, Uuid::now_v7(), 2_000)], Utc::now()).await.unwrap();
    let end_y = s.pull(y.id, Uuid::nil(), 0, MAX_BATCH, Utc::now()).await.unwrap().next_cursor;
    assert!(end_y > end_x);
    assert_eq!(heads(s.office_heads().await.unwrap()), [(x.id, end_x), (y.id, end_y)]);
    // A refused change (y's org claimed by x's device) and a duplicate move nothing.
    let forged = person_change(y.id, ax.id, Uuid::now_v7(), 1, 3_000, json!({"name": "篡改"}), &["name"]);
    assert_eq!(s.push(x.id, ax.id, vec![forged], Utc::now()).await.unwrap()[0].status, PushStatus::Rejected);
    let again = s.pull(x.id, Uuid::nil(), 0, MAX_BATCH, Utc::now()).await.unwrap().changes[0].clone();
    assert_eq!(s.push(x.id, ax.id, vec![again], Utc::now()).await.unwrap()[0].status, PushStatus::Duplicate);
    let list = s.office_heads().await.unwrap();
    assert_eq!(heads(list.clone()), [(x.id, end_x), (y.id, end_y)]);
    // The 司法所 list's counts of changes (kept by the store, not counted per query) leave out
    // the refused change and the duplicate too.
    let counts: Vec<_> = s.offices().await.unwrap().into_iter().map(|o| (o.office.id, o.changes)).collect();
    assert_eq!(counts, [(x.id, 3), (y.id, 1)]);
    // The offices as `offices()` lists them.
    let summaries: Vec<_> = s.offices().await.unwrap().into_iter().map(|o| o.office).collect();
    assert_eq!(list.into_iter().map(|h| h.office).collect::<Vec<_>>(), summaries);
    // Nothing past the head: a pull from it is empty.
    let page = s.pull(x.id, Uuid::nil(), end_x, MAX_BATCH, Utc::now()).await.unwrap();
    assert!(page.changes.is_empty() && !page.more && page.next_cursor == end_x);
}

async fn tenant_isolation(s: &dyn CountyStore) {
    let x = office(s, "甲所").await;
    let y = office(s, "乙所").await;
    let (ax, _) = device(s, &x).await;
    let (ay, _) = device(s, &y).await;
    let (by, _) = device(s, &y).await;
    let id = Uuid::now_v7();
    // y's own record.
    let theirs = person_created(y.id, ay.id, id, 1_000);
    s.push(y.id, ay.id, vec![theirs.clone()], Utc::now()).await.unwrap();
    // x's device sends a record claiming y's org: rejected, nothing written anywhere.
    let forged = person_change(y.id, ax.id, id, 2, 2_000, json!({"name": "篡改"}), &["name"]);
    let r = s.push(x.id, ax.id, vec![forged.clone()], Utc::now()).await.unwrap();
    assert_eq!(r[0].status, PushStatus::Rejected);
    assert!(r[0].reason.as_deref().unwrap().contains("不属于本所"), "{r:?}");
    assert_eq!(s.record(y.id, "person", id).await.unwrap().unwrap().data["name"], "张三");
    assert!(s.record(x.id, "person", id).await.unwrap().is_none());
    // x reusing y's change id is refused, not taken for a duplicate of x's.
    let mut reuse = person_created(x.id, ax.id, Uuid::now_v7(), 3_000);
    reuse.change_id = theirs.change_id;
    let r = s.push(x.id, ax.id, vec![reuse], Utc::now()).await.unwrap();
    assert_eq!(r[0].status, PushStatus::Rejected);
    // The same record id under x's own org is x's own record, apart from y's.
    let own = person_change(x.id, ax.id, id, 1, 4_000, json!({"name": "李四"}), &["name"]);
    assert_eq!(s.push(x.id, ax.id, vec![own], Utc::now()).await.unwrap()[0].status, PushStatus::Applied);
    assert_eq!(s.record(y.id, "person", id).await.unwrap().unwrap().data["name"], "张三");
    assert_eq!(s.record(x.id, "person", id).await.unwrap().unwrap().data["name"], "李四");
    // Pulls stay within the office.
    let page = s.pull(y.id, by.id, 0, MAX_BATCH, Utc::now()).await.unwrap();
    assert_eq!(page.changes.iter().map(|c| c.change_id).collect::<Vec<_>>(), [theirs.change_id]);
    let (bx, _) = device(s, &x).await;
    let page = s.pull(x.id, bx.id, 0, MAX_BATCH, Utc::now()).await.unwrap();
    assert!(page.changes.iter().all(|c| c.data["org_id"] == json!(x.id)));
    assert_eq!(page.changes.len(), 1);
    assert_eq!(s.records(y.id).await.unwrap().len(), 1);
}

async fn revoke_takes_effect_at_once(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let (a, ta) = device(s, &o).await;
    let (b, tb) = device(s, &o).await;
    let (c, tc) = device(s, &o).await;
    assert!(s.revoke_device(a.id, Utc::now()).await.unwrap());
    assert!(s.authenticate(&auth::hash_token(&ta), Utc::now()).await.unwrap().is_none());
    assert!(s.authenticate(&auth::hash_token(&tb), Utc::now()).await.unwrap().is_some());
    assert!(!s.revoke_device(Uuid::now_v7(), Utc::now()).await.unwrap(), "no such device");
    assert_eq!(s.revoke_office(o.id, Utc::now()).await.unwrap(), 2);
    for t in [&tb, &tc] {
        assert!(s.authenticate(&auth::hash_token(t), Utc::now()).await.unwrap().is_none());
    }
    let devs = s.devices(Some(o.id)).await.unwrap();
    assert!(devs.iter().all(|d| d.revoked_at.is_some()) && devs.len() == 3);
    let summary = s.offices().await.unwrap();
    let mine = summary.iter().find(|x| x.office.id == o.id).unwrap();
    assert_eq!((mine.devices, mine.revoked_devices), (0, 3));
    // A new code from the county lets the same PC back in, with a new token only.
    let code = code(s, &o, Duration::days(1)).await;
    let new_token = auth::new_token();
    let r = enroll(s, &code, b.id, &new_token, Some(o.id)).await;
    assert!(matches!(r, EnrollOutcome::Enrolled(_)));
    assert_eq!(s.authenticate(&auth::hash_token(&new_token), Utc::now()).await.unwrap().map(|d| d.id), Some(b.id));
    assert!(s.authenticate(&auth::hash_token(&tb), Utc::now()).await.unwrap().is_none());
    let _ = c;
}

async fn enrollment_code_is_one_time(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let other = office(s, "西乡司法所").await;
    let (taken, _) = device(s, &other).await;
    let c = code(s, &o, Duration::days(1)).await;
    // A device registered elsewhere is refused, and the code stays usable.
    assert_eq!(enroll(s, &c, taken.id, &auth::new_token(), None).await, EnrollOutcome::DeviceTaken);
    assert_eq!(enroll(s, &c, other.county_device_id, &auth::new_token(), None).await, EnrollOutcome::DeviceTaken);
    // Typed differently, it is the same code; used once, it is gone.
    let first = enroll(s, &c.to_lowercase(), Uuid::now_v7(), &auth::new_token(), None).await;
    assert!(matches!(first, EnrollOutcome::Enrolled(ref x) if x.id == o.id && x.name == "城关镇司法所"));
    assert_eq!(enroll(s, &c, Uuid::now_v7(), &auth::new_token(), None).await, EnrollOutcome::InvalidCode);
    // Unknown and expired codes.
    assert_eq!(enroll(s, "AAAA-BBBB-CCCC-DDDD", Uuid::now_v7(), &auth::new_token(), None).await, EnrollOutcome::InvalidCode);
    let old = code(s, &o, Duration::seconds(-1)).await;
    assert_eq!(enroll(s, &old, Uuid::now_v7(), &auth::new_token(), None).await, EnrollOutcome::InvalidCode);
    // Two PCs racing for one code: exactly one wins.
    let c = code(s, &o, Duration::days(1)).await;
    let (t1, t2) = (auth::new_token(), auth::new_token());
    let (r1, r2) = tokio::join!(enroll(s, &c, Uuid::now_v7(), &t1, None), enroll(s, &c, Uuid::now_v7(), &t2, None));
    let wins = [r1, r2].iter().filter(|r| matches!(r, EnrollOutcome::Enrolled(_))).count();
    assert_eq!(wins, 1);
}

/// The office's records carry its store's id: the first enrollment binds the county's office
/// to it, later devices must agree (or adopt it), and pushes are checked against it.
async fn first_enrollment_binds_the_office_id(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let other = office(s, "西乡司法所").await;
    assert_eq!(s.office(o.id).await.unwrap().unwrap().org_id, None);
    let store_id = Uuid::now_v7();
    let (a, ta) = (Uuid::now_v7(), auth::new_token());
    let r = enroll(s, &code(s, &o, Duration::days(1)).await, a, &ta, Some(store_id)).await;
    assert!(matches!(r, EnrollOutcome::Enrolled(ref x) if x.id == o.id && x.org_id == Some(store_id)), "{r:?}");
    assert_eq!(s.office(o.id).await.unwrap().unwrap().org_id, Some(store_id));
    // A new PC without a store adopts the bound id; one with another office's data is refused
    // and its code stays usable.
    let r = enroll(s, &code(s, &o, Duration::days(1)).await, Uuid::now_v7(), &auth::new_token(), None).await;
    assert!(matches!(r, EnrollOutcome::Enrolled(ref x) if x.org_id == Some(store_id)));
    let c = code(s, &o, Duration::days(1)).await;
    let r = enroll(s, &c, Uuid::now_v7(), &auth::new_token(), Some(Uuid::now_v7())).await;
    assert_eq!(r, EnrollOutcome::OfficeMismatch { bound: Some(store_id) });
    assert!(matches!(enroll(s, &c, Uuid::now_v7(), &auth::new_token(), Some(store_id)).await, EnrollOutcome::Enrolled(_)));
    // Another office cannot take the same id.
    let r = enroll(s, &code(s, &other, Duration::days(1)).await, Uuid::now_v7(), &auth::new_token(), Some(store_id)).await;
    assert_eq!(r, EnrollOutcome::OfficeMismatch { bound: None });
    assert_eq!(s.office(other.id).await.unwrap().unwrap().org_id, None);
    // Records carry the bound id; the county's own key is not an org id.
    let mine = person_created(store_id, a, Uuid::now_v7(), 1_000);
    let wrong = person_created(o.id, a, Uuid::now_v7(), 1_001);
    let r = s.push(o.id, a, vec![mine, wrong], Utc::now()).await.unwrap();
    assert_eq!(statuses(&r), [PushStatus::Applied, PushStatus::Rejected]);
    // A notice is written under the bound id; an office no device has enrolled gets none.
    let input = notice::NoticeInput {
        name: "王五".into(),
        id_number: "11010519491231002X".into(),
        released_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        prison: "某监狱".into(),
        crime: "盗窃罪".into(),
        assessment: None,
        sentence_term: None,
        hukou_address: None,
    };
    let bound = s.office(o.id).await.unwrap().unwrap();
    notice::issue(s, &bound, input.clone(), Utc::now()).await.unwrap();
    assert!(s.records(o.id).await.unwrap().iter().all(|r| r.data["org_id"] == json!(store_id)));
    let unbound = s.office(other.id).await.unwrap().unwrap();
    let e = notice::issue(s, &unbound, input, Utc::now()).await.unwrap_err();
    assert!(e.to_string().contains("还没有设备注册"), "{e}");
}

async fn rejected_changes_do_not_block_the_batch(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let good1 = person_created(o.id, a.id, Uuid::now_v7(), 1_000);
    let mut bad_kind = person_created(o.id, a.id, Uuid::now_v7(), 1_001);
    bad_kind.kind = "no_such_kind".into();
    let mut bad_type = person_created(o.id, a.id, Uuid::now_v7(), 1_002);
    bad_type.data["name"] = json!(42);
    let mut bad_code = person_created(o.id, a.id, Uuid::now_v7(), 1_003);
    bad_code.data["gender"] = json!("9x");
    let mut bad_id = person_created(o.id, a.id, Uuid::now_v7(), 1_004);
    bad_id.record_id = Uuid::now_v7();
    let mut bad_hlc = person_created(o.id, a.id, Uuid::now_v7(), 1_005);
    bad_hlc.hlc = "zzz".into();
    let mut bad_op = person_created(o.id, a.id, Uuid::now_v7(), 1_006);
    bad_op.op = "merge".into();
    let mut not_object = person_created(o.id, a.id, Uuid::now_v7(), 1_007);
    not_object.data = json!([1, 2]);
    let mut nul = person_created(o.id, a.id, Uuid::now_v7(), 1_008);
    nul.data["name"] = json!("张\u{0}三");
    let mut stray_field = person_created(o.id, a.id, Uuid::now_v7(), 1_009);
    stray_field.changed_fields.push("not_in_data".into());
    let good2 = person_created(o.id, a.id, Uuid::now_v7(), 1_010);
    let batch = vec![good1.clone(), bad_kind, bad_type, bad_code, bad_id, bad_hlc, bad_op, not_object, nul, stray_field, good2.clone()];
    let r = s.push(o.id, a.id, batch, Utc::now()).await.unwrap();
    let st = statuses(&r);
    assert_eq!(st[0], PushStatus::Applied);
    assert_eq!(st[10], PushStatus::Applied);
    for (i, x) in r.iter().enumerate().take(10).skip(1) {
        assert_eq!(x.status, PushStatus::Rejected, "change {i}: {x:?}");
        assert!(!x.reason.as_deref().unwrap_or("").is_empty());
    }
    assert!(r[2].reason.as_deref().unwrap().contains("name"), "{:?}", r[2]);
    assert!(r[3].reason.as_deref().unwrap().contains("gender"), "{:?}", r[3]);
    let recs = s.records(o.id).await.unwrap();
    let mut ids: Vec<Uuid> = recs.iter().map(|r| r.record_id).collect();
    ids.sort();
    let mut want = vec![good1.record_id, good2.record_id];
    want.sort();
    assert_eq!(ids, want);
}

async fn concurrent_pushes_serialize(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let (b, _) = device(s, &o).await;
    let (c, _) = device(s, &o).await;
    let ids: Vec<Uuid> = (0..20).map(|_| Uuid::now_v7()).collect();
    let batch = |d: Uuid, base: i64| -> Vec<Change> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| person_change(o.id, d, *id, 1, base + i as i64, json!({"note": format!("{d}")}), &["note", "name"]))
            .collect()
    };
    let (ra, rb) = tokio::join!(s.push(o.id, a.id, batch(a.id, 10_000), Utc::now()), s.push(o.id, b.id, batch(b.id, 20_000), Utc::now()));
    assert!(ra.unwrap().iter().chain(rb.unwrap().iter()).all(|r| r.status == PushStatus::Applied));
    for id in &ids {
        let r = s.record(o.id, "person", *id).await.unwrap().unwrap();
        assert_eq!(r.data["note"], json!(b.id.to_string()), "the later stamps win");
    }
    // Every change is pulled exactly once, in an order consistent with the cursor.
    let mut seen = Vec::new();
    let mut cursor = 0;
    for _ in 0..20 {
        let p = s.pull(o.id, c.id, cursor, 7, Utc::now()).await.unwrap();
        seen.extend(p.changes.iter().map(|c| c.change_id));
        cursor = p.next_cursor;
        if !p.more {
            break;
        }
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (40, 40));
}

async fn records_come_back_as_stored(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let id = Uuid::now_v7();
    let mut c = person_created(o.id, a.id, id, 1_000);
    c.data["note"] = json!("多行\n备注 \"引号\" \\ 𠮷 emoji 🙂 and a long number 12345678901234");
    c.data["birth_date"] = json!("1980-02-29");
    s.push(o.id, a.id, vec![c.clone()], Utc::now()).await.unwrap();
    let r = s.record(o.id, "person", id).await.unwrap().unwrap();
    assert_eq!(r.data, c.data);
    assert_eq!(r.clocks.last(), Some(c.hlc.as_str()));
    let all = s.records(o.id).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].data, c.data);
    assert_eq!(s.office(o.id).await.unwrap().unwrap(), fengqiao_county::store::Office { org_id: Some(o.id), ..o.clone() }.with_rounded_time());
    assert!(s.office(Uuid::now_v7()).await.unwrap().is_none());
    s.ping().await.unwrap();
}

async fn notice_reaches_the_office(s: &dyn CountyStore) {
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let o = s.office(o.id).await.unwrap().unwrap();
    let input = notice::NoticeInput {
        name: "王五".into(),
        id_number: "11010519491231002X".into(),
        released_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        prison: "福建省某监狱".into(),
        crime: "盗窃罪".into(),
        assessment: Some(fengqiao_model::AssessmentType::Key),
        sentence_term: Some("三年".into()),
        hukou_address: None,
    };
    let done = notice::issue(s, &o, input.clone(), Utc::now()).await.unwrap();
    assert!(done.new_person);
    let page = s.pull(o.id, a.id, 0, MAX_BATCH, Utc::now()).await.unwrap();
    assert_eq!(page.changes.len(), 2);
    assert!(page.changes.iter().all(|c| c.device_id == o.county_device_id));
    let released = page.changes.iter().find(|c| c.kind == "released_person").unwrap();
    assert_eq!(released.data["notice_from"], "福建省某监狱");
    assert_eq!(released.data["handover_status"], "pending");
    assert_eq!(released.data["draft"], true);
    assert_eq!(released.data["must_escort"], true);
    let person = page.changes.iter().find(|c| c.kind == "person").unwrap();
    assert_eq!(person.data["gender"], "2", "gender from the ID number");
    // The same notice twice is refused; a later release of the same person reuses the person.
    assert!(notice::issue(s, &o, input.clone(), Utc::now()).await.is_err());
    let again = notice::issue(s, &o, notice::NoticeInput { released_on: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), ..input }, Utc::now())
        .await
        .unwrap();
    assert!(!again.new_person);
    assert_eq!(again.person_id, done.person_id);
    // The export carries the files with their person.
    let lines = export::export_lines(o.id, s.records(o.id).await.unwrap()).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines
        .iter()
        .all(|l| matches!(l, fengqiao_model::ExportLine::ReleasedPerson(f) if f.person.as_ref().map(|p| p.meta.id) == Some(done.person_id))));
}

/// County accounts, sessions (expiring, ended by sign-out), settings and the refused changes.
async fn accounts_sessions_and_settings(s: &dyn CountyStore) {
    use fengqiao_county::store::dashboard::Rejection;
    use fengqiao_county::store::{Role, User};
    let now = Utc::now();
    let admin = User { id: Uuid::now_v7(), name: "张科长".into(), role: Role::Admin, created_at: now };
    let viewer = User { id: Uuid::now_v7(), name: "李干事".into(), role: Role::Viewer, created_at: now + Duration::seconds(1) };
    assert!(s.create_user(&admin, "$argon2id$hash-a").await.unwrap());
    assert!(s.create_user(&viewer, "$argon2id$hash-v").await.unwrap());
    assert!(!s.create_user(&User { id: Uuid::now_v7(), ..admin.clone() }, "x").await.unwrap(), "a name is taken once");
    let (u, hash) = s.user_by_name("李干事").await.unwrap().unwrap();
    assert_eq!((u.id, u.role, hash.as_str()), (viewer.id, Role::Viewer, "$argon2id$hash-v"));
    assert!(s.user_by_name("王五").await.unwrap().is_none());
    let names: Vec<String> = s.users().await.unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(names, ["张科长", "李干事"]);

    s.create_session("tok-a", admin.id, now, now + Duration::hours(8)).await.unwrap();
    s.create_session("tok-old", viewer.id, now - Duration::hours(9), now - Duration::hours(1)).await.unwrap();
    assert_eq!(s.session("tok-a", now).await.unwrap().map(|u| u.name), Some("张科长".into()));
    assert!(s.session("tok-a", now + Duration::hours(8)).await.unwrap().is_none(), "expired at its time");
    assert!(s.session("tok-old", now).await.unwrap().is_none());
    assert!(s.session("nope", now).await.unwrap().is_none());
    assert!(s.delete_session("tok-a", now).await.unwrap());
    assert!(s.session("tok-a", now).await.unwrap().is_none(), "signed out");
    assert!(!s.delete_session("tok-a", now).await.unwrap());

    assert!(s.setting("dashboard").await.unwrap().is_none());
    s.set_setting("dashboard", &json!({"offline_days": 3}), now).await.unwrap();
    s.set_setting("dashboard", &json!({"offline_days": 5, "county_name": "某县司法局"}), now).await.unwrap();
    assert_eq!(s.setting("dashboard").await.unwrap().unwrap()["offline_days"], 5);

    // Refused changes, noted once each; the backlog counts them and what devices still miss.
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let (b, _) = device(s, &o).await;
    for i in 0..3 {
        s.push(o.id, a.id, vec![person_created(o.id, a.id, Uuid::now_v7(), 1_000 + i)], now).await.unwrap();
    }
    let r = Rejection {
        change_id: Uuid::now_v7(),
        device_id: a.id,
        kind: "person".into(),
        record_id: Uuid::now_v7(),
        reason: "格式不对".into(),
        at: now,
    };
    s.record_rejections(o.id, &[r.clone(), r.clone()]).await.unwrap();
    s.record_rejections(o.id, std::slice::from_ref(&r)).await.unwrap();
    let listed = s.rejections(o.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reason, "格式不对");
    let backlog = s.backlogs().await.unwrap().into_iter().find(|(id, _)| *id == o.id).unwrap().1;
    assert_eq!((backlog.undelivered, backlog.rejected), (3, 1), "b has pulled nothing; a's own changes are not for a");
    s.pull(o.id, b.id, 0, MAX_BATCH, now).await.unwrap();
    let backlog = s.backlogs().await.unwrap().into_iter().find(|(id, _)| *id == o.id).unwrap().1;
    assert_eq!(backlog.undelivered, 0);
}

/// The county's audit log: lines kept with every field, read newest first up to a limit.
async fn audit_log_keeps_lines_newest_first(s: &dyn CountyStore) {
    use chrono::{DurationRound, TimeDelta};
    use fengqiao_county::store::AuditEntry;
    assert!(s.audit_log(10).await.unwrap().is_empty());
    let now = Utc::now().duration_trunc(TimeDelta::microseconds(1)).unwrap();
    let line = |i: i64, action: &str| AuditEntry {
        id: 0,
        at: now + Duration::seconds(i),
        actor: "张科长".into(),
        action: action.into(),
        target: (i % 2 == 0).then(|| format!("对象{i}")),
        detail: Some(format!("详情{i}")),
        client: (i != 1).then(|| "192.0.2.7".into()),
    };
    for (i, action) in ["sign_in_failed", "sign_in", "export_rollup_xlsx", "office_add"].iter().enumerate() {
        s.add_audit(&line(i as i64, action)).await.unwrap();
    }
    let all = s.audit_log(100).await.unwrap();
    assert_eq!(all.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(), ["office_add", "export_rollup_xlsx", "sign_in", "sign_in_failed"]);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "ids grow");
    let first = all.last().unwrap();
    assert_eq!(AuditEntry { id: 0, ..first.clone() }, line(0, "sign_in_failed"));
    assert_eq!(all[2].client, None);
    assert_eq!(all[2].target, None);
    assert_eq!(s.audit_log(2).await.unwrap(), all[..2].to_vec());
}

/// The offices' audit logs: a device's chain is taken when it continues, kept per office (one
/// office never sees another's), a resend adds nothing, a gap or a rewritten entry is refused,
/// and two sends racing for the same place do not both land.
async fn office_audit_chains_are_kept_per_device(s: &dyn CountyStore) {
    use fengqiao_county::office_audit::{accept, Refusal};
    use fengqiao_store::audit::GENESIS;
    let x = office(s, "甲所").await;
    let y = office(s, "乙所").await;
    let (ax, _) = device(s, &x).await;
    let (ay, _) = device(s, &y).await;
    let chain = |device: Uuid, n: i64| {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = fengqiao_store::AuditEntry {
                    seq,
                    at: format!("2026-11-20T02:00:{seq:02}.000000Z"),
                    actor: "李明".into(),
                    device_id: device.to_string(),
                    action: "create".into(),
                    kind: Some("person".into()),
                    record_id: Some(Uuid::now_v7().to_string()),
                    summary: format!("新建当事人{seq}"),
                    detail: (seq % 2 == 0).then(|| "{\"name\":\"张三\"}".to_string()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.computed_hash();
                prev = e.hash.clone();
                e
            })
            .collect::<Vec<_>>()
    };
    let mine = chain(ax.id, 5);
    assert_eq!(accept(s, x.id, ax.id, mine[..3].to_vec(), Utc::now()).await.unwrap(), Ok(3));
    assert_eq!(accept(s, x.id, ax.id, mine.clone(), Utc::now()).await.unwrap(), Ok(5));
    assert_eq!(accept(s, x.id, ax.id, mine.clone(), Utc::now()).await.unwrap(), Ok(5), "a resend adds nothing");
    assert_eq!(s.office_audit_head(ax.id).await.unwrap(), Some((5, mine[4].hash.clone())));
    let mut held = s.office_audit(x.id, 100).await.unwrap();
    held.reverse();
    assert_eq!(held, mine, "kept as sent");
    assert_eq!(s.office_audit(x.id, 2).await.unwrap().len(), 2);
    assert!(s.office_audit(y.id, 100).await.unwrap().is_empty(), "another office sees nothing");
    // y's device starts its own chain; x's is untouched.
    let theirs = chain(ay.id, 2);
    assert_eq!(accept(s, y.id, ay.id, theirs, Utc::now()).await.unwrap(), Ok(2));
    assert_eq!(s.office_audit(x.id, 100).await.unwrap().len(), 5);
    // A gap, and a rewritten chain, are refused with nothing written.
    let longer = chain(ax.id, 8);
    assert!(matches!(accept(s, x.id, ax.id, longer[6..].to_vec(), Utc::now()).await.unwrap(), Err(Refusal::Broken(_))));
    let mut rewritten = chain(ax.id, 7);
    rewritten[1].summary = "改写".into();
    let mut prev = rewritten[0].hash.clone();
    for e in rewritten[1..].iter_mut() {
        e.prev_hash = prev;
        e.hash = e.computed_hash();
        prev = e.hash.clone();
    }
    assert!(matches!(accept(s, x.id, ax.id, rewritten[5..].to_vec(), Utc::now()).await.unwrap(), Err(Refusal::Broken(_))));
    assert_eq!(s.office_audit(x.id, 100).await.unwrap().len(), 5);
    // The store's own guard: an append after a head that moved meanwhile writes nothing.
    assert!(!s.add_office_audit(x.id, ax.id, 4, &longer[4..6], Utc::now()).await.unwrap());
    assert!(s.add_office_audit(x.id, ax.id, 5, &longer[5..6], Utc::now()).await.unwrap());
    assert_eq!(s.office_audit_head(ax.id).await.unwrap().unwrap().0, 6);
}

trait Rounded {
    fn with_rounded_time(self) -> Self;
}

impl Rounded for fengqiao_county::store::Office {
    /// Both stores keep microseconds.
    fn with_rounded_time(mut self) -> Self {
        use chrono::{DurationRound, TimeDelta};
        self.created_at = self.created_at.duration_trunc(TimeDelta::microseconds(1)).unwrap();
        self
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let f = crate::common::sqlite().await;
                    super::$name(&*f.store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(f) = crate::common::postgres().await else { return };
                    super::$name(&*f.store).await;
                }
            )*
        }
    };
}

conformance!(
    idempotent_push,
    reused_change_id_with_other_content_is_refused,
    merge_converges_in_either_order,
    pull_excludes_own_changes_and_pages,
    office_heads_follow_each_offices_latest_change,
    tenant_isolation,
    revoke_takes_effect_at_once,
    enrollment_code_is_one_time,
    first_enrollment_binds_the_office_id,
    rejected_changes_do_not_block_the_batch,
    concurrent_pushes_serialize,
    records_come_back_as_stored,
    notice_reaches_the_office,
    accounts_sessions_and_settings,
    audit_log_keeps_lines_newest_first,
    office_audit_chains_are_kept_per_device,
);

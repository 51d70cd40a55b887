//! The county's export of an office equals the office's own export, byte for byte: a store
//! filled with realistic demo records (every kind, edits and deletions), its whole change log
//! pushed to the county in batches, exported on both sides; then a county notice pulled into
//! the office and merged there, and both exports compared again. Runs on SQLite, and on
//! PostgreSQL when `FENGQIAO_TEST_PG_URL` is set.

mod common;

use chrono::Utc;
use fengqiao_county::store::CountyStore;
use fengqiao_county::{export, notice};
use fengqiao_model::*;
use fengqiao_store::{ChangeEntry, Store};
use fengqiao_sync::protocol::{Change, PushStatus, MAX_BATCH};
use uuid::Uuid;

fn wire(c: ChangeEntry) -> Change {
    Change {
        change_id: c.change_id,
        kind: c.kind,
        record_id: c.record_id,
        op: c.op,
        version: c.version,
        data: c.data,
        changed_fields: c.changed_fields,
        hlc: c.hlc,
        device_id: c.device_id,
        created_at: c.created_at,
    }
}

fn entry(c: Change) -> ChangeEntry {
    ChangeEntry {
        seq: 0,
        change_id: c.change_id,
        kind: c.kind,
        record_id: c.record_id,
        op: c.op,
        version: c.version,
        data: c.data,
        changed_fields: c.changed_fields,
        hlc: c.hlc,
        device_id: c.device_id,
        created_at: c.created_at,
        acked_at: None,
    }
}

fn office_export(store: &Store) -> String {
    let mut out = Vec::new();
    store.export(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

async fn county_export(s: &dyn CountyStore, office: Uuid) -> String {
    let o = s.office(office).await.unwrap().unwrap();
    let lines = export::export_lines(o.org_id.unwrap(), s.records(office).await.unwrap()).unwrap();
    let mut out = Vec::new();
    export::write_lines(&lines, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Edits and deletions, so the log holds several versions and tombstones.
fn churn(store: &mut Store) {
    let visits = store.all::<FieldVisit>().unwrap();
    if let Some(v) = visits.first() {
        store.delete::<FieldVisit>(v.meta.id).unwrap();
    }
    let open = |c: &DisputeCase| !matches!(c.status, CaseStatus::Archived | CaseStatus::Closed);
    let cases = store.all::<DisputeCase>().unwrap();
    if let Some(mut c) = cases.iter().rev().find(|c| open(c)).cloned() {
        c.title = Some(format!("{}（更正）", c.title.clone().unwrap_or_default()));
        store.save(c).unwrap();
    }
    let items = store.all::<ScreeningItem>().unwrap();
    if let Some(i) = items.first() {
        store.delete::<ScreeningItem>(i.meta.id).unwrap();
    }
    // A changed agreement: the new one supersedes the old, which stays on file.
    let agreements = store.all::<Agreement>().unwrap();
    let open_cases: Vec<Uuid> = cases.iter().filter(|c| open(c)).map(|c| c.meta.id).collect();
    let old = agreements
        .iter()
        .find(|a| a.terms.len() > 1 && a.case_id.is_some_and(|c| open_cases.contains(&c)))
        .expect("an agreement with terms in an open case")
        .clone();
    let mut new = old.clone();
    new.meta = Meta::default();
    new.supersedes_agreement_id = Some(old.meta.id);
    new.terms.pop();
    store.save(new).unwrap();
    store.save(Person { name: Some("证人甲".into()), meta: Meta { draft: true, ..Default::default() }, ..Default::default() }).unwrap();
}

async fn office_and_county_exports_are_identical(s: &dyn CountyStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init(dir.path(), "东山镇司法所", "350502101").unwrap();
    let opts = fengqiao_cli::demo::DemoOptions { disputes: 40, released: 15, screenings: 15, seed: 11 };
    fengqiao_cli::demo::generate(&mut store, &opts, |_| {}).unwrap();
    churn(&mut store);

    // The county's office, bound to the store's id by the first enrollment.
    let o = common::office(s, "东山镇司法所").await;
    let c = common::code(s, &o, chrono::Duration::days(1)).await;
    let token = fengqiao_county::auth::new_token();
    let r = common::enroll(s, &c, store.device_id(), &token, Some(store.office_id())).await;
    assert!(matches!(r, fengqiao_county::store::EnrollOutcome::Enrolled(_)), "{r:?}");

    // Push the whole log in batches, acknowledging as the agent does.
    let mut pushed = 0;
    for _ in 0..10_000 {
        let batch = store.pending_changes(MAX_BATCH).unwrap();
        if batch.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = batch.iter().map(|c| c.change_id).collect();
        let results = s.push(o.id, store.device_id(), batch.into_iter().map(wire).collect(), Utc::now()).await.unwrap();
        for r in &results {
            assert_eq!(r.status, PushStatus::Applied, "{r:?}");
        }
        pushed += results.len();
        store.acknowledge(&ids).unwrap();
    }
    assert!(pushed > 500, "the demo data should take several batches ({pushed})");

    let mine = office_export(&store);
    let theirs = county_export(s, o.id).await;
    assert!(mine.lines().count() > 70);
    assert_eq!(theirs, mine, "the county's export differs from the office's");

    // A county notice reaches the office; both sides export it the same way.
    let bound = s.office(o.id).await.unwrap().unwrap();
    let input = notice::NoticeInput {
        name: "𠮷祥".into(),
        id_number: "11010519491231002X".into(),
        released_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        prison: "福建省某监狱".into(),
        crime: "盗窃罪".into(),
        assessment: Some(AssessmentType::General),
        sentence_term: Some("二年".into()),
        hukou_address: Some("东山镇东山村".into()),
    };
    notice::issue(s, &bound, input, Utc::now()).await.unwrap();
    let page = s.pull(o.id, store.device_id(), 0, MAX_BATCH, Utc::now()).await.unwrap();
    assert_eq!(page.changes.len(), 2, "only the county's changes come back to the office");
    let report = store.apply_remote(&page.changes.into_iter().map(entry).collect::<Vec<_>>()).unwrap();
    assert_eq!(report.applied, 2, "{report:?}");
    let mine = office_export(&store);
    assert!(mine.contains("𠮷祥"));
    assert_eq!(county_export(s, o.id).await, mine);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_export_equals_the_office_export() {
    let f = common::sqlite().await;
    office_and_county_exports_are_identical(&*f.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_export_equals_the_office_export() {
    let Some(f) = common::postgres().await else { return };
    office_and_county_exports_are_identical(&*f.store).await;
}

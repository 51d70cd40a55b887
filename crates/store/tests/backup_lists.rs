mod common;

use common::*;
use fengqiao_model::*;
use fengqiao_store::*;

#[test]
fn backup_then_restore_brings_back_the_saved_state() {
    let mut f = fixture();
    let kept = f.store.save(person("张伟", None)).unwrap().record;
    let out = f.dir.path().join("备份.db");
    f.store.backup(&out).unwrap();
    assert_eq!(f.store.backup(&out).unwrap_err().code(), "rule", "an existing backup is never overwritten");
    let later = f.store.save(person("李娜", None)).unwrap().record;
    f.store.restore(&out).unwrap();
    assert!(f.store.get::<Person>(kept.meta.id).unwrap().is_some());
    assert!(f.store.get::<Person>(later.meta.id).unwrap().is_none(), "what came after the backup is gone");
    f.store.integrity_check().unwrap();
    // The store keeps working after a restore.
    f.store.save(person("王五", None)).unwrap();
}

#[test]
fn restore_refuses_garbage_and_other_offices() {
    let mut f = fixture();
    let junk = f.dir.path().join("junk.db");
    std::fs::write(&junk, "这不是数据库").unwrap();
    let err = f.store.restore(&junk).unwrap_err();
    assert_eq!(err.code(), "corrupt", "{err}");
    let other_dir = tempfile::tempdir().unwrap();
    let mut other = Store::init(other_dir.path(), "西岭镇司法所", "350502102").unwrap();
    let other_backup = other_dir.path().join("b.db");
    other.backup(&other_backup).unwrap();
    let err = f.store.restore(&other_backup).unwrap_err();
    assert!(err.to_string().contains("另一个司法所"), "{err}");
    f.store.integrity_check().unwrap();
}

#[test]
fn dispute_list_filters_sorts_and_pages() {
    let mut f = fixture();
    let mut ids = Vec::new();
    for n in 0..25u32 {
        let mut c = DisputeCase {
            committee_id: Some(f.committee),
            title: Some(format!("第{n}件纠纷")),
            summary: Some("情况".into()),
            dispute_type: Some(if n % 5 == 0 { DisputeType::MarriageFamily } else { DisputeType::Neighborhood }),
            source: Some(CaseSource::Proactive),
            accepted_on: Some(date(2026, 1, 1 + n)),
            ..Default::default()
        };
        c.meta.draft = true;
        ids.push(f.store.save(c).unwrap().record.meta.id);
    }
    let page = |f: &Fixture, filter: DisputeFilter| f.store.list_disputes(&filter).unwrap();
    let all = page(&f, DisputeFilter { page_size: 10, ..Default::default() });
    assert_eq!((all.total, all.rows.len()), (25, 10));
    assert_eq!(all.rows[0].case.accepted_on, Some(date(2026, 1, 25)), "newest first by default");
    let third = page(&f, DisputeFilter { page_size: 10, page: 3, ..Default::default() });
    assert_eq!(third.rows.len(), 5);
    let asc = page(&f, DisputeFilter { order: SortOrder::Asc, page_size: 1, ..Default::default() });
    assert_eq!(asc.rows[0].case.meta.id, ids[0]);
    let marriage = page(&f, DisputeFilter { dispute_type: Some(DisputeType::MarriageFamily), ..Default::default() });
    assert_eq!(marriage.total, 5);
    let january_first_week =
        page(&f, DisputeFilter { accepted_from: Some(date(2026, 1, 1)), accepted_to: Some(date(2026, 1, 7)), ..Default::default() });
    assert_eq!(january_first_week.total, 7, "the period is inclusive");
    let drafts = page(&f, DisputeFilter { statuses: vec![CaseStatus::Draft], ..Default::default() });
    assert_eq!(drafts.total, 25);
    let none = page(&f, DisputeFilter { statuses: vec![CaseStatus::Archived], ..Default::default() });
    assert_eq!(none.total, 0);
    f.store.delete::<DisputeCase>(ids[0]).unwrap();
    assert_eq!(page(&f, DisputeFilter::default()).total, 24, "deleted cases leave the ledger");
    assert_eq!(f.store.history(Kind::DisputeCase, ids[0]).unwrap().last().unwrap().op, "delete", "a delete is a tombstone in the change log");
}

#[test]
fn released_list_filters_by_risk_class_status_and_period_end() {
    let mut f = fixture();
    for (n, (assessment, released_on)) in
        [(AssessmentType::Key, date(2021, 12, 1)), (AssessmentType::General, date(2024, 6, 1)), (AssessmentType::General, date(2025, 6, 1))]
            .into_iter()
            .enumerate()
    {
        let p = f.store.save(person(["周一", "吴二", "郑三"][n], Some(id_number("350502", "19700101", &format!("{:03}", 41 + n))))).unwrap().record;
        f.store
            .save(ReleasedPerson {
                person_id: Some(p.meta.id),
                is_recidivist: Some(false),
                crime_name: Some("盗窃罪".into()),
                sentence_term: Some("有期徒刑1年".into()),
                prison_name: Some("某监狱".into()),
                released_on: Some(released_on),
                release_type: Some(ReleaseType::SentenceServed),
                assessment_type: Some(assessment),
                ..Default::default()
            })
            .unwrap();
    }
    let list = |f: &Fixture, filter: ReleasedFilter| f.store.list_released(&filter).unwrap();
    assert_eq!(list(&f, ReleasedFilter { assessment_type: Some(AssessmentType::Key), ..Default::default() }).total, 1);
    assert_eq!(list(&f, ReleasedFilter { help_status: Some(HelpStatus::Active), ..Default::default() }).total, 3);
    assert_eq!(list(&f, ReleasedFilter { handover_status: Some(HandoverStatus::Pending), ..Default::default() }).total, 3);
    // 帮教期 ending within a month of "today" (2026-11-20): released 2021-12-01 ends 2026-11-30.
    let ending = list(&f, ReleasedFilter { period_ends_by: Some(date(2026, 12, 20)), ..Default::default() });
    assert_eq!(ending.total, 1);
    assert_eq!(ending.rows[0].name.as_deref(), Some("周一"));
    let by_name = list(&f, ReleasedFilter { query: Some("吴二".into()), ..Default::default() });
    assert_eq!(by_name.total, 1);
    let by_id = list(&f, ReleasedFilter { query: Some(id_number("350502", "19700101", "043")), ..Default::default() });
    assert_eq!(by_id.rows[0].name.as_deref(), Some("郑三"));
}

//! A case through its whole life, and the interchange format round trip.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use fengqiao_model::*;
use fengqiao_store::*;

fn at(d: u32, h: u32) -> Option<chrono::DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap())
}

/// Runs one case from intake to archive; returns the case id.
fn full_case(f: &mut Fixture) -> uuid::Uuid {
    let id = f.case_with_parties("张伟与李娜相邻通行纠纷", "张伟", "李娜");
    f.store.transition_case(id, CaseStatus::Accepted).unwrap();
    f.store.transition_case(id, CaseStatus::Investigating).unwrap();
    let file = f.store.case_file(id).unwrap();
    let (a, b) = (&file.parties[0], &file.parties[1]);
    f.store
        .save(InvestigationRecord {
            case_id: Some(id),
            started_at: at(3, 1),
            ended_at: at(3, 2),
            place: Some("东山村委会".into()),
            interviewee_person_id: a.party.person_id,
            interviewee_relation: Some(IntervieweeRelation::Party),
            investigator_ids: vec![f.mediator],
            recorder_id: Some(f.mediator),
            content: Some("问：通道何时被堵？\n答：今年十月。".into()),
            read_back: true,
            signed_by_interviewee: Some(SignatureStatus::Signed),
            ..Default::default()
        })
        .unwrap();
    f.store.transition_case(id, CaseStatus::Mediating).unwrap();
    f.store
        .save(MediationSession {
            case_id: Some(id),
            seq: Some(1),
            held_at: at(5, 2),
            place: Some("东山镇人民调解室".into()),
            subject: Some("相邻通行纠纷".into()),
            present_party_ids: vec![a.party.meta.id, b.party.meta.id],
            invitees: vec![Invitee { name: Some("赵村长".into()), unit: Some("东山村委会".into()), ..Default::default() }],
            mediator_ids: vec![f.mediator],
            recorder_id: Some(f.mediator),
            rights_notice_given: true,
            content: Some("告知权利义务；双方陈述；达成协议。".into()),
            session_outcome: Some(SessionOutcome::Agreement),
            ..Default::default()
        })
        .unwrap();
    let signatures = vec![
        PartySignature { party_id: Some(a.party.meta.id), status: Some(SignatureStatus::Fingerprinted) },
        PartySignature { party_id: Some(b.party.meta.id), status: Some(SignatureStatus::Fingerprinted) },
    ];
    let case_no = f.store.require::<DisputeCase>(id).unwrap().case_no;
    let agreement = f
        .store
        .save(Agreement {
            case_id: Some(id),
            form: Some(AgreementForm::Written),
            agreement_no: case_no,
            facts: Some("乙方在共用通道堆放柴草，致甲方无法通行。".into()),
            terms: vec!["乙方于2026年11月15日前清除通道柴草。".into(), "甲方不再追究。".into()],
            performance_method: Some("乙方自行清除".into()),
            performance_due_on: Some(date(2026, 11, 15)),
            copies: Some(3),
            signed_on: Some(date(2026, 11, 5)),
            signature_checklist: SignatureChecklist { parties: signatures, mediator_signed: true, seal_applied: true },
            performance_status: Some(PerformanceStatus::InProgress),
            ..Default::default()
        })
        .unwrap()
        .record;
    assert_eq!(agreement.jc_deadline(), Some(date(2026, 12, 5)));
    let reached = f.store.transition_case(id, CaseStatus::AgreementReached).unwrap();
    assert_eq!(reached.result, Some(MediationResult::Success));
    assert_eq!(reached.agreement_form, Some(AgreementForm::Written));
    f.store.transition_case(id, CaseStatus::Performing).unwrap();
    let refused = f.store.transition_case(id, CaseStatus::Closed).unwrap_err();
    assert!(refused.to_string().contains("尚在履行中"), "{refused}");
    let mut done = f.store.require::<Agreement>(agreement.meta.id).unwrap();
    done.performance_status = Some(PerformanceStatus::Fulfilled);
    f.store.save(done).unwrap();
    f.store
        .save(ReturnVisit {
            case_id: Some(id),
            agreement_no: agreement.agreement_no.clone(),
            visited_person_id: a.party.person_id,
            reason: Some("相邻通行纠纷".into()),
            visited_at: at(18, 2),
            method: Some(ReturnVisitMethod::OnSite),
            content: Some("通道已清理，双方满意。".into()),
            performance_status_observed: Some(PerformanceStatus::Fulfilled),
            satisfaction: Some(Satisfaction::Satisfied),
            visitor_ids: vec![f.mediator],
            ..Default::default()
        })
        .unwrap();
    let closed = f.store.transition_case(id, CaseStatus::Closed).unwrap();
    assert_eq!(closed.closed_on, Some(date(2026, 11, 20)));
    // Archiving needs the 立卷人 and 保管期限.
    let err = f.store.transition_case(id, CaseStatus::Archived).unwrap_err();
    assert!(err.to_string().contains("立卷人"), "{err}");
    let mut c = f.store.require::<DisputeCase>(id).unwrap();
    c.archived_by = Some("王调解".into());
    c.retention = Some(Retention::LongTerm);
    c.volume_name = Some("张伟与李娜相邻通行纠纷".into());
    f.store.save(c).unwrap();
    assert!(f.store.archive_checklist(id).unwrap().iter().all(|i| !i.required || i.present));
    let archived = f.store.transition_case(id, CaseStatus::Archived).unwrap();
    assert_eq!(archived.status, CaseStatus::Archived);
    // An archived file is closed to edits.
    let mut c = f.store.require::<DisputeCase>(id).unwrap();
    c.summary = Some("改动".into());
    assert_eq!(f.store.save(c).unwrap_err().code(), "rule");
    id
}

#[test]
fn a_case_from_intake_to_archive() {
    let mut f = fixture();
    let id = full_case(&mut f);
    let file = f.store.case_file(id).unwrap();
    assert_eq!(file.case.party_count, 2);
    assert_eq!((file.investigations.len(), file.sessions.len(), file.return_visits.len()), (1, 1, 1));
    // Every step is in the audit log.
    let transitions: i64 = f
        .store
        .connection()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'transition' AND record_id = ?1", [id.to_string()], |r| r.get(0))
        .unwrap();
    assert_eq!(transitions, 7);
}

#[test]
fn export_import_export_is_identical_and_reimport_writes_nothing() {
    let mut f = fixture();
    full_case(&mut f);
    f.case_with_parties("赵强与钱芳宅基地纠纷", "赵强", "钱芳");
    let witness = f.store.save(person("孙证人", None)).unwrap().record;
    let round = f
        .store
        .save(ScreeningRound {
            unit_name: Some("东山村".into()),
            unit_division_code: Some("350502101201".into()),
            period_type: Some(PeriodType::HalfMonth),
            period_start: Some(date(2026, 11, 1)),
            period_end: Some(date(2026, 11, 15)),
            screened_on: Some(date(2026, 11, 15)),
            screener_names: vec!["李网格".into()],
            zero_report: true,
            ..Default::default()
        })
        .unwrap()
        .record;
    let p = f.store.save(person("周某", Some(id_number("350502", "19750505", "031")))).unwrap().record;
    let released = f
        .store
        .save(ReleasedPerson {
            person_id: Some(p.meta.id),
            is_recidivist: Some(false),
            crime_name: Some("盗窃罪".into()),
            crime_category: Some(CrimeCategory::Property),
            sentence_term: Some("有期徒刑2年".into()),
            prison_name: Some("福建省某监狱".into()),
            released_on: Some(date(2026, 5, 1)),
            release_type: Some(ReleaseType::SentenceServed),
            assessment_type: Some(AssessmentType::Key),
            ..Default::default()
        })
        .unwrap()
        .record;
    assert_eq!(released.help_period_end, Some(date(2031, 4, 30)));
    assert_eq!(released.must_escort, Some(true));
    f.store
        .save(HelpVisit {
            released_person_id: Some(released.meta.id),
            visited_at: at(10, 2),
            visit_type: Some(HelpVisitType::Visit),
            visitor_names: vec!["刘干部".into()],
            content: Some("了解就业情况。".into()),
            ..Default::default()
        })
        .unwrap();
    let mut first = Vec::new();
    f.store.export(&mut first).unwrap();
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(text.lines().next().unwrap().contains("东山镇司法所"));
    assert!(text.contains(&witness.meta.id.to_string()), "a person filed nowhere travels as its own line");
    assert!(text.contains(&round.meta.id.to_string()));

    let fresh = tempfile::tempdir().unwrap();
    let mut other = Store::init_for_import(fresh.path(), text.lines().next().unwrap(), fixed_clock()).unwrap();
    let report = other.import(&mut first.as_slice()).unwrap();
    assert!(report.written > 10);
    let mut second = Vec::new();
    other.export(&mut second).unwrap();
    assert_eq!(String::from_utf8(second.clone()).unwrap(), text, "export → import → export must be identical");
    // Numbers that arrived with the cases are in the register: the next one follows them.
    let again = other.import(&mut first.as_slice()).unwrap();
    assert_eq!(again.written, 0, "importing the same file twice writes nothing");
    let mut third = Vec::new();
    other.export(&mut third).unwrap();
    assert_eq!(third, second);
}

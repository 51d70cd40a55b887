//! The ledger and a case file through the workflow, driven as the UI drives them.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use fengqiao_app::cases::{self, *};
use fengqiao_app::{dashboard, settings, AppState};
use fengqiao_model::*;
use uuid::Uuid;

struct Refs {
    committee: Uuid,
    mediator: Uuid,
}

fn refs(state: &AppState) -> Refs {
    let s = settings::settings(state).unwrap();
    Refs { committee: s.committees[0].committee.meta.id, mediator: s.committees[0].mediators[0].meta.id }
}

fn intake(r: &Refs, title: &str, a: &str, b: &str, seq: u32) -> IntakeInput {
    IntakeInput {
        case: DisputeCase {
            committee_id: Some(r.committee),
            source: Some(CaseSource::PartyApplication),
            dispute_type: Some(DisputeType::Neighborhood),
            title: Some(title.into()),
            summary: Some(format!("{a}与{b}因相邻通行发生争执。")),
            lead_mediator_id: Some(r.mediator),
            accepted_on: Some(date(2026, 11, 2)),
            ..Default::default()
        },
        parties: [(a, seq), (b, seq + 1)]
            .into_iter()
            .map(|(name, n)| PartyInput {
                party: CaseParty { rights_notice_given_on: Some(date(2026, 11, 2)), id_copy_attached: true, ..Default::default() },
                person: Some(person(name, Some(id_number("19800101", &format!("{:03}", n))))),
                entity: None,
            })
            .collect(),
    }
}

fn action(v: &CaseView, to: CaseStatus) -> &WorkflowAction {
    v.actions.iter().find(|a| a.to == to).unwrap_or_else(|| panic!("no action to {to:?}: {:?}", v.actions))
}

fn at(d: u32, h: u32) -> Option<chrono::DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap())
}

#[test]
fn intake_with_a_wrong_id_number_is_refused_on_its_field_and_saves_nothing() {
    let app = ready();
    let r = refs(&app.state);
    let mut input = intake(&r, "张伟与李娜相邻通行纠纷", "张伟", "李娜", 11);
    input.parties[1].person.as_mut().unwrap().id_number = Some("350502198001010011".into());
    let err = create_case(&app.state, input).unwrap_err();
    assert_eq!(err.code, "invalid");
    let id = err.issues.iter().find(|i| i.field == "parties[1].person.id_number").expect("the ID number's problem");
    assert!(id.message.contains("最后一位应为3"), "{}", id.message);
    // The number gave no gender, so the gender is now asked for too; nothing else.
    let fields: Vec<&str> = err.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["parties[1].person.id_number", "parties[1].person.gender"]);
    assert_eq!(list_cases(&app.state, LedgerQuery::default()).unwrap().total, 0);
}

#[test]
fn a_case_from_intake_to_archive() {
    let app = ready();
    let r = refs(&app.state);
    let made = create_case(&app.state, intake(&r, "张伟与李娜相邻通行纠纷", "张伟", "李娜", 11)).unwrap();
    let id = made.view.file.case.meta.id;
    let v = made.view;
    assert_eq!(v.file.case.status, CaseStatus::Draft);
    assert_eq!(v.file.parties.len(), 2);
    assert_eq!(v.file.parties[0].party.side.as_deref(), Some("甲"));
    assert_eq!(v.file.parties[1].party.role, Some(PartyRole::Respondent));
    assert_eq!(v.file.parties[1].person.as_ref().unwrap().gender, Some(Gender::Female), "from the ID number");
    assert!(action(&v, CaseStatus::Accepted).allowed, "{:?}", action(&v, CaseStatus::Accepted));
    assert_eq!(action(&v, CaseStatus::Rejected).needs, vec!["status_reason"]);

    // 不予受理 without a reason is refused with the reason, and nothing changes.
    let err = transition(&app.state, TransitionInput { case_id: id, to: CaseStatus::Rejected, ..blank(id) }).unwrap_err();
    assert_eq!(err.code, "refused");
    assert!(err.reasons.iter().any(|r| r.contains("不予受理/撤回原因")), "{:?}", err.reasons);
    assert_eq!(get_case(&app.state, id).unwrap().file.case.status, CaseStatus::Draft);

    // 受理 issues the number.
    let v = transition(&app.state, TransitionInput { to: CaseStatus::Accepted, ..blank(id) }).unwrap();
    assert_eq!(v.file.case.case_no.as_deref(), Some("（2026）东山调字第1号"));
    assert_eq!(v.days_open, Some(18));

    // 达成协议 is not offered yet; from 调解中 it is refused with its reasons.
    let v = transition(&app.state, TransitionInput { to: CaseStatus::Investigating, ..blank(id) }).unwrap();
    let (a, b) = (v.file.parties[0].clone(), v.file.parties[1].clone());
    let u = save_investigation(
        &app.state,
        InvestigationInput {
            record: InvestigationRecord {
                case_id: Some(id),
                started_at: at(3, 1),
                ended_at: at(3, 2),
                place: Some("东山村委会".into()),
                interviewee_person_id: a.party.person_id,
                interviewee_relation: Some(IntervieweeRelation::Party),
                investigator_ids: vec![r.mediator],
                recorder_id: Some(r.mediator),
                content: Some("问：通道何时被堵？\n答：今年十月。".into()),
                read_back: true,
                ..Default::default()
            },
            new_interviewee: None,
        },
    )
    .unwrap();
    assert_eq!(u.view.file.investigations.len(), 1);
    // A witness not yet known is made with the record.
    let u = save_investigation(
        &app.state,
        InvestigationInput {
            record: InvestigationRecord {
                case_id: Some(id),
                started_at: at(3, 3),
                place: Some("东山村".into()),
                interviewee_relation: Some(IntervieweeRelation::Witness),
                investigator_ids: vec![r.mediator],
                recorder_id: Some(r.mediator),
                content: Some("邻居证实通道被堵。".into()),
                read_back: true,
                ..Default::default()
            },
            new_interviewee: Some(Person { name: Some("赵大爷".into()), gender: Some(Gender::Male), ..Default::default() }),
        },
    )
    .unwrap();
    assert_eq!(u.view.file.investigations.len(), 2);

    let v = transition(&app.state, TransitionInput { to: CaseStatus::Mediating, ..blank(id) }).unwrap();
    let reach = action(&v, CaseStatus::AgreementReached);
    assert!(!reach.allowed);
    assert!(reach.reasons.contains(&"尚无定稿的调解记录".to_string()), "{:?}", reach.reasons);
    assert!(reach.reasons.contains(&"尚未登记调解协议".to_string()), "{:?}", reach.reasons);
    let err = transition(&app.state, TransitionInput { to: CaseStatus::AgreementReached, ..blank(id) }).unwrap_err();
    assert_eq!(err.reasons, reach.reasons);

    // A session without the notice of rights is refused on that field.
    let session = MediationSession {
        case_id: Some(id),
        held_at: at(5, 2),
        place: Some("东山镇人民调解室".into()),
        subject: Some("相邻通行纠纷".into()),
        present_party_ids: vec![a.party.meta.id, b.party.meta.id],
        mediator_ids: vec![r.mediator],
        recorder_id: Some(r.mediator),
        content: Some("告知权利义务；双方陈述；达成协议。".into()),
        session_outcome: Some(SessionOutcome::Agreement),
        ..Default::default()
    };
    let err = save_session(&app.state, session.clone()).unwrap_err();
    assert_eq!(err.issues[0].field, "rights_notice_given");
    let u = save_session(&app.state, MediationSession { rights_notice_given: true, ..session }).unwrap();
    assert_eq!(u.view.file.sessions[0].seq, Some(1), "numbered by the app");

    let agreement = Agreement {
        case_id: Some(id),
        form: Some(AgreementForm::Written),
        facts: Some("乙方在共用通道堆放柴草，致甲方无法通行。".into()),
        terms: vec!["乙方于2026年11月15日前清除通道柴草。".into()],
        performance_method: Some("乙方自行清除".into()),
        performance_due_on: Some(date(2026, 11, 15)),
        signed_on: Some(date(2026, 11, 5)),
        performance_status: Some(PerformanceStatus::InProgress),
        ..Default::default()
    };
    // Unsigned: refused with the 第二十九条 message.
    let err = save_agreement(&app.state, agreement.clone()).unwrap_err();
    assert!(err.issues.iter().any(|i| i.field == "signature_checklist"), "{err:?}");
    let signed = SignatureChecklist {
        parties: [&a, &b].iter().map(|p| PartySignature { party_id: Some(p.party.meta.id), status: Some(SignatureStatus::Fingerprinted) }).collect(),
        mediator_signed: true,
        seal_applied: true,
    };
    let u = save_agreement(&app.state, Agreement { signature_checklist: signed, ..agreement }).unwrap();
    let ag = u.view.file.agreement.clone().unwrap();
    assert_eq!(ag.agreement_no.as_deref(), Some("（2026）东山调字第1号"), "the case's number by default");
    assert_eq!(ag.copies, Some(3), "one per party plus one");
    assert_eq!(u.view.jc_deadline, Some(date(2026, 12, 5)));

    let v = transition(&app.state, TransitionInput { to: CaseStatus::AgreementReached, ..blank(id) }).unwrap();
    assert_eq!(v.file.case.result, Some(MediationResult::Success));
    let v = transition(&app.state, TransitionInput { to: CaseStatus::Performing, ..blank(id) }).unwrap();
    // 结案 waits for the performance to be recorded.
    assert!(!action(&v, CaseStatus::Closed).allowed);
    let mut ag = v.file.agreement.clone().unwrap();
    ag.performance_status = Some(PerformanceStatus::Fulfilled);
    save_agreement(&app.state, ag).unwrap();
    let u = save_return_visit(
        &app.state,
        ReturnVisit {
            case_id: Some(id),
            visited_person_id: a.party.person_id,
            visited_at: at(16, 2),
            method: Some(ReturnVisitMethod::OnSite),
            content: Some("通道已清理，双方满意。".into()),
            performance_status_observed: Some(PerformanceStatus::Fulfilled),
            satisfaction: Some(Satisfaction::Satisfied),
            visitor_ids: vec![r.mediator],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(u.view.file.return_visits[0].reason.as_deref(), Some("张伟与李娜相邻通行纠纷"));
    let v = transition(&app.state, TransitionInput { to: CaseStatus::Closed, ..blank(id) }).unwrap();
    assert_eq!(v.file.case.closed_on, Some(date(2026, 11, 20)));
    assert!(v.checklist.iter().all(|c| !c.required || c.present), "{:?}", v.checklist);
    let v =
        transition(&app.state, TransitionInput { to: CaseStatus::Archived, retention: Some(Retention::LongTerm), page_count: Some(14), ..blank(id) })
            .unwrap();
    assert_eq!(v.file.case.status, CaseStatus::Archived);
    assert_eq!(v.file.case.archived_by.as_deref(), Some("李明"), "the staff member by default");
    assert!(v.actions.is_empty());

    // Archived: the file can no longer be changed.
    let err = save_case(&app.state, v.file.case.clone()).unwrap_err();
    assert!(err.message.contains("已归档"), "{err:?}");
}

fn blank(case_id: Uuid) -> TransitionInput {
    TransitionInput {
        case_id,
        to: CaseStatus::Accepted,
        status_reason: None,
        failure_reason: None,
        alternatives_told: vec![],
        closed_on: None,
        archived_by: None,
        retention: None,
        page_count: None,
        volume_name: None,
    }
}

#[test]
fn terminate_asks_for_reason_and_routes_and_withdraw_for_a_reason() {
    let app = ready();
    let r = refs(&app.state);
    let id = create_case(&app.state, intake(&r, "王强与刘洋债务纠纷", "王强", "刘洋", 21)).unwrap().view.file.case.meta.id;
    transition(&app.state, TransitionInput { to: CaseStatus::Accepted, ..blank(id) }).unwrap();
    let v = transition(&app.state, TransitionInput { to: CaseStatus::Mediating, ..blank(id) }).unwrap();
    assert_eq!(action(&v, CaseStatus::Terminated).needs, vec!["failure_reason", "alternatives_told"]);
    let err =
        transition(&app.state, TransitionInput { to: CaseStatus::Terminated, failure_reason: Some("双方分歧过大".into()), ..blank(id) }).unwrap_err();
    assert!(err.reasons.iter().any(|x| x.contains("告知的其他途径")), "{:?}", err.reasons);
    let v = transition(
        &app.state,
        TransitionInput {
            to: CaseStatus::Terminated,
            failure_reason: Some("双方分歧过大".into()),
            alternatives_told: vec![Alternative::Litigation, Alternative::Arbitration],
            ..blank(id)
        },
    )
    .unwrap();
    assert_eq!(v.file.case.result, Some(MediationResult::Failed));
    assert!(action(&v, CaseStatus::Closed).allowed);

    let other = create_case(&app.state, intake(&r, "陈静与周杰合同纠纷", "陈静", "周杰", 31)).unwrap().view.file.case.meta.id;
    let v =
        transition(&app.state, TransitionInput { to: CaseStatus::Withdrawn, status_reason: Some("申请人撤回申请".into()), ..blank(other) }).unwrap();
    assert_eq!(v.file.case.status, CaseStatus::Withdrawn);
    assert_eq!(v.file.case.status_reason.as_deref(), Some("申请人撤回申请"));
}

#[test]
fn ledger_searches_two_character_names_sorts_and_pages() {
    let app = ready();
    let r = refs(&app.state);
    let names = [("张伟", "李娜"), ("王芳", "刘洋"), ("陈静", "杨帆"), ("赵磊", "黄敏"), ("周杰", "吴霞")];
    for (n, (a, b)) in names.iter().enumerate() {
        let mut input = intake(&r, &format!("{a}与{b}纠纷"), a, b, 11 + 2 * n as u32);
        input.case.accepted_on = Some(date(2026, 11, 1 + n as u32));
        create_case(&app.state, input).unwrap();
    }
    let page = list_cases(&app.state, LedgerQuery { query: Some("李娜".into()), ..Default::default() }).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].party_names, "张伟、李娜");
    assert_eq!(page.rows[0].committee.as_deref(), Some("东山镇人民调解委员会"));
    assert_eq!(page.rows[0].lead_mediator.as_deref(), Some("王秀英"));

    let p1 = list_cases(&app.state, LedgerQuery { page: 1, page_size: 2, ..Default::default() }).unwrap();
    let p3 = list_cases(&app.state, LedgerQuery { page: 3, page_size: 2, ..Default::default() }).unwrap();
    assert_eq!((p1.total, p1.rows.len(), p3.rows.len()), (5, 2, 1));
    assert_eq!(p1.rows[0].title.as_deref(), Some("周杰与吴霞纠纷"), "newest accepted first");
    let asc = list_cases(&app.state, LedgerQuery { ascending: true, page_size: 1, ..Default::default() }).unwrap();
    assert_eq!(asc.rows[0].title.as_deref(), Some("张伟与李娜纠纷"));
    let drafts = list_cases(&app.state, LedgerQuery { statuses: vec![CaseStatus::Accepted], ..Default::default() }).unwrap();
    assert_eq!(drafts.total, 0);
    assert_eq!(list_cases(&app.state, LedgerQuery { sort: Some("data; drop".into()), ..Default::default() }).unwrap_err().code, "bad_input");
}

#[test]
fn dashboard_counts_what_was_entered() {
    let app = ready();
    let r = refs(&app.state);
    let d = dashboard::dashboard(&app.state).unwrap();
    assert_eq!(d.month.cases, 0);
    for (n, (a, b)) in [("张伟", "李娜"), ("王芳", "刘洋"), ("陈静", "杨帆")].iter().enumerate() {
        let mut input = intake(&r, &format!("{a}与{b}纠纷"), a, b, 11 + 2 * n as u32);
        if n == 2 {
            input.case.source = Some(CaseSource::Proactive);
            input.case.dispute_type = Some(DisputeType::MarriageFamily);
        }
        let id = create_case(&app.state, input).unwrap().view.file.case.meta.id;
        transition(&app.state, TransitionInput { to: CaseStatus::Accepted, ..blank(id) }).unwrap();
    }
    let d = dashboard::dashboard(&app.state).unwrap();
    assert_eq!(d.today, date(2026, 11, 20));
    assert_eq!(d.month.cases, 3);
    let count = |list: &[fengqiao_app::CountItem], code: &str| list.iter().find(|c| c.code == code).unwrap().count;
    assert_eq!(count(&d.month.by_type, "neighborhood"), 2);
    assert_eq!(count(&d.month.by_type, "marriage_family"), 1);
    assert_eq!(count(&d.month.by_source, "party_application"), 2);
    assert_eq!(count(&d.month.by_source, "proactive"), 1);
    assert_eq!(d.open_cases.iter().find(|s| s.status == CaseStatus::Accepted).unwrap().count, 3);
    // Accepted on 11-02, today 11-20: 18 days, not yet near the month.
    let d = dashboard::dashboard_reminders(&app.state).unwrap();
    assert!(d.overdue.iter().chain(&d.due_soon).all(|r| r.rule != "mediation_due"));
}

#[test]
fn a_case_near_its_month_is_on_the_dashboard_and_opens_its_file() {
    let app = ready();
    let r = refs(&app.state);
    let mut input = intake(&r, "张伟与李娜相邻通行纠纷", "张伟", "李娜", 11);
    input.case.accepted_on = Some(date(2026, 10, 24));
    let id = create_case(&app.state, input).unwrap().view.file.case.meta.id;
    let v = transition(&app.state, TransitionInput { to: CaseStatus::Accepted, ..blank(id) }).unwrap();
    assert_eq!(v.month_clock.as_deref(), Some("2026年10月24日受理，已27天"));
    let d = dashboard::dashboard_reminders(&app.state).unwrap();
    let item = d.due_soon.iter().find(|r| r.rule == "mediation_due").expect("a 调解期限将满 reminder");
    assert_eq!((item.open.as_deref(), item.open_id), (Some("case"), Some(id)));
    let row = &list_cases(&app.state, LedgerQuery::default()).unwrap().rows[0];
    assert_eq!(row.days_open, Some(27));
}

#[test]
fn parties_added_later_take_the_next_side_and_stale_edits_are_refused() {
    let app = ready();
    let r = refs(&app.state);
    let v = create_case(&app.state, intake(&r, "张伟与李娜相邻通行纠纷", "张伟", "李娜", 11)).unwrap().view;
    let id = v.file.case.meta.id;
    let u = save_party(
        &app.state,
        PartyInput {
            party: CaseParty { case_id: Some(id), role: Some(PartyRole::ThirdParty), ..Default::default() },
            person: None,
            entity: Some(LegalEntity { name: Some("东山村民委员会".into()), ..Default::default() }),
        },
    )
    .unwrap();
    assert_eq!(u.view.file.parties.len(), 3);
    assert_eq!(u.view.file.parties[2].party.side.as_deref(), Some("丙"));
    // Changing a party's person: a bad phone is refused on `person.phone`.
    let mut p = u.view.file.parties[0].clone();
    p.person.as_mut().unwrap().phone = Some("电话".into());
    let err = save_party(&app.state, PartyInput { party: p.party.clone(), person: p.person.clone(), entity: None }).unwrap_err();
    assert_eq!(err.issues[0].field, "person.phone");
    // Two windows editing the same case: the older edit is refused.
    let mut first = v.file.case.clone();
    first.summary = Some("第一次修改".into());
    save_case(&app.state, first).unwrap();
    let mut stale = v.file.case.clone();
    stale.summary = Some("第二次修改".into());
    assert_eq!(save_case(&app.state, stale).unwrap_err().code, "conflict");
    // A party removed from the file.
    let third = u.view.file.parties[2].party.meta.id;
    let v = delete_case_record(&app.state, CaseRecordRef { case_id: id, kind: Kind::CaseParty, id: third }).unwrap();
    assert_eq!(v.file.parties.len(), 2);
    cases::delete_case(&app.state, id).unwrap();
    assert_eq!(list_cases(&app.state, LedgerQuery::default()).unwrap().total, 0);
}

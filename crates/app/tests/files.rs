//! 排查 rounds and 安置帮教 files, and the statistics, driven as the UI drives them.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use fengqiao_app::released::*;
use fengqiao_app::screening::*;
use fengqiao_app::statistics::{statistics, PeriodInput};
use fengqiao_app::{cases, settings};
use fengqiao_model::*;

#[test]
fn zero_report_in_one_action_and_an_item_opens_a_case() {
    let app = ready();
    let zero = zero_report(
        &app.state,
        ZeroReportInput {
            unit_name: Some("东山村".into()),
            unit_division_code: Some("350502101001".into()),
            period_type: Some(PeriodType::HalfMonth),
            period_start: Some(date(2026, 11, 1)),
            period_end: Some(date(2026, 11, 15)),
            screener_names: vec!["林海".into()],
            approved_by: Some("陈书记".into()),
            submitted_to: Some("东山镇司法所".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let round = &zero.file.round;
    assert!(round.zero_report);
    assert_eq!(round.statement.as_deref(), Some(ZERO_REPORT_STATEMENT));
    assert_eq!(round.submitted_on, Some(date(2026, 11, 20)));
    // No item on a zero report.
    let err = save_item(&app.state, ScreeningItem { round_id: Some(round.meta.id), ..Default::default() }).unwrap_err();
    assert!(err.message.contains("零报告"), "{err:?}");

    // A round with an item.
    let r = save_round(
        &app.state,
        ScreeningRound {
            unit_name: Some("西岭村".into()),
            unit_division_code: Some("350502101002".into()),
            period_type: Some(PeriodType::HalfMonth),
            period_start: Some(date(2026, 11, 1)),
            period_end: Some(date(2026, 11, 15)),
            screened_on: Some(date(2026, 11, 14)),
            screener_names: vec!["郑平".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let rid = r.file.round.meta.id;
    let bad = ScreeningItem { round_id: Some(rid), found_on: Some(date(2026, 11, 14)), people_involved: Some(0), ..Default::default() };
    let err = save_item(&app.state, bad).unwrap_err();
    assert!(err.issues.iter().any(|i| i.field == "people_involved" && i.message.contains("至少为1")), "{err:?}");
    let u = save_item(
        &app.state,
        ScreeningItem {
            round_id: Some(rid),
            found_on: Some(date(2026, 11, 14)),
            place: Some("西岭村5组".into()),
            party_summary: Some("孙某与钱某".into()),
            dispute_type: Some(DisputeType::HousingHomestead),
            people_involved: Some(2),
            summary: Some("宅基地界址争议。".into()),
            risk_level: Some(RiskLevel::General),
            disposition: Some(Disposition::MediateOnSpot),
            status: Some(ItemStatus::Open),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(u.file.round.found_count, 1);
    let page = list_rounds(&app.state, RoundQuery::default()).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(list_rounds(&app.state, RoundQuery { zero_report: Some(true), ..Default::default() }).unwrap().total, 1);

    let item = u.file.items[0].meta.id;
    let v = open_case_from_item(&app.state, OpenCaseInput { item_id: item, ..Default::default() }).unwrap();
    let c = &v.file.case;
    assert_eq!(c.status, CaseStatus::Draft);
    assert_eq!(c.title.as_deref(), Some("孙某与钱某房屋宅基地纠纷"));
    assert_eq!(c.dispute_type, Some(DisputeType::HousingHomestead));
    assert_eq!(c.source, Some(CaseSource::Proactive));
    assert_eq!(c.screening_item_id, Some(item));
    assert!(c.committee_id.is_some(), "the office's only 调委会");
    let round = get_round(&app.state, rid).unwrap();
    assert_eq!(round.items[0].case_id, Some(c.meta.id));
    assert_eq!(round.items[0].status, Some(ItemStatus::Referred));
    assert_eq!(open_case_from_item(&app.state, OpenCaseInput { item_id: item, ..Default::default() }).unwrap_err().code, "rule");
    assert_eq!(cases::list_cases(&app.state, Default::default()).unwrap().total, 1);
}

#[test]
fn a_released_person_from_notice_through_handover_group_and_visit() {
    let app = ready();
    let staff = settings::settings(&app.state).unwrap();
    let mediator = staff.committees[0].mediators[0].meta.id;
    let released = ReleasedPerson {
        is_recidivist: Some(false),
        crime_name: Some("盗窃罪".into()),
        crime_category: Some(CrimeCategory::Property),
        sentence_term: Some("有期徒刑2年".into()),
        prison_name: Some("福建省某监狱".into()),
        released_on: Some(date(2026, 11, 10)),
        release_type: Some(ReleaseType::SentenceServed),
        assessment_type: Some(AssessmentType::Key),
        notice_received_on: Some(date(2026, 10, 9)),
        ..Default::default()
    };
    // No ID number: refused on the person's field, nothing saved.
    let err = save_released(&app.state, ReleasedInput { released: released.clone(), person: person("孙强", None) }).unwrap_err();
    assert!(err.issues.iter().any(|i| i.field == "person.id_number"), "{err:?}");
    assert_eq!(list_released(&app.state, ReleasedQuery::default()).unwrap().total, 0);

    let v = save_released(&app.state, ReleasedInput { released, person: person("孙强", Some(id_number("19900315", "031"))) }).unwrap();
    let id = v.file.released.meta.id;
    assert_eq!(v.file.released.help_period_end, Some(date(2031, 11, 9)));
    assert_eq!(v.file.released.must_escort, Some(true));
    assert_eq!(v.file.released.handover_status, Some(HandoverStatus::Pending));

    // Handover: events, then 已衔接.
    save_handover_event(
        &app.state,
        HandoverEvent {
            released_person_id: Some(id),
            event: Some(HandoverEventKind::Collected),
            on: Some(date(2026, 11, 10)),
            by: Some("李明".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let mut r = get_released(&app.state, id).unwrap().file;
    r.released.handover_status = Some(HandoverStatus::Done);
    let err = save_released(&app.state, ReleasedInput { released: r.released.clone(), person: r.person.clone().unwrap() }).unwrap_err();
    assert!(err.issues.iter().any(|i| i.field == "released.handover_on"), "{err:?}");
    r.released.handover_on = Some(date(2026, 11, 10));
    r.released.handover_method = Some(HandoverMethod::JudicialOfficeCollected);
    let v = save_released(&app.state, ReleasedInput { released: r.released, person: r.person.unwrap() }).unwrap();
    assert_eq!(v.file.handover_events.len(), 1);

    let v = save_help_group(
        &app.state,
        HelpGroup {
            released_person_id: Some(id),
            formed_on: Some(date(2026, 11, 12)),
            members: vec![
                HelpGroupMember { name: Some("李明".into()), role: Some(HelpGroupRole::JudicialStaff), is_leader: true, ..Default::default() },
                HelpGroupMember { name: Some("孙母".into()), role: Some(HelpGroupRole::Family), ..Default::default() },
            ],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(v.file.help_group.unwrap().members.len(), 2);
    let v = save_help_visit(
        &app.state,
        HelpVisit {
            released_person_id: Some(id),
            visited_at: Some(Utc.with_ymd_and_hms(2026, 11, 15, 2, 0, 0).unwrap()),
            visit_type: Some(HelpVisitType::Visit),
            visitor_ids: vec![mediator],
            topics: vec![HelpTopic::Employment],
            content: Some("了解就业意向。".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(v.file.help_visits.len(), 1);
    let v = save_assessment_change(
        &app.state,
        AssessmentChange {
            released_person_id: Some(id),
            to: Some(AssessmentType::General),
            changed_on: Some(date(2026, 11, 18)),
            reason: Some("表现良好".into()),
            approved_by: Some("张所长".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(v.file.released.assessment_type, Some(AssessmentType::General));
    assert_eq!(v.file.assessment_changes[0].from, Some(AssessmentType::Key));

    let page = list_released(&app.state, ReleasedQuery { query: Some("孙强".into()), ..Default::default() }).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].handover_status, Some(HandoverStatus::Done));
    assert_eq!(list_released(&app.state, ReleasedQuery { assessment_type: Some(AssessmentType::Key), ..Default::default() }).unwrap().total, 0);
    assert_eq!(release_from_help(&app.state, ReleaseFromHelpInput { id, on: None }).unwrap_err().code, "rule");
}

#[test]
fn statistics_of_a_period_convert_whole() {
    let app = ready();
    let s = statistics(&app.state, PeriodInput { from: date(2026, 1, 1), to: date(2026, 12, 31) }).unwrap();
    assert_eq!(s.table.title, "人民调解案件情况统计表");
    assert_eq!(s.table.rows.len(), 1, "the office's 调委会, zeros included");
    assert_eq!(s.table.own_total.by_dispute_type.len(), 18);
    assert_eq!(s.metrics.mediation_success.label, "调解成功率");
    assert_eq!(s.metrics.mediation_success.value, None);
    let err = statistics(&app.state, PeriodInput { from: date(2026, 12, 31), to: date(2026, 1, 1) }).unwrap_err();
    assert!(err.message.contains("晚于结束日期"), "{err:?}");
}

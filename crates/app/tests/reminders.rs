//! Reminders as the app drives them, on a clock the test moves: 知道了 and 暂缓 with a reason
//! (refused without one, on its field), the reminders of one record, the settings, and the
//! once-a-day notification across two days and a restart.

mod common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use fengqiao_app::cases::*;
use fengqiao_app::reminders::*;
use fengqiao_app::{dashboard, settings, AppState};
use fengqiao_model::*;
use uuid::Uuid;

/// A clock the test sets: the office's day `d` of November 2026, 10:00 (UTC+8).
struct Clock(Arc<Mutex<DateTime<Utc>>>);

impl Clock {
    fn new() -> Clock {
        Clock(Arc::new(Mutex::new(Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap())))
    }
    fn set_day(&self, d: u32) {
        *self.0.lock().unwrap() = Utc.with_ymd_and_hms(2026, 11, d, 2, 0, 0).unwrap();
    }
    fn clock(&self) -> fengqiao_store::Clock {
        let t = self.0.clone();
        Arc::new(move || *t.lock().unwrap())
    }
}

/// A case accepted on `accepted` (and 受理'd), with two parties.
fn accepted_case(state: &AppState, title: &str, accepted: chrono::NaiveDate, seq: u32) -> Uuid {
    let s = settings::settings(state).unwrap();
    let input = IntakeInput {
        case: DisputeCase {
            committee_id: Some(s.committees[0].committee.meta.id),
            source: Some(CaseSource::PartyApplication),
            dispute_type: Some(DisputeType::Neighborhood),
            title: Some(title.into()),
            summary: Some("双方因相邻通行发生争执。".into()),
            lead_mediator_id: Some(s.committees[0].mediators[0].meta.id),
            accepted_on: Some(accepted),
            ..Default::default()
        },
        parties: [seq, seq + 1]
            .into_iter()
            .map(|n| PartyInput {
                party: CaseParty { rights_notice_given_on: Some(accepted), id_copy_attached: true, ..Default::default() },
                person: Some(person(if n == seq { "张伟" } else { "李娜" }, Some(id_number("19800101", &format!("{n:03}"))))),
                entity: None,
            })
            .collect(),
    };
    let id = create_case(state, input).unwrap().view.file.case.meta.id;
    transition(
        state,
        TransitionInput {
            case_id: id,
            to: CaseStatus::Accepted,
            status_reason: None,
            failure_reason: None,
            alternatives_told: vec![],
            closed_on: None,
            archived_by: None,
            retention: None,
            page_count: None,
            volume_name: None,
        },
    )
    .unwrap();
    id
}

fn of_case(state: &AppState, id: Uuid) -> Vec<fengqiao_app::ReminderItem> {
    record_reminders(state, RecordRemindersInput { open: "case".into(), id }).unwrap()
}

fn on_dashboard(state: &AppState, id: &str) -> bool {
    let d = dashboard::dashboard_reminders(state).unwrap();
    d.overdue.iter().chain(&d.due_soon).any(|r| r.id == id)
}

#[test]
fn acknowledge_and_snooze_ask_for_a_reason_and_hide_the_reminder() {
    let clock = Clock::new();
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(dir.path(), clock.clock());
    fengqiao_app::setup::first_run(&state, answers()).unwrap();
    let near = accepted_case(&state, "张伟与李娜相邻通行纠纷", date(2026, 10, 24), 11);
    let late = accepted_case(&state, "张伟与李娜排水纠纷", date(2026, 10, 10), 21);

    // Each case shows its own reminder.
    let r_near = of_case(&state, near);
    assert_eq!(r_near.len(), 1, "{r_near:#?}");
    assert_eq!((r_near[0].rule.as_str(), r_near[0].severity.as_str()), ("mediation_due", "due_soon"));
    assert!(r_near[0].title.contains("受理已27天"), "{}", r_near[0].title);
    let r_late = of_case(&state, late);
    assert_eq!((r_late[0].rule.as_str(), r_late[0].severity.as_str()), ("mediation_overdue", "overdue"));
    assert!(on_dashboard(&state, &r_near[0].id) && on_dashboard(&state, &r_late[0].id));

    // No reason: refused on its field, nothing hidden.
    let err = acknowledge_reminder(&state, AcknowledgeInput { id: r_late[0].id.clone(), reason: "  ".into() }).unwrap_err();
    assert_eq!(err.code, "invalid");
    assert_eq!((err.issues[0].field.as_str(), err.issues[0].message.as_str()), ("reason", "请填写原因"));
    let err = snooze_reminder(&state, SnoozeInput { id: r_near[0].id.clone(), until: None, reason: String::new() }).unwrap_err();
    let fields: Vec<&str> = err.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["until", "reason"]);
    let err = snooze_reminder(&state, SnoozeInput { id: r_near[0].id.clone(), until: Some(date(2026, 11, 20)), reason: "等当事人出差回来".into() })
        .unwrap_err();
    assert_eq!(err.issues[0].field, "until");
    assert!(err.issues[0].message.contains("应晚于今天"), "{}", err.message);
    assert_eq!(of_case(&state, near).len(), 1);
    // An unknown reminder is refused in Chinese.
    let err = acknowledge_reminder(&state, AcknowledgeInput { id: "mediation_due:nothing".into(), reason: "已处理".into() }).unwrap_err();
    assert!(err.message.contains("没有编号为"), "{}", err.message);

    // 知道了: hidden from the case and the dashboard.
    let acked =
        acknowledge_reminder(&state, AcknowledgeInput { id: r_late[0].id.clone(), reason: "双方已书面同意继续调解，待补登记".into() }).unwrap();
    assert_eq!(acked.id, r_late[0].id);
    assert!(of_case(&state, late).is_empty());
    assert!(!on_dashboard(&state, &r_late[0].id));

    // 暂缓 to the 22nd: hidden until that day, then back.
    snooze_reminder(&state, SnoozeInput { id: r_near[0].id.clone(), until: Some(date(2026, 11, 22)), reason: "当事人外出，22日返回".into() })
        .unwrap();
    assert!(of_case(&state, near).is_empty());
    assert!(!on_dashboard(&state, &r_near[0].id));
    clock.set_day(21);
    assert!(of_case(&state, near).is_empty());
    clock.set_day(22);
    assert_eq!(of_case(&state, near).len(), 1);
    // The acknowledged one stays hidden while its due date is the same.
    assert!(of_case(&state, late).is_empty());

    let err = record_reminders(&state, RecordRemindersInput { open: "nothing".into(), id: near }).unwrap_err();
    assert_eq!(err.code, "bad_input");
}

#[test]
fn the_notification_is_shown_once_a_day_even_across_a_restart() {
    let clock = Clock::new();
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(dir.path(), clock.clock());
    fengqiao_app::setup::first_run(&state, answers()).unwrap();
    // Nothing due: nothing shown, and nothing remembered.
    assert_eq!(daily_notification(&state).unwrap(), None);

    accepted_case(&state, "今天到期", date(2026, 10, 21), 11); // 30 days: due today
    accepted_case(&state, "已逾期", date(2026, 10, 10), 21); // overdue
    accepted_case(&state, "快到期", date(2026, 10, 24), 31); // due on the 23rd
    let first = daily_notification(&state).unwrap().expect("today's notification");
    assert_eq!((first.date, first.due_today, first.overdue), (date(2026, 11, 20), 1, 1));
    assert_eq!(first.body, "今天有 1 项到期、1 项逾期");
    assert_eq!(daily_notification(&state).unwrap(), None, "shown once a day");

    // A restart the same day does not repeat it.
    drop(state);
    let state = reopen(dir.path(), clock.clock());
    assert_eq!(daily_notification(&state).unwrap(), None);

    // The next day: the case due yesterday is overdue now.
    clock.set_day(21);
    let second = daily_notification(&state).unwrap().expect("the next day's notification");
    assert_eq!((second.date, second.due_today, second.overdue), (date(2026, 11, 21), 0, 2));
    assert_eq!(second.body, "今天有 0 项到期、2 项逾期");
    assert_eq!(daily_notification(&state).unwrap(), None);
    drop(state);
    let state = reopen(dir.path(), clock.clock());
    assert_eq!(daily_notification(&state).unwrap(), None);
}

#[test]
fn settings_are_checked_on_their_fields_and_change_the_reminders() {
    let app = ready();
    let page = reminder_settings(&app.state).unwrap();
    assert_eq!(page.settings, page.defaults);
    assert_eq!((page.settings.mediation_days, page.settings.help_visit_key_months), (30, 1));
    assert_eq!(page.settings.screening_village_period, PeriodType::HalfMonth);
    assert_eq!(page.settings.reports.len(), 2);

    let mut bad = page.settings.clone();
    bad.mediation_warn_days = 40;
    bad.help_visit_key_months = 0;
    bad.screening_township_period = PeriodType::Special;
    bad.handover_hukou_days = -1;
    bad.reports[0].day = 31;
    bad.reports[0].month = 6;
    let err = save_reminder_settings(&app.state, bad).unwrap_err();
    let mut fields: Vec<&str> = err.issues.iter().map(|i| i.field.as_str()).collect();
    fields.sort();
    assert_eq!(fields, ["handover_hukou_days", "help_visit_key_months", "mediation_warn_days", "reports[0].day", "screening_township_period"]);
    let warn = err.issues.iter().find(|i| i.field == "mediation_warn_days").unwrap();
    assert_eq!(warn.message, "不能晚于调解期限（30天）");
    assert_eq!(reminder_settings(&app.state).unwrap().settings, page.defaults, "nothing saved on refusal");

    // A case accepted 16 days ago is not near its month by default; with a 20-day period
    // warned from day 15 it is.
    let id = accepted_case(&app.state, "张伟与李娜相邻通行纠纷", date(2026, 11, 4), 11);
    assert!(of_case(&app.state, id).is_empty());
    let mut shorter = page.settings.clone();
    shorter.mediation_days = 20;
    shorter.mediation_warn_days = 15;
    shorter.help_visit_general_months = 2;
    let saved = save_reminder_settings(&app.state, shorter.clone()).unwrap();
    assert_eq!(saved.settings, shorter);
    assert_eq!(saved.defaults.mediation_days, 30);
    let r = of_case(&app.state, id);
    assert_eq!(r.len(), 1);
    assert!(r[0].title.contains("受理已16天"), "{}", r[0].title);
}

#[test]
fn the_dashboard_shows_the_most_urgent_and_the_reminders_page_pages_through_all() {
    let clock = Clock::new();
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(dir.path(), clock.clock());
    fengqiao_app::setup::first_run(&state, answers()).unwrap();
    // 35 cases past one month (accepted 2026-10-01 … 10-18, two a day) and 2 near it.
    let n = dashboard::DASHBOARD_REMINDERS + 5;
    for i in 0..n {
        accepted_case(&state, &format!("第{i}号相邻通行纠纷"), date(2026, 10, 1 + (i / 2) as u32), 100 + 2 * i as u32);
    }
    accepted_case(&state, "张伟与李娜排水纠纷", date(2026, 10, 24), 300);
    accepted_case(&state, "王芳与刘洋排水纠纷", date(2026, 10, 25), 302);

    let d = dashboard::dashboard_reminders(&state).unwrap();
    assert_eq!((d.overdue_total, d.overdue.len()), (n as i64, dashboard::DASHBOARD_REMINDERS));
    assert_eq!((d.due_soon_total, d.due_soon.len()), (2, 2));
    // The longest overdue first.
    assert!(d.overdue.windows(2).all(|w| w[0].days_overdue >= w[1].days_overdue));
    assert!(d.overdue[0].title.contains("第0号") || d.overdue[0].title.contains("第1号"), "{}", d.overdue[0].title);

    // The page: every overdue one across pages, none twice.
    let page = |page: u32, q: ReminderQuery| list_reminders(&state, ReminderQuery { page, page_size: 20, ..q }).unwrap();
    let overdue = || ReminderQuery { severity: Some("overdue".into()), ..Default::default() };
    let (p1, p2) = (page(1, overdue()), page(2, overdue()));
    assert_eq!((p1.total, p1.rows.len(), p2.rows.len()), (n as i64, 20, n - 20));
    assert_eq!((p1.overdue_total, p1.due_soon_total), (n as i64, 2));
    let mut ids: Vec<_> = p1.rows.iter().chain(&p2.rows).map(|r| r.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    assert_eq!(p1.rules.len(), 1);
    assert_eq!((p1.rules[0].code.as_str(), p1.rules[0].count), ("mediation_overdue", n as i64));
    // Words in the title; a rule; both severities.
    let found = page(1, ReminderQuery { query: Some("第12号".into()), ..overdue() });
    assert_eq!(found.total, 1);
    assert!(found.rows[0].title.contains("第12号"));
    let due = page(1, ReminderQuery { severity: Some("due_soon".into()), rule: Some("mediation_due".into()), ..Default::default() });
    assert_eq!(due.total, 2);
    assert_eq!(page(1, ReminderQuery::default()).total, n as i64 + 2);
    assert_eq!(page(1, ReminderQuery { rule: Some("help_visit".into()), ..Default::default() }).total, 0);
    // A severity that does not exist is refused in Chinese.
    let err = list_reminders(&state, ReminderQuery { severity: Some("later".into()), ..Default::default() }).unwrap_err();
    assert!(err.message.contains("未知的提醒类别"), "{}", err.message);
}

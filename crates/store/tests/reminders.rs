//! The reminder rules at their boundary days, on a clock the test moves; acknowledging and
//! snoozing (hidden, audited, back when the due date changes); settings.

mod common;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{date, id_number, person};
use fengqiao_model::*;
use fengqiao_store::reminders::{CountyPolicy, ReminderSettings, Rule, Severity};
use fengqiao_store::stats::Targets;
use fengqiao_store::{Store, StoreError};
use uuid::Uuid;

struct Env {
    _dir: tempfile::TempDir,
    store: Store,
    now: Arc<AtomicI64>,
    committee: Uuid,
    mediator: Uuid,
}

impl Env {
    /// Sets "today" (10:00 in the office's time zone).
    fn at(&self, d: NaiveDate) {
        let t = Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap());
        self.now.store(t.timestamp(), Ordering::SeqCst);
    }

    fn rules_on(&self, d: NaiveDate) -> Vec<(Rule, Severity, i64)> {
        self.at(d);
        self.store.reminders().unwrap().into_iter().map(|r| (r.rule, r.severity, r.days_overdue)).collect()
    }

    fn only(&self, d: NaiveDate, rule: Rule) -> Vec<fengqiao_store::reminders::Reminder> {
        self.at(d);
        self.store.reminders().unwrap().into_iter().filter(|r| r.rule == rule).collect()
    }

    /// Saves with the clock set late, so no date is "in the future".
    fn late<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        self.at(date(2028, 1, 1));
        f(&mut self.store)
    }

    fn case(&mut self, no: u32, accepted: NaiveDate, status: CaseStatus) -> DisputeCase {
        let (committee, mediator) = (self.committee, self.mediator);
        self.late(|s| {
            s.batch(|b| {
                Ok(b.save(DisputeCase {
                    case_no: Some(format!("（2026）东山调字第{no}号")),
                    committee_id: Some(committee),
                    accepted_on: Some(accepted),
                    source: Some(CaseSource::PartyApplication),
                    dispute_type: Some(DisputeType::Neighborhood),
                    title: Some(format!("张伟与李娜相邻通行纠纷{no}")),
                    summary: Some("因通行发生争执".into()),
                    lead_mediator_id: Some(mediator),
                    status,
                    result: matches!(status, CaseStatus::AgreementReached | CaseStatus::Performing | CaseStatus::Closed)
                        .then_some(MediationResult::Success),
                    agreement_form: matches!(status, CaseStatus::AgreementReached | CaseStatus::Performing | CaseStatus::Closed)
                        .then_some(AgreementForm::Written),
                    closed_on: (status == CaseStatus::Closed).then_some(accepted),
                    ..Default::default()
                })?
                .record)
            })
            .unwrap()
        })
    }

    fn agreement(&mut self, case: Uuid, signed: NaiveDate, due: Option<NaiveDate>, status: PerformanceStatus) -> Agreement {
        self.late(|s| {
            s.batch(|b| {
                Ok(b.save(Agreement {
                    case_id: Some(case),
                    form: Some(AgreementForm::Written),
                    agreement_no: Some("（2026）东山调字第1号".into()),
                    facts: Some("通行争议".into()),
                    terms: vec!["乙方拆除围墙".into()],
                    performance_method: Some("一次性履行".into()),
                    performance_due_on: due,
                    copies: Some(3),
                    signed_on: Some(signed),
                    signature_checklist: SignatureChecklist {
                        parties: vec![PartySignature { party_id: None, status: Some(SignatureStatus::Signed) }],
                        mediator_signed: true,
                        seal_applied: true,
                    },
                    performance_status: Some(status),
                    ..Default::default()
                })?
                .record)
            })
            .unwrap()
        })
    }

    fn released(&mut self, name: &str, seq: &str, r: ReleasedPerson) -> ReleasedPerson {
        self.late(|s| {
            let p = s.save(person(name, Some(id_number("350502", "19850310", seq)))).unwrap().record;
            s.batch(|b| {
                Ok(b.save(ReleasedPerson {
                    person_id: Some(p.meta.id),
                    is_recidivist: Some(false),
                    crime_name: Some("盗窃罪".into()),
                    sentence_term: Some("有期徒刑2年".into()),
                    prison_name: Some("福建省某监狱".into()),
                    release_type: Some(ReleaseType::SentenceServed),
                    ..r
                })?
                .record)
            })
            .unwrap()
        })
    }

    fn help_visit(&mut self, released: Uuid, on: NaiveDate) {
        self.late(|s| {
            s.save(HelpVisit {
                released_person_id: Some(released),
                visited_at: Some(Utc.from_utc_datetime(&on.and_hms_opt(1, 0, 0).unwrap())),
                visit_type: Some(HelpVisitType::Visit),
                visitor_names: vec!["王调解".into()],
                content: Some("了解生活和就业情况".into()),
                ..Default::default()
            })
            .unwrap()
        });
    }

    fn event(&mut self, released: Uuid, event: HandoverEventKind, on: NaiveDate) {
        self.late(|s| s.save(HandoverEvent { released_person_id: Some(released), event: Some(event), on: Some(on), ..Default::default() }).unwrap());
    }
}

/// A store whose committee and office exist from 2026-01-01; no 排查 units (township
/// committee only, and the screening rule is switched off by an empty look-back unless a test
/// turns it on).
fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(Utc.with_ymd_and_hms(2026, 1, 1, 2, 0, 0).unwrap().timestamp()));
    let n = now.clone();
    let clock: fengqiao_store::Clock = Arc::new(move || Utc.timestamp_opt(n.load(Ordering::SeqCst), 0).unwrap());
    let mut store = Store::init_with_clock(dir.path(), "东山镇司法所", "350502101", clock).unwrap();
    store.set_actor("测试员");
    let committee = store
        .save(Organization {
            name: Some("东山镇人民调解委员会".into()),
            org_type: Some(OrgType::MediationCommittee),
            committee_type: Some(CommitteeType::Enterprise),
            division_code: Some("350502101".into()),
            number_prefix: Some("东山".into()),
            ..Default::default()
        })
        .unwrap()
        .record
        .meta
        .id;
    let mediator = store
        .save(Mediator {
            name: Some("王调解".into()),
            gender: Some(Gender::Female),
            committee_id: Some(committee),
            role: Some(MediatorRole::Director),
            ..Default::default()
        })
        .unwrap()
        .record
        .meta
        .id;
    // No report-calendar noise unless a test asks for it.
    let settings = ReminderSettings { reports: vec![], ..Default::default() };
    store.set_reminder_settings(&settings).unwrap();
    Env { _dir: dir, store, now, committee, mediator }
}

fn d(m: u32, dd: u32) -> NaiveDate {
    date(2026, m, dd)
}

#[test]
fn a_case_warns_at_day_25_and_is_overdue_after_one_month_without_consent() {
    let mut e = env();
    let case = e.case(1, d(10, 1), CaseStatus::Mediating);
    assert!(e.rules_on(d(10, 25)).is_empty(), "day 24");
    let r = e.only(d(10, 26), Rule::MediationDue);
    assert_eq!(r.len(), 1, "day 25");
    assert_eq!(r[0].severity, Severity::DueSoon);
    assert_eq!(r[0].title, "张伟与李娜相邻通行纠纷1：受理已25天，尚未调结");
    assert_eq!(r[0].due_on, d(10, 31));
    assert_eq!(r[0].record_kind, Some(Kind::DisputeCase));
    assert_eq!(r[0].record_id, Some(case.meta.id));
    assert_eq!(e.rules_on(d(10, 31)), vec![(Rule::MediationDue, Severity::DueSoon, 0)], "day 30");
    assert_eq!(e.rules_on(d(11, 1)), vec![(Rule::MediationOverdue, Severity::Overdue, 1)], "day 31");
    assert!(e.only(d(11, 1), Rule::MediationOverdue)[0].title.contains("受理已31天，超过一个月"));
    // The parties' consent to continue stops the overdue reminder.
    e.late(|s| {
        let mut c: DisputeCase = s.require(case.meta.id).unwrap();
        c.extension_consent = true;
        c.extension_consent_on = Some(d(10, 30));
        s.save(c).unwrap();
    });
    assert!(e.rules_on(d(11, 1)).is_empty());
    // A case with a result, or not yet accepted, has no month clock.
    let mut e = env();
    e.case(2, d(10, 1), CaseStatus::AgreementReached);
    assert!(e.only(d(11, 5), Rule::MediationOverdue).is_empty());
}

#[test]
fn the_judicial_confirmation_window_warns_from_day_20_to_day_30() {
    let mut e = env();
    let case = e.case(1, d(9, 1), CaseStatus::Closed);
    let a = e.agreement(case.meta.id, d(9, 10), None, PerformanceStatus::Fulfilled);
    assert_eq!(a.jc_deadline(), Some(d(10, 10)));
    assert!(e.only(d(9, 29), Rule::JcWindow).is_empty(), "day 19");
    let r = e.only(d(9, 30), Rule::JcWindow);
    assert_eq!(r.len(), 1, "day 20");
    assert_eq!((r[0].severity, r[0].due_on), (Severity::DueSoon, d(10, 10)));
    assert!(r[0].title.contains("还剩10天"), "{}", r[0].title);
    assert_eq!(e.only(d(10, 10), Rule::JcWindow).len(), 1, "day 30");
    assert!(e.only(d(10, 11), Rule::JcWindow).is_empty(), "day 31: the window has closed");
    // Applied: no reminder.
    e.late(|s| {
        let mut a: Agreement = s.require(a.meta.id).unwrap();
        a.jc_status = Some(JcStatus::Applied);
        a.jc_applied_on = Some(d(9, 25));
        a.jc_court = Some("东山区人民法院".into());
        s.batch(|b| b.save(a)).unwrap();
    });
    assert!(e.only(d(9, 30), Rule::JcWindow).is_empty());
}

#[test]
fn performance_due_dates_and_the_return_visit_after_them() {
    let mut e = env();
    let case = e.case(1, d(6, 1), CaseStatus::Performing);
    let a = e.agreement(case.meta.id, d(6, 10), Some(d(9, 30)), PerformanceStatus::InProgress);
    assert!(e.only(d(9, 26), Rule::PerformanceDue).is_empty(), "4 days before");
    assert_eq!(e.only(d(9, 27), Rule::PerformanceDue)[0].severity, Severity::DueSoon, "3 days before");
    assert_eq!(e.only(d(9, 30), Rule::PerformanceDue)[0].severity, Severity::DueSoon, "the due day");
    let over = e.only(d(10, 1), Rule::PerformanceDue);
    assert_eq!((over[0].severity, over[0].days_overdue), (Severity::Overdue, 1));
    // 回访: due within 30 days after the performance date, listed from 7 days before.
    assert!(e.only(d(9, 30), Rule::ReturnVisit).is_empty());
    assert!(e.only(d(10, 22), Rule::ReturnVisit).is_empty());
    let rv = e.only(d(10, 23), Rule::ReturnVisit);
    assert_eq!((rv[0].severity, rv[0].due_on), (Severity::DueSoon, d(10, 30)));
    assert_eq!(rv[0].record_kind, Some(Kind::DisputeCase));
    assert_eq!(e.only(d(10, 30), Rule::ReturnVisit)[0].severity, Severity::DueSoon);
    assert_eq!(e.only(d(10, 31), Rule::ReturnVisit)[0].severity, Severity::Overdue);
    // Fulfilled: the performance reminder goes, the 回访 stays until someone visits.
    e.late(|s| {
        let mut a: Agreement = s.require(a.meta.id).unwrap();
        a.performance_status = Some(PerformanceStatus::Fulfilled);
        s.batch(|b| b.save(a)).unwrap();
    });
    assert!(e.only(d(10, 31), Rule::PerformanceDue).is_empty());
    assert_eq!(e.only(d(10, 31), Rule::ReturnVisit).len(), 1);
    // A visit before the due date does not count; one after it does.
    let (case_id, party) = (case.meta.id, e.late(|s| s.save(person("张伟", None)).unwrap().record.meta.id));
    let visit = |s: &mut Store, on: NaiveDate| {
        s.batch(|b| {
            b.save(ReturnVisit {
                case_id: Some(case_id),
                visited_person_id: Some(party),
                visited_at: Some(Utc.from_utc_datetime(&on.and_hms_opt(1, 0, 0).unwrap())),
                method: Some(ReturnVisitMethod::Phone),
                content: Some("询问履行情况".into()),
                performance_status_observed: Some(PerformanceStatus::InProgress),
                visitor_ids: vec![Uuid::nil()],
                ..Default::default()
            })
        })
        .unwrap();
    };
    e.late(|s| visit(s, d(9, 1)));
    assert_eq!(e.only(d(10, 31), Rule::ReturnVisit).len(), 1);
    e.late(|s| visit(s, d(10, 5)));
    assert!(e.only(d(10, 31), Rule::ReturnVisit).is_empty());
}

#[test]
fn immediate_performance_is_visited_within_30_days() {
    let mut e = env();
    let case = e.case(1, d(6, 1), CaseStatus::Closed);
    e.agreement(case.meta.id, d(6, 10), None, PerformanceStatus::Immediate);
    assert!(e.only(d(7, 2), Rule::ReturnVisit).is_empty());
    let r = e.only(d(7, 3), Rule::ReturnVisit);
    assert_eq!((r[0].severity, r[0].due_on), (Severity::DueSoon, d(7, 10)));
    assert!(r[0].title.contains("即时履行"), "{}", r[0].title);
    assert_eq!(e.only(d(7, 11), Rule::ReturnVisit)[0].severity, Severity::Overdue);
    assert!(e.only(d(7, 11), Rule::PerformanceDue).is_empty());
}

#[test]
fn help_visits_by_risk_class() {
    let mut e = env();
    let key = e.released(
        "陈刚",
        "011",
        ReleasedPerson {
            released_on: Some(d(3, 1)),
            assessment_type: Some(AssessmentType::Key),
            handover_status: Some(HandoverStatus::Done),
            handover_on: Some(d(3, 1)),
            handover_method: Some(HandoverMethod::JudicialOfficeCollected),
            ..Default::default()
        },
    );
    e.help_visit(key.meta.id, d(9, 10));
    // 重点: monthly, so due 10-10; listed from 7 days before.
    assert!(e.only(d(10, 2), Rule::HelpVisit).is_empty());
    assert_eq!(e.only(d(10, 3), Rule::HelpVisit)[0].severity, Severity::DueSoon);
    let r = e.only(d(10, 10), Rule::HelpVisit);
    assert_eq!((r[0].severity, r[0].due_on), (Severity::DueSoon, d(10, 10)));
    assert_eq!(r[0].title, "陈刚（重点帮教人员，应每月走访）：上次帮教2026年9月10日，应在2026年10月10日前走访");
    assert_eq!(e.only(d(10, 11), Rule::HelpVisit)[0].severity, Severity::Overdue);
    // 一般, never visited: quarterly, counted from the handover.
    let mut e = env();
    e.released(
        "林芳",
        "022",
        ReleasedPerson {
            released_on: Some(d(6, 10)),
            assessment_type: Some(AssessmentType::General),
            handover_status: Some(HandoverStatus::Done),
            handover_on: Some(d(6, 15)),
            handover_method: Some(HandoverMethod::SelfReturned),
            ..Default::default()
        },
    );
    assert_eq!(e.only(d(9, 15), Rule::HelpVisit)[0].severity, Severity::DueSoon);
    assert_eq!(e.only(d(9, 16), Rule::HelpVisit)[0].days_overdue, 1);
    // Configurable: every 4 months for 一般.
    e.late(|s| s.set_reminder_settings(&ReminderSettings { help_visit_general_months: 4, reports: vec![], ..Default::default() }).unwrap());
    assert!(e.only(d(9, 16), Rule::HelpVisit).is_empty());
    assert_eq!(e.only(d(10, 16), Rule::HelpVisit)[0].due_on, d(10, 15));
}

#[test]
fn the_help_period_ending_and_ended_without_release() {
    let mut e = env();
    let r = e.released(
        "陈刚",
        "011",
        ReleasedPerson {
            released_on: Some(date(2022, 2, 1)),
            help_period_start: Some(date(2022, 2, 1)),
            help_period_end: Some(date(2027, 1, 31)),
            assessment_type: Some(AssessmentType::General),
            handover_status: Some(HandoverStatus::Done),
            handover_on: Some(date(2022, 2, 1)),
            handover_method: Some(HandoverMethod::SelfReturned),
            ..Default::default()
        },
    );
    e.help_visit(r.meta.id, d(12, 20));
    assert!(e.only(d(12, 31), Rule::HelpPeriodEnding).is_empty(), "31 days before");
    let soon = e.only(date(2027, 1, 1), Rule::HelpPeriodEnding);
    assert_eq!((soon[0].severity, soon[0].due_on), (Severity::DueSoon, date(2027, 1, 31)));
    assert_eq!(e.only(date(2027, 1, 31), Rule::HelpPeriodEnding).len(), 1, "the last day");
    let ended = e.only(date(2027, 2, 1), Rule::HelpPeriodEnded);
    assert_eq!((ended[0].severity, ended[0].days_overdue), (Severity::Overdue, 1));
    assert_eq!(ended[0].title, "陈刚：帮教期已于2027年1月31日届满，尚未办理解除帮教");
    assert!(e.only(date(2027, 2, 1), Rule::HelpPeriodEnding).is_empty());
    // 解除: nothing more.
    e.late(|s| {
        let mut x: ReleasedPerson = s.require(r.meta.id).unwrap();
        x.help_status = Some(HelpStatus::Expired);
        x.help_released_on = Some(date(2027, 2, 1));
        s.save(x).unwrap();
    });
    e.at(date(2027, 2, 2));
    assert!(e.store.reminders().unwrap().is_empty());
}

#[test]
fn handover_clocks_after_a_release_notice() {
    let mut e = env();
    let r = e.released(
        "陈刚",
        "011",
        ReleasedPerson {
            released_on: Some(d(10, 20)),
            notice_received_on: Some(d(9, 20)),
            assessment_type: Some(AssessmentType::Key),
            ..Default::default()
        },
    );
    let id = r.meta.id;
    // Notify village and family within 3 days of the notice (listed from 2 days before).
    assert!(e.only(d(9, 20), Rule::HandoverNotify).is_empty());
    assert_eq!(e.only(d(9, 21), Rule::HandoverNotify)[0].due_on, d(9, 23));
    assert_eq!(e.only(d(9, 23), Rule::HandoverNotify)[0].severity, Severity::DueSoon);
    assert_eq!(e.only(d(9, 24), Rule::HandoverNotify)[0].severity, Severity::Overdue);
    e.event(id, HandoverEventKind::Verification, d(9, 22));
    assert!(e.only(d(9, 24), Rule::HandoverNotify).is_empty());
    // Collect within 7 days of release; 户籍 within 20.
    assert!(e.only(d(10, 19), Rule::HandoverCollect).is_empty(), "not released yet");
    assert!(e.only(d(10, 24), Rule::HandoverCollect).is_empty());
    let c = e.only(d(10, 25), Rule::HandoverCollect);
    assert_eq!((c[0].due_on, c[0].severity), (d(10, 27), Severity::DueSoon));
    assert!(c[0].title.contains("必接必送"), "{}", c[0].title);
    assert_eq!(e.only(d(10, 28), Rule::HandoverCollect)[0].days_overdue, 1);
    assert!(e.only(d(11, 6), Rule::HandoverHukou).is_empty());
    assert_eq!(e.only(d(11, 7), Rule::HandoverHukou)[0].due_on, d(11, 9));
    assert_eq!(e.only(d(11, 10), Rule::HandoverHukou)[0].severity, Severity::Overdue);
    // Collected on 10-22: first visit within 7 days, file and 帮教协议 within 5.
    e.late(|s| {
        let mut x: ReleasedPerson = s.require(id).unwrap();
        x.handover_status = Some(HandoverStatus::Done);
        x.handover_on = Some(d(10, 22));
        x.handover_method = Some(HandoverMethod::JudicialOfficeCollected);
        s.save(x).unwrap();
    });
    assert!(e.only(d(10, 28), Rule::HandoverCollect).is_empty());
    assert_eq!(e.only(d(10, 29), Rule::HandoverFirstVisit)[0].severity, Severity::DueSoon);
    assert_eq!(e.only(d(10, 30), Rule::HandoverFirstVisit)[0].severity, Severity::Overdue);
    assert_eq!(e.only(d(10, 27), Rule::HandoverFile)[0].severity, Severity::DueSoon);
    let f = e.only(d(10, 28), Rule::HandoverFile);
    assert_eq!(f[0].severity, Severity::Overdue);
    assert!(f[0].title.ends_with("完成建档和签订帮教协议"), "{}", f[0].title);
    e.help_visit(id, d(10, 25));
    e.event(id, HandoverEventKind::FileCreated, d(10, 24));
    assert!(e.only(d(10, 30), Rule::HandoverFirstVisit).is_empty());
    assert!(e.only(d(10, 30), Rule::HandoverFile)[0].title.ends_with("完成签订帮教协议"));
    e.event(id, HandoverEventKind::AgreementSigned, d(10, 26));
    assert!(e.only(d(10, 30), Rule::HandoverFile).is_empty());
    e.late(|s| {
        let mut x: ReleasedPerson = s.require(id).unwrap();
        x.police_registration_on = Some(d(11, 3));
        s.save(x).unwrap();
    });
    assert!(e.only(d(11, 10), Rule::HandoverHukou).is_empty());
}

#[test]
fn screening_rounds_per_unit_and_period() {
    let mut e = env();
    // A village committee (half-monthly) known from 2026-01-01, and a round for Nov 1–15.
    e.at(date(2026, 1, 1));
    let village = e
        .store
        .save(Organization {
            name: Some("东山村人民调解委员会".into()),
            org_type: Some(OrgType::MediationCommittee),
            committee_type: Some(CommitteeType::Village),
            division_code: Some("350502101001".into()),
            number_prefix: Some("东山村".into()),
            ..Default::default()
        })
        .unwrap()
        .record;
    let round = |start: NaiveDate, end: NaiveDate, zero: bool| ScreeningRound {
        unit_org_id: Some(village.meta.id),
        unit_division_code: Some("350502101001".into()),
        unit_name: Some("东山村".into()),
        period_type: Some(PeriodType::HalfMonth),
        period_start: Some(start),
        period_end: Some(end),
        screened_on: Some(end),
        screener_names: vec!["网格员".into()],
        zero_report: zero,
        ..Default::default()
    };
    e.late(|s| {
        s.save(round(d(10, 16), d(10, 31), true)).unwrap();
        s.save(round(d(11, 1), d(11, 15), true)).unwrap();
    });
    let settings = ReminderSettings { reports: vec![], screening_lookback_days: 20, ..Default::default() };
    e.late(|s| s.set_reminder_settings(&settings).unwrap());
    // Nov 16–30 has no round yet: due soon from 3 days before its end.
    assert!(e.only(d(11, 26), Rule::ScreeningMissing).is_empty());
    let soon = e.only(d(11, 27), Rule::ScreeningMissing);
    assert_eq!((soon.len(), soon[0].severity, soon[0].due_on), (1, Severity::DueSoon, d(11, 30)));
    assert_eq!(soon[0].record_id, Some(village.meta.id));
    assert!(soon[0].title.starts_with("东山村：2026年11月下半月排查尚未报送"), "{}", soon[0].title);
    assert_eq!(e.only(d(11, 30), Rule::ScreeningMissing)[0].severity, Severity::DueSoon);
    let over = e.only(d(12, 1), Rule::ScreeningMissing);
    assert_eq!((over[0].severity, over[0].days_overdue), (Severity::Overdue, 1));
    // A round of the township unit known only from its rounds: monthly.
    e.late(|s| {
        s.save(ScreeningRound {
            unit_division_code: Some("350502101".into()),
            unit_name: Some("东山镇".into()),
            period_type: Some(PeriodType::Monthly),
            period_start: Some(d(10, 1)),
            period_end: Some(d(10, 31)),
            screened_on: Some(d(10, 30)),
            screener_names: vec!["王调解".into()],
            zero_report: true,
            ..Default::default()
        })
        .unwrap();
    });
    let town: Vec<_> = e.only(d(12, 1), Rule::ScreeningMissing).into_iter().filter(|r| r.title.starts_with("东山镇")).collect();
    assert_eq!(town.len(), 1);
    assert_eq!((town[0].due_on, town[0].record_id), (d(11, 30), None));
    assert!(town[0].title.contains("2026年11月排查未报送"), "{}", town[0].title);
    // A round that found nothing but is not a 零报告.
    e.late(|s| s.save(round(d(11, 16), d(11, 30), false)).unwrap());
    let zero = e.only(d(12, 1), Rule::ZeroReportMissing);
    assert_eq!(zero.len(), 1);
    assert!(zero[0].title.contains("2026年11月下半月排查未登记矛盾纠纷，也未报零报告"), "{}", zero[0].title);
    assert!(e.only(d(12, 1), Rule::ScreeningMissing).iter().all(|r| !r.title.starts_with("东山村")));
    // Configured per level: village units every ten days.
    let s10 = ReminderSettings { screening_village_period: PeriodType::TenDays, ..settings };
    e.late(|s| s.set_reminder_settings(&s10).unwrap());
    let ten: Vec<_> = e.only(d(12, 12), Rule::ScreeningMissing).into_iter().filter(|r| r.title.starts_with("东山村")).collect();
    assert_eq!(ten.len(), 1, "{ten:?}");
    assert!(ten[0].title.contains("2026年12月上旬"), "{}", ten[0].title);
    assert_eq!(ten[0].due_on, d(12, 10));
}

#[test]
fn the_report_calendar() {
    let mut e = env();
    e.late(|s| s.set_reminder_settings(&ReminderSettings::default()).unwrap());
    let half = |day: NaiveDate| e.only(day, Rule::Report);
    assert!(half(d(6, 17)).is_empty());
    let r = half(d(6, 18));
    assert_eq!((r[0].severity, r[0].due_on), (Severity::DueSoon, d(7, 2)));
    assert_eq!(r[0].title, "2026年上半年安置帮教工作半年报告：应于2026年7月2日前报县司法局");
    assert_eq!(half(d(7, 2))[0].severity, Severity::DueSoon);
    assert_eq!(half(d(7, 3))[0].severity, Severity::Overdue);
    assert_eq!(half(d(8, 1)).len(), 1);
    assert!(half(d(8, 2)).is_empty());
    let annual = half(date(2027, 1, 25));
    assert_eq!(annual[0].title, "2026年度安置帮教工作年度报告：应于2027年2月2日前报县司法局");
}

#[test]
fn acknowledge_and_snooze_hide_reminders_and_are_audited() {
    let mut e = env();
    let case = e.case(1, d(6, 1), CaseStatus::Performing);
    let a = e.agreement(case.meta.id, d(6, 10), Some(d(9, 30)), PerformanceStatus::InProgress);
    e.at(d(10, 5));
    let r = e.store.reminders().unwrap().into_iter().find(|r| r.rule == Rule::PerformanceDue).unwrap();
    assert!(matches!(e.store.acknowledge_reminder(&r.id, "  "), Err(StoreError::Rule(_))));
    assert!(matches!(e.store.acknowledge_reminder("performance_due:nothing", "已督促"), Err(StoreError::Rule(_))));
    let (_, audits) = e.store.log_counts().unwrap();
    e.store.acknowledge_reminder(&r.id, "当事人已口头承诺月底前付清").unwrap();
    let (_, audits_after) = e.store.log_counts().unwrap();
    assert_eq!(audits_after, audits + 1);
    let summary: String = e
        .store
        .connection()
        .query_row("SELECT summary FROM audit_log WHERE action = 'reminder_ack' ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(summary.contains("当事人已口头承诺月底前付清"), "{summary}");
    assert!(e.only(d(10, 5), Rule::PerformanceDue).is_empty());
    assert!(e.only(d(10, 20), Rule::PerformanceDue).is_empty(), "acknowledged stays hidden");
    let all = e.store.all_reminders().unwrap();
    assert!(all.iter().any(|v| v.reminder.id == r.id && v.hidden && v.state.as_ref().unwrap().action == "acknowledged"));
    // A new due date brings it back.
    e.late(|s| {
        let mut x: Agreement = s.require(a.meta.id).unwrap();
        x.performance_due_on = Some(d(10, 15));
        s.batch(|b| b.save(x)).unwrap();
    });
    let back = e.only(d(10, 20), Rule::PerformanceDue);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].due_on, d(10, 15));
    // Snoozed until a date: hidden before it, shown from it.
    e.at(d(10, 20));
    assert!(matches!(e.store.snooze_reminder(&back[0].id, d(10, 20), "下周再联系"), Err(StoreError::Rule(_))));
    e.store.snooze_reminder(&back[0].id, d(10, 25), "当事人外出务工，下周返回").unwrap();
    assert!(e.only(d(10, 24), Rule::PerformanceDue).is_empty());
    assert_eq!(e.only(d(10, 25), Rule::PerformanceDue).len(), 1);
    let n: i64 = e.store.connection().query_row("SELECT count(*) FROM audit_log WHERE action = 'reminder_snooze'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn settings_are_stored_checked_and_audited() {
    let mut e = env();
    assert_eq!(e.store.reminder_settings().unwrap().reports, vec![]);
    let bad = ReminderSettings { help_visit_key_months: 0, ..Default::default() };
    assert!(matches!(e.store.set_reminder_settings(&bad), Err(StoreError::Rule(m)) if m.contains("help_visit_key_months")));
    let special = ReminderSettings { screening_township_period: PeriodType::Special, ..Default::default() };
    assert!(e.store.set_reminder_settings(&special).is_err());
    e.store.set_reminder_settings(&ReminderSettings::default()).unwrap();
    assert_eq!(e.store.reminder_settings().unwrap(), ReminderSettings::default());
    let n: i64 = e.store.connection().query_row("SELECT count(*) FROM audit_log WHERE action = 'reminder_settings'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
}

#[test]
fn the_countys_policy_replaces_the_offices_settings_and_targets() {
    let mut e = env();
    let key = e.released(
        "陈刚",
        "011",
        ReleasedPerson {
            released_on: Some(d(3, 1)),
            assessment_type: Some(AssessmentType::Key),
            handover_status: Some(HandoverStatus::Done),
            handover_on: Some(d(3, 1)),
            handover_method: Some(HandoverMethod::JudicialOfficeCollected),
            ..Default::default()
        },
    );
    e.help_visit(key.meta.id, d(9, 10));
    // The office's own settings: 重点 monthly, overdue on 10-11.
    assert_eq!(e.only(d(10, 11), Rule::HelpVisit)[0].severity, Severity::Overdue);
    assert!(e.store.county_policy().unwrap().is_none());
    assert_eq!(e.store.targets().unwrap(), Targets::default());

    // The county: 重点 every 2 months, a 衔接率 target of 95 %.
    let reminders = ReminderSettings { help_visit_key_months: 2, reports: vec![], ..Default::default() };
    let targets = Targets { handover: Some(0.95), ..Default::default() };
    let policy = CountyPolicy::new("东山县司法局", reminders.clone(), targets.clone());
    assert_eq!(policy.version, CountyPolicy::new("东山县司法局", reminders.clone(), targets.clone()).version, "the same content, the same version");
    assert_ne!(policy.version, CountyPolicy::new("东山县司法局", ReminderSettings::default(), targets.clone()).version);
    assert_eq!(policy.version.len(), 16);
    e.at(d(10, 11));
    assert!(e.store.apply_county_settings(&policy).unwrap());
    // The reminders follow at once (the memo is not stale): due on 11-10 now.
    assert!(e.only(d(10, 11), Rule::HelpVisit).is_empty());
    assert_eq!(e.only(d(11, 11), Rule::HelpVisit)[0].due_on, d(11, 10));
    assert_eq!(e.store.reminder_settings().unwrap(), reminders);
    assert_eq!(e.store.targets().unwrap(), targets);
    let held = e.store.county_policy().unwrap().unwrap();
    assert_eq!(held.policy, policy);
    assert_eq!(held.received_on(), d(10, 11));
    assert_eq!(held.note(), "提醒周期由东山县司法局统一设置（2026年10月11日下发）");
    // The same version again writes nothing.
    assert!(!e.store.apply_county_settings(&policy).unwrap());
    let audit: Vec<String> = {
        let c = e.store.connection();
        let mut st = c.prepare("SELECT summary FROM audit_log WHERE action = 'county_settings'").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    assert_eq!(audit, vec![format!("县司法局下发提醒周期和目标（版本{}）", policy.version)]);
    // The office can no longer change them itself.
    let err = e.store.set_reminder_settings(&ReminderSettings::default()).unwrap_err();
    assert!(matches!(&err, StoreError::Rule(m) if m.contains("提醒周期由东山县司法局统一设置")), "{err}");
    assert_eq!(e.store.reminder_settings().unwrap(), reminders);
    // What no rule can work with is refused, and the policy in force stays.
    let mut bad = CountyPolicy::new("东山县司法局", ReminderSettings { help_visit_key_months: 0, ..Default::default() }, Targets::default());
    assert!(matches!(e.store.apply_county_settings(&bad), Err(StoreError::Rule(m)) if m.contains("县司法局下发的")));
    bad = CountyPolicy::new("东山县司法局", reminders.clone(), Targets { help: Some(1.5), ..Default::default() });
    assert!(e.store.apply_county_settings(&bad).is_err());
    assert_eq!(e.store.county_policy().unwrap().unwrap().policy, policy);
}

#[test]
fn reminders_follow_every_write_whichever_connection_made_it() {
    let mut e = env();
    e.case(1, d(10, 1), CaseStatus::Mediating);
    let first = e.rules_on(d(11, 5));
    assert_eq!(first, vec![(Rule::MediationOverdue, Severity::Overdue, 5)]);
    // Asked again with nothing changed: the same list (from the memo).
    assert_eq!(e.rules_on(d(11, 5)), first);
    // A write by another connection — the CLI on the same data directory — is seen.
    {
        let mut other = Store::open(e._dir.path()).unwrap();
        let committee = e.committee;
        let mediator = e.mediator;
        other
            .batch(|b| {
                b.save(DisputeCase {
                    case_no: Some("（2026）东山调字第2号".into()),
                    committee_id: Some(committee),
                    accepted_on: Some(d(10, 2)),
                    source: Some(CaseSource::PartyApplication),
                    dispute_type: Some(DisputeType::Neighborhood),
                    title: Some("王芳与刘洋排水纠纷".into()),
                    summary: Some("因排水发生争执".into()),
                    lead_mediator_id: Some(mediator),
                    status: CaseStatus::Mediating,
                    ..Default::default()
                })
                .map(|_| ())
            })
            .unwrap();
    }
    assert_eq!(e.rules_on(d(11, 5)).len(), 2);
    // A write by this connection: the consent to continue takes the first case off.
    e.late(|s| {
        let mut c: DisputeCase = s.all::<DisputeCase>().unwrap().into_iter().find(|c| c.case_no.as_deref() == Some("（2026）东山调字第1号")).unwrap();
        c.extension_consent = true;
        c.extension_consent_on = Some(d(10, 30));
        s.save(c).unwrap();
    });
    let now = e.only(d(11, 5), Rule::MediationOverdue);
    assert_eq!(now.len(), 1);
    assert!(now[0].title.starts_with("王芳与刘洋排水纠纷"), "{}", now[0].title);
}

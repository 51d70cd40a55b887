//! The county's settings for its offices (reminder periods, targets) reaching an office through
//! sync, against the real county server (its router and SQLite store on loopback in this
//! process): nothing before the county saved any, then put in force on the office with its
//! reminders following them, not sent again while unchanged, a change arriving on the next
//! round, and a client that does not know the `settings` parameter still getting a valid page.

mod common;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, TimeZone, Utc};
use fengqiao_county::dashboard::{CountySettings, Dashboard};
use fengqiao_model::*;
use fengqiao_store::reminders::{ReminderSettings, Rule};
use fengqiao_store::stats::Targets;
use fengqiao_store::sync::keys;
use fengqiao_store::Store;
use fengqiao_sync::agent::{enroll, Agent, AgentConfig};
use fengqiao_sync::protocol::*;
use fengqiao_sync::{Client, ClientOptions, NoStatus};
use serde::Deserialize;
use uuid::Uuid;

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// A clock the test sets: the office's day, 10:00 (UTC+8).
struct Day(Arc<AtomicI64>);

impl Day {
    fn set(&self, d: NaiveDate) {
        self.0.store(Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap()).timestamp(), Ordering::SeqCst);
    }
    fn clock(&self) -> fengqiao_store::Clock {
        let t = self.0.clone();
        Arc::new(move || Utc.timestamp_opt(t.load(Ordering::SeqCst), 0).unwrap())
    }
}

fn id_number(seq: &str) -> String {
    let first = format!("35050219850310{seq}");
    format!("{first}{}", fengqiao_model::id_number::check_character(&first).unwrap())
}

/// The office's records: a village committee known since 10-01 (排查 every half month by
/// default) and a 重点帮教人员 last visited on 10-01 (monthly by default).
fn office_records(store: &mut Store, day: &Day) {
    day.set(date(10, 1));
    store.set_actor("王调解");
    store
        .save(Organization {
            name: Some("东山村人民调解委员会".into()),
            org_type: Some(OrgType::MediationCommittee),
            committee_type: Some(CommitteeType::Village),
            division_code: Some("350502101001".into()),
            number_prefix: Some("东山村".into()),
            ..Default::default()
        })
        .unwrap();
    let person = store
        .save(Person {
            name: Some("陈刚".into()),
            id_number: Some(id_number("011")),
            ethnicity: Some(Ethnicity::Han),
            residence_address: Some("东山镇东山村3组".into()),
            ..Default::default()
        })
        .unwrap()
        .record;
    let released = store
        .save(ReleasedPerson {
            person_id: Some(person.meta.id),
            is_recidivist: Some(false),
            crime_name: Some("盗窃罪".into()),
            sentence_term: Some("有期徒刑2年".into()),
            prison_name: Some("福建省某监狱".into()),
            release_type: Some(ReleaseType::SentenceServed),
            released_on: Some(date(9, 1)),
            assessment_type: Some(AssessmentType::Key),
            handover_status: Some(HandoverStatus::Done),
            handover_on: Some(date(9, 1)),
            handover_method: Some(HandoverMethod::JudicialOfficeCollected),
            ..Default::default()
        })
        .unwrap()
        .record;
    store
        .save(HelpVisit {
            released_person_id: Some(released.meta.id),
            visited_at: Some(Utc.from_utc_datetime(&date(10, 1).and_hms_opt(1, 0, 0).unwrap())),
            visit_type: Some(HelpVisitType::Visit),
            visitor_names: vec!["王调解".into()],
            content: Some("了解生活和就业情况".into()),
            ..Default::default()
        })
        .unwrap();
}

/// (rule, due date, title) of the office's reminders today.
fn reminders(store: &Arc<Mutex<Store>>, rule: Rule) -> Vec<(NaiveDate, String)> {
    store.lock().unwrap().reminders().unwrap().into_iter().filter(|r| r.rule == rule).map(|r| (r.due_on, r.title)).collect()
}

/// How many times the county's settings were put in force, by the audit log.
fn applied_count(store: &Arc<Mutex<Store>>) -> i64 {
    store.lock().unwrap().connection().query_row("SELECT count(*) FROM audit_log WHERE action = 'county_settings'", [], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_countys_settings_reach_the_office_through_sync() {
    // The county: its SQLite store and router on loopback, one office with a one-time code.
    let c = common::county().await;
    let (county, url, code) = (c.store.clone(), c.url.clone(), c.code.clone());
    let dashboard = Dashboard::new(county.clone()).unwrap();

    // The office: its records, enrolled with the code.
    let office_dir = tempfile::tempdir().unwrap();
    let day = Day(Arc::new(AtomicI64::new(0)));
    day.set(date(10, 1));
    {
        let mut store = Store::init_with_clock(office_dir.path(), "东山镇司法所", "350502101", day.clock()).unwrap();
        office_records(&mut store, &day);
    }
    enroll(office_dir.path(), &url, &code, "东山镇司法所-1", day.clock(), ClientOptions::default()).await.unwrap();
    let store = Arc::new(Mutex::new(Store::open_with_clock(office_dir.path(), day.clock()).unwrap()));
    let agent = Agent::new(store.clone(), AgentConfig::default(), Arc::new(NoStatus)).unwrap();
    day.set(date(11, 20));

    // Before the county saved any settings: none arrive, the office keeps its own.
    let report = agent.round().await.unwrap();
    assert!(report.pushed > 0, "{report:?}");
    assert_eq!(report.settings, None);
    assert!(store.lock().unwrap().county_policy().unwrap().is_none());
    assert_eq!(store.lock().unwrap().reminder_settings().unwrap(), ReminderSettings::default());
    // 重点 monthly: the visit due 11-01 is overdue; 排查 every half month: three periods missed.
    assert_eq!(reminders(&store, Rule::HelpVisit).iter().map(|r| r.0).collect::<Vec<_>>(), vec![date(11, 1)]);
    let missing: Vec<String> = reminders(&store, Rule::ScreeningMissing).into_iter().map(|r| r.1).filter(|t| t.starts_with("东山村")).collect();
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(missing.iter().any(|t| t.contains("2026年10月上半月排查未报送")), "{missing:?}");

    // The county's administrator saves: 重点 visited every 2 months, village 排查 monthly,
    // a 衔接率 target of 95 %.
    let mut settings = CountySettings {
        county_name: "东山县司法局".into(),
        reminders: ReminderSettings {
            help_visit_key_months: 2,
            screening_village_period: PeriodType::Monthly,
            reports: vec![],
            ..Default::default()
        },
        targets: Targets { handover: Some(0.95), ..Default::default() },
        ..Default::default()
    };
    dashboard.set_settings(&settings).await.unwrap();
    let first = settings.policy();

    // The next round puts them in force on the office, and its reminders follow.
    let report = agent.round().await.unwrap();
    assert_eq!(report.settings.as_deref(), Some(first.version.as_str()));
    let held = store.lock().unwrap().county_policy().unwrap().expect("the county's settings are in force");
    assert_eq!(held.policy, first);
    assert_eq!(held.note(), "提醒周期由东山县司法局统一设置（2026年11月20日下发）");
    assert_eq!(store.lock().unwrap().reminder_settings().unwrap(), settings.reminders);
    assert_eq!(store.lock().unwrap().targets().unwrap().handover, Some(0.95));
    // 重点 every 2 months: next visit due 12-01, not listed yet; 排查 monthly: only October missed.
    assert_eq!(reminders(&store, Rule::HelpVisit), vec![]);
    let missing: Vec<String> = reminders(&store, Rule::ScreeningMissing).into_iter().map(|r| r.1).filter(|t| t.starts_with("东山村")).collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("2026年10月排查未报送"), "{}", missing[0]);
    assert_eq!(applied_count(&store), 1);
    let summary: String =
        store.lock().unwrap().connection().query_row("SELECT summary FROM audit_log WHERE action = 'county_settings'", [], |r| r.get(0)).unwrap();
    assert_eq!(summary, format!("县司法局下发提醒周期和目标（版本{}）", first.version));
    // The clerk cannot change them on the office.
    let refused = store.lock().unwrap().set_reminder_settings(&ReminderSettings::default()).unwrap_err();
    assert!(refused.to_string().contains("提醒周期由东山县司法局统一设置"), "{refused}");

    // A second round: the county does not send them again (the office named the version it holds).
    let report = agent.round().await.unwrap();
    assert_eq!(report.settings, None);
    assert_eq!(applied_count(&store), 1);
    let (token, cursor) = {
        let s = store.lock().unwrap();
        (s.sync_setting(keys::TOKEN).unwrap().unwrap(), s.sync_setting(keys::CURSOR).unwrap().unwrap().parse::<i64>().unwrap())
    };
    let client = Client::new(&url, Some(&token), ClientOptions::default()).unwrap();
    let page = client.pull_with_settings(cursor, MAX_BATCH, Some(&first.version)).await.unwrap();
    assert_eq!((page.more, page.settings), (false, None));
    // Naming another (or no) version gets them.
    assert_eq!(client.pull_with_settings(cursor, MAX_BATCH, Some("0000000000000000")).await.unwrap().settings, Some(first.clone()));
    assert_eq!(client.pull(cursor, MAX_BATCH).await.unwrap().settings, Some(first.clone()));
    // Not on a page that is not the last: a second PC of the office pulls the first one's
    // records a page at a time.
    let code = c.another_code().await;
    let office_id = store.lock().unwrap().office_id();
    let request =
        EnrollRequest { enrollment_code: code, device_id: Uuid::now_v7(), device_name: "东山镇司法所-2".into(), office_id: Some(office_id) };
    let enrolled = Client::new(&url, None, ClientOptions::default()).unwrap().enroll(&request).await.unwrap();
    let second_pc = Client::new(&url, Some(&enrolled.device_token), ClientOptions::default()).unwrap();
    let page = second_pc.pull(0, 1).await.unwrap();
    assert!(page.more && page.changes.len() == 1, "{page:?}");
    assert_eq!(page.settings, None);
    let last = second_pc.pull(0, MAX_BATCH).await.unwrap();
    assert!(!last.more && last.changes.len() > 1);
    assert_eq!(last.settings, Some(first.clone()));
    // Changing what the offices do not receive (当失联天数) keeps the version.
    settings.offline_days = 3;
    dashboard.set_settings(&settings).await.unwrap();
    assert_eq!(settings.policy().version, first.version);
    assert_eq!(agent.round().await.unwrap().settings, None);

    // A changed setting arrives on the next round: 重点 monthly again.
    settings.reminders.help_visit_key_months = 1;
    dashboard.set_settings(&settings).await.unwrap();
    let second = settings.policy();
    assert_ne!(second.version, first.version);
    let report = agent.round().await.unwrap();
    assert_eq!(report.settings.as_deref(), Some(second.version.as_str()));
    assert_eq!(store.lock().unwrap().reminder_settings().unwrap().help_visit_key_months, 1);
    assert_eq!(reminders(&store, Rule::HelpVisit).iter().map(|r| r.0).collect::<Vec<_>>(), vec![date(11, 1)]);
    assert_eq!(applied_count(&store), 2);

    // A client that knows nothing of settings (release 0.1: no parameter, three fields) still
    // gets a valid page; the settings it does not know are an extra field it ignores.
    #[derive(Debug, Deserialize)]
    struct V1Page {
        changes: Vec<Change>,
        next_cursor: i64,
        more: bool,
    }
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = http.get(format!("{url}/api/v1/pull?since=0&limit=100")).header(PROTOCOL_HEADER, "1").bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    assert_eq!(resp.headers().get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok()), Some("1"));
    let body = resp.bytes().await.unwrap();
    let v1: V1Page = serde_json::from_slice(&body).unwrap();
    assert!(!v1.more && v1.next_cursor >= 0, "{v1:?}");
    assert!(v1.changes.iter().all(|c| c.device_id != store.lock().unwrap().device_id()), "none of the asking device's own changes");
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["settings"]["version"], second.version.as_str());
}

/// An office that enrolls with another county server drops the last county's settings: a
/// county that never saved any leaves the office's own settings in force.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolling_with_another_county_drops_the_last_countys_settings() {
    let first = common::county().await;
    let dashboard = Dashboard::new(first.store.clone()).unwrap();
    let settings = CountySettings {
        county_name: "东山县司法局".into(),
        reminders: ReminderSettings { help_visit_key_months: 2, reports: vec![], ..Default::default() },
        ..Default::default()
    };
    dashboard.set_settings(&settings).await.unwrap();
    let office_dir = tempfile::tempdir().unwrap();
    let day = Day(Arc::new(AtomicI64::new(0)));
    day.set(date(11, 20));
    Store::init_with_clock(office_dir.path(), "东山镇司法所", "350502101", day.clock()).unwrap();
    enroll(office_dir.path(), &first.url, &first.code, "东山镇司法所-1", day.clock(), ClientOptions::default()).await.unwrap();
    let store = Arc::new(Mutex::new(Store::open_with_clock(office_dir.path(), day.clock()).unwrap()));
    let agent = Agent::new(store.clone(), AgentConfig::default(), Arc::new(NoStatus)).unwrap();
    agent.round().await.unwrap();
    assert_eq!(store.lock().unwrap().reminder_settings().unwrap().help_visit_key_months, 2);
    drop(agent);
    drop(store);

    // Another county, which never saved settings.
    let second = common::county().await;
    enroll(office_dir.path(), &second.url, &second.code, "东山镇司法所-1", day.clock(), ClientOptions::default()).await.unwrap();
    let store = Arc::new(Mutex::new(Store::open_with_clock(office_dir.path(), day.clock()).unwrap()));
    assert_eq!(store.lock().unwrap().county_policy().unwrap(), None);
    assert_eq!(store.lock().unwrap().reminder_settings().unwrap().help_visit_key_months, 1, "the office's own again");
    let agent = Agent::new(store.clone(), AgentConfig::default(), Arc::new(NoStatus)).unwrap();
    agent.round().await.unwrap();
    assert_eq!(store.lock().unwrap().county_policy().unwrap(), None);
    let log = store.lock().unwrap().audit_entries(20).unwrap();
    assert!(log.iter().any(|e| e.summary.contains("不再沿用东山县司法局下发的")), "{log:#?}");
}

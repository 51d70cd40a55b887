//! First run's 加入已登记的司法所 against the real county server: a second PC of an office (or a
//! reinstalled one) joins it with a one-time code and ends with the office's records; a wrong,
//! used or expired code, an address where no county answers and bad answers are refused beside
//! their fields and leave the data directory as it was, so the clerk can simply try again. An
//! office the county registered but holds nothing for (its very first PC chose 加入) is filled in
//! on the joined PC, as a new office's first run would, and reaches the county from there.

mod common;
#[path = "common/county.rs"]
mod county;

use std::path::Path;

use common::*;
use county::*;
use fengqiao_app::cases::{self, LedgerQuery};
use fengqiao_app::setup::{self, CompleteOfficeInput, FirstRunInput, JoinInput};
use fengqiao_app::sync::{self, EnrollInput};
use fengqiao_app::{settings, AppState};
use uuid::Uuid;

fn titles(state: &AppState) -> Vec<String> {
    let mut t: Vec<String> =
        cases::list_cases(state, LedgerQuery::default()).unwrap().rows.into_iter().map(|r| r.title.unwrap_or_default()).collect();
    t.sort();
    t
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().next().is_none()
}

fn join(server: &str, code: &str) -> JoinInput {
    JoinInput {
        server: server.into(),
        code: code.into(),
        device_name: "东山所二号机".into(),
        staff_name: "周芳".into(),
        login_name: "zhoufang".into(),
        password: "Erhaoji#2026".into(),
    }
}

/// An office made on a first PC, enrolled with the county, with a case the county holds.
fn first_pc(county: &County, code: String) -> (App, Uuid) {
    let first = ready();
    sync::set_config(&first.state, quick());
    sync::enroll(&first.state, EnrollInput { server: county.url(), code }).unwrap();
    let case = new_case(&first.state, "张伟与李娜相邻通行纠纷", 11);
    wait_until("the first PC synced its case", || synced(&first.state));
    (first, case)
}

#[test]
fn a_second_pc_joins_the_office_and_gets_its_records() {
    let county = County::start();
    let (office, code) = county.add_office();
    let (first, case) = first_pc(&county, code);
    assert!(county.record_ids(&office).contains(&case));

    // The county issues another code for the office (`office code`); the second PC joins with it.
    let second = empty();
    sync::set_config(&second.state, quick());
    let code = county.new_code(&office, chrono::Duration::days(1));
    let status = setup::join_office(&second.state, join(&format!("{}/", county.url()), &format!(" {code} "))).unwrap();
    assert!(status.initialized);
    assert_eq!(status.current_staff.as_deref(), Some("周芳"));

    // The agent's first pull brings the office's records: the office itself, its 调委会 and
    // 调解员, the case with its parties.
    wait_until("the second PC pulled the office", || synced(&second.state) && setup::status(&second.state).unwrap().office.is_some());
    let (mine, theirs) = (settings::settings(&second.state).unwrap(), settings::settings(&first.state).unwrap());
    assert_eq!(mine.office.meta.id, theirs.office.meta.id);
    assert_eq!(mine.office.name.as_deref(), Some("东山镇司法所"));
    assert_eq!(mine.committees.len(), 1);
    assert_eq!(mine.committees[0].committee.meta.id, theirs.committees[0].committee.meta.id);
    assert_eq!(mine.committees[0].mediators[0].name.as_deref(), Some("王秀英"));
    assert!(mine.enrolled);
    assert_eq!(mine.county_server.as_deref(), Some(county.url().as_str()), "the address as the agent reads it");
    assert_eq!(mine.staff.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["周芳"]);
    let view = cases::get_case(&second.state, case).unwrap();
    assert_eq!(view.file.case.title.as_deref(), Some("张伟与李娜相邻通行纠纷"));
    assert_eq!(view.file.parties.len(), 2);
    assert_eq!(titles(&second.state), titles(&first.state));
    assert!(county.device_names(&office).contains(&"东山所二号机".to_string()), "{:?}", county.device_names(&office));

    // The second PC works like the first: its case, saved by 周芳, reaches the first PC.
    let theirs_now = new_case(&second.state, "王强与赵敏宅基地纠纷", 21);
    wait_until("the second PC pushed its case", || county.record_ids(&office).contains(&theirs_now) && synced(&second.state));
    sync::sync_now(&first.state).unwrap();
    wait_until("the first PC pulled it", || cases::get_case(&first.state, theirs_now).is_ok());
    assert_eq!(cases::get_case(&first.state, theirs_now).unwrap().file.case.meta.created_by, "周芳");
    assert_eq!(titles(&second.state), titles(&first.state));

    // The office's record came from the county: nothing to fill in.
    let joined = setup::joined_office(&second.state).unwrap();
    assert!(joined.has_office && joined.pulled);
    let e = setup::complete_joined_office(&second.state, office_answers()).unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), ("office_present", "本所的记录已从县司法局取回，不需要再填写"));
    assert_eq!(settings::settings(&second.state).unwrap().committees.len(), 1);

    // Joined once: a second join is refused, and the store stays as it is.
    let again = setup::join_office(&second.state, join(&county.url(), &code)).unwrap_err();
    assert_eq!(again.code, "already_initialized");
    // Restarted: the same office, the same staff, the agent starts again.
    let dir = second.dir;
    drop(second.state);
    let reopened = reopen_as(dir.path(), clock(), "zhoufang", "Erhaoji#2026");
    let status = setup::status(&reopened).unwrap();
    assert_eq!(status.office.map(|o| o.meta.id), Some(theirs.office.meta.id));
    assert_eq!(status.current_staff.as_deref(), Some("周芳"));
}

#[test]
fn a_refused_join_leaves_the_data_directory_empty() {
    let county = County::start();
    let (office, _) = county.add_office();
    let app = empty();
    sync::set_config(&app.state, quick());
    let nothing_made = |app: &App| {
        assert!(is_empty(app.dir.path()), "left behind: {:?}", std::fs::read_dir(app.dir.path()).unwrap().collect::<Vec<_>>());
        assert!(!setup::status(&app.state).unwrap().initialized);
        assert_eq!(settings::settings(&app.state).unwrap_err().code, "not_initialized");
    };

    // Every answer checked at once, each problem beside its field; the county is not asked.
    let bad = JoinInput {
        server: "sfj.example.gov.cn".into(),
        code: " ".into(),
        device_name: "二号机\u{7}".into(),
        staff_name: String::new(),
        login_name: "zhoufang".into(),
        password: "Erhaoji#2026".into(),
    };
    let e = setup::join_office(&app.state, bad).unwrap_err();
    assert_eq!(e.code, "invalid");
    let fields: Vec<&str> = e.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["county_server", "enrollment_code", "staff_name", "device_name"]);
    assert!(e.issues[0].message.contains("http://"), "{}", e.issues[0].message);
    nothing_made(&app);

    // A wrong code: on the code's field.
    let e = setup::join_office(&app.state, join(&county.url(), "WRONG-CODE")).unwrap_err();
    assert_eq!((e.code.as_str(), e.issues[0].field.as_str()), ("wrong_code", "enrollment_code"));
    assert!(e.message.contains("注册码无效"), "{}", e.message);
    nothing_made(&app);

    // An expired code: the same.
    let expired = county.new_code(&office, chrono::Duration::hours(-1));
    let e = setup::join_office(&app.state, join(&county.url(), &expired)).unwrap_err();
    assert_eq!((e.code.as_str(), e.issues[0].field.as_str()), ("wrong_code", "enrollment_code"));
    nothing_made(&app);

    // No county at the address: on the address's field.
    let nobody = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let code = county.new_code(&office, chrono::Duration::days(1));
    let e = setup::join_office(&app.state, join(&format!("http://{nobody}"), &code)).unwrap_err();
    assert_eq!((e.code.as_str(), e.issues[0].field.as_str()), ("unreachable", "county_server"));
    assert!(e.message.starts_with("无法连接县级服务器"), "{}", e.message);
    nothing_made(&app);

    // Corrected, the same code works (it was not used by the refusals) — and only once.
    setup::join_office(&app.state, join(&county.url(), &code)).unwrap();
    assert!(app.dir.path().join(fengqiao_store::DB_FILE).exists());
    let other = empty();
    sync::set_config(&other.state, quick());
    let e = setup::join_office(&other.state, join(&county.url(), &code)).unwrap_err();
    assert_eq!((e.code.as_str(), e.issues[0].field.as_str()), ("wrong_code", "enrollment_code"));
    nothing_made(&other);
}

#[test]
fn a_pc_with_an_office_cannot_join_another() {
    let county = County::start();
    let (office, _) = county.add_office();
    let app = ready();
    let code = county.new_code(&office, chrono::Duration::days(1));
    let e = setup::join_office(&app.state, join(&county.url(), &code)).unwrap_err();
    assert_eq!(e.code, "already_initialized");
    assert!(e.message.contains("已完成首次设置"), "{}", e.message);
    // The code was not spent on the refusal.
    let other = empty();
    sync::set_config(&other.state, quick());
    setup::join_office(&other.state, join(&county.url(), &code)).unwrap();
}

/// The office's own answers as the window sends them when the county held nothing for it (the
/// first run's, without the account and the server).
fn office_answers() -> CompleteOfficeInput {
    let a = answers();
    CompleteOfficeInput { office_name: a.office_name, division_code: a.division_code, committee: a.committee, mediators: a.mediators }
}

#[test]
fn an_office_the_county_holds_nothing_for_is_filled_in_on_the_joined_pc() {
    let county = County::start();
    let (office, code) = county.add_office();
    let app = empty();
    sync::set_config(&app.state, quick());
    setup::join_office(&app.state, join(&county.url(), &code)).unwrap();

    // The first round finished and brought nothing: the office's record is not here, and the
    // window is told that the county has had its say, and what it registered.
    wait_until("the first round finished", || synced(&app.state));
    assert!(setup::status(&app.state).unwrap().office.is_none());
    assert!(county.record_ids(&office).is_empty());
    let joined = setup::joined_office(&app.state).unwrap();
    assert_eq!(
        (joined.office_id, joined.office_name.as_str(), joined.division_code.as_str(), joined.has_office, joined.pulled),
        (office.id, "东山镇司法所", "350502101", false, true)
    );

    // Problems are said beside the same fields as in a new office's first run; nothing is written.
    let mut bad = office_answers();
    bad.office_name = " ".into();
    bad.division_code = "3505".into();
    bad.committee.number_prefix = None;
    bad.mediators[0].gender = None;
    let e = setup::complete_joined_office(&app.state, bad.clone()).unwrap_err();
    assert_eq!(e.code, "invalid");
    let fields: Vec<&str> = e.issues.iter().map(|i| i.field.as_str()).collect();
    for field in ["office.name", "office.division_code", "committee.number_prefix", "mediators[0].gender"] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }
    let first_run = FirstRunInput {
        office_name: bad.office_name.clone(),
        division_code: bad.division_code.clone(),
        committee: bad.committee.clone(),
        mediators: bad.mediators.clone(),
        ..answers()
    };
    let new_office = setup::first_run(&empty().state, first_run).unwrap_err();
    assert_eq!(new_office.issues, e.issues);
    let none = CompleteOfficeInput { mediators: Vec::new(), ..office_answers() };
    let e = setup::complete_joined_office(&app.state, none).unwrap_err();
    assert_eq!(e.issues.iter().map(|i| (i.field.as_str(), i.message.as_str())).collect::<Vec<_>>(), [("mediators", "至少登记一名调解员")]);
    assert!(setup::status(&app.state).unwrap().office.is_none());
    assert_eq!(sync::sync_status(&app.state).unwrap().pending, 0);

    // Filled in: the office with the county's id, its 调委会 and 调解员, made by this PC's clerk.
    let status = setup::complete_joined_office(&app.state, office_answers()).unwrap();
    let mine = status.office.expect("the office is here");
    assert_eq!((mine.meta.id, mine.name.as_deref(), mine.division_code.as_deref()), (office.id, Some("东山镇司法所"), Some("350502101")));
    assert_eq!(status.current_staff.as_deref(), Some("周芳"));
    let s = settings::settings(&app.state).unwrap();
    assert_eq!(s.office.meta.id, office.id);
    assert_eq!(s.committees.len(), 1);
    let committee = &s.committees[0].committee;
    assert_eq!((committee.name.as_deref(), committee.parent_id), (Some("东山镇人民调解委员会"), Some(office.id)));
    assert_eq!(committee.division_code.as_deref(), Some("350502101"), "the office's 区划");
    assert_eq!(committee.meta.created_by, "周芳");
    let mediators: Vec<_> = s.committees[0].mediators.iter().map(|m| m.name.as_deref()).collect();
    assert_eq!(mediators, [Some("王秀英")]);
    let (committee_id, mediator_id) = (committee.meta.id, s.committees[0].mediators[0].meta.id);

    // Once is enough.
    let e = setup::complete_joined_office(&app.state, office_answers()).unwrap_err();
    assert_eq!(e.code, "office_present");

    // The agent sends them up like any change: the county now holds the office's record.
    wait_until("the county holds the office", || {
        let held = county.record_ids(&office);
        [office.id, committee_id, mediator_id].iter().all(|id| held.contains(id)) && synced(&app.state)
    });
    let store = county.store();
    let records = county.block_on(store.records(office.id)).unwrap();
    let own = records.iter().find(|r| r.record_id == office.id).unwrap();
    assert_eq!((own.kind.as_str(), own.data["name"].as_str()), ("organization", Some("东山镇司法所")));

    // And the office works like any other: a case reaches the county, and a second PC joining
    // gets the office from it.
    let case = new_case(&app.state, "张伟与李娜相邻通行纠纷", 31);
    wait_until("the county holds the case", || county.record_ids(&office).contains(&case));
    let second = empty();
    sync::set_config(&second.state, quick());
    let code = county.new_code(&office, chrono::Duration::days(1));
    setup::join_office(&second.state, join(&county.url(), &code)).unwrap();
    wait_until("the second PC pulled the office", || synced(&second.state) && setup::status(&second.state).unwrap().office.is_some());
    let theirs = settings::settings(&second.state).unwrap();
    assert_eq!(theirs.office.meta.id, office.id);
    assert_eq!(theirs.committees[0].committee.meta.id, committee_id);
    assert!(cases::get_case(&second.state, case).is_ok());
}

#[test]
fn filling_in_a_joined_office_is_refused_without_a_store_or_with_an_office() {
    let app = empty();
    let e = setup::complete_joined_office(&app.state, office_answers()).unwrap_err();
    assert_eq!(e.code, "not_initialized");
    assert!(!app.dir.path().join(fengqiao_store::DB_FILE).exists());
    assert_eq!(setup::joined_office(&app.state).unwrap_err().code, "not_initialized");

    // A new office's first run made its record.
    let app = ready();
    let e = setup::complete_joined_office(&app.state, office_answers()).unwrap_err();
    assert_eq!(e.code, "office_present");
    assert_eq!(settings::settings(&app.state).unwrap().committees.len(), 1);
}

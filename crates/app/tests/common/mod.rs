//! A temporary data directory on a fixed clock, and the first run's answers.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use fengqiao_app::setup::FirstRunInput;
use fengqiao_app::AppState;
use fengqiao_model::*;

/// "Today" in the tests: 2026-11-20 at the office (UTC+8).
pub fn clock() -> fengqiao_store::Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap())
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An 18-digit ID number with a correct check character.
pub fn id_number(birth: &str, seq: &str) -> String {
    let first = format!("350502{birth}{seq}");
    format!("{first}{}", id_number::check_character(&first).unwrap())
}

/// The first account's password in every test office.
pub const PASSWORD: &str = "Dongshan#2026";

pub struct App {
    pub dir: tempfile::TempDir,
    pub state: AppState,
}

pub fn empty() -> App {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(dir.path(), clock());
    App { dir, state }
}

pub fn answers() -> FirstRunInput {
    FirstRunInput {
        office_name: "东山镇司法所".into(),
        division_code: "350502101".into(),
        committee: Organization {
            name: Some("东山镇人民调解委员会".into()),
            committee_type: Some(CommitteeType::Township),
            number_prefix: Some("东山".into()),
            ..Default::default()
        },
        mediators: vec![Mediator {
            name: Some("王秀英".into()),
            gender: Some(Gender::Female),
            role: Some(MediatorRole::Director),
            full_time: true,
            ..Default::default()
        }],
        staff_name: "李明".into(),
        login_name: "liming".into(),
        password: PASSWORD.into(),
        county_server: None,
    }
}

/// The app started again on `dir` and signed in as the first account (as the window does).
pub fn reopen(dir: &std::path::Path, clock: fengqiao_store::Clock) -> AppState {
    reopen_as(dir, clock, "liming", PASSWORD)
}

pub fn reopen_as(dir: &std::path::Path, clock: fengqiao_store::Clock, name: &str, password: &str) -> AppState {
    let state = AppState::open(dir, clock);
    let input = fengqiao_app::accounts::SignInInput { name: name.into(), password: password.into() };
    fengqiao_app::accounts::sign_in(&state, input).unwrap();
    state
}

/// An app after first run.
pub fn ready() -> App {
    let app = empty();
    fengqiao_app::setup::first_run(&app.state, answers()).unwrap();
    app
}

pub fn person(name: &str, id: Option<String>) -> Person {
    Person {
        name: Some(name.into()),
        id_number: id,
        ethnicity: Some(Ethnicity::Han),
        residence_address: Some("东山镇东山村3组".into()),
        ..Default::default()
    }
}

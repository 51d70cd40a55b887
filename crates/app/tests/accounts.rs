//! Accounts in the window (issue 7): first run makes an encrypted office with its 所长 and shows
//! the recovery key once; the next start signs in; a 只读 account is refused by every command
//! that changes something; the lock refuses every command until the password is given again.

mod common;

use common::*;
use fengqiao_app::accounts::{self, NewAccountInput, SignInInput};
use fengqiao_app::print::{self, PrintInput};
use fengqiao_app::{cases, excel, released, reminders, screening, settings, setup, sync, AppError, AppState};
use fengqiao_model::*;
use serde::de::DeserializeOwned;
use serde_json::json;
use uuid::Uuid;

fn sign_in(name: &str, password: &str) -> SignInInput {
    SignInInput { name: name.into(), password: password.into() }
}

fn input<T: DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).unwrap()
}

#[test]
fn first_run_makes_an_encrypted_office_and_the_next_start_signs_in() {
    let app = empty();
    let status = setup::first_run(&app.state, answers()).unwrap();
    assert!(status.secured);
    let me = status.account.clone().unwrap();
    assert_eq!((me.name.as_str(), me.display_name.as_str(), me.role_label.as_str()), ("liming", "李明", "所长"));
    assert!(status.can.administer && status.can.edit);
    let key = status.recovery_key.clone().expect("shown once");
    assert_eq!(key.len(), 39, "{key}");
    assert_eq!(accounts::acknowledge_recovery_key(&app.state).unwrap().recovery_key, None);

    // A wrong first-run password is refused beside its field, before anything is made.
    let other = empty();
    let mut bad = answers();
    bad.password = "short".into();
    bad.login_name = " ".into();
    let e = setup::first_run(&other.state, bad).unwrap_err();
    let fields: Vec<_> = e.issues.iter().map(|i| (i.field.as_str(), i.message.as_str())).collect();
    assert_eq!(fields, [("login_name", "请填写登录名"), ("password", "密码至少8位")]);
    assert!(std::fs::read_dir(other.dir.path()).unwrap().next().is_none(), "nothing written");

    drop(app.state);
    let again = AppState::open(app.dir.path(), clock());
    let status = setup::status(&again).unwrap();
    assert!(status.initialized && status.secured && status.account.is_none());
    assert_eq!(settings::settings(&again).unwrap_err().code, "signed_out");
    let e = accounts::sign_in(&again, sign_in("liming", "wrong-password")).unwrap_err();
    assert_eq!(e.issues[0].field, "password");
    assert_eq!(e.issues[0].message, "登录名或密码不正确");
    let status = accounts::sign_in(&again, sign_in("liming", PASSWORD)).unwrap();
    assert_eq!(status.account.unwrap().display_name, "李明");
    assert_eq!(status.current_staff.as_deref(), Some("李明"));
    settings::settings(&again).unwrap();
}

#[test]
fn the_lock_refuses_every_command_until_the_password() {
    let app = ready();
    let status = accounts::lock(&app.state).unwrap();
    assert!(status.locked);
    assert_eq!(settings::settings(&app.state).unwrap_err().code, "locked");
    assert_eq!(cases::list_cases(&app.state, Default::default()).unwrap_err().code, "locked");
    let e = accounts::unlock(&app.state, sign_in("liming", "not-it-at-all")).unwrap_err();
    assert_eq!(e.issues[0].field, "password");
    assert!(setup::status(&app.state).unwrap().locked);
    let status = accounts::unlock(&app.state, sign_in("liming", PASSWORD)).unwrap();
    assert!(!status.locked);
    settings::settings(&app.state).unwrap();
}

/// Every command that changes something, called as a 只读 account: each is refused with the
/// role named, before its input is looked at, and nothing is written.
#[test]
fn a_readonly_account_is_refused_by_every_editing_command() {
    let app = ready();
    let ro = NewAccountInput { name: "chakan".into(), display_name: "查看员".into(), role: "readonly".into(), password: "readonly-pass".into() };
    accounts::add_account(&app.state, ro).unwrap();
    let dir = app.dir.path().to_path_buf();
    drop(app.state);
    let state = AppState::open(&dir, clock());
    let status = accounts::sign_in(&state, sign_in("chakan", "readonly-pass")).unwrap();
    assert!(!status.can.edit && !status.can.administer && !status.can.export);

    let id = Uuid::now_v7();
    let s = &state;
    let refused: Vec<(&str, Result<(), AppError>)> = vec![
        ("create_case", cases::create_case(s, Default::default()).map(drop)),
        ("save_case", cases::save_case(s, Default::default()).map(drop)),
        ("delete_case", cases::delete_case(s, id)),
        ("save_party", cases::save_party(s, Default::default()).map(drop)),
        ("save_investigation", cases::save_investigation(s, Default::default()).map(drop)),
        ("save_session", cases::save_session(s, Default::default()).map(drop)),
        ("save_agreement", cases::save_agreement(s, Default::default()).map(drop)),
        ("save_return_visit", cases::save_return_visit(s, Default::default()).map(drop)),
        ("delete_case_record", cases::delete_case_record(s, input(json!({"case_id": id, "kind": "agreement", "id": id}))).map(drop)),
        ("transition_case", cases::transition(s, input(json!({"case_id": id, "to": CaseStatus::Accepted}))).map(drop)),
        ("save_round", screening::save_round(s, Default::default()).map(drop)),
        ("save_item", screening::save_item(s, Default::default()).map(drop)),
        ("delete_item", screening::delete_item(s, id).map(drop)),
        ("zero_report", screening::zero_report(s, Default::default()).map(drop)),
        ("open_case_from_item", screening::open_case_from_item(s, Default::default()).map(drop)),
        ("save_released", released::save_released(s, Default::default()).map(drop)),
        ("save_help_group", released::save_help_group(s, Default::default()).map(drop)),
        ("save_help_visit", released::save_help_visit(s, Default::default()).map(drop)),
        ("save_handover_event", released::save_handover_event(s, Default::default()).map(drop)),
        ("save_assessment_change", released::save_assessment_change(s, Default::default()).map(drop)),
        ("release_from_help", released::release_from_help(s, input(json!({"id": id}))).map(drop)),
        ("acknowledge_reminder", reminders::acknowledge_reminder(s, Default::default()).map(drop)),
        ("snooze_reminder", reminders::snooze_reminder(s, Default::default()).map(drop)),
        (
            "save_reminder_settings",
            reminders::save_reminder_settings(s, input(serde_json::to_value(reminders::reminder_settings(s).unwrap().settings).unwrap())).map(drop),
        ),
        ("import_preview", excel::import_preview(s, input(json!({"ledger": "disputes", "path": "/nonexistent.xlsx"}))).map(drop)),
        ("import_commit", excel::import_commit(s, 1).map(drop)),
        ("export_xlsx", excel::export_xlsx(s, input(json!({"ledger": "disputes", "path": dir.join("out.xlsx")}))).map(drop)),
        ("save_organization", settings::save_organization(s, Default::default()).map(drop)),
        ("save_mediator", settings::save_mediator(s, Default::default()).map(drop)),
        ("delete_mediator", settings::delete_mediator(s, id).map(drop)),
        ("save_staff", settings::save_staff(s, Default::default()).map(drop)),
        ("set_county_server", settings::set_county_server(s, Some("https://sfj.example.gov.cn".into())).map(drop)),
        ("enroll", sync::enroll(s, input(json!({"server": "https://sfj.example.gov.cn", "code": "ABC"}))).map(drop)),
        ("add_account", accounts::add_account(s, Default::default()).map(drop)),
        ("list_accounts", accounts::list_accounts(s).map(drop)),
        ("set_idle_lock_minutes", accounts::set_idle_lock_minutes(s, 5).map(drop)),
        // Not edits, but a case's documents carry whole ID numbers a 只读 account sees masked.
        (
            "print a case document",
            print::print(s, PrintInput { document: "intake-register".into(), record_id: Some(id), from: None, to: None }).map(drop),
        ),
        ("print cases", print::start_batch(s, input(json!({"case_ids": [id]}))).map(drop)),
    ];
    for (name, result) in refused {
        let e = result.expect_err(name);
        assert_eq!(e.code, "forbidden", "{name}: {e:?}");
        assert!(e.message.contains("只读"), "{name}: {}", e.message);
    }
    assert!(!dir.join("out.xlsx").exists());
    // Reading works.
    cases::list_cases(s, Default::default()).unwrap();
    settings::settings(s).unwrap();
}

#[test]
fn an_office_made_before_accounts_is_secured_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    fengqiao_store::Store::init_with_clock(dir.path(), "东山镇司法所", "350502101", clock()).unwrap();
    let state = AppState::open(dir.path(), clock());
    let status = setup::status(&state).unwrap();
    assert!(status.initialized && !status.secured && status.account.is_none());
    let e =
        accounts::secure_office(&state, NewAccountInput { name: "wang".into(), display_name: "".into(), role: "".into(), password: "1234".into() })
            .unwrap_err();
    let fields: Vec<_> = e.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["display_name", "password"]);
    let status = accounts::secure_office(
        &state,
        NewAccountInput { name: "wang".into(), display_name: "王所长".into(), role: "".into(), password: "Wang#2026x".into() },
    )
    .unwrap();
    assert!(status.secured && status.recovery_key.is_some());
    assert_eq!(status.account.unwrap().role, "director");
    drop(state);
    let state = AppState::open(dir.path(), clock());
    accounts::sign_in(&state, sign_in("wang", "Wang#2026x")).unwrap();
}

/// The 审计日志 screen: the 所长 pages through who did what, with the chain checked; other
/// roles are refused.
#[test]
fn the_director_reads_the_audit_log_and_others_may_not() {
    use fengqiao_app::audit_log::{audit_log, AuditQuery};
    let app = ready();
    cases::create_case(&app.state, Default::default()).unwrap(); // a draft case
    let page = audit_log(&app.state, AuditQuery { limit: Some(2), before_seq: None }).unwrap();
    assert_eq!(page.lines.len(), 2);
    assert!(page.more);
    assert_eq!(page.problem, None);
    assert!(page.checked >= 3);
    let newest = &page.lines[0];
    assert!(newest.seq > page.lines[1].seq);
    assert!(newest.at.starts_with("2026-11-20 10:00"), "北京时间: {}", newest.at);
    let all = audit_log(&app.state, AuditQuery { limit: Some(500), before_seq: None }).unwrap();
    let sign_up = all.lines.iter().find(|l| l.action == "account_add").unwrap();
    assert_eq!(sign_up.action_label, "新建账号");
    assert!(all.lines.iter().any(|l| l.action == "create" && l.summary.starts_with("新建纠纷案件")), "{:#?}", all.lines);
    assert!(all.lines.iter().any(|l| l.action == "sign_in" && l.actor == "李明" && l.action_label == "登录"));
    let next = audit_log(&app.state, AuditQuery { limit: Some(500), before_seq: Some(page.lines[1].seq) }).unwrap();
    assert_eq!(next.lines.len(), all.lines.len() - 2);
    assert!(!next.more);

    let staff = NewAccountInput { name: "zhao".into(), display_name: "赵工作".into(), role: "staff".into(), password: "staff-pass-1".into() };
    accounts::add_account(&app.state, staff).unwrap();
    let dir = app.dir.path().to_path_buf();
    drop(app.state);
    let state = reopen_as(&dir, clock(), "zhao", "staff-pass-1");
    let e = audit_log(&state, AuditQuery::default()).unwrap_err();
    assert_eq!(e.code, "forbidden");
    assert_eq!(e.message, "当前账号（工作人员）没有权限查看审计日志");
}

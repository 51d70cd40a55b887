//! 关于 and the log: versions and folders; the log rotates, keeps five files, and holds the
//! codes of failed commands, never what the clerk typed.

mod common;

use common::*;
use fengqiao_app::about::about;
use fengqiao_app::cases::{create_case, IntakeInput, PartyInput};
use fengqiao_app::logs::{Log, LOG_DIR};
use fengqiao_model::{CaseParty, DisputeCase};

#[test]
fn about_names_the_versions_and_the_folders() {
    let app = empty();
    let log = Log::new(app.dir.path());
    let before = about(&app.state, &log).unwrap();
    assert_eq!(before.version, fengqiao_app::VERSION);
    assert_eq!(before.database_version, None, "no store before first run");
    assert!(before.logs.is_empty());
    fengqiao_app::setup::first_run(&app.state, answers()).unwrap();
    log.started();
    let after = about(&app.state, &log).unwrap();
    assert_eq!(after.database_version, Some(after.schema_version));
    assert_eq!(after.protocol_version, 1);
    assert_eq!(after.log_dir, app.dir.path().join(LOG_DIR).display().to_string());
    assert_eq!(after.logs.len(), 1);
    assert_eq!(after.logs[0].name, "fengqiao.log");
    let text = std::fs::read_to_string(app.dir.path().join(LOG_DIR).join("fengqiao.log")).unwrap();
    assert!(text.contains(&format!("启动 枫桥 {}（数据结构版本 {}", fengqiao_app::VERSION, after.schema_version)), "{text}");
}

#[test]
fn a_failed_command_is_logged_by_its_code_without_what_was_typed() {
    let app = ready();
    let log = Log::new(app.dir.path());
    // A party whose ID number has no such birth date (13th month): refused.
    let input = IntakeInput {
        case: DisputeCase { title: Some("张秀兰与李建国宅基地纠纷".into()), ..Default::default() },
        parties: vec![PartyInput { party: CaseParty::default(), person: Some(person("张秀兰", Some("350502198013320016".into()))), entity: None }],
    };
    let err = create_case(&app.state, input).unwrap_err();
    assert!(err.message.contains("1980年13月32日"), "the message names the birth date: {err:?}");
    log.command_failed("create_case", &err);
    let text = std::fs::read_to_string(log.dir().join("fengqiao.log")).unwrap();
    assert!(text.contains(&format!("命令 create_case 未完成：{}", err.code)), "{text}");
    for secret in ["张秀兰", "李建国", "350502198013320016", "1980年13月32日", "宅基地"] {
        assert!(!text.contains(secret), "the log holds {secret}: {text}");
    }
}

#[test]
fn the_log_rotates_at_one_mebibyte_and_keeps_five_files() {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new(dir.path());
    let event = "同步 推送完成 ".repeat(40); // ~ 800 bytes a line
    for _ in 0..8_000 {
        log.info(&event);
    }
    let files = log.files();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["fengqiao.log", "fengqiao.1.log", "fengqiao.2.log", "fengqiao.3.log", "fengqiao.4.log"]);
    assert!(files.iter().all(|(_, size)| *size <= 1 << 20), "{files:?}");
    // Every line whole: rotation happens between lines.
    let newest = std::fs::read_to_string(log.dir().join("fengqiao.1.log")).unwrap();
    assert!(newest.lines().all(|l| l.ends_with(event.as_str()) && l.contains(" INFO ")), "a line was cut");
}

//! `fengqiao-cli reminders` on a demo store: the list (table and JSON), ack and snooze.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const NOW: &str = "2026-11-21T10:00:00+08:00";

fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fengqiao-cli"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("FENGQIAO_NOW", NOW)
        .env_remove("FENGQIAO_DATA_DIR")
        .output()
        .expect("run fengqiao-cli")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = cli(dir, args);
    assert!(out.status.success(), "{args:?} failed:\n{}\n{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn reminders(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["reminders", "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(ok(dir, &args).trim()).unwrap()
}

#[test]
fn reminders_are_listed_acknowledged_and_snoozed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ok(&dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"]);
    let empty = ok(&dir, &["reminders"]);
    assert!(empty.contains("没有到期或逾期的事项"), "{empty}");
    ok(&dir, &["demo-data", "--disputes", "80", "--released", "30", "--screenings", "40", "--seed", "3"]);

    let all = reminders(&dir, &[]);
    assert_eq!(all["today"], "2026-11-21");
    let list = all["reminders"].as_array().unwrap().clone();
    assert!(list.len() >= 2, "{all}");
    for r in &list {
        for key in ["id", "rule", "severity", "title", "due_on", "days_overdue"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert!(["due_soon", "overdue"].contains(&r["severity"].as_str().unwrap()));
    }
    // Overdue first.
    let first_soon = list.iter().position(|r| r["severity"] == "due_soon").unwrap_or(list.len());
    assert!(list[first_soon..].iter().all(|r| r["severity"] == "due_soon"));

    let table = ok(&dir, &["reminders"]);
    assert!(table.contains("事项") && table.contains("已逾期"), "{table}");

    // Ack without a reason is refused; with one it hides the reminder.
    let id = list[0]["id"].as_str().unwrap();
    let refused = cli(&dir, &["reminders", "ack", id, "--reason", " "]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("请填写原因"));
    let said = ok(&dir, &["reminders", "ack", id, "--reason", "已电话督促"]);
    assert!(said.contains("已确认提醒"), "{said}");
    let after = reminders(&dir, &[]);
    assert!(after["reminders"].as_array().unwrap().iter().all(|r| r["id"] != id));
    assert_eq!(after["hidden"], 1);

    // Snooze another until a later day.
    let other = list[1]["id"].as_str().unwrap();
    ok(&dir, &["reminders", "snooze", other, "--until", "2026-12-01", "--reason", "当事人外出"]);
    let hidden = reminders(&dir, &["--all"]);
    let snoozed = hidden["reminders"].as_array().unwrap().iter().find(|r| r["id"] == other).unwrap().clone();
    assert_eq!(snoozed["hidden"], true);
    assert_eq!(snoozed["state"]["action"], "snoozed");
    assert_eq!(snoozed["state"]["reason"], "当事人外出");
    let bad = cli(&dir, &["reminders", "snooze", other, "--until", "2026-11-01", "--reason", "x"]);
    assert!(!bad.status.success());
    let unknown = cli(&dir, &["reminders", "ack", "no-such-reminder", "--reason", "x"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("没有编号为“no-such-reminder”的提醒"));
}

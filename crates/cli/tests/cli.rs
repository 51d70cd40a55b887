//! The real binary on temporary data directories.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fengqiao_model::*;
use serde_json::Value;

/// A fixed clock, so runs are reproducible.
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
    assert!(out.status.success(), "{args:?} failed:\n{}\n{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn init(dir: &Path) {
    ok(dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"]);
}

/// A store with a little of everything.
fn demo_store(tmp: &tempfile::TempDir, name: &str) -> PathBuf {
    let dir = tmp.path().join(name);
    init(&dir);
    ok(&dir, &["demo-data", "--disputes", "60", "--released", "15", "--screenings", "30", "--seed", "7"]);
    dir
}

fn export(dir: &Path, file: &Path) -> String {
    ok(dir, &["export", "--out", file.to_str().unwrap()]);
    std::fs::read_to_string(file).unwrap()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn init_creates_the_store_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = ok(&dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"]);
    assert!(out.contains("已初始化“城东镇司法所”"), "{out}");
    assert!(dir.join("fengqiao.db").exists());
    let again = cli(&dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("不能重复初始化"), "{}", stderr(&again));
    assert!(stderr(&again).contains("already_initialized"));
    let bad = cli(&tmp.path().join("other"), &["init", "--office", "某镇司法所", "--division-code", "35A"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("行政区划代码应为6位、9位或12位数字"), "{}", stderr(&bad));
    assert!(!tmp.path().join("other/fengqiao.db").exists(), "a refused init leaves no database");
}

#[test]
fn a_missing_store_is_said_in_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nothing-here");
    let backup = tmp.path().join("b.db");
    for args in [
        vec!["list", "disputes"],
        vec!["export"],
        vec!["stats", "--from", "2026-01-01", "--to", "2026-06-30"],
        vec!["backup", "--out", backup.to_str().unwrap()],
        vec!["demo-data", "--disputes", "1"],
    ] {
        let out = cli(&dir, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("数据目录中没有数据库") && err.contains("请先运行 init 初始化"), "{args:?}: {err}");
        assert!(err.contains("not_initialized"), "{err}");
    }
    let out = cli(&dir, &["--json", "list", "released"]);
    let v = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["code"], "not_initialized");
    assert!(v["error"]["message"].as_str().unwrap().contains("没有数据库"));
    assert!(!dir.join("fengqiao.db").exists());
}

#[test]
fn usage_errors_are_chinese_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cli(tmp.path(), &["list", "cases"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("无效") && stderr(&out).contains("disputes"), "{}", stderr(&out));
    let out = cli(tmp.path(), &["stats", "--from", "2024-02-30", "--to", "2024-03-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("日期2024-02-30不存在"), "{}", stderr(&out));
    let help = ok(tmp.path(), &["--help"]);
    assert!(help.contains("用法") && help.contains("命令") && !help.contains("Usage"), "{help}");
}

#[test]
fn demo_data_lists_and_finds_a_two_character_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_store(&tmp, "demo");
    let page = json(&ok(&dir, &["--json", "list", "disputes", "--page-size", "500"]));
    assert_eq!(page["total"], 60);
    assert_eq!(json(&ok(&dir, &["--json", "list", "released"]))["total"], 15);
    assert_eq!(json(&ok(&dir, &["--json", "list", "screenings"]))["total"], 30);

    // A case with a party whose name has two characters (张伟): the short-name index finds it.
    let rows = page["rows"].as_array().unwrap();
    let (case_no, name) = rows
        .iter()
        .find_map(|r| {
            let names = r["party_names"].as_str()?;
            let short = names.split('、').find(|n| n.chars().count() == 2)?;
            Some((r["case_no"].as_str()?.to_string(), short.to_string()))
        })
        .expect("some party has a two-character name");
    let found = json(&ok(&dir, &["--json", "list", "disputes", "--query", &name]));
    let hits: Vec<&str> = found["rows"].as_array().unwrap().iter().filter_map(|r| r["case_no"].as_str()).collect();
    assert!(hits.contains(&case_no.as_str()), "{name} → {hits:?}");
    assert!(found["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["party_names"].as_str().unwrap().contains(&name) || r["title"].as_str().unwrap_or("").contains(&name)));

    // The readable table.
    let table = ok(&dir, &["list", "disputes", "--query", &name]);
    assert!(table.contains("编号") && table.contains(&case_no) && table.contains("件纠纷案件"), "{table}");
    let screenings = ok(&dir, &["list", "screenings", "--page-size", "30"]);
    assert!(screenings.contains("零报告") && screenings.contains("每半月"), "{screenings}");
    let released = ok(&dir, &["list", "released"]);
    assert!(released.contains("公民身份号码") && released.contains("帮教人员"), "{released}");
}

#[test]
fn demo_data_covers_every_code_and_is_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cover");
    init(&dir);
    ok(&dir, &["demo-data", "--disputes", "150", "--released", "40", "--screenings", "60", "--seed", "11"]);
    let text = export(&dir, &tmp.path().join("e.jsonl"));
    let mut types = HashSet::new();
    let mut statuses = HashSet::new();
    let mut sources = HashSet::new();
    let mut referrals = HashSet::new();
    let mut results = HashSet::new();
    let mut performance = HashSet::new();
    let mut forms = HashSet::new();
    let mut help = HashSet::new();
    let mut handover = HashSet::new();
    let mut assessment = HashSet::new();
    let mut zero = 0;
    let mut with_items = 0;
    let mut numbers = BTreeSet::new();
    for line in text.lines() {
        match parse_line(line).unwrap() {
            ExportLine::DisputeCase(f) => {
                let c = &f.case;
                types.insert(c.dispute_type.unwrap());
                statuses.insert(c.status);
                sources.insert(c.source.unwrap());
                referrals.extend(c.referral_type);
                results.extend(c.result);
                if let Some(a) = &f.agreement {
                    performance.extend(a.performance_status);
                    forms.extend(a.form);
                }
                if let Some(no) = &c.case_no {
                    assert!(numbers.insert(no.clone()), "case number {no} issued twice");
                    let (year, _, _) = case_no::parse(no).expect("a well-formed number");
                    assert_eq!(year, chrono::Datelike::year(&c.accepted_on.unwrap()));
                }
                let closed = matches!(c.status, CaseStatus::Closed | CaseStatus::Archived);
                assert_eq!(closed, c.closed_on.is_some(), "{:?}", c.title);
                if closed {
                    assert!(c.result.is_some());
                    assert!(f.sessions.first().is_some_and(|s| s.rights_notice_given));
                    assert_eq!(c.result == Some(MediationResult::Success), f.agreement.is_some());
                }
                if c.status == CaseStatus::Archived {
                    assert!(c.archived_on.is_some() && c.archived_by.is_some() && c.retention.is_some());
                }
                assert!(c.title.as_deref().unwrap().ends_with("纠纷"));
                let sentences = c.summary.as_deref().unwrap().matches('。').count();
                assert!((2..=4).contains(&sentences), "{:?}", c.summary);
            }
            ExportLine::ReleasedPerson(f) => {
                help.extend(f.released.help_status);
                handover.extend(f.released.handover_status);
                assessment.extend(f.released.assessment_type);
                let id = f.person.as_ref().unwrap().id_number.as_deref().unwrap();
                assert!(id_number::parse(id, chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()).is_ok());
                if let Some(g) = &f.help_group {
                    assert_eq!(g.members.iter().filter(|m| m.is_leader).count(), 1);
                }
            }
            ExportLine::ScreeningRound(f) => {
                if f.round.zero_report {
                    zero += 1;
                    assert!(f.items.is_empty(), "a zero report with items");
                } else {
                    with_items += 1;
                    assert!(!f.items.is_empty());
                }
            }
            _ => {}
        }
    }
    assert_eq!(types.len(), DisputeType::ALL.len(), "{types:?}");
    assert_eq!(statuses.len(), CaseStatus::ALL.len(), "{statuses:?}");
    assert_eq!(sources.len(), CaseSource::ALL.len());
    assert_eq!(referrals.len(), ReferralType::ALL.len());
    assert_eq!(results.len(), MediationResult::ALL.len());
    assert_eq!(performance.len(), PerformanceStatus::ALL.len(), "{performance:?}");
    assert_eq!(forms.len(), 2);
    assert_eq!(help.len(), HelpStatus::ALL.len(), "{help:?}");
    assert_eq!(handover.len(), HandoverStatus::ALL.len());
    assert_eq!(assessment.len(), 2);
    assert!(zero > 0 && with_items > 0);
}

#[test]
fn demo_data_is_deterministic_for_a_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut exports = Vec::new();
    for name in ["a", "b"] {
        let dir = tmp.path().join(name);
        init(&dir);
        ok(&dir, &["demo-data", "--disputes", "25", "--released", "8", "--screenings", "12", "--seed", "42"]);
        let text = export(&dir, &tmp.path().join(format!("{name}.jsonl")));
        // The office's own id is made by `init`; everything else comes from the seed.
        let office = json(text.lines().next().unwrap())["id"].as_str().unwrap().to_string();
        exports.push(text.replace(&office, "OFFICE"));
    }
    assert_eq!(exports[0], exports[1]);
}

#[test]
fn export_import_into_a_fresh_directory_export_is_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_store(&tmp, "source");
    let first = export(&dir, &tmp.path().join("first.jsonl"));
    let fresh = tmp.path().join("fresh");
    let out = ok(&fresh, &["import", tmp.path().join("first.jsonl").to_str().unwrap()]);
    assert!(out.contains("导入完成"), "{out}");
    let second = export(&fresh, &tmp.path().join("second.jsonl"));
    assert!(first == second, "export → import → export changed the file");
    // Importing the same file again changes nothing.
    let again = json(&ok(&fresh, &["--json", "import", tmp.path().join("first.jsonl").to_str().unwrap()]));
    assert_eq!(again["report"]["written"], 0);
    assert_eq!(export(&fresh, &tmp.path().join("third.jsonl")), first);
}

#[test]
fn a_bad_import_reports_every_line_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_store(&tmp, "store");
    let before = export(&dir, &tmp.path().join("before.jsonl"));
    let mut lines: Vec<String> = before.lines().map(String::from).collect();
    let cases: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.contains("\"kind\":\"dispute_case\"")).map(|(i, _)| i).collect();

    // 1. A wrong check character in an ID number.
    let mut v = json(&lines[cases[0]]);
    let party = v["parties"].as_array_mut().unwrap().iter_mut().find(|p| p["person"]["id_number"].is_string()).unwrap();
    let id = party["person"]["id_number"].as_str().unwrap().to_string();
    let wrong = if id.ends_with('1') { '2' } else { '1' };
    party["person"]["id_number"] = Value::from(format!("{}{wrong}", &id[..17]));
    lines[cases[0]] = v.to_string();
    // 2. A date that does not exist.
    let mut v = json(&lines[cases[1]]);
    v["occurred_on"] = Value::from("2024-02-30");
    lines[cases[1]] = v.to_string();
    // 3. An unknown code.
    let mut v = json(&lines[cases[2]]);
    v["dispute_type"] = Value::from("quarrel");
    lines[cases[2]] = v.to_string();
    // 4. Not JSON at all.
    lines.insert(cases[3], "这一行不是JSON".to_string());
    let bad_lines = [cases[0] + 1, cases[1] + 1, cases[2] + 1, cases[3] + 1];
    let file = tmp.path().join("bad.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();

    let out = cli(&dir, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("导入失败，未导入任何记录"), "{err}");
    for n in bad_lines {
        assert!(err.contains(&format!("第{n}行")), "line {n} not reported:\n{err}");
    }
    assert!(err.contains("校验码错误"), "{err}");
    assert!(err.contains("quarrel"), "{err}");
    assert!(err.contains("不是有效的JSON"), "{err}");

    let out = cli(&dir, &["--json", "import", file.to_str().unwrap()]);
    let v = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(v["error"]["code"], "import");
    let reported: BTreeSet<u64> = v["error"]["problems"].as_array().unwrap().iter().map(|p| p["line"].as_u64().unwrap()).collect();
    assert_eq!(reported, bad_lines.iter().map(|n| *n as u64).collect(), "{v}");

    assert!(export(&dir, &tmp.path().join("after.jsonl")) == before, "a failed import changed the store");
    // Into a fresh directory: no store is left behind either.
    let fresh = tmp.path().join("fresh");
    assert!(!cli(&fresh, &["import", file.to_str().unwrap()]).status.success());
    assert!(!fresh.join("fengqiao.db").exists());
}

#[test]
fn backup_change_restore_undoes_the_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    ok(&dir, &["demo-data", "--disputes", "10", "--released", "3", "--seed", "2"]);
    let before = export(&dir, &tmp.path().join("before.jsonl"));
    let backup = tmp.path().join("backup.db");
    let out = ok(&dir, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(out.contains("已备份到"), "{out}");
    let twice = cli(&dir, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(!twice.status.success() && stderr(&twice).contains("已存在"));

    ok(&dir, &["demo-data", "--disputes", "5", "--seed", "3"]);
    assert_eq!(json(&ok(&dir, &["--json", "list", "disputes"]))["total"], 15);
    let out = ok(&dir, &["restore", backup.to_str().unwrap()]);
    assert!(out.contains("已从"), "{out}");
    assert_eq!(json(&ok(&dir, &["--json", "list", "disputes"]))["total"], 10);
    assert!(export(&dir, &tmp.path().join("after.jsonl")) == before);

    let missing = cli(&dir, &["restore", tmp.path().join("nope.db").to_str().unwrap()]);
    assert!(!missing.status.success() && stderr(&missing).contains("文件或目录不存在"), "{}", stderr(&missing));
}

#[test]
fn export_to_a_file_replaces_it_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let file = tmp.path().join("out.jsonl");
    std::fs::write(&file, "old content\n").unwrap();
    let v = json(&ok(&dir, &["--json", "export", "--out", file.to_str().unwrap()]));
    assert_eq!(v["lines"], 1);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("{\"kind\":\"organization\"") && !text.contains("old content"));
    // Into a directory that does not exist: an error, and nothing written.
    let out = cli(&dir, &["export", "--out", tmp.path().join("no/such/dir/x.jsonl").to_str().unwrap()]);
    assert!(!out.status.success() && stderr(&out).contains("临时文件"), "{}", stderr(&out));
    let leftovers: Vec<_> =
        std::fs::read_dir(tmp.path()).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty());
}

#[test]
fn stats_table_and_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_store(&tmp, "stats");
    let v = json(&ok(&dir, &["--json", "stats", "--from", "2020-01-01", "--to", "2026-11-21"]));
    let s = &v["statistics"];
    assert!(s["checks"].as_array().unwrap().iter().all(|c| c["ok"] == true), "{}", s["checks"]);
    let total = s["own_total"]["total"].as_i64().unwrap();
    assert!(total > 40 && total <= 60, "{total}");
    // Every round was screened through a committee: none is left without a unit.
    assert_eq!(s["own_total"]["prevention"]["screening_rounds"], 30);
    assert!(s["rows"].as_array().unwrap().iter().all(|r| r["label"] != "未指定单位"));
    assert_eq!(v["metrics"]["mediation_success"]["label"], "调解成功率");

    let text = ok(&dir, &["stats", "--from", "2020-01-01", "--to", "2026-11-21"]);
    for part in ["人民调解案件情况统计表", "本级上报总计", "一致性检查", "调解成功率", "衔接率", "重新犯罪率"] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    let out = cli(&dir, &["stats", "--from", "2026-06-30", "--to", "2026-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("晚于截止日期"), "{}", stderr(&out));
}

#[test]
fn audit_verify_says_whole_or_names_the_changed_entry_with_a_nonzero_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    ok(&dir, &["demo-data", "--disputes", "5", "--released", "2", "--seed", "4"]);
    ok(&dir, &["backup", "--out", tmp.path().join("b.db").to_str().unwrap()]);
    let n: i64 = rusqlite::Connection::open(dir.join("fengqiao.db")).unwrap().query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
    let out = ok(&dir, &["audit", "verify"]);
    assert_eq!(out.trim(), format!("审计日志完整（共{n}条）"));
    assert_eq!(json(&ok(&dir, &["--json", "audit", "verify"]))["checked"], n);

    let listed = ok(&dir, &["audit", "list", "--limit", "3"]);
    assert!(listed.contains("backup") && listed.contains("最近3条"), "{listed}");
    let entries = json(&ok(&dir, &["--json", "audit", "list", "--limit", "3"]));
    assert_eq!(entries["entries"].as_array().unwrap().len(), 3);
    assert_eq!(entries["entries"][0]["seq"], n);

    // Someone drops the triggers and rewrites an entry.
    let conn = rusqlite::Connection::open(dir.join("fengqiao.db")).unwrap();
    assert!(conn.execute("UPDATE audit_log SET actor = '别人' WHERE seq = 2", []).is_err(), "the triggers refuse");
    conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = '别人' WHERE seq = 2;").unwrap();
    drop(conn);
    let out = cli(&dir, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("第2条") && stderr(&out).contains("已被修改"), "{}", stderr(&out));
    let out = cli(&dir, &["--json", "audit", "verify"]);
    assert_eq!(out.status.code(), Some(3));
    let doc = json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(doc["error"]["code"], "audit_broken");
    assert_eq!(doc["error"]["audit"]["problem"]["seq"], 2);
    assert_eq!(doc["error"]["audit"]["problem"]["kind"], "changed");

    // Without a store: an ordinary failure, exit 1.
    let out = cli(&tmp.path().join("none"), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
}

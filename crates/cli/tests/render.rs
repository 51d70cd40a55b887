//! `render`: the real binary makes every document of the catalogue from a demo-data store;
//! the PDFs are read back with poppler-utils (`pdftotext -layout`, `pdffonts`, `pdfinfo`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const NOW: &str = "2026-11-21T10:00:00+08:00";
const FROM: &str = "2026-01-01";
const TO: &str = "2026-12-31";

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

fn have(tool: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok();
    if !found {
        eprintln!("跳过：未安装 {tool}（Debian 软件包 poppler-utils）");
    }
    found
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(path).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext {}", path.display());
    String::from_utf8(out.stdout).unwrap()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Rows of `pdffonts`: (name, embedded, subset).
fn pdffonts(path: &Path) -> Vec<(String, bool, bool)> {
    let out = Command::new("pdffonts").arg(path).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(2)
        .map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            let n = c.len();
            (c[0].to_string(), c[n - 5] == "yes", c[n - 4] == "yes")
        })
        .collect()
}

fn pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).unwrap()
}

/// The demo store and what the tests need from its export.
struct Demo {
    dir: PathBuf,
    lines: Vec<Value>,
}

impl Demo {
    fn new(tmp: &tempfile::TempDir) -> Demo {
        let dir = tmp.path().join("data");
        ok(&dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"]);
        ok(&dir, &["demo-data", "--disputes", "60", "--released", "15", "--screenings", "30", "--seed", "7"]);
        let file = tmp.path().join("all.jsonl");
        ok(&dir, &["export", "--out", file.to_str().unwrap()]);
        let lines = std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        Demo { dir, lines }
    }

    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.lines.iter().filter(move |l| l["kind"] == kind)
    }

    /// A case with everything a case file can hold: a written agreement with 司法确认,
    /// investigations, sessions and return visits.
    fn full_case(&self) -> &Value {
        let full = |c: &&Value| {
            c["agreement"]["form"] == "written"
                && c["investigations"].as_array().is_some_and(|a| !a.is_empty())
                && c["sessions"].as_array().is_some_and(|a| !a.is_empty())
                && c["return_visits"].as_array().is_some_and(|a| !a.is_empty())
        };
        self.of_kind("dispute_case")
            .filter(full)
            .find(|c| c["agreement"]["jc_status"] == "applied" || c["agreement"]["jc_status"] == "decided")
            .or_else(|| self.of_kind("dispute_case").find(full))
            .expect("the demo data has a full case")
    }

    fn released(&self) -> &Value {
        self.of_kind("released_person")
            .find(|r| r["help_visits"].as_array().is_some_and(|v| v.len() >= 2) && !r["help_group"].is_null())
            .expect("a released person with a group and visits")
    }

    fn zero_round(&self) -> &Value {
        self.of_kind("screening_round").find(|r| r["zero_report"] == true).expect("a zero report")
    }

    fn round_with_items(&self) -> &Value {
        self.of_kind("screening_round").find(|r| r["zero_report"] == false).expect("a round with items")
    }

    fn in_period(&self, v: &Value) -> bool {
        v.as_str().is_some_and(|d| (FROM..=TO).contains(&d))
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

#[test]
fn every_document_renders_with_its_values_and_subset_fonts() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = Demo::new(&tmp);
    let case = demo.full_case();
    let released = demo.released();
    let zero = demo.zero_round();
    let case_id = s(&case["id"]);
    let case_no = s(&case["case_no"]);
    let agreement_no = s(&case["agreement"]["agreement_no"]);
    let party = s(&case["parties"][0]["person"]["name"]);
    let person = &released["person"];
    let (name, id_number) = (s(&person["name"]), s(&person["id_number"]));
    let accepted = demo.of_kind("dispute_case").filter(|c| demo.in_period(&c["accepted_on"])).count();
    let rounds = demo.of_kind("screening_round").filter(|r| demo.in_period(&r["period_start"])).count();
    let stats: Value = serde_json::from_str(&ok(&demo.dir, &["--json", "stats", "--from", FROM, "--to", TO])).unwrap();
    let own_total = stats["statistics"]["own_total"]["total"].as_i64().unwrap();

    let list: Value = serde_json::from_str(&ok(&demo.dir, &["--json", "render", "--list"])).unwrap();
    let docs = list["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 22, "every document of the catalogue is listed");
    let poppler = have("pdftotext") && have("pdffonts");
    for d in docs {
        let code = s(&d["code"]);
        let out = tmp.path().join(format!("{code}.pdf"));
        let mut args = vec!["render".to_string(), code.clone()];
        // What each document must show, beyond its title.
        let expect: Vec<String> = match s(&d["input"]).as_str() {
            "dispute_case" => {
                args.push(case_id.clone());
                match code.as_str() {
                    "case-file" => vec![case_no.clone(), party.clone(), "卷内目录".into(), "人民调解协议书".into(), "卷内备考表".into()],
                    "cover" => vec!["调　解　卷　宗".into(), case_no.clone()],
                    "contents" => vec!["卷内目录".into(), "人民调解当事人权利义务告知书".into()],
                    "application" | "rights-notice" | "judicial-confirmation" => vec![party.clone()],
                    "intake-register" => vec!["人民调解受理登记表".into(), "此表由人民调解委员会填写".into()],
                    "investigation" => vec!["人民调解调查记录".into(), "调查人（签名）".into()],
                    "session" => vec!["人民调解记录".into(), "记录人（签名）".into()],
                    "agreement" | "oral-agreement" => vec![agreement_no.clone()],
                    "return-visit" => vec!["调解协议编号".into(), "回访时间".into()],
                    "case-notes" => vec!["卷宗情况说明".into(), case_no.clone()],
                    "back-cover" => vec!["卷内备考表".into(), "本卷共有文件材料".into()],
                    other => panic!("no expectation for {other}"),
                }
            }
            "released_person" => {
                args.push(s(&released["id"]));
                match code.as_str() {
                    "released-register" | "handover-sheet" => vec![name.clone(), id_number.clone()],
                    _ => vec![name.clone()],
                }
            }
            "screening_round" => {
                args.push(s(&zero["id"]));
                vec![s(&zero["unit_name"]), "特此报告".into()]
            }
            "period" => {
                args.extend(["--from".into(), FROM.into(), "--to".into(), TO.into()]);
                match code.as_str() {
                    "dispute-ledger" => vec![format!("本期受理纠纷{accepted}件")],
                    "screening-ledger" => vec![format!("本期共排查{rounds}次")],
                    "statistics" => vec!["城东镇司法所".into(), "本级上报总计".into(), "表三".into()],
                    other => panic!("no expectation for {other}"),
                }
            }
            other => panic!("unknown input {other}"),
        };
        args.extend(["--out".into(), out.to_str().unwrap().into()]);
        let said = ok(&demo.dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(said.contains(&format!("已生成《{}》", s(&d["name"]))), "{said}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{code}");
        if !poppler {
            continue;
        }
        let text = squash(&pdftotext(&out));
        let title = s(&d["name"]);
        let title = title.split('（').next().unwrap();
        if !["cover", "back-cover", "case-file"].contains(&code.as_str()) {
            assert!(text.contains(title), "{code}: title {title} missing");
        }
        for e in &expect {
            assert!(text.contains(&squash(e)), "{code}: “{e}” missing from\n{text}");
        }
        let fonts = pdffonts(&out);
        assert!(!fonts.is_empty(), "{code}: no font");
        for (font, embedded, subset) in &fonts {
            assert!(*embedded && *subset, "{code}: font {font} not embedded and subset");
        }
        if code == "help-record" {
            let visits = released["help_visits"].as_array().unwrap().len();
            assert_eq!(pages(&out), visits, "one 帮教记录 page per visit");
        }
        if code == "statistics" {
            let raw = pdftotext(&out);
            let line = raw.lines().find(|l| l.contains("本级上报总计")).unwrap();
            let first = line.split_whitespace().nth(1).unwrap();
            assert_eq!(first, own_total.to_string(), "本级上报总计 carries the store's total: {line}");
        }
    }
}

#[test]
fn render_refuses_in_chinese_with_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = Demo::new(&tmp);
    let out = tmp.path().join("x.pdf");
    let o = out.to_str().unwrap();
    let fail = |args: &[&str], code: &str, words: &str| {
        let r = cli(&demo.dir, args);
        assert!(!r.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(code) && err.contains(words), "{args:?}: {err}");
        assert!(!out.exists(), "a refused render writes no file");
    };
    fail(&["render", "协议", "x", "--out", o], "render.unknown_document", "没有名为“协议”的文书");
    fail(&["render", "agreement", "not-a-uuid", "--out", o], "render.bad_id", "不是有效的编号");
    fail(&["render", "agreement", "01a1fcea-12f7-7798-8726-f1f5afa55fac", "--out", o], "not_found", "找不到");
    let busy = s(&demo.round_with_items()["id"]);
    fail(&["render", "zero-report", &busy, "--out", o], "render.not_applicable", "不是零报告");
    fail(&["render", "statistics", "--out", o], "usage", "--from");
    let r = cli(&demo.dir, &["--json", "render", "nosuch", "x", "--out", o]);
    let v: Value = serde_json::from_str(String::from_utf8_lossy(&r.stdout).trim()).unwrap();
    assert_eq!(v["error"]["code"], "render.unknown_document");
}

#[test]
fn a_character_no_font_has_stops_the_print_with_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ok(&dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"]);
    let id = "01a1fcea-12f7-7798-8726-f1f5afa55fab";
    let line = format!(r#"{{"kind":"dispute_case","id":"{id}","draft":true,"title":"邻里纠纷","summary":"双方因围墙\ue000发生争执"}}"#);
    let file = tmp.path().join("one.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    ok(&dir, &["import", file.to_str().unwrap()]);
    let out = tmp.path().join("a.pdf");
    let r = cli(&dir, &["render", "application", id, "--out", out.to_str().unwrap()]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("(U+E000)在所有字体中都不存在，无法打印"), "{err}");
    assert!(err.contains("documents.missing_glyph"), "{err}");
    assert!(!out.exists());
}

//! `export-xlsx` and `import FILE.xlsx [--mapping] [--preview]` through the real binary.

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

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    serde_json::from_str(ok(dir, &a).trim()).unwrap()
}

fn total(dir: &Path, what: &str) -> i64 {
    json(dir, &["list", what])["total"].as_i64().unwrap()
}

#[test]
fn ledgers_go_out_to_excel_and_come_back_in() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    for (dir, seed) in [(&a, "5"), (&b, "6")] {
        ok(dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"]);
        ok(dir, &["demo-data", "--disputes", if seed == "5" { "40" } else { "1" }, "--released", "8", "--screenings", "10", "--seed", seed]);
    }
    let xlsx = tmp.path().join("纠纷台账.xlsx");
    let said = ok(&a, &["export-xlsx", "disputes", "--out", xlsx.to_str().unwrap()]);
    assert!(said.contains("已导出40行"), "{said}");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    // Into the store it came from: every numbered case is there already.
    let p = json(&a, &["import", xlsx.to_str().unwrap(), "--preview"]);
    assert_eq!(p["preview"], true);
    let rows = p["plan"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(|r| r["status"] != "new"), "{p}");

    // Into another store: a preview writes nothing; the import writes once.
    let before = total(&b, "disputes");
    let text = ok(&b, &["import", xlsx.to_str().unwrap(), "--preview"]);
    assert!(text.contains("纠纷调解台账") && text.contains("预览，未写入任何记录"), "{text}");
    assert_eq!(total(&b, "disputes"), before);
    let done = json(&b, &["import", xlsx.to_str().unwrap()]);
    let imported = done["report"]["imported"].as_i64().unwrap();
    assert!(imported >= 30, "{done}");
    assert_eq!(total(&b, "disputes"), before + imported);
    let again = json(&b, &["import", xlsx.to_str().unwrap()]);
    assert_eq!(again["report"]["imported"], 0);
    assert_eq!(again["report"]["existing"].as_i64().unwrap(), imported);
    assert_eq!(total(&b, "disputes"), before + imported);

    // Released persons with masked numbers cannot come back in: each row says why.
    let released = tmp.path().join("帮教.xlsx");
    ok(&a, &["export-xlsx", "released", "--out", released.to_str().unwrap(), "--mask-ids"]);
    let p = json(&b, &["import", released.to_str().unwrap(), "--preview"]);
    let rows = p["plan"]["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["status"] == "rejected" && r["problems"].to_string().contains("公民身份号码")), "{p}");

    // A mapping file that names a column the sheet lacks is refused with the reason.
    let mapping = tmp.path().join("映射.json");
    std::fs::write(&mapping, r#"{"columns": {"没有这一列": "dispute_type"}}"#).unwrap();
    let out = cli(&b, &["import", xlsx.to_str().unwrap(), "--mapping", mapping.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("“没有这一列”在表头中找不到"), "{}", String::from_utf8_lossy(&out.stderr));
    // --preview is for workbooks only.
    let out = cli(&b, &["import", "x.jsonl", "--preview"]);
    assert_eq!(out.status.code(), Some(2));

    let screenings = tmp.path().join("排查.xlsx");
    let said = ok(&a, &["export-xlsx", "screenings", "--out", screenings.to_str().unwrap()]);
    assert!(said.contains("已导出10行"), "{said}");
}

//! `enroll`, `sync` and `sync status` without a county: what the clerk reads when the PC is not
//! enrolled, the address is wrong or nothing answers. (Against a real county, through faults:
//! `tests/` at the repository root.)

use std::path::Path;
use std::process::{Command, Output};

fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fengqiao-cli"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("FENGQIAO_DATA_DIR")
        .env("FENGQIAO_SYNC_TIMEOUT", "5")
        .output()
        .expect("run fengqiao-cli")
}

fn init(dir: &Path) {
    let out = cli(dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"]);
    assert!(out.status.success());
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn status_of_a_pc_not_enrolled() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    let out = cli(tmp.path(), &["sync", "status"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("登记状态：未登记"), "{text}");
    assert!(text.contains("待上传的修改：1条"), "the office record: {text}");
    assert!(text.contains("最近同步：从未"), "{text}");
    let out = cli(tmp.path(), &["--json", "sync", "status"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["ok"].as_bool(), v["enrolled"].as_bool(), v["pending"].as_i64()), (Some(true), Some(false), Some(1)));
    assert_eq!(v["set_aside_changes"], serde_json::json!([]));
}

/// A change the county refused reads as the 同步 page shows it: the record, the reason, and
/// the fields by their Chinese names with their values as a clerk reads them — not JSON.
#[test]
fn status_shows_a_set_aside_change_in_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    let mut store = fengqiao_store::Store::open(tmp.path()).unwrap();
    let change = store.pending_changes(10).unwrap().remove(0);
    store.set_aside(change.change_id, "行政区划代码不属于本县").unwrap();
    drop(store);
    let out = cli(tmp.path(), &["sync", "status"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("被拒收已搁置的修改：1条"), "{text}");
    assert!(text.contains(&format!("保存机构“城东镇司法所”（{}）", change.record_id)), "{text}");
    assert!(text.contains("拒收原因：行政区划代码不属于本县"), "{text}");
    for line in ["名称：城东镇司法所", "机构类别：司法所", "行政区划代码：350503101"] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert!(!text.contains(['{', '}']) && !text.contains("org_type") && !text.contains("judicial_office"), "{text}");
    // --json as before.
    let out = cli(tmp.path(), &["--json", "sync", "status"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let aside = &v["set_aside_changes"];
    assert_eq!(aside.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(aside[0]["change_id"], change.change_id.to_string());
    assert_eq!((aside[0]["kind"].as_str(), aside[0]["op"].as_str()), (Some("organization"), Some("upsert")));
    assert_eq!(aside[0]["reason"], "行政区划代码不属于本县");
}

#[test]
fn sync_before_enrolling_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    let out = cli(tmp.path(), &["sync", "--once"]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(e.contains("本机尚未登记到县司法局") && e.contains("not_enrolled"), "{e}");
}

#[test]
fn a_wrong_address_or_no_answer() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    let out = cli(tmp.path(), &["enroll", "--server", "ftp://county", "--code", "ABCD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("县级服务器地址“ftp://county”无效"), "{}", stderr(&out));
    // A port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = cli(tmp.path(), &["enroll", "--server", &format!("http://127.0.0.1:{port}"), "--code", "ABCD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("无法连接县级服务器"), "{}", stderr(&out));
    // Nothing was remembered.
    let out = cli(tmp.path(), &["--json", "sync", "status"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["server"].is_null() && v["enrolled"] == false, "{v}");
}

#[test]
fn enrolling_a_new_pc_creates_nothing_when_the_county_is_not_there() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-pc");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = cli(&dir, &["enroll", "--server", &format!("http://127.0.0.1:{port}"), "--code", "ABCD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.join("fengqiao.db").exists());
}

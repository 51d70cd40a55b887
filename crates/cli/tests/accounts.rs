//! Encrypted stores through the real binary: signing in from the environment, the recovery key
//! printed once and used, a 只读 account refused, and a plain store encrypted by `secure`.
//!
//! The binary runs with stdin not a terminal (as in a script), so nothing is ever asked for.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const NOW: &str = "2026-11-21T10:00:00+08:00";
const PASSWORD: &str = "Dongshan#2026";
const SECRET_VARS: [&str; 5] = ["FENGQIAO_USER", "FENGQIAO_PASSWORD", "FENGQIAO_NEW_PASSWORD", "FENGQIAO_RECOVERY_KEY", "FENGQIAO_BACKUP_PASSPHRASE"];

/// Runs the binary with only the given credentials in its environment.
fn cli(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fengqiao-cli"));
    c.arg("--data-dir").arg(dir).args(args).env("FENGQIAO_NOW", NOW).env_remove("FENGQIAO_DATA_DIR").stdin(Stdio::null());
    for v in SECRET_VARS {
        c.env_remove(v);
    }
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().expect("run fengqiao-cli")
}

fn ok(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> String {
    let out = cli(dir, args, vars);
    assert!(out.status.success(), "{args:?} failed:\n{}\n{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The director, signed in from the environment.
fn director() -> [(&'static str, &'static str); 2] {
    [("FENGQIAO_USER", "wangsz"), ("FENGQIAO_PASSWORD", PASSWORD)]
}

/// The recovery key in `init --account` or `secure` output: 8 groups of 4 after the label.
fn recovery_key(out: &str) -> String {
    let line =
        out.lines().find(|l| l.starts_with("恢复密钥（只显示这一次，请打印或抄写后锁好）：")).unwrap_or_else(|| panic!("no recovery key in:\n{out}"));
    let key = line.split('：').nth(1).unwrap().trim().to_string();
    let groups: Vec<&str> = key.split('-').collect();
    assert_eq!(groups.len(), 8, "{key}");
    assert!(groups.iter().all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())), "{key}");
    key
}

fn init_secured(dir: &Path) -> String {
    let out = ok(
        dir,
        &["init", "--office", "城东镇司法所", "--division-code", "350503101", "--account", "wangsz", "--display-name", "王所长"],
        &[("FENGQIAO_PASSWORD", PASSWORD)],
    );
    assert!(out.contains("已初始化“城东镇司法所”") && out.contains("王所长"), "{out}");
    recovery_key(&out)
}

/// Does any file in `dir` hold `needle`'s bytes?
fn any_file_contains(dir: &Path, needle: &str) -> Option<String> {
    let needle = needle.as_bytes();
    std::fs::read_dir(dir).unwrap().flatten().filter(|e| e.path().is_file()).find_map(|e| {
        let bytes = std::fs::read(e.path()).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle).then(|| e.file_name().to_string_lossy().into_owned())
    })
}

#[test]
fn init_with_an_account_encrypts_and_every_command_signs_in() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init_secured(&dir);
    assert!(dir.join("keyring.json").exists());

    // Signed in from the environment, or with --user.
    ok(&dir, &["demo-data", "--disputes", "5", "--seed", "3"], &director());
    let page = json(&ok(&dir, &["--json", "list", "disputes"], &director()));
    assert_eq!(page["total"], 5);
    ok(&dir, &["--user", "wangsz", "list", "disputes"], &[("FENGQIAO_PASSWORD", PASSWORD)]);

    // A wrong password, or an unknown name: one message, exit 1.
    for vars in [[("FENGQIAO_USER", "wangsz"), ("FENGQIAO_PASSWORD", "Wrong#20260")], [("FENGQIAO_USER", "nobody"), ("FENGQIAO_PASSWORD", PASSWORD)]]
    {
        let out = cli(&dir, &["list", "disputes"], &vars);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("登录名或密码不正确") && stderr(&out).contains("sign_in"), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }

    // No credentials and no terminal: says what to set, exit 2, asks nothing.
    for vars in [vec![], vec![("FENGQIAO_USER", "wangsz")], vec![("FENGQIAO_PASSWORD", PASSWORD)]] {
        let out = cli(&dir, &["list", "disputes"], &vars);
        assert_eq!(out.status.code(), Some(2), "{vars:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("数据已加密") && err.contains("FENGQIAO_USER") && err.contains("--user") && err.contains("FENGQIAO_PASSWORD"), "{err}");
    }
    let out = cli(&dir, &["--json", "list", "disputes"], &[]);
    assert_eq!(json(&String::from_utf8_lossy(&out.stdout))["error"]["code"], "credentials_missing");

    // The failed sign-ins are in the audit log, read by the director.
    let audit = ok(&dir, &["audit", "list"], &director());
    assert!(audit.contains("登录失败") && audit.contains("nobody"), "{audit}");
}

#[test]
fn init_with_an_account_needs_a_password_and_prints_the_key_in_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let args = ["init", "--office", "城东镇司法所", "--division-code", "350503101", "--account", "wangsz", "--display-name", "王所长"];
    let out = cli(&dir, &args, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("FENGQIAO_PASSWORD"), "{}", stderr(&out));
    assert!(!dir.join("fengqiao.db").exists(), "no store without a password");
    let out = cli(&dir, &args, &[("FENGQIAO_PASSWORD", "short")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("密码至少8位"), "{}", stderr(&out));
    assert!(!dir.join("fengqiao.db").exists());
    let out =
        cli(&dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101", "--account", "wangsz"], &[("FENGQIAO_PASSWORD", PASSWORD)]);
    assert_eq!(out.status.code(), Some(2), "--account without --display-name: {}", stderr(&out));

    let mut with_json = vec!["--json"];
    with_json.extend(args);
    let v = json(&ok(&dir, &with_json, &[("FENGQIAO_PASSWORD", PASSWORD)]));
    assert_eq!(v["secured"], true);
    assert_eq!(v["account"], "wangsz");
    assert_eq!(v["recovery_key"].as_str().unwrap().len(), 39);
    // A second init is refused before any password is asked for.
    let again = cli(&dir, &args, &[]);
    assert!(stderr(&again).contains("不能重复初始化"), "{}", stderr(&again));
}

#[test]
fn a_readonly_account_reads_but_is_refused_every_edit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init_secured(&dir);
    ok(&dir, &["demo-data", "--disputes", "3", "--seed", "5"], &director());
    let export = tmp.path().join("all.jsonl");
    ok(&dir, &["export", "--out", export.to_str().unwrap()], &[director()[0], director()[1], ("FENGQIAO_EXPORT_PASSPHRASE", "导出口令-2026")]);

    // The new account's password must be given; then it is added.
    let add = ["account", "add", "--name", "zhaoli", "--display-name", "赵丽", "--role", "readonly"];
    let out = cli(&dir, &add, &director());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("FENGQIAO_NEW_PASSWORD"), "{}", stderr(&out));
    let mut vars = director().to_vec();
    vars.push(("FENGQIAO_NEW_PASSWORD", "Zhaoli#2026"));
    let added = ok(&dir, &add, &vars);
    assert!(added.contains("赵丽") && added.contains("只读"), "{added}");
    let list = ok(&dir, &["account", "list"], &director());
    assert!(list.contains("登录名") && list.contains("姓名") && list.contains("角色") && list.contains("状态"), "{list}");
    assert!(list.lines().any(|l| l.contains("zhaoli") && l.contains("赵丽") && l.contains("只读") && l.contains("启用")), "{list}");
    assert!(list.lines().any(|l| l.contains("wangsz") && l.contains("所长")), "{list}");

    let reader = [("FENGQIAO_USER", "zhaoli"), ("FENGQIAO_PASSWORD", "Zhaoli#2026")];
    assert_eq!(json(&ok(&dir, &["--json", "list", "disputes"], &reader))["total"], 3);
    for args in [
        vec!["demo-data", "--disputes", "1"],
        vec!["import", export.to_str().unwrap()],
        vec!["account", "add", "--name", "x1", "--display-name", "某某", "--role", "staff"],
        vec!["account", "disable", "wangsz"],
    ] {
        let mut vars = reader.to_vec();
        vars.push(("FENGQIAO_NEW_PASSWORD", "Another#2026"));
        let out = cli(&dir, &args, &vars);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains("只读") && stderr(&out).contains("没有权限"), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(json(&ok(&dir, &["--json", "list", "disputes"], &director()))["total"], 3);

    // A 只读 account changes its own password; the director resets it; disabled, it cannot sign in.
    ok(&dir, &["account", "set-password", "zhaoli"], &[reader[0], reader[1], ("FENGQIAO_NEW_PASSWORD", "Zhaoli#2027")]);
    assert!(!cli(&dir, &["list", "disputes"], &reader).status.success());
    let mut vars = director().to_vec();
    vars.push(("FENGQIAO_NEW_PASSWORD", "Zhaoli#2028"));
    ok(&dir, &["account", "set-password", "ZHAOLI"], &vars);
    let reader = [("FENGQIAO_USER", "zhaoli"), ("FENGQIAO_PASSWORD", "Zhaoli#2028")];
    ok(&dir, &["list", "disputes"], &reader);
    ok(&dir, &["account", "disable", "zhaoli"], &director());
    let out = cli(&dir, &["list", "disputes"], &reader);
    assert!(!out.status.success() && stderr(&out).contains("已停用"), "{}", stderr(&out));
    assert!(ok(&dir, &["account", "list"], &director()).lines().any(|l| l.contains("zhaoli") && l.contains("已停用")));
    ok(&dir, &["account", "enable", "zhaoli"], &director());
    ok(&dir, &["list", "disputes"], &reader);
    let out = cli(&dir, &["account", "disable", "nobody"], &director());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("没有登录名为“nobody”的账号"), "{}", stderr(&out));
    // The last 所长 cannot be disabled.
    let out = cli(&dir, &["account", "disable", "wangsz"], &director());
    assert!(!out.status.success() && stderr(&out).contains("至少要有一个启用的所长"), "{}", stderr(&out));
}

#[test]
fn the_recovery_key_resets_a_forgotten_password() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let key = init_secured(&dir);
    let reset = |key: &str, password: &str| {
        cli(&dir, &["reset-password", "--user", "wangsz"], &[("FENGQIAO_RECOVERY_KEY", key), ("FENGQIAO_NEW_PASSWORD", password)])
    };

    // Without the key and no terminal: says what to set.
    let out = cli(&dir, &["reset-password", "--user", "wangsz"], &[("FENGQIAO_NEW_PASSWORD", "Newpass#2026")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("FENGQIAO_RECOVERY_KEY"), "{}", stderr(&out));
    // A wrong key, and one mistyped.
    let out = reset("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "Newpass#2026");
    assert!(!out.status.success() && stderr(&out).contains("恢复密钥不正确"), "{}", stderr(&out));
    let out = reset("ABCD-1234", "Newpass#2026");
    assert!(!out.status.success() && stderr(&out).contains("恢复密钥格式不对"), "{}", stderr(&out));
    ok(&dir, &["list", "disputes"], &director());

    // The right key, typed in lower case without dashes.
    let typed = key.replace('-', "").to_lowercase();
    let out = reset(&typed, "Newpass#2026");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("已凭恢复密钥重设王所长"), "{}", String::from_utf8_lossy(&out.stdout));
    let old = cli(&dir, &["list", "disputes"], &director());
    assert_eq!(old.status.code(), Some(1));
    assert!(stderr(&old).contains("登录名或密码不正确"), "{}", stderr(&old));
    ok(&dir, &["list", "disputes"], &[("FENGQIAO_USER", "wangsz"), ("FENGQIAO_PASSWORD", "Newpass#2026")]);
    // The key stays good.
    assert!(reset(&key, PASSWORD).status.success());
    ok(&dir, &["list", "disputes"], &director());
}

/// A store made before accounts, encrypted by `secure` (the store opened, not made, in this
/// process — as a clerk's existing office is).
#[test]
fn secure_encrypts_a_plain_store_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ok(&dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"], &[]);
    ok(&dir, &["demo-data", "--disputes", "20", "--released", "5", "--seed", "11"], &[]);
    let page = json(&ok(&dir, &["--json", "list", "disputes", "--page-size", "100"], &[]));
    let name = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["party_names"].as_str())
        .flat_map(|n| n.split('、').map(str::to_string).collect::<Vec<_>>())
        .find(|n| n.chars().count() >= 3)
        .expect("a party with a three-character name");
    assert!(any_file_contains(&dir, &name).is_some(), "the plain store holds {name}");
    let out = ok(&dir, &["account", "list"], &[]);
    assert!(out.contains("还没有加密"), "{out}");

    let out = cli(&dir, &["secure", "--account", "wangsz", "--display-name", "王所长"], &[]);
    assert_eq!(out.status.code(), Some(2), "no password: {}", stderr(&out));
    ok(&dir, &["list", "disputes"], &[]);
    let out = ok(&dir, &["secure", "--account", "wangsz", "--display-name", "王所长"], &[("FENGQIAO_PASSWORD", PASSWORD)]);
    recovery_key(&out);
    assert!(out.contains("本所数据已加密"), "{out}");

    // Now every command needs the password, and the bytes on disk hold no name.
    let out = cli(&dir, &["list", "disputes"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("FENGQIAO_PASSWORD"), "{}", stderr(&out));
    let after = json(&ok(&dir, &["--json", "list", "disputes", "--page-size", "100"], &director()));
    assert_eq!(after["total"], page["total"]);
    assert_eq!(json(&ok(&dir, &["--json", "list", "disputes", "--query", &name], &director()))["total"].as_u64().map(|n| n > 0), Some(true));
    assert_eq!(any_file_contains(&dir, &name), None, "{name} readable on disk after secure");
    let out = cli(&dir, &["secure", "--account", "other", "--display-name", "某某"], &[("FENGQIAO_PASSWORD", PASSWORD)]);
    assert!(!out.status.success() && stderr(&out).contains("已经加密"), "{}", stderr(&out));
}

/// `enroll` and `sync` open an encrypted store signed in; enrolling is the 所长's.
#[test]
fn enroll_and_sync_sign_in_and_enrolling_is_the_directors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init_secured(&dir);
    let mut vars = director().to_vec();
    vars.push(("FENGQIAO_NEW_PASSWORD", "Zhaoli#2026"));
    ok(&dir, &["account", "add", "--name", "zhaoli", "--display-name", "赵丽", "--role", "readonly"], &vars);
    let reader = [("FENGQIAO_USER", "zhaoli"), ("FENGQIAO_PASSWORD", "Zhaoli#2026")];
    // A port where nothing listens: the director gets as far as the county.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = format!("http://127.0.0.1:{port}");
    let enroll = ["enroll", "--server", server.as_str(), "--code", "ABCD"];
    let out = cli(&dir, &enroll, &[("FENGQIAO_SYNC_TIMEOUT", "5"), director()[0], director()[1]]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("无法连接县级服务器"), "{}", stderr(&out));
    let out = cli(&dir, &enroll, &reader);
    assert!(!out.status.success() && stderr(&out).contains("只读") && stderr(&out).contains("没有权限"), "{}", stderr(&out));
    let out = cli(&dir, &enroll, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let status = ok(&dir, &["sync", "status"], &reader);
    assert!(status.contains("登记状态：未登记"), "{status}");
    let out = cli(&dir, &["sync", "--once"], &director());
    assert!(stderr(&out).contains("本机尚未登记到县司法局"), "{}", stderr(&out));
}

/// `backup --passphrase`: a file nothing can read without its passphrase; `restore --passphrase`
/// brings the office back with it, and refuses a wrong one without changing anything.
#[test]
fn a_passphrase_backup_holds_nothing_readable_and_restores_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ok(&dir, &["init", "--office", "城东镇司法所", "--division-code", "350503101"], &[]);
    ok(&dir, &["demo-data", "--disputes", "10", "--released", "3", "--seed", "5"], &[]);
    let page = json(&ok(&dir, &["--json", "list", "disputes", "--page-size", "100"], &[]));
    let name =
        page["rows"].as_array().unwrap().iter().filter_map(|r| r["party_names"].as_str()).next().unwrap().split('、').next().unwrap().to_string();
    let out = tmp.path().join("usb").join("城东.fqbak");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let out_s = out.display().to_string();
    // No passphrase and no terminal: refused, nothing written.
    let refused = cli(&dir, &["backup", "--out", &out_s, "--passphrase"], &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(!out.exists());
    let pass = [("FENGQIAO_BACKUP_PASSPHRASE", "U盘备份口令2026")];
    ok(&dir, &["backup", "--out", &out_s, "--passphrase"], &pass);
    assert_eq!(any_file_contains(out.parent().unwrap(), &name), None, "{name} readable in the backup");

    let wrong = cli(&dir, &["restore", &out_s, "--passphrase"], &[("FENGQIAO_BACKUP_PASSPHRASE", "not-the-passphrase")]);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("备份密码不正确"), "{}", stderr(&wrong));
    ok(&dir, &["restore", &out_s, "--passphrase"], &pass);
    let after = json(&ok(&dir, &["--json", "list", "disputes", "--page-size", "100"], &[]));
    assert_eq!(after["total"], page["total"]);
}

/// An encrypted office's `export` writes a file sealed with a passphrase (no name on disk in
/// clear), `import` opens it with the passphrase (a wrong one changes nothing), and a plain
/// export must be asked for with --plain and is recorded in the audit log.
#[test]
fn an_encrypted_offices_export_is_sealed_with_a_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init_secured(&dir);
    ok(&dir, &["demo-data", "--disputes", "8", "--released", "2", "--seed", "7"], &director());
    let page = json(&ok(&dir, &["--json", "list", "disputes", "--page-size", "100"], &director()));
    let name =
        page["rows"].as_array().unwrap().iter().filter_map(|r| r["party_names"].as_str()).next().unwrap().split('、').next().unwrap().to_string();

    // To standard output: refused without --plain.
    let refused = cli(&dir, &["export"], &director());
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--plain"), "{}", stderr(&refused));
    let out = tmp.path().join("usb").join("东山.jsonl.sealed");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let out_s = out.display().to_string();
    let mut vars = director().to_vec();
    vars.push(("FENGQIAO_EXPORT_PASSPHRASE", "导出口令-2026"));
    ok(&dir, &["export", "--out", &out_s], &vars);
    assert_eq!(any_file_contains(out.parent().unwrap(), &name), None, "{name} readable in the export");

    // Into a new data directory: a wrong passphrase makes nothing, the right one the office.
    let other = tmp.path().join("other");
    let wrong = cli(&other, &["import", &out_s], &[("FENGQIAO_EXPORT_PASSPHRASE", "not-it")]);
    assert!(!wrong.status.success() && stderr(&wrong).contains("口令不正确"), "{}", stderr(&wrong));
    assert!(!other.join("fengqiao.db").exists());
    ok(&other, &["import", &out_s], &[("FENGQIAO_EXPORT_PASSPHRASE", "导出口令-2026")]);
    assert_eq!(json(&ok(&other, &["--json", "list", "disputes", "--page-size", "100"], &[]))["total"], page["total"]);

    // Plain, asked for: the names are there, and the export is in the audit log.
    let plain = ok(&dir, &["export", "--plain"], &director());
    assert!(plain.contains(&name));
    let log = ok(&dir, &["audit", "list", "--limit", "5"], &director());
    assert!(log.contains("导出全部记录（JSON Lines，明文）到标准输出"), "{log}");
    assert!(ok(&dir, &["audit", "list", "--limit", "20"], &director()).contains("用口令加密"));
}

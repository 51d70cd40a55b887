//! The `fengqiao` binary's command line, run as the package test and a clerk's terminal run it:
//! `--version` and `--help` answer without a display (no window, no data directory touched),
//! and a mistyped option is refused with the usage, before anything starts.

use std::process::Command;

fn fengqiao(args: &[&str]) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fengqiao"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("FENGQIAO_DATA_DIR", data.path())
        .output()
        .expect("run fengqiao");
    // Answering the command line writes nothing: no store, no log folder.
    assert_eq!(std::fs::read_dir(data.path()).unwrap().count(), 0, "{args:?} wrote into the data directory");
    out
}

#[test]
fn version_names_the_release_without_a_display() {
    let out = fengqiao(&["--version"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), format!("fengqiao {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_prints_the_usage_in_chinese() {
    let out = fengqiao(&["--help"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("用法：fengqiao"), "{text}");
    assert!(text.contains("--data-dir"), "{text}");
}

#[test]
fn a_data_dir_without_a_folder_is_refused_with_the_usage() {
    let out = fengqiao(&["--data-dir"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--data-dir 后面应写数据目录"), "{err}");
    assert!(err.contains("用法："), "{err}");
}

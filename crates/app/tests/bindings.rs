//! `cargo test -p fengqiao-app --features ts export_bindings` regenerates ui/src/generated/;
//! with FENGQIAO_CHECK_BINDINGS=1 it only checks that the committed files are current.
#![cfg(feature = "ts")]

use std::path::PathBuf;

#[test]
fn export_bindings() {
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated");
    if std::env::var_os("FENGQIAO_CHECK_BINDINGS").is_some() {
        let tmp = tempfile::tempdir().unwrap();
        fengqiao_app::bindings::export(tmp.path()).unwrap();
        let mut names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        for name in names {
            let fresh = std::fs::read_to_string(tmp.path().join(&name)).unwrap();
            let committed = std::fs::read_to_string(target.join(&name)).unwrap_or_default();
            assert!(
                fresh == committed,
                "ui/src/generated/{} is out of date: run `cargo test -p fengqiao-app --features ts export_bindings`",
                name.to_string_lossy()
            );
        }
    } else {
        fengqiao_app::bindings::export(&target).unwrap();
    }
}

//! Checks that the committed ui/src/generated/ is what the Rust types generate (run by the
//! workspace's tests: fengqiao-desktop's dev-dependencies turn the `ts` feature on);
//! `FENGQIAO_WRITE_BINDINGS=1 cargo test -p fengqiao-app --features ts --test bindings`
//! regenerates them.
#![cfg(feature = "ts")]

use std::path::PathBuf;

#[test]
fn export_bindings() {
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated");
    if std::env::var_os("FENGQIAO_WRITE_BINDINGS").is_none() {
        let tmp = tempfile::tempdir().unwrap();
        fengqiao_app::bindings::export(tmp.path()).unwrap();
        let mut names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        for name in names {
            let fresh = std::fs::read_to_string(tmp.path().join(&name)).unwrap();
            let committed = std::fs::read_to_string(target.join(&name)).unwrap_or_default();
            assert!(
                fresh == committed,
                "ui/src/generated/{} is out of date: run `FENGQIAO_WRITE_BINDINGS=1 cargo test -p fengqiao-app --features ts --test bindings`",
                name.to_string_lossy()
            );
        }
    } else {
        fengqiao_app::bindings::export(&target).unwrap();
    }
}

//! What a stolen office PC holds (issue 7): after work in the window — a case with its parties,
//! a print, a backup — the data directory's bytes (database, WAL, key ring, backup, logs) hold
//! no party's name or ID number. Printed PDFs are readable while the clerk prints (the system's
//! viewer opens them); they are gone when the window closes and at the next start.

mod common;
#[path = "common/county.rs"]
mod county;

use std::path::Path;

use common::*;
use fengqiao_app::backup::{self, BackupInput};
use fengqiao_app::print::{self, PrintInput};
use fengqiao_app::AppState;

/// Files under `dir` holding any of `needles` (UTF-8 or UTF-16LE).
fn hits(dir: &Path, needles: &[String]) -> Vec<String> {
    let mut found = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for n in needles {
                let utf16: Vec<u8> = n.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
                if bytes.windows(n.len()).any(|w| w == n.as_bytes()) || bytes.windows(utf16.len()).any(|w| w == utf16.as_slice()) {
                    found.push(format!("{} 含 {n}", path.display()));
                }
            }
        }
    }
    found
}

#[test]
fn a_closed_app_leaves_no_name_or_id_number_in_clear() {
    let app = ready();
    let id = county::new_case(&app.state, "欧阳家与司马家相邻通行纠纷", 41);
    let needles: Vec<String> =
        vec!["张伟".into(), "李娜".into(), id_number("19800101", "041"), id_number("19800101", "042"), "欧阳家与司马家".into()];

    // A print: the PDF is in clear while the window is open.
    let printed = print::print(&app.state, PrintInput { document: "intake-register".into(), record_id: Some(id), from: None, to: None }).unwrap();
    assert!(Path::new(&printed.path).starts_with(app.dir.path()));
    // A backup kept in the data directory, as a clerk might.
    let out = app.dir.path().join("backups").join("今天.fqbak");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let input =
        BackupInput { path: out.display().to_string(), passphrase: "备份口令-2026".into(), passphrase_confirm: "备份口令-2026".into() };
    backup::backup_office(&app.state, input).unwrap();
    // The database, its WAL and the backup hold nothing readable; the PDF's text is there for
    // any PDF reader (its fonts' glyph codes, so not found by this byte search).
    assert_eq!(hits(app.dir.path(), &needles), Vec::<String>::new());
    assert!(Path::new(&printed.path).is_file());

    // The window closes (the shell empties the print folder), or the PC was switched off and
    // the next start does.
    let dir = app.dir;
    drop(app.state);
    print::clear_prints(dir.path());
    assert!(!Path::new(&printed.path).exists(), "the printed PDF is gone at close");
    assert_eq!(hits(dir.path(), &needles), Vec::<String>::new());
    std::fs::create_dir_all(dir.path().join(print::PRINT_DIR)).unwrap();
    std::fs::write(dir.path().join(print::PRINT_DIR).join("left.pdf"), "张伟 ".repeat(10)).unwrap();
    let again = AppState::open(dir.path(), clock());
    assert!(!dir.path().join(print::PRINT_DIR).exists(), "a start clears what a crash left");
    drop(again);
    // What is there: the database, its WAL, the key ring, the backup, logs.
    assert!(dir.path().join("fengqiao.db").exists() && dir.path().join("keyring.json").exists() && out.exists());
}

//! Helpers shared by the integration tests: read PDFs back with poppler-utils.
#![allow(dead_code)]

pub mod fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether a poppler tool is installed; tests that need it skip (loudly) when it is not.
pub fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        eprintln!("跳过：未安装 {tool}（Debian 软件包 poppler-utils）");
    }
    ok
}

pub fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(path).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Rows of `pdffonts`: (name, embedded, subset, has ToUnicode).
pub fn pdffonts(path: &Path) -> Vec<(String, bool, bool, bool)> {
    let out = Command::new("pdffonts").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(2)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let n = cols.len();
            // ... emb sub uni objectID gen
            (cols[0].to_string(), cols[n - 5] == "yes", cols[n - 4] == "yes", cols[n - 3] == "yes")
        })
        .collect()
}

pub fn page_count(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    s.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

/// Text without the spaces pdftotext adds for layout.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

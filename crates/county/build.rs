//! Embeds the county dashboard's built front end (ui/dist-county, `npm --prefix ui run
//! build:county`) into the binary. When it has not been built (a Rust-only checkout), a page
//! saying so is embedded instead, so the server still compiles; building the UI changes the
//! directory and cargo rebuilds this crate.

use std::fmt::Write;
use std::path::{Path, PathBuf};

const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>枫桥 县司法局</title></head>
<body style="font-family: sans-serif; padding: 3em">
<h1>管理界面尚未构建</h1>
<p>请在 ui 目录运行 <code>npm ci</code> 和 <code>npm run build:county</code>，然后重新编译 fengqiao-county。</p>
<!-- fengqiao-placeholder -->
</body></html>
"#;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dist = manifest.join("../../ui/dist-county");
    println!("cargo:rerun-if-changed={}", dist.display());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut files = Vec::new();
    if dist.join("county.html").exists() {
        walk(&dist, &mut files);
        files.sort();
    }
    let mut code = String::from("/// (path under the site root, bytes)\npub static ASSETS: &[(&str, &[u8])] = &[\n");
    if files.is_empty() {
        let placeholder = out_dir.join("placeholder.html");
        std::fs::write(&placeholder, PLACEHOLDER).unwrap();
        writeln!(code, "    (\"county.html\", include_bytes!({:?})),", placeholder.display().to_string()).unwrap();
    }
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&dist).unwrap().to_string_lossy().replace('\\', "/");
        writeln!(code, "    ({rel:?}, include_bytes!({:?})),", f.canonicalize().unwrap().display().to_string()).unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("ui_assets.rs"), code).unwrap();
}

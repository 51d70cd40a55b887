//! `tauri::generate_context!` embeds ui/dist at compile time. When the UI has not been built
//! (a Rust-only checkout running `cargo test --workspace`), a placeholder page is written there
//! so the shell still compiles; `npm --prefix ui run build` replaces it, and cargo rebuilds the
//! shell because the directory changed.

use std::path::Path;

const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>枫桥</title></head>
<body style="font-family: sans-serif; padding: 3em">
<h1>界面尚未构建</h1>
<p>请在 ui 目录运行 <code>npm ci</code> 和 <code>npm run build</code>，然后重新编译本程序。</p>
<!-- fengqiao-placeholder -->
</body></html>
"#;

fn main() {
    let dist = Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(dist).expect("create ui/dist");
        std::fs::write(dist.join("index.html"), PLACEHOLDER).expect("write the placeholder page");
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build()
}

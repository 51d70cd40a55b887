//! `export` and `import`: the JSON Lines interchange format.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use fengqiao_store::{ImportReport, Store, StoreError, DB_FILE};
use serde_json::json;

use super::{open, say};
use crate::{CliError, Env};

pub fn export(env: &Env, out: Option<&Path>) -> Result<(), CliError> {
    let store = open(env)?;
    let Some(path) = out else {
        let stdout = std::io::stdout().lock();
        let mut w = BufWriter::with_capacity(1 << 20, stdout);
        return match store.export(&mut w) {
            Ok(n) => {
                eprintln!("已导出{n}行");
                Ok(())
            }
            // The reader went away (`| head`): not a failure of the export.
            Err(StoreError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(e.into()),
        };
    };
    let n = write_atomically(path, |w| Ok(store.export(w)?))?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    say(env, json!({ "ok": true, "out": path, "lines": n, "bytes": bytes }), || {
        format!("已导出{n}行到 {}（{}）", path.display(), super::human_bytes(bytes))
    });
    Ok(())
}

/// Writes through a temporary file in the same directory, renamed over `path` only once
/// everything is written and synced: a failed export never leaves half a file.
pub(crate) fn write_atomically<T>(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<T, CliError>) -> Result<T, CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".fengqiao-export-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| CliError::file("在目录中创建临时文件", &dir, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp);
    let out = f(&mut w)?;
    let tmp = w.into_inner().map_err(|e| CliError::file("写入", path, e.into_error()))?;
    // A temporary file is private (0600); the export gets the usual permissions, or keeps
    // those of the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::metadata(path).map(|m| m.permissions()).unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file().set_permissions(perms).map_err(|e| CliError::file("写入", path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| CliError::file("写入", path, e))?;
    tmp.persist(path).map_err(|e| CliError::file("写入", path, e.error))?;
    Ok(out)
}

pub fn import(env: &Env, file: &Path) -> Result<(), CliError> {
    let open_file = || File::open(file).map_err(|e| CliError::file("打开导入文件", file, e));
    let db = env.data_dir.join(DB_FILE);
    let fresh = !db.exists();
    let mut store = if fresh {
        let first = first_line(&mut BufReader::new(open_file()?)).map_err(|e| CliError::file("读取", file, e))?;
        match Store::init_for_import(&env.data_dir, &first, env.clock.clone()) {
            Ok(s) => s,
            Err(e) => {
                remove_store(&db);
                return Err(e.into());
            }
        }
    } else {
        open(env)?
    };
    let result = store.import(&mut BufReader::with_capacity(1 << 20, open_file()?)).map_err(CliError::from);
    match result {
        Ok(report) => {
            say(env, json!({ "ok": true, "created_store": fresh, "report": report }), || summary(&report, fresh, env));
            Ok(())
        }
        Err(e) => {
            if fresh {
                // The store was made for this import only: nothing of it may remain.
                drop(store);
                remove_store(&db);
            }
            Err(e)
        }
    }
}

fn summary(r: &ImportReport, fresh: bool, env: &Env) -> String {
    let kinds: Vec<String> = r.lines.iter().map(|(k, n)| format!("{}{n}行", kind_label(k))).collect();
    let mut s = format!(
        "导入完成：读取{}行（{}），写入{}条记录，{}条记录已存在且相同",
        r.lines.values().sum::<usize>(),
        kinds.join("，"),
        r.written,
        r.unchanged
    );
    if fresh {
        s.push_str(&format!("\n数据目录中原无数据库，已按导入文件的司法所新建：{}", env.data_dir.display()));
    }
    s
}

fn kind_label(code: &str) -> &str {
    fengqiao_model::Kind::from_code(code).map(|k| k.label()).unwrap_or(code)
}

fn remove_store(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// The first non-blank line (without a byte-order mark).
fn first_line(r: &mut dyn BufRead) -> std::io::Result<String> {
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(String::new());
        }
        let t = line.trim_start_matches('\u{FEFF}').trim();
        if !t.is_empty() {
            return Ok(t.to_string());
        }
    }
}

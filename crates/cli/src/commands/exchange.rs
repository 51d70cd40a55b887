//! `export` and `import`: the JSON Lines interchange format.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use fengqiao_store::{ImportReport, Store, StoreError, DB_FILE};
use serde_json::json;

use super::{open, say};
use crate::{CliError, Env};

/// Writes every record as JSON Lines. For an encrypted office the file is sealed with a
/// passphrase (names and ID numbers never land on disk in clear), unless `plain` is asked
/// for — then the export is recorded in the audit log as one in clear.
pub fn export(env: &Env, out: Option<&Path>, plain: bool) -> Result<(), CliError> {
    let mut store = open(env)?;
    if Store::is_secured(&env.data_dir) {
        let office = store.office_id();
        let Some(path) = out.filter(|_| !plain) else {
            if !plain {
                return Err(CliError::Usage("本所数据已加密：导出请用 --out 文件（文件用口令加密）；确需明文时加 --plain（记入审计日志）".into()));
            }
            let to = out.map_or("标准输出".to_string(), |p| p.display().to_string());
            store.record_access("export", fengqiao_model::Kind::Organization, office, &format!("导出全部记录（JSON Lines，明文）到{to}"))?;
            return export_plain(env, &store, out);
        };
        let passphrase = super::accounts::export_passphrase(true)?;
        let mut lines = Vec::new();
        let n = store.export(&mut lines)?;
        let sealed = fengqiao_store::keyring::seal_with_passphrase(&passphrase, &lines)?;
        write_atomically(path, |w| w.write_all(&sealed).map_err(|e| CliError::file("写入", path, e)))?;
        let summary = format!("导出全部记录（JSON Lines，{n}行，用口令加密）到{}", path.display());
        store.record_access("export", fengqiao_model::Kind::Organization, office, &summary)?;
        say(env, json!({ "ok": true, "out": path, "lines": n, "bytes": sealed.len(), "encrypted": true }), || {
            format!("已导出{n}行到 {}（{}，已用口令加密）", path.display(), super::human_bytes(sealed.len() as u64))
        });
        return Ok(());
    }
    export_plain(env, &store, out)
}

fn export_plain(env: &Env, store: &Store, out: Option<&Path>) -> Result<(), CliError> {
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
    // Signed in (and allowed to edit) before any passphrase is asked for.
    let existing = if env.data_dir.join(DB_FILE).exists() {
        let store = open(env)?;
        store.require_permission(fengqiao_store::Permission::EditRecords)?;
        Some(store)
    } else {
        None
    };
    // An encrypted export: opened with its passphrase, in memory.
    let sealed = {
        let mut head = vec![0u8; fengqiao_store::keyring::SEALED_MAGIC.len()];
        let n = std::io::Read::read(&mut File::open(file).map_err(|e| CliError::file("打开导入文件", file, e))?, &mut head).unwrap_or(0);
        n == head.len() && head == fengqiao_store::keyring::SEALED_MAGIC
    };
    if sealed {
        let bytes = std::fs::read(file).map_err(|e| CliError::file("读取", file, e))?;
        let passphrase = super::accounts::export_passphrase(false)?;
        let plain = fengqiao_store::keyring::open_with_passphrase(&passphrase, &bytes)?;
        return import_from(env, file, existing, &|| Ok(Box::new(std::io::Cursor::new(plain.clone())) as Box<dyn std::io::Read>));
    }
    import_from(env, file, existing, &|| {
        Ok(Box::new(File::open(file).map_err(|e| CliError::file("打开导入文件", file, e))?) as Box<dyn std::io::Read>)
    })
}

/// Imports what `open_file` reads from `file` (opened twice: for the first line, then all).
fn import_from(
    env: &Env,
    file: &Path,
    existing: Option<Store>,
    open_file: &dyn Fn() -> Result<Box<dyn std::io::Read>, CliError>,
) -> Result<(), CliError> {
    let db = env.data_dir.join(DB_FILE);
    let fresh = existing.is_none();
    let mut store = if let Some(store) = existing {
        store
    } else {
        let first = first_line(&mut BufReader::new(open_file()?)).map_err(|e| CliError::file("读取", file, e))?;
        match Store::init_for_import(&env.data_dir, &first, env.clock.clone()) {
            Ok(s) => s,
            Err(e) => {
                remove_store(&db);
                return Err(e.into());
            }
        }
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

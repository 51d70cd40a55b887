//! SQLCipher plumbing: keying a connection, and turning a store made before accounts existed
//! into an encrypted one without a moment where a crash loses it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::keyring::DataKey;
use crate::{open_connection, schema, Result, Store, StoreError, DB_FILE};

/// Where the encrypted copy is written before it replaces the plain file.
const ENCRYPTING_SUFFIX: &str = ".encrypting";

fn encrypting_path(data_dir: &Path) -> PathBuf {
    data_dir.join(format!("{DB_FILE}{ENCRYPTING_SUFFIX}"))
}

/// Opens a connection to a store or backup file. Every store connection is opened here, so
/// that each one has SQLCipher's `sqlcipher_export`.
///
/// SQLCipher registers that function for later connections during SQLite's start-up, but
/// only after SQLite already reports itself started: a connection another thread opens in
/// that moment lacks it, and a backup made on it fails with "no such function:
/// sqlcipher_export" (seen once in CI, ≈ 1 process in 20 when threads open stores at once).
/// The first call here waits, behind a lock the other threads wait on, until a fresh
/// connection has the function.
pub(crate) fn open_sqlite(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        for _ in 0..1000 {
            match Connection::open_in_memory() {
                Ok(probe) if probe.prepare("SELECT sqlcipher_export('main')").is_ok() => return,
                _ => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        }
    });
    Connection::open_with_flags(path, flags)
}

/// Keys a connection just opened; must come before anything reads the file.
pub(crate) fn apply_key(conn: &Connection, key: &DataKey) -> Result<()> {
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value()))?;
    Ok(())
}

/// Copies everything `conn` holds into a new encrypted file at `out` (SQLCipher's
/// `sqlcipher_export`), keeping the schema version, and flushes it to disk.
pub(crate) fn export_encrypted(conn: &Connection, out: &Path, key_sql: &str) -> Result<()> {
    let _ = std::fs::remove_file(out);
    // An empty file is a new database to SQLite; made here because a connection opened
    // without SQLITE_OPEN_CREATE cannot attach a file that does not exist.
    std::fs::File::create(out)?;
    conn.execute(&format!("ATTACH DATABASE ?1 AS encrypted KEY {key_sql}"), [out.to_string_lossy()])?;
    let copied = (|| -> Result<()> {
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        let version = schema::version_of(conn)?;
        conn.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
        Ok(())
    })();
    conn.execute_batch("DETACH DATABASE encrypted")?;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    std::fs::File::open(out)?.sync_all()?;
    Ok(())
}

/// Overwrites a file with zeros before it is removed, so the plain copy's bytes do not stay
/// on a spinning disk (an SSD may keep them anyway; the office's backups are what matter more).
fn wipe(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let len = std::fs::metadata(path)?.len();
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    let zeros = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        f.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    f.sync_all()?;
    drop(f);
    std::fs::remove_file(path)
}

/// Encrypts the open, plain store in place with `key`. Steps, each safe to crash after:
/// 1. the encrypted copy is written beside the file (`fengqiao.db.encrypting`);
/// 2. `save_ring` writes the key ring (from now on the store needs a password);
/// 3. the plain file is wiped and the copy renamed over it.
///
/// A crash between 2 and 3 is finished by [`finish_interrupted`] at the next sign-in. The
/// automatic backups made before upgrades are encrypted the same way.
pub(crate) fn encrypt_in_place(store: &mut Store, data_dir: &Path, key: &DataKey, save_ring: impl FnOnce() -> Result<()>) -> Result<()> {
    let key_sql = format!("\"{}\"", key.pragma_value());
    let tmp = encrypting_path(data_dir);
    store.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    export_encrypted(&store.conn, &tmp, &key_sql)?;
    save_ring()?;
    // Close the plain connection (its WAL goes with it) before the file is replaced.
    let plain = std::mem::replace(&mut store.conn, Connection::open_in_memory()?);
    plain.close().map_err(|(_, e)| StoreError::from(e))?;
    let path = data_dir.join(DB_FILE);
    wipe(&path)?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::rename(&tmp, &path)?;
    store.conn = open_connection(&path, false, Some(key))?;
    encrypt_upgrade_backups(data_dir, &key_sql)?;
    Ok(())
}

/// Encrypts the plain backups kept in `DATA/backups` (made before schema upgrades).
fn encrypt_upgrade_backups(data_dir: &Path, key_sql: &str) -> Result<()> {
    let dir = data_dir.join(schema::BACKUP_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(()) };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "db") {
            continue;
        }
        let plain = open_sqlite(&path, OpenFlags::default())?;
        if plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err() {
            continue; // already encrypted
        }
        let out = path.with_extension("db.encrypting");
        export_encrypted(&plain, &out, key_sql)?;
        drop(plain);
        wipe(&path)?;
        std::fs::rename(&out, &path)?;
    }
    Ok(())
}

/// Finishes an encryption a crash cut short between writing the key ring and replacing the
/// plain file: if the encrypted copy opens with `key`, it replaces the plain file.
pub(crate) fn finish_interrupted(data_dir: &Path, key: &DataKey) -> Result<bool> {
    let tmp = encrypting_path(data_dir);
    if !tmp.exists() {
        return Ok(false);
    }
    let conn = open_sqlite(&tmp, OpenFlags::default())?;
    apply_key(&conn, key)?;
    if conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err() {
        return Ok(false);
    }
    drop(conn);
    let path = data_dir.join(DB_FILE);
    wipe(&path)?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::rename(&tmp, &path)?;
    Ok(true)
}

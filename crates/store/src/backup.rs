//! Backups to a file and restores from one.
//!
//! Two kinds of backup file, written and read by the same code:
//! - `backup` / `restore`: keyed like the store itself (the office's data key on an encrypted
//!   store, so only this office's key ring opens it; plain on a store without accounts).
//! - `backup_with_passphrase` / `restore_with_passphrase`: a SQLCipher database keyed by a
//!   passphrase the clerk chooses (SQLCipher's own PBKDF2 key derivation), so a backup lost on
//!   a USB stick reads as noise, and the passphrase alone opens it on a new PC after the old
//!   one died (set the PC up for the same office, then restore).
//!
//! A backup is written to a temporary file beside its destination and renamed only once it
//! is complete and checked, so a failure leaves no half file. A restore checks the file
//! (key, integrity, schema version, office) before anything is replaced; the backup's content
//! is then copied into a staging file beside the store (keyed like the store), brought up to
//! this program's schema, given this PC's own accounts and identity, and copied into the store
//! in one step — the store is either as it was or fully restored.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use crate::records::ts;
use crate::{schema, Result, Store, StoreError};

/// Shortest backup passphrase accepted (the same rule as account passwords).
pub const MIN_PASSPHRASE_CHARS: usize = crate::accounts::MIN_PASSWORD_CHARS;

/// The refusal of a wrong passphrase (or a file that is no backup at all: the two cannot be
/// told apart, as a wrong key reads an encrypted file as noise).
const WRONG_PASSPHRASE: &str = "备份密码不正确，或文件不是枫桥的备份";

/// Settings written into a backup file only (dropped again by a restore).
const MADE_AT_KEY: &str = "backup_made_at";
const MADE_BY_KEY: &str = "backup_made_by";

/// Settings that belong to this PC rather than to the office's records: a restore keeps the
/// store's own values (a backup made on a PC that has since died must not make this PC pose
/// as it towards the county).
const LOCAL_SETTINGS: [&str; 4] = ["device_id", "office_id", crate::sync::keys::SERVER, crate::sync::keys::TOKEN];

/// The name of the staging file a restore builds beside the store.
const RESTORING_SUFFIX: &str = ".restoring";

/// What a backup file holds, read without restoring it (shown before the clerk confirms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    pub office_id: Uuid,
    /// The office's name as the backup has it (empty if its record is missing).
    pub office_name: String,
    pub division_code: String,
    /// When the backup was made (UTC, RFC 3339); None for a backup made before this was kept.
    pub made_at: Option<String>,
    /// Who made it (the signed-in account's name).
    pub made_by: Option<String>,
    /// The schema version of the backup; restoring a newer one is refused.
    pub schema_version: i64,
    /// Whether this program can restore it (its schema is not newer).
    pub supported: bool,
    /// Live records: 纠纷案件, 安置帮教对象, 排查 rounds, people.
    pub cases: i64,
    pub released: i64,
    pub screening_rounds: i64,
    pub persons: i64,
    /// The file's size.
    pub bytes: u64,
}

/// How a backup file is keyed.
#[derive(Clone, Copy)]
enum FileKey<'a> {
    /// Like the store: its data key, or plain for a store without accounts.
    Store,
    /// A passphrase the clerk typed.
    Passphrase(&'a str),
}

/// `s` as an SQL string literal ('' for a quote inside).
fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Checks a passphrase for a new backup, with the refusal in Chinese.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(StoreError::Rule(format!("备份密码至少{MIN_PASSPHRASE_CHARS}位")));
    }
    if passphrase.trim() != passphrase {
        return Err(StoreError::Rule("备份密码的开头和结尾不能是空格".into()));
    }
    if passphrase.chars().any(char::is_control) {
        return Err(StoreError::Rule("备份密码不能含控制字符".into()));
    }
    Ok(())
}

/// Opens a backup file with the key given as SQL (`'passphrase'`, `"x'…'"`, or `''` for
/// plain). `Ok(None)` when the key does not open it (or it is not a database at all). The
/// file is opened for writing only when `writable`; nothing here writes to it.
fn open_file(path: &Path, key_sql: &str, writable: bool) -> Result<Option<Connection>> {
    let flags = if writable { OpenFlags::SQLITE_OPEN_READ_WRITE } else { OpenFlags::SQLITE_OPEN_READ_ONLY } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = crate::encrypt::open_sqlite(path, flags).map_err(|e| StoreError::Corrupt(format!("无法打开备份文件：{e}")))?;
    if key_sql != "''" {
        conn.execute_batch(&format!("PRAGMA key = {key_sql};"))?;
    }
    // SQLite's temporary files are not encrypted: sorts stay in memory.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(Some(conn)),
        Err(e) if matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase)) => Ok(None),
        Err(e) => Err(StoreError::Corrupt(format!("备份文件已损坏，不能恢复（{e}）"))),
    }
}

/// The office a backup belongs to, and whether it is sound: integrity, a schema this program
/// knows, the settings of a Fengqiao store. Reads every page (a changed byte fails SQLCipher's
/// check of its page).
fn check_file(conn: &Connection) -> Result<Uuid> {
    let check: String =
        conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| StoreError::Corrupt(format!("备份文件已损坏，不能恢复（{e}）")))?;
    if check != "ok" {
        return Err(StoreError::Corrupt(format!("备份文件已损坏，不能恢复（{check}）")));
    }
    let version = schema::version_of(conn)?;
    if version > schema::current_version() {
        return Err(StoreError::NewerSchema { found: version, supported: schema::current_version() });
    }
    let office: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = 'office_id'", [], |r| r.get(0))
        .optional()
        .map_err(|_| StoreError::Corrupt("备份文件不是枫桥司法所工作台的数据库".into()))?;
    office.and_then(|o| Uuid::parse_str(&o).ok()).ok_or_else(|| StoreError::Corrupt("备份文件不是枫桥司法所工作台的数据库".into()))
}

/// Reads what a passphrase backup holds, without restoring it: the office, when and by whom
/// it was made, how many records. A wrong passphrase and a damaged file are refused as a
/// restore would refuse them.
pub fn backup_info(path: &Path, passphrase: &str) -> Result<BackupInfo> {
    if !path.is_file() {
        return Err(StoreError::Rule(format!("找不到备份文件{}", path.display())));
    }
    if passphrase.is_empty() {
        return Err(StoreError::Rule("请输入备份密码".into()));
    }
    let conn = open_file(path, &sql_literal(passphrase), false)?.ok_or_else(|| StoreError::Rule(WRONG_PASSPHRASE.into()))?;
    let schema_version = schema::version_of(&conn)?;
    let supported = schema_version <= schema::current_version();
    let office_id = match check_file(&conn) {
        Ok(id) => id,
        // A newer backup is described all the same (the window says to upgrade first).
        Err(StoreError::NewerSchema { .. }) => setting(&conn, "office_id")?.and_then(|o| Uuid::parse_str(&o).ok()).unwrap_or_default(),
        Err(e) => return Err(e),
    };
    let office: Option<(Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT json_extract(data, '$.name'), json_extract(data, '$.division_code') FROM organization WHERE id = ?1",
            [office_id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (office_name, division_code) = office.map(|(n, d)| (n.unwrap_or_default(), d.unwrap_or_default())).unwrap_or_default();
    let count = |table: &str| -> Result<i64> { Ok(conn.query_row(&format!("SELECT count(*) FROM {table} WHERE deleted = 0"), [], |r| r.get(0))?) };
    Ok(BackupInfo {
        office_id,
        office_name,
        division_code,
        made_at: setting(&conn, MADE_AT_KEY)?,
        made_by: setting(&conn, MADE_BY_KEY)?,
        schema_version,
        supported,
        cases: count("dispute_case")?,
        released: count("released_person")?,
        screening_rounds: count("screening_round")?,
        persons: count("person")?,
        bytes: std::fs::metadata(path)?.len(),
    })
}

fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

/// The temporary file a backup is written to before it is renamed to `out`.
fn temporary_beside(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    out.with_file_name(format!(".{name}.{}.part", std::process::id()))
}

impl Store {
    /// Writes a copy of the store to `out` (replacing nothing that exists), keyed like the
    /// store: only this office's key ring opens the backup of an encrypted store.
    pub fn backup(&mut self, out: &Path) -> Result<()> {
        self.write_backup(out, FileKey::Store)
    }

    /// Writes a copy of the store to `out`, encrypted with `passphrase` alone (at least 8
    /// characters): the file can be restored on any PC of the office with the passphrase,
    /// and nothing in it can be read without it.
    pub fn backup_with_passphrase(&mut self, out: &Path, passphrase: &str) -> Result<()> {
        self.require_permission(crate::Permission::Administer)?;
        check_passphrase(passphrase)?;
        self.write_backup(out, FileKey::Passphrase(passphrase))
    }

    /// Replaces the store's content with a backup made by `backup`, after checking that the
    /// file is a sound Fengqiao store of this office and not newer than this program.
    pub fn restore(&mut self, from: &Path) -> Result<()> {
        self.restore_file(from, FileKey::Store)
    }

    /// Replaces the store's content with a backup made by `backup_with_passphrase`. A wrong
    /// passphrase, a damaged file, a newer program's or another office's backup are refused
    /// and the store is left as it was.
    pub fn restore_with_passphrase(&mut self, from: &Path, passphrase: &str) -> Result<()> {
        self.require_permission(crate::Permission::Administer)?;
        if passphrase.is_empty() {
            return Err(StoreError::Rule("请输入备份密码".into()));
        }
        self.restore_file(from, FileKey::Passphrase(passphrase))
    }

    /// The store's own key as SQL for `KEY`/`PRAGMA key` (`''`: plain).
    fn own_key_sql(&self) -> String {
        match &self.session {
            Some(s) => format!("\"{}\"", s.key.pragma_value()),
            None => "''".into(),
        }
    }

    fn key_sql(&self, key: FileKey) -> String {
        match key {
            FileKey::Store => self.own_key_sql(),
            FileKey::Passphrase(p) => sql_literal(p),
        }
    }

    fn write_backup(&mut self, out: &Path, key: FileKey) -> Result<()> {
        self.require_permission(crate::Permission::Administer)?;
        if out.exists() {
            return Err(StoreError::Rule(format!("备份文件{}已存在，请换一个文件名", out.display())));
        }
        let key_sql = self.key_sql(key);
        let tmp = temporary_beside(out);
        let written = (|| -> Result<()> {
            crate::encrypt::export_encrypted(&self.conn, &tmp, &key_sql)?;
            // Stamp it, make it one self-contained file (no WAL beside it on the stick), and
            // read it back whole before it takes its name.
            let conn = open_file(&tmp, &key_sql, true)?.ok_or_else(|| StoreError::Corrupt("刚写入的备份文件无法读取".into()))?;
            conn.pragma_update(None, "journal_mode", "DELETE")?;
            let made_by = self.account().map(|a| a.display_name.clone()).unwrap_or_else(|| self.actor.clone());
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2), (?3, ?4) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [MADE_AT_KEY, &ts(self.now()), MADE_BY_KEY, &made_by],
            )?;
            check_file(&conn)?;
            conn.close().map_err(|(_, e)| StoreError::from(e))?;
            std::fs::File::open(&tmp)?.sync_all()?;
            if out.exists() {
                return Err(StoreError::Rule(format!("备份文件{}已存在，请换一个文件名", out.display())));
            }
            std::fs::rename(&tmp, out)?;
            Ok(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            for suffix in ["-journal", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
            }
            return Err(e);
        }
        let summary = match key {
            FileKey::Store => format!("备份到{}", out.display()),
            FileKey::Passphrase(_) => format!("备份到{}（以备份密码加密）", out.display()),
        };
        self.write(crate::records::Mode::Edit, |w| w.audit("backup", fengqiao_model::Kind::Organization, w.office, &summary, None))?;
        Ok(())
    }

    /// Opens a backup file for a restore: with a passphrase, that key only; a backup made by
    /// `backup` is keyed like the store, or plain if made before the store was encrypted.
    fn open_for_restore(&self, from: &Path, key: FileKey) -> Result<Connection> {
        if !from.is_file() {
            return Err(StoreError::Corrupt(format!("找不到备份文件{}", from.display())));
        }
        let mut keys = vec![self.key_sql(key)];
        if matches!(key, FileKey::Store) && self.session.is_some() {
            keys.push("''".into());
        }
        for key_sql in keys {
            if let Some(conn) = open_file(from, &key_sql, true)? {
                return Ok(conn);
            }
        }
        Err(match key {
            FileKey::Passphrase(_) => StoreError::Rule(WRONG_PASSPHRASE.into()),
            FileKey::Store => StoreError::Corrupt("备份文件不是有效的数据库，或不是本所的备份".into()),
        })
    }

    fn restore_file(&mut self, from: &Path, key: FileKey) -> Result<()> {
        self.require_permission(crate::Permission::Administer)?;
        let src = self.open_for_restore(from, key)?;
        let office = check_file(&src)?;
        if office != self.office_id {
            return Err(StoreError::Rule("备份文件属于另一个司法所，不能恢复到本所的数据库".into()));
        }
        let staging = PathBuf::from(format!("{}{RESTORING_SUFFIX}", self.path.display()));
        let restored = self.stage_and_replace(&src, &staging);
        drop(src);
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", staging.display()));
        }
        restored?;
        *self.reminder_memo.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let summary = match key {
            FileKey::Store => format!("从{}恢复", from.display()),
            FileKey::Passphrase(_) => format!("从{}恢复（以备份密码加密的备份）", from.display()),
        };
        self.write(crate::records::Mode::Edit, |w| w.audit("restore", fengqiao_model::Kind::Organization, w.office, &summary, None))?;
        Ok(())
    }

    /// Copies the backup into a staging file keyed like the store, brings it to this
    /// program's schema, gives it this PC's accounts and identity, and then copies it over
    /// the store's content in one step (SQLite's backup API, one write transaction).
    fn stage_and_replace(&mut self, src: &Connection, staging: &Path) -> Result<()> {
        let own_key = self.own_key_sql();
        crate::encrypt::export_encrypted(src, staging, &own_key)?;
        let mut stage = open_file(staging, &own_key, true)?.ok_or_else(|| StoreError::Corrupt("恢复用的临时文件无法读取".into()))?;
        schema::migrate(&mut stage)?;
        self.carry_over_local(&mut stage)?;
        let backup = rusqlite::backup::Backup::new(&stage, &mut self.conn)?;
        let mut waited = Duration::ZERO;
        loop {
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                // Another connection (the CLI beside the app) is writing: wait for it a while.
                _ if waited < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(100));
                    waited += Duration::from_millis(100);
                }
                _ => return Err(StoreError::Rule("数据库正被其他程序使用，暂时不能恢复，请稍后再试".into())),
            }
        }
        Ok(())
    }

    /// Puts what belongs to this PC into the staging copy: the accounts (their passwords are
    /// in this PC's key ring, which the restored store must still match) and the PC's
    /// identity towards the county; drops the backup's own stamps.
    fn carry_over_local(&self, stage: &mut Connection) -> Result<()> {
        let tx = stage.transaction()?;
        tx.execute("DELETE FROM account", [])?;
        {
            let mut read = self.conn.prepare("SELECT * FROM account")?;
            let columns = read.column_count();
            let placeholders = (1..=columns).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
            let mut insert = tx.prepare(&format!("INSERT INTO account VALUES ({placeholders})"))?;
            let mut rows = read.query([])?;
            while let Some(row) = rows.next()? {
                let values = (0..columns).map(|i| row.get::<_, rusqlite::types::Value>(i)).collect::<rusqlite::Result<Vec<_>>>()?;
                insert.execute(rusqlite::params_from_iter(values))?;
            }
        }
        for key in LOCAL_SETTINGS {
            match setting(&self.conn, key)? {
                Some(v) => {
                    tx.execute("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, &v])?
                }
                None => tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
            };
        }
        tx.execute("DELETE FROM settings WHERE key IN (?1, ?2)", [MADE_AT_KEY, MADE_BY_KEY])?;
        tx.commit()?;
        Ok(())
    }
}

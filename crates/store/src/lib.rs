//! The office's local store: one SQLite file (WAL, `synchronous=FULL`) holding every record,
//! the change log that sync pushes, and the audit log. Every create, update and delete writes
//! the record, its change-log entry and its audit entry in one transaction.

pub mod accounts;
pub mod audit;
mod backup;
mod encrypt;
mod error;
mod exchange;
mod files;
mod hlc;
pub mod keyring;
mod lists;
mod privacy_audit;
mod records;
pub mod reminders;
mod rules;
pub mod schema;
pub mod search;
pub mod stats;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use fengqiao_model::{Ctx, OrgType, Organization};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

pub use accounts::{Account, AccountChange, NewAccount, Permission, Role};
pub use audit::{AuditBreak, AuditCheck, AuditEntry, AuditProblem};
pub use backup::{backup_info, check_passphrase, BackupInfo, MIN_PASSPHRASE_CHARS};
pub use error::StoreError;
pub use exchange::{ImportProblem, ImportReport};
pub use files::side_rank;
pub use keyring::RecoveryKey;
pub use lists::{DisputeFilter, DisputeRow, Page, ReleasedFilter, ReleasedRow, ScreeningFilter, ScreeningRow, SortOrder, MAX_PAGE_SIZE};
pub use records::{Batch, ChangeEntry, Saved};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The file name of the store inside a data directory.
pub const DB_FILE: &str = "fengqiao.db";

/// Where the clock comes from: the system, or a fixed time in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: Clock,
    /// Who is acting, for `created_by` and the audit log.
    actor: String,
    device_id: Uuid,
    office_id: Uuid,
    /// The last computed reminders and the state of the database they were computed from
    /// (see `reminders::Memo`): on a big office they take seconds, and the 工作台, the
    /// record screens and the daily notification all ask for them.
    reminder_memo: std::sync::Mutex<Option<reminders::Memo>>,
    /// Who signed in, for an encrypted store (see `accounts`); None for one without accounts.
    session: Option<accounts::Session>,
    /// Whether pulled changes are kept in the change log (history, and how a change pulled
    /// twice is known); off only for a read-only copy (see `Store::without_pulled_history`).
    keep_pulled: bool,
}

impl Store {
    /// A store on an open connection, acting as "system" until someone signs in.
    fn from_parts(conn: Connection, path: PathBuf, clock: Clock, device_id: Uuid, office_id: Uuid) -> Store {
        Store { conn, path, clock, actor: "system".into(), device_id, office_id, reminder_memo: Default::default(), session: None, keep_pulled: true }
    }

    /// Creates the store for an office in `data_dir` (made if missing). Refuses if one exists.
    pub fn init(data_dir: &Path, office_name: &str, division_code: &str) -> Result<Store> {
        Self::init_with_clock(data_dir, office_name, division_code, system_clock())
    }

    pub fn init_with_clock(data_dir: &Path, office_name: &str, division_code: &str, clock: Clock) -> Result<Store> {
        Self::init_inner(data_dir, office_name, division_code, clock, None)
    }

    /// Creates the store, encrypted with `key` when given.
    fn init_inner(data_dir: &Path, office_name: &str, division_code: &str, clock: Clock, key: Option<&keyring::DataKey>) -> Result<Store> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DB_FILE);
        if path.exists() {
            return Err(StoreError::AlreadyInitialized(path));
        }
        let mut conn = open_connection(&path, true, key)?;
        schema::migrate(&mut conn)?;
        let device_id = fengqiao_model::new_id();
        let office_id = fengqiao_model::new_id();
        conn.execute("INSERT INTO settings(key, value) VALUES ('device_id', ?1), ('office_id', ?2)", [device_id.to_string(), office_id.to_string()])?;
        let mut store = Store::from_parts(conn, path, clock, device_id, office_id);
        let office = Organization {
            meta: fengqiao_model::Meta { id: office_id, ..Default::default() },
            name: Some(office_name.trim().to_string()),
            org_type: Some(OrgType::JudicialOffice),
            division_code: Some(division_code.trim().to_string()),
            ..Default::default()
        };
        if let Err(e) = store.save(office) {
            drop(store);
            remove_database_files(data_dir);
            return Err(e);
        }
        Ok(store)
    }

    /// Opens an existing store, migrating it forward if it was made by an older version.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Self::open_with_clock(data_dir, system_clock())
    }

    /// Opens a store without accounts; an encrypted one is refused with `Locked` (it needs
    /// `open_secured`).
    pub fn open_with_clock(data_dir: &Path, clock: Clock) -> Result<Store> {
        let path = data_dir.join(DB_FILE);
        if !path.exists() {
            return Err(StoreError::NotInitialized(path));
        }
        if keyring::KeyRing::exists(data_dir) {
            return Err(StoreError::Locked);
        }
        let mut conn = open_connection(&path, false, None)?;
        schema::upgrade(&mut conn, data_dir, &schema::migrations(), clock())?;
        Self::from_connection(conn, path, clock)
    }

    /// Opens an encrypted store with its data key (see `accounts::open_secured`).
    fn open_keyed(data_dir: &Path, clock: Clock, key: &keyring::DataKey) -> Result<Store> {
        let path = data_dir.join(DB_FILE);
        let mut conn = match open_connection(&path, false, Some(key)) {
            Err(StoreError::Corrupt(_)) if encrypt::finish_interrupted(data_dir, key)? => open_connection(&path, false, Some(key))?,
            other => other?,
        };
        schema::upgrade(&mut conn, data_dir, &schema::migrations(), clock())?;
        Self::from_connection(conn, path, clock)
    }

    /// Opens an existing store, migrating it with `steps` instead of this program's schema.
    /// For tests of upgrades only (e.g. a step that fails midway); not for the application.
    #[doc(hidden)]
    pub fn open_with_migrations(data_dir: &Path, clock: Clock, steps: &[schema::Step]) -> Result<Store> {
        let path = data_dir.join(DB_FILE);
        if !path.exists() {
            return Err(StoreError::NotInitialized(path));
        }
        let mut conn = open_connection(&path, false, None)?;
        schema::upgrade(&mut conn, data_dir, steps, clock())?;
        Self::from_connection(conn, path, clock)
    }

    fn from_connection(conn: Connection, path: PathBuf, clock: Clock) -> Result<Store> {
        let setting = |key: &str| -> Result<Uuid> {
            let v: String = conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))?;
            Uuid::parse_str(&v).map_err(|_| StoreError::Corrupt(format!("设置项{key}不是有效的编号")))
        };
        let device_id = setting("device_id")?;
        let office_id = setting("office_id")?;
        Ok(Store::from_parts(conn, path, clock, device_id, office_id))
    }

    /// Sets who is acting (a staff account name) for the records and the audit log.
    pub fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }
    pub fn actor(&self) -> &str {
        &self.actor
    }
    pub fn device_id(&self) -> Uuid {
        self.device_id
    }
    pub fn office_id(&self) -> Uuid {
        self.office_id
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The data directory the database file is in.
    pub fn data_dir(&self) -> PathBuf {
        self.path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
    /// The validation context at this moment.
    pub fn ctx(&self) -> Ctx {
        Ctx::at((self.clock)())
    }
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
    /// The office record (司法所) this store belongs to.
    pub fn office(&self) -> Result<Organization> {
        self.get::<Organization>(self.office_id)?.ok_or(StoreError::NotFound { kind: "机构", id: self.office_id })
    }
    /// `PRAGMA integrity_check`; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<()> {
        let result: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(result))
        }
    }
    /// Read access for reports in other crates of this workspace (documents, sync).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Removes a database file with its WAL and shared-memory files (a setup that failed).
pub(crate) fn remove_database_files(data_dir: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", data_dir.join(DB_FILE).display()));
    }
}

fn open_connection(path: &Path, create: bool, key: Option<&keyring::DataKey>) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = encrypt::open_sqlite(path, flags)?;
    if let Some(key) = key {
        encrypt::apply_key(&conn, key)?;
    }
    // Sorts and temporary tables in memory: SQLite's temporary files are not encrypted.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // The first read tells whether the file can be read at all (a wrong key, or an encrypted
    // file opened without one, reads as "not a database").
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) if key.is_some() => {
            StoreError::Corrupt("数据库无法用本机保存的密钥解开（密钥文件与数据库不匹配）".into())
        }
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::Corrupt("数据库文件已加密或不是本程序的数据库".into()),
        _ => StoreError::from(e),
    })?;
    // WAL for concurrent readers (the app and the CLI on one file); FULL so that a save that
    // returned survives a power cut.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Checkpoint the WAL into the file every ~16 MB of commits instead of every 4 MB: fewer
    // rewrites of the same hot pages during long writes (a sync pull, an import). A bigger
    // page cache (cache_size) was tried as well and made the sync benchmark slower.
    conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
    // rusqlite keeps 16 prepared statements by default; a sync batch cycles through more
    // (one upsert per record kind, the change log, clocks, audit, search), and each eviction
    // meant parsing the SQL again.
    conn.set_prepared_statement_cache_capacity(256);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!("无法启用WAL日志模式（当前为{mode}）")));
    }
    Ok(conn)
}

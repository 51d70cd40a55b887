//! The embedded store: one SQLite file in `--data DIR` (WAL, `synchronous=FULL`), one
//! connection behind a mutex, every call on tokio's blocking pool. One writer at a time is
//! what makes the change sequence gap-free in commit order, so a pull cursor never skips.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use fengqiao_sync::protocol::{Change, PullResponse, PushResult};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use super::*;
use crate::apply::{self, Current};
use crate::error::CountyError;

mod dashboard;

const SCHEMA_V1: &str = "
CREATE TABLE offices (
    id TEXT PRIMARY KEY,
    org_id TEXT UNIQUE,
    name TEXT NOT NULL,
    division_code TEXT NOT NULL,
    county_device_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;
CREATE TABLE enrollment_codes (
    code_hash TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by_device TEXT
) STRICT;
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT,
    last_seen_at TEXT
) STRICT;
CREATE INDEX devices_office ON devices(office_id);
CREATE TABLE sync_status (
    device_id TEXT PRIMARY KEY REFERENCES devices(id),
    last_push_at TEXT,
    last_pull_at TEXT,
    pull_cursor INTEGER NOT NULL DEFAULT 0,
    changes_pushed INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id TEXT NOT NULL REFERENCES offices(id),
    change_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    changed_fields TEXT NOT NULL,
    hlc TEXT NOT NULL,
    device_id TEXT NOT NULL,
    pushed_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;
CREATE INDEX changes_office_seq ON changes(office_id, seq);
CREATE TABLE records (
    office_id TEXT NOT NULL REFERENCES offices(id),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    data TEXT NOT NULL,
    clocks TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (office_id, kind, record_id)
) STRICT, WITHOUT ROWID;
";

pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `dir` and brings its schema up to date.
    pub async fn open(dir: &Path) -> Result<SqliteStore> {
        Self::open_at_schema(dir, SCHEMA_VERSION).await
    }

    /// Opens the store migrated only up to `version`. For tests of upgrades (a database of an
    /// earlier schema version); the server always opens at [`SCHEMA_VERSION`].
    #[doc(hidden)]
    pub async fn open_at_schema(dir: &Path, version: i64) -> Result<SqliteStore> {
        let dir = dir.to_path_buf();
        let conn = tokio::task::spawn_blocking(move || open_sync(&dir, version)).await??;
        Ok(SqliteStore { conn: Arc::new(Mutex::new(conn)) })
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static) -> Result<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic inside `f` dropped its transaction (rolled back): the connection is sound.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await?
    }
}

/// The schema, as forward-only steps: version N is the first N applied.
fn steps() -> [&'static str; SCHEMA_VERSION as usize] {
    [SCHEMA_V1, dashboard::SCHEMA_V2, dashboard::SCHEMA_V3, dashboard::SCHEMA_V4, dashboard::SCHEMA_V5]
}

/// The folder inside the data directory where the backups before an upgrade go.
pub const BACKUP_DIR: &str = "backups";

fn open_sync(dir: &Path, target: i64) -> Result<Connection> {
    std::fs::create_dir_all(dir).map_err(|e| CountyError::DataDir { path: dir.to_path_buf(), reason: e.to_string() })?;
    let mut conn = Connection::open(dir.join(DB_FILE))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The WAL is checkpointed every ~16 MB instead of every 4 MB: fewer rewrites of the same
    // index pages while offices push (a bigger page cache was tried too: slower).
    conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
    // rusqlite keeps 16 prepared statements by default; a sync batch cycles through more
    // (one upsert per record kind, the change log, clocks, audit, search), and each eviction
    // meant parsing the SQL again.
    conn.set_prepared_statement_cache_capacity(256);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(CountyError::Corrupt(format!("无法启用WAL日志模式（当前为{mode}）")));
    }
    // An existing database of an earlier version is copied before anything changes (VACUUM
    // INTO cannot run inside the migration's transaction).
    let before = schema_version(&conn)?;
    if before > SCHEMA_VERSION {
        return Err(CountyError::TooNew { found: before, supported: SCHEMA_VERSION });
    }
    let backup = if before >= 1 && before < target { Some(backup_before_upgrade(&conn, dir, before)?) } else { None };
    migrate(&mut conn, target).map_err(|e| match e {
        e @ CountyError::TooNew { .. } => e,
        e if before >= 1 && before < target => CountyError::UpgradeFailed { from: before, to: target, backup: backup.clone(), reason: e.to_string() },
        e => e,
    })?;
    Ok(conn)
}

fn schema_version(conn: &Connection) -> Result<i64> {
    let exists: bool = conn.query_row("SELECT count(*) > 0 FROM sqlite_master WHERE name = 'schema_version'", [], |r| r.get(0))?;
    if !exists {
        return Ok(0);
    }
    Ok(conn.query_row("SELECT coalesce(max(version), 0) FROM schema_version", [], |r| r.get(0))?)
}

/// Every pending step in ONE transaction: a failure leaves the database at its old version.
fn migrate(conn: &mut Connection, target: i64) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT")?;
    let version: i64 = tx.query_row("SELECT coalesce(max(version), 0) FROM schema_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(CountyError::TooNew { found: version, supported: SCHEMA_VERSION });
    }
    for (n, sql) in steps().iter().enumerate().take(target.clamp(0, SCHEMA_VERSION) as usize).skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [n as i64 + 1])?;
    }
    tx.commit()?;
    Ok(())
}

/// `DATA/backups/county-schema{VERSION}-{time}.db`, a consistent copy of the database.
fn backup_before_upgrade(conn: &Connection, dir: &Path, version: i64) -> Result<PathBuf> {
    let folder = dir.join(BACKUP_DIR);
    std::fs::create_dir_all(&folder)
        .map_err(|e| CountyError::UpgradeBackupFailed { from: version, reason: format!("无法创建备份目录{}：{e}", folder.display()) })?;
    let stem = format!("county-schema{version}-{}", Utc::now().format("%Y%m%d-%H%M%S"));
    let mut out = folder.join(format!("{stem}.db"));
    for n in 2.. {
        if !out.exists() {
            break;
        }
        out = folder.join(format!("{stem}-{n}.db"));
    }
    conn.execute("VACUUM INTO ?1", [out.to_string_lossy()]).map_err(|e| {
        let _ = std::fs::remove_file(&out);
        CountyError::UpgradeBackupFailed { from: version, reason: format!("无法写入备份文件{}：{e}", out.display()) }
    })?;
    Ok(out)
}

fn uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| CountyError::Corrupt(format!("编号“{s}”无效")))
}

fn time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| CountyError::Corrupt(format!("时间“{s}”无效")))
}

fn opt_time(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.filter(|s| !s.is_empty()).map(|s| time(&s)).transpose()
}

type OfficeRow = (String, Option<String>, String, String, String, String);

fn office_row(r: &rusqlite::Row) -> rusqlite::Result<OfficeRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn office_from((id, org_id, name, division_code, county_device_id, created_at): OfficeRow) -> Result<Office> {
    Ok(Office {
        id: uuid(&id)?,
        org_id: org_id.map(|o| uuid(&o)).transpose()?,
        name,
        division_code,
        county_device_id: uuid(&county_device_id)?,
        created_at: time(&created_at)?,
    })
}

const OFFICE_COLUMNS: &str = "id, org_id, name, division_code, county_device_id, created_at";

/// The `org_id` an office's records must carry (None while no device has enrolled).
fn org_of(c: &Connection, office_id: Uuid) -> Result<Option<Uuid>> {
    let row: Option<Option<String>> = c.query_row("SELECT org_id FROM offices WHERE id = ?1", [office_id.to_string()], |r| r.get(0)).optional()?;
    match row {
        None => Err(CountyError::NotFound(format!("司法所{office_id}不存在"))),
        Some(org) => org.map(|o| uuid(&o)).transpose(),
    }
}

#[async_trait]
impl CountyStore for SqliteStore {
    async fn ping(&self) -> Result<()> {
        self.run(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?)).await
    }

    async fn create_office(&self, office: &Office) -> Result<()> {
        let o = office.clone();
        self.run(move |c| {
            c.execute(
                "INSERT INTO offices (id, org_id, name, division_code, county_device_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![o.id.to_string(), o.org_id.map(|x| x.to_string()), o.name, o.division_code, o.county_device_id.to_string(), ts(o.created_at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn office(&self, id: Uuid) -> Result<Option<Office>> {
        self.run(move |c| {
            let row = c.query_row(&format!("SELECT {OFFICE_COLUMNS} FROM offices WHERE id = ?1"), [id.to_string()], office_row).optional()?;
            row.map(office_from).transpose()
        })
        .await
    }

    async fn offices(&self) -> Result<Vec<OfficeSummary>> {
        self.run(|c| {
            let mut stmt = c.prepare(
                "SELECT o.id, o.org_id, o.name, o.division_code, o.county_device_id, o.created_at, \
                 (SELECT count(*) FROM devices d WHERE d.office_id = o.id AND d.revoked_at IS NULL), \
                 (SELECT count(*) FROM devices d WHERE d.office_id = o.id AND d.revoked_at IS NOT NULL), \
                 (SELECT max(max(coalesce(s.last_push_at, ''), coalesce(s.last_pull_at, ''))) \
                    FROM sync_status s JOIN devices d ON d.id = s.device_id WHERE d.office_id = o.id), \
                 o.change_count \
                 FROM offices o ORDER BY o.created_at, o.id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((office_row(r)?, r.get::<_, i64>(6)?, r.get::<_, i64>(7)?, r.get::<_, Option<String>>(8)?, r.get::<_, i64>(9)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (o, devices, revoked_devices, last, changes) = row?;
                out.push(OfficeSummary { office: office_from(o)?, devices, revoked_devices, last_sync_at: opt_time(last)?, changes });
            }
            Ok(out)
        })
        .await
    }

    async fn office_heads(&self) -> Result<Vec<OfficeHead>> {
        self.run(|c| {
            // max() alone in the subquery: SQLite reads it from the end of the office's range of
            // `changes_office_seq` (one seek), where a GROUP BY would scan every change.
            let mut stmt = c.prepare_cached(
                "SELECT o.id, o.org_id, o.name, o.division_code, o.county_device_id, o.created_at, \
                 (SELECT max(seq) FROM changes ch WHERE ch.office_id = o.id) \
                 FROM offices o ORDER BY o.created_at, o.id",
            )?;
            let rows = stmt.query_map([], |r| Ok((office_row(r)?, r.get::<_, Option<i64>>(6)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (o, head) = row?;
                out.push(OfficeHead { office: office_from(o)?, head: head.unwrap_or(0) });
            }
            Ok(out)
        })
        .await
    }

    async fn devices(&self, office_id: Option<Uuid>) -> Result<Vec<DeviceInfo>> {
        self.run(move |c| {
            let mut stmt = c.prepare(
                "SELECT d.id, d.office_id, d.name, d.enrolled_at, d.revoked_at, d.last_seen_at, s.last_push_at, s.last_pull_at, \
                 coalesce(s.pull_cursor, 0), coalesce(s.changes_pushed, 0) \
                 FROM devices d LEFT JOIN sync_status s ON s.device_id = d.id \
                 WHERE ?1 IS NULL OR d.office_id = ?1 ORDER BY d.office_id, d.enrolled_at, d.id",
            )?;
            let rows = stmt.query_map([office_id.map(|o| o.to_string())], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    [r.get::<_, Option<String>>(4)?, r.get(5)?, r.get(6)?, r.get(7)?],
                    r.get::<_, i64>(8)?,
                    r.get::<_, i64>(9)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, office, name, enrolled, [revoked, seen, push, pull], pull_cursor, changes_pushed) = row?;
                out.push(DeviceInfo {
                    id: uuid(&id)?,
                    office_id: uuid(&office)?,
                    name,
                    enrolled_at: time(&enrolled)?,
                    revoked_at: opt_time(revoked)?,
                    last_seen_at: opt_time(seen)?,
                    last_push_at: opt_time(push)?,
                    last_pull_at: opt_time(pull)?,
                    pull_cursor,
                    changes_pushed,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn add_enrollment_code(&self, office_id: Uuid, code_hash: &str, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
        let code_hash = code_hash.to_string();
        self.run(move |c| {
            c.execute(
                "INSERT INTO enrollment_codes (code_hash, office_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![code_hash, office_id.to_string(), ts(now), ts(expires_at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn enroll(&self, e: Enrollment<'_>, now: DateTime<Utc>) -> Result<EnrollOutcome> {
        let (code_hash, device_name, token_hash) = (e.code_hash.to_string(), e.device_name.to_string(), e.token_hash.to_string());
        let (device_id, claimed) = (e.device_id, e.claimed_org);
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let dev = device_id.to_string();
            let office: Option<String> = tx
                .query_row(
                    "UPDATE enrollment_codes SET used_at = ?1, used_by_device = ?2 \
                     WHERE code_hash = ?3 AND used_at IS NULL AND expires_at > ?1 RETURNING office_id",
                    params![ts(now), dev, code_hash],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(office) = office else { return Ok(EnrollOutcome::InvalidCode) };
            let mut o = office_from(tx.query_row(&format!("SELECT {OFFICE_COLUMNS} FROM offices WHERE id = ?1"), [&office], office_row)?)?;
            let holder: Option<String> = tx.query_row("SELECT office_id FROM devices WHERE id = ?1", [&dev], |r| r.get(0)).optional()?;
            let county: bool = tx.query_row("SELECT count(*) > 0 FROM offices WHERE county_device_id = ?1", [&dev], |r| r.get(0))?;
            if county || holder.is_some_and(|h| h != office) {
                return Ok(EnrollOutcome::DeviceTaken); // rolled back: the code stays unused
            }
            let taken: bool = match claimed {
                Some(org) => {
                    tx.query_row("SELECT count(*) > 0 FROM offices WHERE org_id = ?1 AND id <> ?2", params![org.to_string(), office], |r| r.get(0))?
                }
                None => false,
            };
            match binding(&o, claimed, taken) {
                Err(refused) => return Ok(refused),
                Ok(Some(org)) => {
                    tx.execute("UPDATE offices SET org_id = ?2 WHERE id = ?1", params![office, org.to_string()])?;
                    o.org_id = Some(org);
                }
                Ok(None) => {}
            }
            tx.execute(
                "INSERT INTO devices (id, office_id, name, token_hash, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, token_hash = excluded.token_hash, \
                 enrolled_at = excluded.enrolled_at, revoked_at = NULL",
                params![dev, office, device_name, token_hash, ts(now)],
            )?;
            tx.execute("INSERT OR IGNORE INTO sync_status (device_id) VALUES (?1)", [&dev])?;
            tx.commit()?;
            Ok(EnrollOutcome::Enrolled(o))
        })
        .await
    }

    async fn authenticate(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AuthDevice>> {
        let token_hash = token_hash.to_string();
        self.run(move |c| {
            let row: Option<(String, String, Option<String>)> = c
                .prepare_cached("SELECT id, office_id, last_seen_at FROM devices WHERE token_hash = ?1 AND revoked_at IS NULL")?
                .query_row([&token_hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((id, office, seen)) = row else { return Ok(None) };
            let stale = ts(now - Duration::seconds(LAST_SEEN_RESOLUTION_SECS));
            if seen.is_none_or(|s| s < stale) {
                c.prepare_cached("UPDATE devices SET last_seen_at = ?2 WHERE id = ?1")?.execute(params![id, ts(now)])?;
            }
            Ok(Some(AuthDevice { id: uuid(&id)?, office_id: uuid(&office)? }))
        })
        .await
    }

    async fn revoke_device(&self, device_id: Uuid, now: DateTime<Utc>) -> Result<bool> {
        self.run(move |c| {
            let dev = device_id.to_string();
            c.execute("UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", params![dev, ts(now)])?;
            Ok(c.query_row("SELECT count(*) > 0 FROM devices WHERE id = ?1", [dev], |r| r.get(0))?)
        })
        .await
    }

    async fn revoke_office(&self, office_id: Uuid, now: DateTime<Utc>) -> Result<usize> {
        self.run(move |c| {
            Ok(c.execute("UPDATE devices SET revoked_at = ?2 WHERE office_id = ?1 AND revoked_at IS NULL", params![office_id.to_string(), ts(now)])?)
        })
        .await
    }

    async fn push(&self, office_id: Uuid, pushed_by: Uuid, changes: Vec<Change>, now: DateTime<Utc>) -> Result<Vec<PushResult>> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // The office's org id is bound once and never changes: read it, then check the
            // changes without holding the connection.
            let org = org_of(&conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner()), office_id)?;
            let checks: Vec<_> = changes.iter().map(|c| apply::check(c, org)).collect();
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            push_sync(&mut guard, office_id, pushed_by, &changes, &checks, now)
        })
        .await?
    }

    async fn pull(&self, office_id: Uuid, device_id: Uuid, since: i64, limit: usize, now: DateTime<Utc>) -> Result<PullResponse> {
        let limit = clamp_limit(limit);
        self.run(move |c| {
            // One read transaction: `top` and the page see the same snapshot.
            let tx = c.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let (office, dev) = (office_id.to_string(), device_id.to_string());
            let top: i64 = tx.prepare_cached("SELECT coalesce(max(seq), 0) FROM changes WHERE office_id = ?1")?.query_row([&office], |r| r.get(0))?;
            let mut changes = Vec::new();
            let mut last = since;
            let mut more = false;
            {
                let mut stmt = tx.prepare_cached(
                    "SELECT seq, change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, created_at \
                     FROM changes WHERE office_id = ?1 AND seq > ?2 AND seq <= ?3 AND device_id <> ?4 ORDER BY seq LIMIT ?5",
                )?;
                let mut rows = stmt.query(params![office, since, top, dev, limit as i64 + 1])?;
                while let Some(r) = rows.next()? {
                    if changes.len() == limit {
                        more = true;
                        break;
                    }
                    last = r.get(0)?;
                    changes.push(Change {
                        change_id: uuid(&r.get::<_, String>(1)?)?,
                        kind: r.get(2)?,
                        record_id: uuid(&r.get::<_, String>(3)?)?,
                        op: r.get(4)?,
                        version: r.get(5)?,
                        data: serde_json::from_str(&r.get::<_, String>(6)?)?,
                        changed_fields: serde_json::from_str(&r.get::<_, String>(7)?)?,
                        hlc: r.get(8)?,
                        device_id: uuid(&r.get::<_, String>(9)?)?,
                        created_at: r.get(10)?,
                    });
                }
            }
            tx.commit()?;
            // A last page covers everything up to `top`, the asking device's own changes too.
            let next_cursor = if more { last } else { top.max(since) };
            // The device's status is written once a round (its last page), not once a page.
            if !more {
                c.prepare_cached("UPDATE sync_status SET last_pull_at = ?2, pull_cursor = max(pull_cursor, ?3) WHERE device_id = ?1")?
                    .execute(params![dev, ts(now), next_cursor])?;
            }
            Ok(PullResponse { changes, next_cursor, more, settings: None })
        })
        .await
    }

    async fn records(&self, office_id: Uuid) -> Result<Vec<StoredRecord>> {
        self.run(move |c| {
            let mut stmt = c.prepare("SELECT kind, record_id, data, clocks FROM records WHERE office_id = ?1 ORDER BY kind, record_id")?;
            let rows = stmt.query_map([office_id.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })?;
            rows.map(|row| {
                let (kind, id, data, clocks) = row?;
                Ok(StoredRecord { kind, record_id: uuid(&id)?, data: serde_json::from_str(&data)?, clocks: serde_json::from_str(&clocks)? })
            })
            .collect()
        })
        .await
    }

    async fn record(&self, office_id: Uuid, kind: &str, record_id: Uuid) -> Result<Option<StoredRecord>> {
        let kind = kind.to_string();
        self.run(move |c| {
            let row: Option<(String, String)> = c
                .query_row(
                    "SELECT data, clocks FROM records WHERE office_id = ?1 AND kind = ?2 AND record_id = ?3",
                    params![office_id.to_string(), kind, record_id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            row.map(|(data, clocks)| Ok(StoredRecord { kind, record_id, data: serde_json::from_str(&data)?, clocks: serde_json::from_str(&clocks)? }))
                .transpose()
        })
        .await
    }
}

fn push_sync(
    conn: &mut Connection,
    office_id: Uuid,
    pushed_by: Uuid,
    changes: &[Change],
    checks: &[std::result::Result<fengqiao_model::Kind, String>],
    now: DateTime<Utc>,
) -> Result<Vec<PushResult>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let office = office_id.to_string();
    let mut known = HashMap::new();
    {
        let mut stmt = tx.prepare_cached("SELECT office_id, kind, record_id, op, hlc, data FROM changes WHERE change_id = ?1")?;
        for c in changes {
            let row = stmt
                .query_row([c.change_id.to_string()], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })
                .optional()?;
            if let Some((owner, kind, record_id, op, hlc, data)) = row {
                let data: Value = serde_json::from_str(&data)?;
                known.insert(c.change_id, apply::Known::of(uuid(&owner)?, c, (&kind, uuid(&record_id)?, &op, &hlc, &data)));
            }
        }
    }
    let mut current = HashMap::new();
    {
        let mut stmt = tx.prepare_cached("SELECT data, clocks FROM records WHERE office_id = ?1 AND kind = ?2 AND record_id = ?3")?;
        for key in apply::needed_keys(changes, checks, &known) {
            let row: Option<(String, String)> =
                stmt.query_row(params![office, key.0, key.1.to_string()], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            if let Some((data, clocks)) = row {
                current.insert(key, Current { data: serde_json::from_str(&data)?, clocks: serde_json::from_str(&clocks)? });
            }
        }
    }
    let plan = apply::plan(office_id, changes, checks, &known, current);
    let received = ts(now);
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO changes (office_id, change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, pushed_by, created_at, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let by = pushed_by.to_string();
        for &i in &plan.applied {
            let c = &changes[i];
            stmt.execute(params![
                office,
                c.change_id.to_string(),
                c.kind,
                c.record_id.to_string(),
                c.op,
                c.version,
                c.data.to_string(),
                serde_json::to_string(&c.changed_fields)?,
                c.hlc,
                c.device_id.to_string(),
                by,
                c.created_at,
                received
            ])?;
        }
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO records (office_id, kind, record_id, data, clocks, deleted, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (office_id, kind, record_id) DO UPDATE SET data = excluded.data, clocks = excluded.clocks, \
             deleted = excluded.deleted, updated_at = excluded.updated_at",
        )?;
        for ((kind, id), rec) in &plan.records {
            stmt.execute(params![office, kind, id.to_string(), rec.data.to_string(), serde_json::to_string(&rec.clocks)?, rec.deleted(), received])?;
        }
    }
    tx.prepare_cached("UPDATE sync_status SET last_push_at = ?2, changes_pushed = changes_pushed + ?3 WHERE device_id = ?1")?.execute(params![
        pushed_by.to_string(),
        received,
        plan.applied.len() as i64
    ])?;
    tx.commit()?;
    Ok(plan.results)
}

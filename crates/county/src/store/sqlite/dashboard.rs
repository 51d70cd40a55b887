//! The dashboard's tables on SQLite (schema version 2) and the county's audit log (version 3).

use std::collections::HashMap;

use rusqlite::OptionalExtension;

use super::*;
use crate::store::dashboard::*;

pub(super) const SCHEMA_V2: &str = "
CREATE TABLE county_users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE TABLE county_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES county_users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
CREATE TABLE county_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE rejected_changes (
    change_id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
) STRICT;
CREATE INDEX rejected_changes_office ON rejected_changes(office_id, at);
";

/// The offices' audit logs, one hash chain per device, as the devices send them.
pub(super) const SCHEMA_V4: &str = "
CREATE TABLE office_audit (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    office_id TEXT NOT NULL,
    entry TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;
CREATE INDEX office_audit_office ON office_audit(office_id, received_at);
";

/// Version 5: each office's number of changes, kept by triggers in the transaction that adds
/// them, for the 司法所 list — counting them there read every change of every office (seconds
/// at millions of changes).
///
/// And `records` as an ordinary (rowid) table with a unique index: WITHOUT ROWID keeps at most
/// ~1,000 bytes of a row in the tree and moves the rest to an overflow page of its own, and
/// four records in ten are longer (data and clocks) — so most of the county database was
/// near-empty overflow pages (10 GB for 1.8 million changes and records).
pub(super) const SCHEMA_V5: &str = "
CREATE TABLE records_v5 (
    office_id TEXT NOT NULL REFERENCES offices(id),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    data TEXT NOT NULL,
    clocks TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO records_v5 (office_id, kind, record_id, data, clocks, deleted, updated_at)
    SELECT office_id, kind, record_id, data, clocks, deleted, updated_at FROM records;
DROP TABLE records;
ALTER TABLE records_v5 RENAME TO records;
CREATE UNIQUE INDEX records_key ON records(office_id, kind, record_id);
ALTER TABLE offices ADD COLUMN change_count INTEGER NOT NULL DEFAULT 0;
UPDATE offices SET change_count = (SELECT count(*) FROM changes ch WHERE ch.office_id = offices.id);
CREATE TRIGGER changes_counted AFTER INSERT ON changes BEGIN
    UPDATE offices SET change_count = change_count + 1 WHERE id = NEW.office_id;
END;
CREATE TRIGGER changes_uncounted AFTER DELETE ON changes BEGIN
    UPDATE offices SET change_count = change_count - 1 WHERE id = OLD.office_id;
END;
";

/// The county's own audit log: sign-ins, exports, administrative actions.
pub(super) const SCHEMA_V3: &str = "
CREATE TABLE county_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT,
    client TEXT
) STRICT;
CREATE INDEX county_audit_action ON county_audit(action, id);
";

fn user_from(r: &rusqlite::Row) -> rusqlite::Result<(String, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn user(raw: (String, String, String, String)) -> Result<User> {
    let role = Role::from_code(&raw.2).ok_or_else(|| CountyError::Corrupt(format!("账号角色“{}”无效", raw.2)))?;
    Ok(User { id: uuid(&raw.0)?, name: raw.1, role, created_at: time(&raw.3)? })
}

#[async_trait]
impl DashboardStore for SqliteStore {
    async fn create_user(&self, u: &User, password_hash: &str) -> Result<bool> {
        let (u, hash) = (u.clone(), password_hash.to_string());
        self.run(move |c| {
            let n = c.execute(
                "INSERT INTO county_users (id, name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING",
                params![u.id.to_string(), u.name, u.role.code(), hash, ts(u.created_at)],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>> {
        let name = name.to_string();
        self.run(move |c| {
            let row = c
                .query_row("SELECT id, name, role, created_at, password_hash FROM county_users WHERE name = ?1", [name], |r| {
                    Ok((user_from(r)?, r.get::<_, String>(4)?))
                })
                .optional()?;
            row.map(|(u, h)| Ok((user(u)?, h))).transpose()
        })
        .await
    }

    async fn users(&self) -> Result<Vec<User>> {
        self.run(|c| {
            let mut stmt = c.prepare("SELECT id, name, role, created_at FROM county_users ORDER BY created_at, id")?;
            let rows = stmt.query_map([], user_from)?.collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter().map(user).collect()
        })
        .await
    }

    async fn create_session(&self, token_hash: &str, user_id: Uuid, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()> {
        let token = token_hash.to_string();
        self.run(move |c| {
            c.execute(
                "INSERT INTO county_sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token, user_id.to_string(), ts(now), ts(expires_at)],
            )?;
            Ok(())
        })
        .await
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let token = token_hash.to_string();
        self.run(move |c| {
            let row = c
                .query_row(
                    "SELECT u.id, u.name, u.role, u.created_at FROM county_sessions s JOIN county_users u ON u.id = s.user_id \
                     WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                    params![token, ts(now)],
                    user_from,
                )
                .optional()?;
            row.map(user).transpose()
        })
        .await
    }

    async fn delete_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<bool> {
        let token = token_hash.to_string();
        self.run(move |c| {
            let n = c.execute("DELETE FROM county_sessions WHERE token_hash = ?1", [token])?;
            c.execute("DELETE FROM county_sessions WHERE expires_at <= ?1", [ts(now)])?;
            Ok(n == 1)
        })
        .await
    }

    async fn setting(&self, key: &str) -> Result<Option<Value>> {
        let key = key.to_string();
        self.run(move |c| {
            let v: Option<String> = c.query_row("SELECT value FROM county_settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
            Ok(v.map(|v| serde_json::from_str(&v)).transpose()?)
        })
        .await
    }

    async fn set_setting(&self, key: &str, value: &Value, now: DateTime<Utc>) -> Result<()> {
        let (key, value) = (key.to_string(), value.to_string());
        self.run(move |c| {
            c.execute(
                "INSERT INTO county_settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                params![key, value, ts(now)],
            )?;
            Ok(())
        })
        .await
    }

    async fn record_rejections(&self, office_id: Uuid, rejections: &[Rejection]) -> Result<()> {
        let rejections = rejections.to_vec();
        self.run(move |c| {
            let tx = c.transaction()?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO rejected_changes (change_id, office_id, device_id, kind, record_id, reason, at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (change_id) DO NOTHING",
                )?;
                for r in &rejections {
                    stmt.execute(params![
                        r.change_id.to_string(),
                        office_id.to_string(),
                        r.device_id.to_string(),
                        r.kind,
                        r.record_id.to_string(),
                        r.reason,
                        ts(r.at)
                    ])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn rejections(&self, office_id: Uuid) -> Result<Vec<Rejection>> {
        self.run(move |c| {
            let mut stmt = c.prepare(
                "SELECT change_id, device_id, kind, record_id, reason, at FROM rejected_changes WHERE office_id = ?1 ORDER BY at DESC, change_id",
            )?;
            let rows = stmt
                .query_map([office_id.to_string()], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(c, d, kind, rec, reason, at)| {
                    Ok(Rejection { change_id: uuid(&c)?, device_id: uuid(&d)?, kind, record_id: uuid(&rec)?, reason, at: time(&at)? })
                })
                .collect()
        })
        .await
    }

    async fn backlogs(&self) -> Result<Vec<(Uuid, OfficeBacklog)>> {
        self.run(|c| {
            let mut out: HashMap<String, OfficeBacklog> = HashMap::new();
            {
                let mut stmt = c.prepare(
                    "SELECT d.office_id, max((SELECT count(*) FROM changes ch WHERE ch.office_id = d.office_id \
                       AND ch.seq > coalesce(s.pull_cursor, 0) AND ch.device_id <> d.id)) \
                     FROM devices d LEFT JOIN sync_status s ON s.device_id = d.id WHERE d.revoked_at IS NULL GROUP BY d.office_id",
                )?;
                for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                    let (o, n) = row?;
                    out.entry(o).or_default().undelivered = n;
                }
                let mut stmt = c.prepare("SELECT office_id, count(*) FROM rejected_changes GROUP BY office_id")?;
                for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                    let (o, n) = row?;
                    out.entry(o).or_default().rejected = n;
                }
            }
            out.into_iter().map(|(o, b)| Ok((uuid(&o)?, b))).collect()
        })
        .await
    }

    async fn add_audit(&self, e: &AuditEntry) -> Result<()> {
        let e = e.clone();
        self.run(move |c| {
            c.prepare_cached("INSERT INTO county_audit (at, actor, action, target, detail, client) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                .execute(params![ts(e.at), e.actor, e.action, e.target, e.detail, e.client])?;
            Ok(())
        })
        .await
    }

    async fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let limit = limit.min(i64::MAX as usize) as i64;
        self.run(move |c| {
            let mut stmt = c.prepare("SELECT id, at, actor, action, target, detail, client FROM county_audit ORDER BY id DESC LIMIT ?1")?;
            let rows = stmt
                .query_map([limit], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(id, at, actor, action, target, detail, client)| Ok(AuditEntry { id, at: time(&at)?, actor, action, target, detail, client }))
                .collect()
        })
        .await
    }

    async fn office_audit_head(&self, device_id: Uuid) -> Result<Option<(i64, String)>> {
        self.run(move |c| {
            let row: Option<(i64, String)> = c
                .prepare_cached("SELECT seq, entry FROM office_audit WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1")?
                .query_row([device_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            row.map(|(seq, entry)| Ok((seq, serde_json::from_str::<fengqiao_store::AuditEntry>(&entry)?.hash))).transpose()
        })
        .await
    }

    async fn add_office_audit(
        &self,
        office_id: Uuid,
        device_id: Uuid,
        after: i64,
        entries: &[fengqiao_store::AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let lines = entries.iter().map(|e| Ok((e.seq, serde_json::to_string(e)?))).collect::<Result<Vec<_>>>()?;
        self.run(move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let held: i64 =
                tx.query_row("SELECT coalesce(max(seq), 0) FROM office_audit WHERE device_id = ?1", [device_id.to_string()], |r| r.get(0))?;
            if held != after {
                return Ok(false);
            }
            {
                let mut insert =
                    tx.prepare_cached("INSERT INTO office_audit (device_id, seq, office_id, entry, received_at) VALUES (?1, ?2, ?3, ?4, ?5)")?;
                for (seq, entry) in &lines {
                    insert.execute(params![device_id.to_string(), seq, office_id.to_string(), entry, ts(now)])?;
                }
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn office_audit(&self, office_id: Uuid, limit: usize) -> Result<Vec<fengqiao_store::AuditEntry>> {
        let limit = limit.min(i64::MAX as usize) as i64;
        self.run(move |c| {
            let mut stmt = c.prepare("SELECT entry FROM office_audit WHERE office_id = ?1 ORDER BY received_at DESC, seq DESC LIMIT ?2")?;
            let rows = stmt.query_map(params![office_id.to_string(), limit], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            rows.iter().map(|e| Ok(serde_json::from_str(e)?)).collect()
        })
        .await
    }
}

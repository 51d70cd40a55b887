//! The dashboard's tables on PostgreSQL (schema version 2) and the county's audit log (version 3).

use super::*;
use crate::store::dashboard::*;

pub(super) const SCHEMA_V2: &str = "
CREATE TABLE county_users (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE county_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES county_users(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE county_settings (
    key TEXT PRIMARY KEY,
    value JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE rejected_changes (
    change_id UUID PRIMARY KEY,
    office_id UUID NOT NULL REFERENCES offices(id),
    device_id UUID NOT NULL,
    kind TEXT NOT NULL,
    record_id UUID NOT NULL,
    reason TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rejected_changes_office ON rejected_changes(office_id, at);
";

/// The offices' audit logs, one hash chain per device, as the devices send them.
pub(super) const SCHEMA_V4: &str = "
CREATE TABLE office_audit (
    device_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    office_id UUID NOT NULL,
    entry JSONB NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX office_audit_office ON office_audit(office_id, received_at);
";

/// Version 5: each office's number of changes, kept by triggers in the transaction that adds
/// them (once per statement: a push inserts its batch in one), for the 司法所 list — counting
/// them there read every change of every office (seconds at millions of changes).
pub(super) const SCHEMA_V5: &str = "
ALTER TABLE offices ADD COLUMN change_count BIGINT NOT NULL DEFAULT 0;
UPDATE offices SET change_count = (SELECT count(*) FROM changes ch WHERE ch.office_id = offices.id);
CREATE FUNCTION count_changes() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE offices o SET change_count = o.change_count + n.added
        FROM (SELECT office_id, count(*) AS added FROM new_changes GROUP BY office_id) n WHERE o.id = n.office_id;
    ELSE
        UPDATE offices o SET change_count = o.change_count - n.removed
        FROM (SELECT office_id, count(*) AS removed FROM old_changes GROUP BY office_id) n WHERE o.id = n.office_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER changes_counted AFTER INSERT ON changes REFERENCING NEW TABLE AS new_changes
    FOR EACH STATEMENT EXECUTE FUNCTION count_changes();
CREATE TRIGGER changes_uncounted AFTER DELETE ON changes REFERENCING OLD TABLE AS old_changes
    FOR EACH STATEMENT EXECUTE FUNCTION count_changes();
";

/// The county's own audit log: sign-ins, exports, administrative actions.
pub(super) const SCHEMA_V3: &str = "
CREATE TABLE county_audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT,
    client TEXT
);
CREATE INDEX county_audit_action ON county_audit(action, id);
";

fn user(r: &Row) -> Result<User> {
    let role: String = r.get(2);
    let role = Role::from_code(&role).ok_or_else(|| CountyError::Corrupt(format!("账号角色“{role}”无效")))?;
    Ok(User { id: r.get(0), name: r.get(1), role, created_at: r.get(3) })
}

#[async_trait]
impl DashboardStore for PgStore {
    async fn create_user(&self, u: &User, password_hash: &str) -> Result<bool> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                "INSERT INTO county_users (id, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
                &[&u.id, &u.name, &u.role.code(), &password_hash, &u.created_at],
            )
            .await?;
        Ok(n == 1)
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>> {
        let client = self.pool.get().await?;
        let row = client.query_opt("SELECT id, name, role, created_at, password_hash FROM county_users WHERE name = $1", &[&name]).await?;
        row.map(|r| Ok((user(&r)?, r.get(4)))).transpose()
    }

    async fn users(&self) -> Result<Vec<User>> {
        let client = self.pool.get().await?;
        let rows = client.query("SELECT id, name, role, created_at FROM county_users ORDER BY created_at, id", &[]).await?;
        rows.iter().map(user).collect()
    }

    async fn create_session(&self, token_hash: &str, user_id: Uuid, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO county_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                &[&token_hash, &user_id, &now, &expires_at],
            )
            .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT u.id, u.name, u.role, u.created_at FROM county_sessions s JOIN county_users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
                &[&token_hash, &now],
            )
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn delete_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<bool> {
        let client = self.pool.get().await?;
        let n = client.execute("DELETE FROM county_sessions WHERE token_hash = $1", &[&token_hash]).await?;
        client.execute("DELETE FROM county_sessions WHERE expires_at <= $1", &[&now]).await?;
        Ok(n == 1)
    }

    async fn setting(&self, key: &str) -> Result<Option<Value>> {
        let client = self.pool.get().await?;
        let row = client.query_opt("SELECT value FROM county_settings WHERE key = $1", &[&key]).await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn set_setting(&self, key: &str, value: &Value, now: DateTime<Utc>) -> Result<()> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO county_settings (key, value, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                &[&key, value, &now],
            )
            .await?;
        Ok(())
    }

    async fn record_rejections(&self, office_id: Uuid, rejections: &[Rejection]) -> Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let stmt = tx
            .prepare(
                "INSERT INTO rejected_changes (change_id, office_id, device_id, kind, record_id, reason, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (change_id) DO NOTHING",
            )
            .await?;
        for r in rejections {
            tx.execute(&stmt, &[&r.change_id, &office_id, &r.device_id, &r.kind, &r.record_id, &r.reason, &r.at]).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn rejections(&self, office_id: Uuid) -> Result<Vec<Rejection>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT change_id, device_id, kind, record_id, reason, at FROM rejected_changes WHERE office_id = $1 ORDER BY at DESC, change_id",
                &[&office_id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Rejection { change_id: r.get(0), device_id: r.get(1), kind: r.get(2), record_id: r.get(3), reason: r.get(4), at: r.get(5) })
            .collect())
    }

    async fn backlogs(&self) -> Result<Vec<(Uuid, OfficeBacklog)>> {
        let client = self.pool.get().await?;
        let mut out: HashMap<Uuid, OfficeBacklog> = HashMap::new();
        let rows = client
            .query(
                "SELECT d.office_id, max((SELECT count(*) FROM changes ch WHERE ch.office_id = d.office_id \
                   AND ch.seq > coalesce(s.pull_cursor, 0) AND ch.device_id <> d.id))::BIGINT \
                 FROM devices d LEFT JOIN sync_status s ON s.device_id = d.id WHERE d.revoked_at IS NULL GROUP BY d.office_id",
                &[],
            )
            .await?;
        for r in rows {
            out.entry(r.get(0)).or_default().undelivered = r.get::<_, Option<i64>>(1).unwrap_or(0);
        }
        for r in client.query("SELECT office_id, count(*) FROM rejected_changes GROUP BY office_id", &[]).await? {
            out.entry(r.get(0)).or_default().rejected = r.get(1);
        }
        Ok(out.into_iter().collect())
    }

    async fn add_audit(&self, e: &AuditEntry) -> Result<()> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO county_audit (at, actor, action, target, detail, client) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&e.at, &e.actor, &e.action, &e.target, &e.detail, &e.client],
            )
            .await?;
        Ok(())
    }

    async fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let client = self.pool.get().await?;
        let limit = limit.min(i64::MAX as usize) as i64;
        let rows =
            client.query("SELECT id, at, actor, action, target, detail, client FROM county_audit ORDER BY id DESC LIMIT $1", &[&limit]).await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                target: r.get(4),
                detail: r.get(5),
                client: r.get(6),
            })
            .collect())
    }

    async fn office_audit_head(&self, device_id: Uuid) -> Result<Option<(i64, String)>> {
        let client = self.pool.get().await?;
        let row =
            client.query_opt("SELECT seq, entry->>'hash' FROM office_audit WHERE device_id = $1 ORDER BY seq DESC LIMIT 1", &[&device_id]).await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn add_office_audit(
        &self,
        office_id: Uuid,
        device_id: Uuid,
        after: i64,
        entries: &[fengqiao_store::AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // One writer per device at a time: the head is read under this lock.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1::text))", &[&device_id.to_string()]).await?;
        let held: i64 = tx.query_one("SELECT coalesce(max(seq), 0) FROM office_audit WHERE device_id = $1", &[&device_id]).await?.get(0);
        if held != after {
            return Ok(false);
        }
        let insert = tx.prepare("INSERT INTO office_audit (device_id, seq, office_id, entry, received_at) VALUES ($1, $2, $3, $4, $5)").await?;
        for e in entries {
            tx.execute(&insert, &[&device_id, &e.seq, &office_id, &serde_json::to_value(e)?, &now]).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn office_audit(&self, office_id: Uuid, limit: usize) -> Result<Vec<fengqiao_store::AuditEntry>> {
        let client = self.pool.get().await?;
        let limit = limit.min(i64::MAX as usize) as i64;
        let rows = client
            .query("SELECT entry FROM office_audit WHERE office_id = $1 ORDER BY received_at DESC, seq DESC LIMIT $2", &[&office_id, &limit])
            .await?;
        rows.iter().map(|r| Ok(serde_json::from_value(r.get::<_, serde_json::Value>(0))?)).collect()
    }
}

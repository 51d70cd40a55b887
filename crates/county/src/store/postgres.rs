//! The PostgreSQL store (`--database postgres://…`), for counties, cities or provinces that
//! outgrow one file. A pool of connections (deadpool); one transaction per push batch with a
//! handful of round trips (arrays and `unnest`), whatever the batch size.
//!
//! Pushes of one office are serialized by a row lock on the office (`FOR NO KEY UPDATE`),
//! and the change sequence is drawn only under that lock, so an office's changes become
//! visible in sequence order and a pull cursor never skips a change committed late.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use fengqiao_sync::protocol::{Change, PullResponse, PushResult};
use tokio_postgres::{NoTls, Row};
use uuid::Uuid;

use super::*;
use crate::apply::{self, Current};
use crate::error::CountyError;

mod dashboard;

const SCHEMA_V1: &str = "
CREATE TABLE offices (
    id UUID PRIMARY KEY,
    org_id UUID UNIQUE,
    name TEXT NOT NULL,
    division_code TEXT NOT NULL,
    county_device_id UUID NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE enrollment_codes (
    code_hash TEXT PRIMARY KEY,
    office_id UUID NOT NULL REFERENCES offices(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    used_by_device UUID
);
CREATE TABLE devices (
    id UUID PRIMARY KEY,
    office_id UUID NOT NULL REFERENCES offices(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    enrolled_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    last_seen_at TIMESTAMPTZ
);
CREATE INDEX devices_office ON devices(office_id);
CREATE TABLE sync_status (
    device_id UUID PRIMARY KEY REFERENCES devices(id),
    last_push_at TIMESTAMPTZ,
    last_pull_at TIMESTAMPTZ,
    pull_cursor BIGINT NOT NULL DEFAULT 0,
    changes_pushed BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    office_id UUID NOT NULL REFERENCES offices(id),
    change_id UUID NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    record_id UUID NOT NULL,
    op TEXT NOT NULL,
    version BIGINT NOT NULL,
    data JSONB NOT NULL,
    changed_fields JSONB NOT NULL,
    hlc TEXT NOT NULL,
    device_id UUID NOT NULL,
    pushed_by UUID NOT NULL,
    created_at TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX changes_office_seq ON changes(office_id, seq);
CREATE TABLE records (
    office_id UUID NOT NULL REFERENCES offices(id),
    kind TEXT NOT NULL,
    record_id UUID NOT NULL,
    data JSONB NOT NULL,
    clocks JSONB NOT NULL,
    deleted BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (office_id, kind, record_id)
);
";

// The queries of one office's changes bound `(office_id, seq)` as a row and ask for that
// row's order, which only `changes_office_seq` holds. Written as `office_id = $1 AND seq …`,
// PostgreSQL walked the primary key in sequence order and filtered by office, expecting the
// office's changes to be spread evenly — and read every later change of every other office
// when they were not (an office long silent; the first offices of a bulk load: 66–155 ms an
// office at 625,000 changes). With `office_id = $1` beside the row bound it still could, as
// the equality makes the primary key's order serve; so the office is only in the row bounds.
// The test `plans` below checks the plans.

/// Every office, each with its latest change (NULL when none): one backward seek per office,
/// to the last change at or before the office's end; it is the office's when it has any.
const OFFICE_HEADS: &str = "SELECT o.id, o.org_id, o.name, o.division_code, o.county_device_id, o.created_at, \
     (SELECT CASE WHEN ch.office_id = o.id THEN ch.seq END FROM changes ch \
      WHERE (ch.office_id, ch.seq) <= (o.id, 9223372036854775807) ORDER BY ch.office_id DESC, ch.seq DESC LIMIT 1) \
     FROM offices o ORDER BY o.created_at, o.id";
/// The office's latest change, 0 when none (as in `OFFICE_HEADS`).
const OFFICE_TOP: &str = "SELECT coalesce((SELECT CASE WHEN office_id = $1 THEN seq END FROM changes \
     WHERE (office_id, seq) <= ($1, 9223372036854775807) ORDER BY office_id DESC, seq DESC LIMIT 1), 0)::BIGINT";
/// A page of the office's changes after a cursor, up to `top`, but those of the device asking.
const PULL_PAGE: &str = "SELECT seq, change_id, kind, record_id, op, version, data::TEXT, changed_fields::TEXT, hlc, device_id, created_at \
     FROM changes WHERE (office_id, seq) > ($1, $2) AND (office_id, seq) <= ($1, $3) AND device_id <> $4 \
     ORDER BY office_id, seq LIMIT $5";

/// Serializes schema changes of concurrent processes (any value unique to this program).
const MIGRATION_LOCK: i64 = 0x4651_434f_554e_5459; // "FQCOUNTY"

pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Connects to `url` and brings the schema up to date. `schema`, when given, is put first
    /// on the search path (tests use a schema of their own).
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<PgStore> {
        Self::connect_at_schema(url, schema, SCHEMA_VERSION).await
    }

    /// Connects and migrates only up to `version`. For tests of upgrades (a database of an
    /// earlier schema version); the server always connects at [`SCHEMA_VERSION`].
    #[doc(hidden)]
    pub async fn connect_at_schema(url: &str, schema: Option<&str>, version: i64) -> Result<PgStore> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| CountyError::DatabaseUrl(e.to_string()))?;
        if let Some(schema) = schema {
            config.options(format!("-c search_path={schema}"));
        }
        config.application_name("fengqiao-county");
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(StdDuration::from_secs(10));
        }
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(StdDuration::from_secs(30)))
            .create_timeout(Some(StdDuration::from_secs(15)))
            .build()
            .map_err(|e| CountyError::Pool(e.to_string()))?;
        let store = PgStore { pool };
        store.migrate(version).await?;
        Ok(store)
    }

    /// Every pending step in ONE transaction: a failure leaves the database at its old
    /// version (back it up with pg_dump before upgrading; see README.Debian).
    async fn migrate(&self, target: i64) -> Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)").await?;
        let version: i64 = tx.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM schema_version", &[]).await?.get(0);
        if version > SCHEMA_VERSION {
            return Err(CountyError::TooNew { found: version, supported: SCHEMA_VERSION });
        }
        let steps: [&str; SCHEMA_VERSION as usize] =
            [SCHEMA_V1, dashboard::SCHEMA_V2, dashboard::SCHEMA_V3, dashboard::SCHEMA_V4, dashboard::SCHEMA_V5];
        let result: Result<()> = async {
            for (n, sql) in steps.iter().enumerate().take(target.clamp(0, SCHEMA_VERSION) as usize).skip(version as usize) {
                tx.batch_execute(sql).await?;
                tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&(n as i64 + 1)]).await?;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => Ok(tx.commit().await?),
            Err(e) if version >= 1 => {
                drop(tx);
                Err(CountyError::UpgradeFailed { from: version, to: target, backup: None, reason: e.to_string() })
            }
            Err(e) => Err(e),
        }
    }
}

fn office_from(r: &Row) -> Office {
    Office { id: r.get(0), org_id: r.get(1), name: r.get(2), division_code: r.get(3), county_device_id: r.get(4), created_at: r.get(5) }
}

const OFFICE_COLUMNS: &str = "id, org_id, name, division_code, county_device_id, created_at";

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(serde_json::from_str(text)?)
}

#[async_trait]
impl CountyStore for PgStore {
    async fn ping(&self) -> Result<()> {
        let client = self.pool.get().await?;
        client.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn create_office(&self, o: &Office) -> Result<()> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO offices (id, org_id, name, division_code, county_device_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&o.id, &o.org_id, &o.name, &o.division_code, &o.county_device_id, &o.created_at],
            )
            .await?;
        Ok(())
    }

    async fn office(&self, id: Uuid) -> Result<Option<Office>> {
        let client = self.pool.get().await?;
        let row = client.query_opt(&format!("SELECT {OFFICE_COLUMNS} FROM offices WHERE id = $1"), &[&id]).await?;
        Ok(row.as_ref().map(office_from))
    }

    async fn offices(&self) -> Result<Vec<OfficeSummary>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT o.id, o.org_id, o.name, o.division_code, o.county_device_id, o.created_at, \
                 (SELECT count(*) FROM devices d WHERE d.office_id = o.id AND d.revoked_at IS NULL), \
                 (SELECT count(*) FROM devices d WHERE d.office_id = o.id AND d.revoked_at IS NOT NULL), \
                 (SELECT max(greatest(s.last_push_at, s.last_pull_at)) FROM sync_status s JOIN devices d ON d.id = s.device_id WHERE d.office_id = o.id), \
                 o.change_count \
                 FROM offices o ORDER BY o.created_at, o.id",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| OfficeSummary {
                office: office_from(r),
                devices: r.get(6),
                revoked_devices: r.get(7),
                last_sync_at: r.get(8),
                changes: r.get(9),
            })
            .collect())
    }

    async fn office_heads(&self) -> Result<Vec<OfficeHead>> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached(OFFICE_HEADS).await?;
        let rows = client.query(&stmt, &[]).await?;
        Ok(rows.iter().map(|r| OfficeHead { office: office_from(r), head: r.get::<_, Option<i64>>(6).unwrap_or(0) }).collect())
    }

    async fn devices(&self, office_id: Option<Uuid>) -> Result<Vec<DeviceInfo>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT d.id, d.office_id, d.name, d.enrolled_at, d.revoked_at, d.last_seen_at, s.last_push_at, s.last_pull_at, \
                 coalesce(s.pull_cursor, 0), coalesce(s.changes_pushed, 0) \
                 FROM devices d LEFT JOIN sync_status s ON s.device_id = d.id \
                 WHERE $1::UUID IS NULL OR d.office_id = $1 ORDER BY d.office_id, d.enrolled_at, d.id",
                &[&office_id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| DeviceInfo {
                id: r.get(0),
                office_id: r.get(1),
                name: r.get(2),
                enrolled_at: r.get(3),
                revoked_at: r.get(4),
                last_seen_at: r.get(5),
                last_push_at: r.get(6),
                last_pull_at: r.get(7),
                pull_cursor: r.get(8),
                changes_pushed: r.get(9),
            })
            .collect())
    }

    async fn add_enrollment_code(&self, office_id: Uuid, code_hash: &str, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO enrollment_codes (code_hash, office_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                &[&code_hash, &office_id, &now, &expires_at],
            )
            .await?;
        Ok(())
    }

    async fn enroll(&self, e: Enrollment<'_>, now: DateTime<Utc>) -> Result<EnrollOutcome> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let office: Option<Uuid> = tx
            .query_opt(
                "UPDATE enrollment_codes SET used_at = $1, used_by_device = $2 \
                 WHERE code_hash = $3 AND used_at IS NULL AND expires_at > $1 RETURNING office_id",
                &[&now, &e.device_id, &e.code_hash],
            )
            .await?
            .map(|r| r.get(0));
        let Some(office) = office else { return Ok(EnrollOutcome::InvalidCode) };
        let mut o = office_from(&tx.query_one(&format!("SELECT {OFFICE_COLUMNS} FROM offices WHERE id = $1 FOR UPDATE"), &[&office]).await?);
        let holder: Option<Uuid> = tx.query_opt("SELECT office_id FROM devices WHERE id = $1 FOR UPDATE", &[&e.device_id]).await?.map(|r| r.get(0));
        let county: bool = tx.query_one("SELECT count(*) > 0 FROM offices WHERE county_device_id = $1", &[&e.device_id]).await?.get(0);
        if county || holder.is_some_and(|h| h != office) {
            return Ok(EnrollOutcome::DeviceTaken); // rolled back on drop: the code stays unused
        }
        let taken: bool = match e.claimed_org {
            Some(org) => tx.query_one("SELECT count(*) > 0 FROM offices WHERE org_id = $1 AND id <> $2", &[&org, &office]).await?.get(0),
            None => false,
        };
        match binding(&o, e.claimed_org, taken) {
            Err(refused) => return Ok(refused),
            Ok(Some(org)) => {
                tx.execute("UPDATE offices SET org_id = $2 WHERE id = $1", &[&office, &org]).await?;
                o.org_id = Some(org);
            }
            Ok(None) => {}
        }
        tx.execute(
            "INSERT INTO devices (id, office_id, name, token_hash, enrolled_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, token_hash = excluded.token_hash, \
             enrolled_at = excluded.enrolled_at, revoked_at = NULL",
            &[&e.device_id, &office, &e.device_name, &e.token_hash, &now],
        )
        .await?;
        tx.execute("INSERT INTO sync_status (device_id) VALUES ($1) ON CONFLICT DO NOTHING", &[&e.device_id]).await?;
        tx.commit().await?;
        Ok(EnrollOutcome::Enrolled(o))
    }

    async fn authenticate(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AuthDevice>> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached("SELECT id, office_id, last_seen_at FROM devices WHERE token_hash = $1 AND revoked_at IS NULL").await?;
        let Some(row) = client.query_opt(&stmt, &[&token_hash]).await? else { return Ok(None) };
        let (id, office_id, seen): (Uuid, Uuid, Option<DateTime<Utc>>) = (row.get(0), row.get(1), row.get(2));
        if seen.is_none_or(|s| s < now - Duration::seconds(LAST_SEEN_RESOLUTION_SECS)) {
            let stmt = client.prepare_cached("UPDATE devices SET last_seen_at = $2 WHERE id = $1").await?;
            client.execute(&stmt, &[&id, &now]).await?;
        }
        Ok(Some(AuthDevice { id, office_id }))
    }

    async fn revoke_device(&self, device_id: Uuid, now: DateTime<Utc>) -> Result<bool> {
        let client = self.pool.get().await?;
        client.execute("UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[&device_id, &now]).await?;
        Ok(client.query_one("SELECT count(*) > 0 FROM devices WHERE id = $1", &[&device_id]).await?.get(0))
    }

    async fn revoke_office(&self, office_id: Uuid, now: DateTime<Utc>) -> Result<usize> {
        let client = self.pool.get().await?;
        let n = client.execute("UPDATE devices SET revoked_at = $2 WHERE office_id = $1 AND revoked_at IS NULL", &[&office_id, &now]).await?;
        Ok(n as usize)
    }

    async fn push(&self, office_id: Uuid, pushed_by: Uuid, changes: Vec<Change>, now: DateTime<Utc>) -> Result<Vec<PushResult>> {
        let mut client = self.pool.get().await?;
        // The office's org id is bound once and never changes: read it, then check the changes
        // off the async threads.
        let org: Option<Uuid> = client
            .query_opt("SELECT org_id FROM offices WHERE id = $1", &[&office_id])
            .await?
            .ok_or_else(|| CountyError::NotFound(format!("司法所{office_id}不存在")))?
            .get(0);
        let (changes, checks) = tokio::task::spawn_blocking(move || {
            let checks = changes.iter().map(|c| apply::check(c, org)).collect::<Vec<_>>();
            (changes, checks)
        })
        .await?;
        let tx = client.transaction().await?;
        if tx.query_opt("SELECT 1 FROM offices WHERE id = $1 FOR NO KEY UPDATE", &[&office_id]).await?.is_none() {
            return Err(CountyError::NotFound(format!("司法所{office_id}不存在")));
        }
        let ids: Vec<Uuid> = changes.iter().map(|c| c.change_id).collect();
        let sent: HashMap<Uuid, &Change> = changes.iter().map(|c| (c.change_id, c)).collect();
        let known: HashMap<Uuid, apply::Known> = tx
            .query("SELECT change_id, office_id, kind, record_id, op, hlc, data FROM changes WHERE change_id = ANY($1)", &[&ids])
            .await?
            .iter()
            .map(|r| {
                let id: Uuid = r.get(0);
                let (kind, op, hlc): (String, String, String) = (r.get(2), r.get(4), r.get(5));
                let data: Value = r.get(6);
                (id, apply::Known::of(r.get(1), sent[&id], (&kind, r.get(3), &op, &hlc, &data)))
            })
            .collect();
        let keys = apply::needed_keys(&changes, &checks, &known);
        let mut current = HashMap::new();
        if !keys.is_empty() {
            let kinds: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
            let rids: Vec<Uuid> = keys.iter().map(|k| k.1).collect();
            let rows = tx
                .query(
                    "SELECT r.kind, r.record_id, r.data::TEXT, r.clocks::TEXT FROM records r \
                     JOIN unnest($2::TEXT[], $3::UUID[]) AS k(kind, record_id) ON r.kind = k.kind AND r.record_id = k.record_id \
                     WHERE r.office_id = $1",
                    &[&office_id, &kinds, &rids],
                )
                .await?;
            for r in rows {
                let data: String = r.get(2);
                let clocks: String = r.get(3);
                current.insert((r.get(0), r.get(1)), Current { data: json(&data)?, clocks: json(&clocks)? });
            }
        }
        let plan = apply::plan(office_id, &changes, &checks, &known, current);
        if !plan.applied.is_empty() {
            let applied: Vec<&Change> = plan.applied.iter().map(|&i| &changes[i]).collect();
            let change_ids: Vec<Uuid> = applied.iter().map(|c| c.change_id).collect();
            let kinds: Vec<&str> = applied.iter().map(|c| c.kind.as_str()).collect();
            let rids: Vec<Uuid> = applied.iter().map(|c| c.record_id).collect();
            let ops: Vec<&str> = applied.iter().map(|c| c.op.as_str()).collect();
            let versions: Vec<i64> = applied.iter().map(|c| c.version).collect();
            let data: Vec<String> = applied.iter().map(|c| c.data.to_string()).collect();
            let fields: Vec<String> = applied.iter().map(|c| serde_json::to_string(&c.changed_fields)).collect::<Result<_, _>>()?;
            let hlcs: Vec<&str> = applied.iter().map(|c| c.hlc.as_str()).collect();
            let devices: Vec<Uuid> = applied.iter().map(|c| c.device_id).collect();
            let created: Vec<&str> = applied.iter().map(|c| c.created_at.as_str()).collect();
            tx.execute(
                "INSERT INTO changes (office_id, change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, pushed_by, created_at, received_at) \
                 SELECT $1, u.change_id, u.kind, u.record_id, u.op, u.version, u.data::JSONB, u.fields::JSONB, u.hlc, u.device_id, $2, u.created_at, $3 \
                 FROM unnest($4::UUID[], $5::TEXT[], $6::UUID[], $7::TEXT[], $8::BIGINT[], $9::TEXT[], $10::TEXT[], $11::TEXT[], $12::UUID[], $13::TEXT[]) \
                 WITH ORDINALITY AS u(change_id, kind, record_id, op, version, data, fields, hlc, device_id, created_at, n) ORDER BY u.n",
                &[&office_id, &pushed_by, &now, &change_ids, &kinds, &rids, &ops, &versions, &data, &fields, &hlcs, &devices, &created],
            )
            .await?;
            let mut kinds = Vec::new();
            let mut rids = Vec::new();
            let mut data = Vec::new();
            let mut clocks = Vec::new();
            let mut deleted = Vec::new();
            for ((kind, id), rec) in &plan.records {
                kinds.push(kind.as_str());
                rids.push(*id);
                data.push(rec.data.to_string());
                clocks.push(serde_json::to_string(&rec.clocks)?);
                deleted.push(rec.deleted());
            }
            tx.execute(
                "INSERT INTO records (office_id, kind, record_id, data, clocks, deleted, updated_at) \
                 SELECT $1, u.kind, u.record_id, u.data::JSONB, u.clocks::JSONB, u.deleted, $2 \
                 FROM unnest($3::TEXT[], $4::UUID[], $5::TEXT[], $6::TEXT[], $7::BOOLEAN[]) AS u(kind, record_id, data, clocks, deleted) \
                 ON CONFLICT (office_id, kind, record_id) DO UPDATE SET data = excluded.data, clocks = excluded.clocks, \
                 deleted = excluded.deleted, updated_at = excluded.updated_at",
                &[&office_id, &now, &kinds, &rids, &data, &clocks, &deleted],
            )
            .await?;
        }
        tx.execute(
            "UPDATE sync_status SET last_push_at = $2, changes_pushed = changes_pushed + $3 WHERE device_id = $1",
            &[&pushed_by, &now, &(plan.applied.len() as i64)],
        )
        .await?;
        tx.commit().await?;
        Ok(plan.results)
    }

    async fn pull(&self, office_id: Uuid, device_id: Uuid, since: i64, limit: usize, now: DateTime<Utc>) -> Result<PullResponse> {
        let limit = clamp_limit(limit);
        let client = self.pool.get().await?;
        // Everything of this office committed up to `top` is visible now; anything committed
        // later was numbered later (see the module comment).
        let stmt = client.prepare_cached(OFFICE_TOP).await?;
        let top: i64 = client.query_one(&stmt, &[&office_id]).await?.get(0);
        let stmt = client.prepare_cached(PULL_PAGE).await?;
        let rows = client.query(&stmt, &[&office_id, &since, &top, &device_id, &(limit as i64 + 1)]).await?;
        let more = rows.len() > limit;
        let mut changes = Vec::with_capacity(rows.len().min(limit));
        let mut last = since;
        for r in rows.iter().take(limit) {
            last = r.get(0);
            let data: &str = r.get(6);
            let fields: &str = r.get(7);
            changes.push(Change {
                change_id: r.get(1),
                kind: r.get(2),
                record_id: r.get(3),
                op: r.get(4),
                version: r.get(5),
                data: json(data)?,
                changed_fields: json(fields)?,
                hlc: r.get(8),
                device_id: r.get(9),
                created_at: r.get(10),
            });
        }
        let next_cursor = if more { last } else { top.max(since) };
        // The device's status is written once a round (its last page), not once a page.
        if !more {
            let stmt = client
                .prepare_cached("UPDATE sync_status SET last_pull_at = $2, pull_cursor = greatest(pull_cursor, $3) WHERE device_id = $1")
                .await?;
            client.execute(&stmt, &[&device_id, &now, &next_cursor]).await?;
        }
        Ok(PullResponse { changes, next_cursor, more, settings: None })
    }

    async fn records(&self, office_id: Uuid) -> Result<Vec<StoredRecord>> {
        let client = self.pool.get().await?;
        let rows = client
            .query("SELECT kind, record_id, data::TEXT, clocks::TEXT FROM records WHERE office_id = $1 ORDER BY kind, record_id", &[&office_id])
            .await?;
        rows.iter()
            .map(|r| {
                let data: &str = r.get(2);
                let clocks: &str = r.get(3);
                Ok(StoredRecord { kind: r.get(0), record_id: r.get(1), data: json(data)?, clocks: json(clocks)? })
            })
            .collect()
    }

    async fn record(&self, office_id: Uuid, kind: &str, record_id: Uuid) -> Result<Option<StoredRecord>> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT data::TEXT, clocks::TEXT FROM records WHERE office_id = $1 AND kind = $2 AND record_id = $3",
                &[&office_id, &kind, &record_id],
            )
            .await?;
        row.map(|r| {
            let data: &str = r.get(0);
            let clocks: &str = r.get(1);
            Ok(StoredRecord { kind: kind.to_string(), record_id, data: json(data)?, clocks: json(clocks)? })
        })
        .transpose()
    }
}

#[cfg(test)]
mod plans {
    //! The queries of one office's changes must read `changes_office_seq`, whatever the other
    //! offices hold: planned with `office_id = $1 AND seq …`, PostgreSQL walked the primary
    //! key in sequence order and filtered by office, reading every later change of every other
    //! office (an office long silent, or the first offices of a bulk load: 66–155 ms per
    //! office at 625,000 changes). Checked on the plans PostgreSQL makes for a county whose
    //! offices' changes lie one block after another, with the statistics of that table.
    use super::*;

    const OFFICES: [&str; 3] =
        ["00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b", "00000000-0000-0000-0000-00000000000c"];
    const EACH: i64 = 20_000;

    async fn plan(client: &tokio_postgres::Client, sql: &str) -> String {
        client
            .simple_query(sql)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[tokio::test]
    async fn one_offices_changes_are_read_by_office_whatever_the_others_hold() {
        let Ok(url) = std::env::var("FENGQIAO_TEST_PG_URL") else {
            eprintln!("skipped: FENGQIAO_TEST_PG_URL is not set");
            return;
        };
        let schema = format!("fq_test_plans_{}_{}", std::process::id(), rand::random::<u32>());
        let (client, conn) = tokio_postgres::connect(&url, NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute(&format!("CREATE SCHEMA {schema}; SET search_path = {schema}")).await.unwrap();
        let result = async {
            let store = PgStore::connect(&url, Some(&schema)).await?;
            for (i, id) in OFFICES.iter().enumerate() {
                client.batch_execute(&format!(
                    "INSERT INTO offices VALUES ('{id}', NULL, '所{i}', '350102001', gen_random_uuid(), now());
                     INSERT INTO changes (office_id, change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, pushed_by, created_at, received_at)
                     SELECT '{id}', gen_random_uuid(), 'person', gen_random_uuid(), 'upsert', 1, jsonb_build_object('n', g, 'pad', repeat('x', 400)), '[]', '', gen_random_uuid(), gen_random_uuid(), '', now()
                     FROM generate_series(1, {EACH}) g;"
                )).await?;
            }
            // An office with no change, after the others: its seek lands on another's change.
            client.batch_execute("INSERT INTO offices VALUES ('00000000-0000-0000-0000-0000000000ff', NULL, '新所', '350102001', gen_random_uuid(), now())").await?;
            client.batch_execute("ANALYZE changes").await?;
            let first = OFFICES[0];
            let params = format!("('{first}', {}, {}, '{}', 501)", EACH / 2, 3 * EACH, Uuid::nil());
            for mode in ["auto", "force_generic_plan"] {
                client.batch_execute(&format!("SET plan_cache_mode = {mode}; DEALLOCATE ALL;
                    PREPARE top(uuid) AS {OFFICE_TOP};
                    PREPARE page(uuid, bigint, bigint, uuid, bigint) AS {PULL_PAGE};")).await?;
                for (what, sql) in [
                    ("office_heads", format!("EXPLAIN {OFFICE_HEADS}")),
                    ("top", format!("EXPLAIN EXECUTE top('{first}')")),
                    ("pull", format!("EXPLAIN EXECUTE page{params}")),
                ] {
                    let p = plan(&client, &sql).await;
                    if !p.contains("changes_office_seq") || p.contains("changes_pkey") {
                        return Err(format!("{what} ({mode}) reads other offices' changes:\n{p}").into());
                    }
                }
            }
            // And the store answers from those plans: the first office's head and its later half.
            let heads = store.office_heads().await?;
            let heads: Vec<i64> = heads.iter().map(|h| h.head).collect();
            if heads != [EACH, 2 * EACH, 3 * EACH, 0] {
                return Err(format!("heads {heads:?}").into());
            }
            let (mut cursor, mut pulled) = (EACH / 2, 0);
            loop {
                let page = store.pull(first.parse().unwrap(), Uuid::nil(), cursor, 5_000, Utc::now()).await?;
                pulled += page.changes.len() as i64;
                cursor = page.next_cursor;
                if !page.more {
                    break;
                }
            }
            if (pulled, cursor) != (EACH / 2, EACH) {
                return Err(format!("pulled {pulled} to {cursor}, not the later half of the first office alone").into());
            }
            Ok::<_, Box<dyn std::error::Error>>(())
        }
        .await;
        // Failures come back as errors, so that the schema is dropped either way.
        client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
        result.unwrap();
    }
}

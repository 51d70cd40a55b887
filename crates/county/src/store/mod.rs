//! The county's store: one trait, two implementations (embedded SQLite for one county, and
//! PostgreSQL for counties, cities or provinces that outgrow one file). Both run the same
//! push plan (`crate::apply`) in one transaction per batch and pass one conformance suite
//! (`tests/conformance.rs`).

pub mod dashboard;
mod postgres;
mod sqlite;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use fengqiao_model::merge::FieldClocks;
use fengqiao_sync::protocol::{Change, PullResponse, PushResult};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

pub use dashboard::{AuditEntry, DashboardStore, Role, User};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::error::Result;

/// The file name of the embedded database inside `--data DIR`.
pub const DB_FILE: &str = "county.db";

/// Schema version this program writes; a database of a newer version is refused.
pub const SCHEMA_VERSION: i64 = 5;

/// How long a device's `last_seen_at` may lag: it is written at most this often.
pub const LAST_SEEN_RESOLUTION_SECS: i64 = 60;

/// A 司法所 registered with the county.
///
/// `id` is the county's key for the office, made by `office add`. `org_id` is the id the
/// office's records carry as `org_id` (the office store's own id): bound at the office's
/// first enrollment (protocol `EnrollRequest::office_id`), never changed after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Office {
    pub id: Uuid,
    pub org_id: Option<Uuid>,
    pub name: String,
    pub division_code: String,
    /// The device id under which the county writes this office's records (notices).
    pub county_device_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// An office with what `office list` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficeSummary {
    #[serde(flatten)]
    pub office: Office,
    /// Devices not revoked.
    pub devices: i64,
    pub revoked_devices: i64,
    /// The latest push or pull of any of its devices.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Changes the county holds for the office.
    pub changes: i64,
}

/// An office and the sequence number of its latest change (0 when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHead {
    pub office: Office,
    pub head: i64,
}

impl std::ops::Deref for OfficeHead {
    type Target = Office;
    fn deref(&self) -> &Office {
        &self.office
    }
}

/// A device as the county sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceInfo {
    pub id: Uuid,
    pub office_id: Uuid,
    pub name: String,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub last_push_at: Option<DateTime<Utc>>,
    pub last_pull_at: Option<DateTime<Utc>>,
    /// Where the device's last complete pull ended: it holds everything up to here (written
    /// on the last page of a pull, not on every page).
    pub pull_cursor: i64,
    /// Changes it pushed that were applied.
    pub changes_pushed: i64,
}

/// What a device presents to enroll (hashes only).
#[derive(Debug, Clone, Copy)]
pub struct Enrollment<'a> {
    pub code_hash: &'a str,
    pub device_id: Uuid,
    pub device_name: &'a str,
    pub token_hash: &'a str,
    /// The `org_id` the device's records already carry, if it has a store.
    pub claimed_org: Option<Uuid>,
}

/// How an enrollment binds the office's `org_id`: `Ok(Some(id))` to bind now, `Ok(None)` when
/// already bound to what the device claims (or it claims nothing), `Err` on a mismatch.
pub(crate) fn binding(office: &Office, claimed: Option<Uuid>, taken_by_other: bool) -> std::result::Result<Option<Uuid>, EnrollOutcome> {
    match (office.org_id, claimed) {
        (Some(bound), Some(c)) if bound != c => Err(EnrollOutcome::OfficeMismatch { bound: Some(bound) }),
        (Some(_), _) => Ok(None),
        (None, _) if taken_by_other => Err(EnrollOutcome::OfficeMismatch { bound: None }),
        (None, c) => Ok(Some(c.unwrap_or(office.id))),
    }
}

/// An authenticated device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthDevice {
    pub id: Uuid,
    pub office_id: Uuid,
}

/// One record of an office as the county holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub kind: String,
    pub record_id: Uuid,
    pub data: Value,
    pub clocks: FieldClocks,
}

/// What an enrollment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollOutcome {
    Enrolled(Office),
    /// No such code, or used, or expired.
    InvalidCode,
    /// The device id is registered to another office (or is a county device id).
    DeviceTaken,
    /// The device's records belong to another office than the code's: the office is bound to
    /// another id, or the id is bound to another office.
    OfficeMismatch {
        bound: Option<Uuid>,
    },
}

#[async_trait]
pub trait CountyStore: dashboard::DashboardStore + Send + Sync + 'static {
    /// Answers when the database is reachable.
    async fn ping(&self) -> Result<()>;
    async fn create_office(&self, office: &Office) -> Result<()>;
    async fn office(&self, id: Uuid) -> Result<Option<Office>>;
    /// Every office, oldest first, with its devices and last sync.
    async fn offices(&self) -> Result<Vec<OfficeSummary>>;
    /// Every office, oldest first (as `offices`), with the sequence number of its latest
    /// change (0 when it has none): where a pull from 0 with nothing held back would end. One
    /// query for all offices, each an index lookup (`changes_office_seq`), not a count: a
    /// reader compares it with its cursor and pulls only the offices with something new.
    async fn office_heads(&self) -> Result<Vec<OfficeHead>>;
    /// Devices of one office, or of all.
    async fn devices(&self, office_id: Option<Uuid>) -> Result<Vec<DeviceInfo>>;
    /// Stores a one-time enrollment code (its hash) for an office.
    async fn add_enrollment_code(&self, office_id: Uuid, code_hash: &str, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()>;
    /// Uses a code once: registers the device (or re-registers it in the same office with a
    /// new token, lifting a revocation) in one transaction with consuming the code. The
    /// office's first enrollment binds its `org_id` to `claimed_org` (or to its own id when
    /// the device claims none); the returned office carries the bound id.
    async fn enroll(&self, request: Enrollment<'_>, now: DateTime<Utc>) -> Result<EnrollOutcome>;
    /// The device holding this token, unless revoked; notes when it was last seen.
    async fn authenticate(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AuthDevice>>;
    /// Revokes one device; false when there is no such device.
    async fn revoke_device(&self, device_id: Uuid, now: DateTime<Utc>) -> Result<bool>;
    /// Revokes every device of an office; how many were revoked now.
    async fn revoke_office(&self, office_id: Uuid, now: DateTime<Utc>) -> Result<usize>;
    /// Applies a batch of changes to an office's records in one transaction: each change
    /// once (a change id seen before is `duplicate`), merged field by field, or rejected with
    /// its reason (a record whose `org_id` is not the office's bound `org_id` among them).
    /// `pushed_by` is the authenticated device (or the office's county device).
    async fn push(&self, office_id: Uuid, pushed_by: Uuid, changes: Vec<Change>, now: DateTime<Utc>) -> Result<Vec<PushResult>>;
    /// The office's changes after `since` not made by `device_id`, oldest first, at most
    /// `limit` (clamped to 1..=MAX_BATCH).
    async fn pull(&self, office_id: Uuid, device_id: Uuid, since: i64, limit: usize, now: DateTime<Utc>) -> Result<PullResponse>;
    /// Every record of an office, deleted ones included (tombstones), by kind and id.
    async fn records(&self, office_id: Uuid) -> Result<Vec<StoredRecord>>;
    async fn record(&self, office_id: Uuid, kind: &str, record_id: Uuid) -> Result<Option<StoredRecord>>;
}

/// Opens the store named on the command line: `--data DIR` or `--database postgres://…`.
pub async fn open(data: Option<&Path>, database: Option<&str>) -> Result<Arc<dyn CountyStore>> {
    match (data, database) {
        (_, Some(url)) => Ok(Arc::new(PgStore::connect(url, None).await?)),
        (Some(dir), None) => Ok(Arc::new(SqliteStore::open(dir).await?)),
        (None, None) => Err(crate::error::CountyError::Invalid("请用 --data 目录 或 --database postgres://… 指定数据库".into())),
    }
}

pub(crate) fn clamp_limit(limit: usize) -> usize {
    limit.clamp(1, fengqiao_sync::protocol::MAX_BATCH)
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

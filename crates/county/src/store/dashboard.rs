//! What the county dashboard keeps besides the offices' records: county accounts and their
//! sessions, the county's settings, and the changes the county refused (which the office
//! sets aside). Part of every store (`CountyStore: DashboardStore`), in schema version 2,
//! and of the conformance suite. Schema version 3 adds the county's own audit log (sign-ins,
//! exports, administrative actions); version 4 the offices' audit logs, as each device sends
//! its hash chain (see `crate::office_audit`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::Result;

/// The two kinds of county account: viewers read, admins also manage offices, notices and
/// settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Viewer,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }
    pub fn from_code(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Viewer => "查看",
        }
    }
}

/// A county account (its password hash is never part of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// A change the county refused on push, with its reason: the office keeps it set aside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    pub change_id: Uuid,
    pub device_id: Uuid,
    pub kind: String,
    pub record_id: Uuid,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Per office: what its devices have still to pull, and what the county refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OfficeBacklog {
    /// The most changes any live device of the office has not pulled yet.
    pub undelivered: i64,
    /// Changes the county refused (set aside on the office's PCs).
    pub rejected: i64,
}

/// One line of the county's own audit log: who did what to what, from where. Not the offices'
/// audit logs (those travel with their records); see `crate::audit` for the actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Its place in the log (assigned by the store; ignored when adding).
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The account name, or `命令行（user）` for the command line.
    pub actor: String,
    /// One of `crate::audit`'s action codes, e.g. `sign_in_failed`.
    pub action: String,
    /// What was acted on: an account name, an office, a period.
    pub target: Option<String>,
    pub detail: Option<String>,
    /// The client's IP address (HTTP); none on the command line.
    pub client: Option<String>,
}

#[async_trait]
pub trait DashboardStore: Send + Sync + 'static {
    /// Adds an account; false when the name is taken.
    async fn create_user(&self, user: &User, password_hash: &str) -> Result<bool>;
    /// The account of this name with its password hash.
    async fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>>;
    /// Every account, oldest first.
    async fn users(&self) -> Result<Vec<User>>;
    /// Stores a session (its token's hash) until `expires_at`.
    async fn create_session(&self, token_hash: &str, user_id: Uuid, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()>;
    /// The account of a session not yet expired at `now`.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>>;
    /// Ends a session (and any expired ones); false when there was none.
    async fn delete_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<bool>;
    /// A county setting (JSON), None when never set.
    async fn setting(&self, key: &str) -> Result<Option<Value>>;
    async fn set_setting(&self, key: &str, value: &Value, now: DateTime<Utc>) -> Result<()>;
    /// Notes changes the county refused; a change noted before keeps its first note.
    async fn record_rejections(&self, office_id: Uuid, rejections: &[Rejection]) -> Result<()>;
    /// The refused changes of an office, newest first.
    async fn rejections(&self, office_id: Uuid) -> Result<Vec<Rejection>>;
    /// Per office id: undelivered and refused changes (offices with neither may be absent).
    async fn backlogs(&self) -> Result<Vec<(Uuid, OfficeBacklog)>>;
    /// Appends a line to the county's audit log.
    async fn add_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// The latest `limit` lines of the audit log, newest first.
    async fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>>;
    /// The last entry of a device's audit log the county holds: (seq, hash).
    async fn office_audit_head(&self, device_id: Uuid) -> Result<Option<(i64, String)>>;
    /// Appends a device's audit entries (checked by the caller to continue its chain), in one
    /// transaction, if the device's last held entry is still `after`; false when another
    /// request added entries meanwhile (nothing is written then).
    async fn add_office_audit(
        &self,
        office_id: Uuid,
        device_id: Uuid,
        after: i64,
        entries: &[fengqiao_store::AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// The latest `limit` audit entries of an office's devices, newest first.
    async fn office_audit(&self, office_id: Uuid, limit: usize) -> Result<Vec<fengqiao_store::AuditEntry>>;
}

//! The wire protocol, version 1. JSON over HTTP under `/api/v1/`; a device authenticates with
//! `Authorization: Bearer <device token>` after enrolling with a one-time code.
//!
//! - `POST /api/v1/enroll` — [`EnrollRequest`] → [`EnrollResponse`].
//! - `POST /api/v1/push` — [`PushRequest`] → [`PushResponse`]: a batch of the office's change-log
//!   entries. The county applies each idempotently (the same `change_id` twice has one effect),
//!   merging field by field (`fengqiao_model::merge`), in one transaction with its
//!   bookkeeping; a change it can never accept comes back `rejected` with a reason and does not
//!   block the others.
//! - `GET /api/v1/pull?since=CURSOR&limit=N[&settings=VERSION]` — [`PullResponse`]: every
//!   change the county holds for this office after `CURSOR` (its own sequence) that did not
//!   come from the asking device: other PCs of the office, and the county's own (e.g. a
//!   刑满释放人员通知书). The last page (`more` false) also carries the county's settings for
//!   its offices ([`CountyPolicy`]: reminder periods, targets, the county's name) when their
//!   `version` differs from the `VERSION` the device says it holds, or it names none (a client
//!   that does not know the parameter gets them every time and ignores the field). A county
//!   whose administrators never saved settings sends none: each office keeps its own
//!   reminder settings and the default targets until it does. Once applied, the county's
//!   settings are in force on the office and cannot be changed there.
//! - `GET /api/v1/health` — [`Health`].
//!
//! Version negotiation: a request to enroll, push or pull carries the header
//! [`PROTOCOL_HEADER`] with the versions the client speaks, newest first (`2, 1`; a client of
//! release 0.1 sends `1`). The server speaks the newest of them within
//! [`OLDEST_PROTOCOL_VERSION`]`..=`[`PROTOCOL_VERSION`] ([`negotiate`]) and names it in the same
//! header of its answer; a client older than the server thus keeps working as long as the
//! server still speaks its version. None in common (or the header missing) is 426 with an
//! [`ErrorBody`] saying which side to upgrade. Versions change only for incompatible changes:
//! a new optional field is not one (both sides ignore fields they do not know).
//! Errors are 4xx/5xx with an [`ErrorBody`] whose message is Chinese.
//!
//! What the county server (`fengqiao-county`) answers, by status and [`ErrorBody::code`]:
//! - 400 `bad_request`: the body is not JSON or a field has the wrong type (the message names
//!   the field path); bad query parameters of pull. Nothing was written.
//! - 401 `unauthorized` (with `WWW-Authenticate: Bearer`): token missing, unknown or revoked —
//!   a revocation takes effect on the device's next request. 401 `invalid_enrollment_code` from
//!   enroll: no such code, used, or expired.
//! - 409 from enroll: `device_conflict` (the device id belongs to another office) or
//!   `office_conflict` (the device's `office_id` differs from the one the office is bound to,
//!   or is bound to another office). The code stays unused.
//! - 413 `too_large`: the body exceeds [`MAX_BODY_BYTES`] after decompression, or a push holds
//!   more than [`MAX_BATCH`] changes; split the batch.
//! - 415 `unsupported_encoding`: a `Content-Encoding` other than `gzip` or `identity`.
//! - 426 `unsupported_protocol`: the protocol header is missing (enroll, push, pull) or offers
//!   no version the server speaks; the message says whether the office's program or the
//!   county server is the one to upgrade.
//! - 5xx (`internal`, `unavailable`): the county's fault; retry later.
//!
//! Request bodies may be gzip-compressed (`Content-Encoding: gzip`); responses are gzip when
//! the request says `Accept-Encoding: gzip`. A change whose record does not belong to the
//! pushing device's office (`data.org_id` is not the office's id) is `rejected` with a reason
//! containing “不属于本所”, like any other invalid change; it never fails the whole request.
//! Other reasons: unknown `kind` or `op`, `data` not of the kind's record type, `data.id` not
//! `record_id`, a malformed `hlc` or `created_at`, a `changed_fields` entry missing from
//! `data`, a NUL character in the data, and a `change_id` the county already holds with other
//! content (kind, record, op, stamp or data differ: the office's change log is not what it
//! sent) — only the very same change again is a `duplicate`.

pub use fengqiao_store::reminders::CountyPolicy;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The newest protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest version this build still speaks (a county keeps answering offices that old).
pub const OLDEST_PROTOCOL_VERSION: u32 = 1;
pub const PROTOCOL_HEADER: &str = "fengqiao-protocol";

/// What a client of this build sends in [`PROTOCOL_HEADER`]: its versions, newest first.
pub fn offered_versions() -> String {
    (OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).rev().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
}

/// Why no version could be agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    Missing,
    /// Not a list of numbers.
    Malformed(String),
    /// Every version offered is older than the server's oldest: the office upgrades.
    ClientTooOld {
        newest_offered: u32,
    },
    /// Every version offered is newer than the server's newest: the county upgrades.
    ClientTooNew {
        oldest_offered: u32,
    },
}

impl Unsupported {
    /// The Chinese message of the 426 answer.
    pub fn message(&self, oldest: u32, newest: u32) -> String {
        let range = if oldest == newest { format!("{newest}") } else { format!("{oldest}至{newest}") };
        match self {
            Unsupported::Missing => format!("请求缺少同步协议版本头 {PROTOCOL_HEADER}（县服务器支持协议版本{range}），请升级本机的枫桥司法所工作台"),
            Unsupported::Malformed(v) => format!("同步协议版本头“{v}”无法识别（县服务器支持协议版本{range}），请升级本机的枫桥司法所工作台"),
            Unsupported::ClientTooOld { newest_offered } => format!(
                "本机程序的同步协议版本{newest_offered}已过旧，县服务器只支持协议版本{range}：请升级本机的枫桥司法所工作台后再同步，记录保存在本机，不会丢失"
            ),
            Unsupported::ClientTooNew { oldest_offered } => format!(
                "本机程序的同步协议版本{oldest_offered}比县服务器新（服务器支持协议版本{range}）：请联系县司法局升级县服务器（fengqiao-county），记录保存在本机，不会丢失"
            ),
        }
    }
}

/// The version a server speaking `oldest..=newest` answers a client whose header is `offered`:
/// the newest version offered within that range.
pub fn negotiate(offered: Option<&str>, oldest: u32, newest: u32) -> Result<u32, Unsupported> {
    let offered = offered.map(str::trim).filter(|v| !v.is_empty()).ok_or(Unsupported::Missing)?;
    let versions: Vec<u32> = offered
        .split(',')
        .map(|v| v.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| Unsupported::Malformed(offered.chars().take(20).collect()))?;
    if let Some(v) = versions.iter().copied().filter(|v| (oldest..=newest).contains(v)).max() {
        return Ok(v);
    }
    let (min, max) = (versions.iter().copied().min().unwrap_or(0), versions.iter().copied().max().unwrap_or(0));
    Err(if max < oldest { Unsupported::ClientTooOld { newest_offered: max } } else { Unsupported::ClientTooNew { oldest_offered: min } })
}
/// Most changes in one push, and in one pull page. (Up to 500 before 2026-11: a county of
/// then clamps a larger pull `limit` to its own 500, and an agent sends pushes of 500.)
pub const MAX_BATCH: usize = 2_000;

/// Changes an agent sends in one push: small enough that the next batch is read from the
/// change log while one travels and the county applies it.
pub const PUSH_BATCH: usize = 500;

/// Most audit entries in one `POST /api/v1/audit`: they are small and only appended, so ten
/// times a change batch (fewer round trips and transactions for an office's first send).
pub const MAX_AUDIT_BATCH: usize = 5_000;
/// Largest request body the county accepts (after decompression).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub enrollment_code: String,
    /// The id the device made for itself (the store's device id).
    pub device_id: Uuid,
    /// e.g. the PC's host name, shown to the county.
    pub device_name: String,
    /// The office id the device's records already carry as `org_id` (its store's office), or
    /// none for a new PC with no store yet. The first enrollment binds the county's office to
    /// this id; a later device with a different one is refused (409), and a device with none
    /// adopts the bound id from the response.
    #[serde(default)]
    pub office_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The office id records carry as `org_id` (bound at the first enrollment).
    pub office_id: Uuid,
    pub office_name: String,
    pub division_code: String,
    /// The device credential; the county stores only its hash.
    pub device_token: String,
}

/// One change-log entry on the wire (the office store's `ChangeEntry` without local state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub change_id: Uuid,
    /// The record kind's code, e.g. `dispute_case`.
    pub kind: String,
    pub record_id: Uuid,
    /// `upsert` or `delete`.
    pub op: String,
    pub version: i64,
    /// The record's full data after the change (domain.md field names).
    pub data: Value,
    pub changed_fields: Vec<String>,
    /// Hybrid logical clock stamp `{ms:015}-{counter:06}-{device}`; orders changes.
    pub hlc: String,
    pub device_id: Uuid,
    pub created_at: String,
}

/// `POST /api/v1/audit`: a device's audit log entries after the last the county holds, oldest
/// first (at most [`MAX_AUDIT_BATCH`]). The county checks that they continue the device's hash chain
/// as it holds it, so an entry changed or removed on the PC after it was sent is seen there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPushRequest {
    pub entries: Vec<fengqiao_store::AuditEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPushResponse {
    /// The last entry of this device the county now holds (0: none).
    pub held_through: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    /// Applied now.
    Applied,
    /// Seen before (same `change_id`): no effect, acknowledged again.
    Duplicate,
    /// Can never be applied (invalid); the agent sets it aside and goes on.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResult {
    pub change_id: Uuid,
    pub status: PushStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<PushResult>,
}

/// The query parameter of pull naming the version of the county's settings the device holds.
pub const SETTINGS_PARAM: &str = "settings";

/// `limit` is clamped to `1..=MAX_BATCH` (default `MAX_BATCH`); a missing or negative `since`
/// is 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass as `since` next time. On the last page (`more` false) it may lie past the last
    /// change returned (past the asking device's own changes), never past one still to come.
    pub next_cursor: i64,
    /// More changes wait after this page.
    pub more: bool,
    /// The county's settings for its offices, on the last page only, when the device's
    /// [`SETTINGS_PARAM`] did not name their current version (absent from the JSON otherwise:
    /// an optional field, so peers that do not know it are unaffected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<CountyPolicy>,
}

impl PullResponse {
    /// A page of changes without settings.
    pub fn page(changes: Vec<Change>, next_cursor: i64, more: bool) -> PullResponse {
        PullResponse { changes, next_cursor, more, settings: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub protocol: u32,
    pub version: String,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable, e.g. `unauthorized`, `bad_request`, `too_large`, `forbidden`.
    pub code: String,
    /// Chinese, for the clerk or the county's IT staff.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_picks_the_newest_common_version() {
        // A client of release 0.1 sends "1".
        assert_eq!(negotiate(Some("1"), 1, 1), Ok(1));
        assert_eq!(negotiate(Some("1"), 1, 2), Ok(1));
        assert_eq!(negotiate(Some("2, 1"), 1, 1), Ok(1));
        assert_eq!(negotiate(Some(" 3,2,1 "), 1, 2), Ok(2));
        assert_eq!(negotiate(Some("1, 2"), 1, 2), Ok(2));
        assert_eq!(negotiate(None, 1, 1), Err(Unsupported::Missing));
        assert_eq!(negotiate(Some(" "), 1, 1), Err(Unsupported::Missing));
        assert_eq!(negotiate(Some("v1"), 1, 1), Err(Unsupported::Malformed("v1".into())));
        assert_eq!(negotiate(Some("1"), 2, 3), Err(Unsupported::ClientTooOld { newest_offered: 1 }));
        assert_eq!(negotiate(Some("3, 2"), 1, 1), Err(Unsupported::ClientTooNew { oldest_offered: 2 }));
        assert!(Unsupported::ClientTooOld { newest_offered: 1 }.message(2, 3).contains("请升级本机"));
        assert!(Unsupported::ClientTooNew { oldest_offered: 2 }.message(1, 1).contains("升级县服务器"));
        assert_eq!(offered_versions(), (OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).rev().map(|v| v.to_string()).collect::<Vec<_>>().join(", "));
    }

    #[test]
    fn the_settings_of_a_pull_are_an_optional_field() {
        // A county that does not send settings (or an older one) answers what a v1 client
        // reads, and its answer reads here.
        let page = PullResponse::page(vec![], 7, false);
        assert_eq!(serde_json::to_value(&page).unwrap(), serde_json::json!({"changes": [], "next_cursor": 7, "more": false}));
        let back: PullResponse = serde_json::from_str(r#"{"changes": [], "next_cursor": 7, "more": false}"#).unwrap();
        assert_eq!(back, page);
        // With settings, a client that knows only the three fields still reads the page.
        let policy = CountyPolicy::new("东山县司法局", Default::default(), Default::default());
        let with = PullResponse { settings: Some(policy.clone()), ..page };
        let json = serde_json::to_string(&with).unwrap();
        #[derive(Deserialize)]
        struct V1 {
            changes: Vec<Change>,
            next_cursor: i64,
            more: bool,
        }
        let v1: V1 = serde_json::from_str(&json).unwrap();
        assert_eq!((v1.changes.len(), v1.next_cursor, v1.more), (0, 7, false));
        assert_eq!(serde_json::from_str::<PullResponse>(&json).unwrap().settings, Some(policy));
    }
}

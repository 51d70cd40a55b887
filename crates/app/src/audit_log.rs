//! 审计日志 for the 所长: who did what to which record, when, from which PC — newest first, a
//! page at a time — and whether the hash chain is whole, here and at the county.

use chrono::{DateTime, Duration};
use fengqiao_store::{AuditEntry, Permission};
use serde::{Deserialize, Serialize};

use crate::{AppError, AppState};

/// Most entries a page holds.
const MAX_PAGE: usize = 500;

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AuditQuery {
    /// Entries before this one (the next page); none: the newest.
    pub before_seq: Option<i64>,
    /// Entries per page (default 100, at most 500).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditLine {
    pub seq: i64,
    /// 北京时间, e.g. 2026-11-20 10:00:00.
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The action in Chinese (新建, 登录失败, 查看完整号码 …).
    pub action_label: String,
    pub summary: String,
    /// The first 8 characters of the PC's device id.
    pub device: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditLogView {
    pub lines: Vec<AuditLine>,
    /// More entries wait before the last line.
    pub more: bool,
    /// The chain checked from its first entry: None when whole, else where it breaks.
    pub problem: Option<String>,
    pub checked: i64,
    /// Entries the county confirmed holding (0 before the first sync).
    pub sent_to_county: i64,
    /// Why the county last refused this PC's audit log, if it did.
    pub county_refused: Option<String>,
}

/// The action codes the store and the app write, in Chinese.
pub fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "新建",
        "update" => "修改",
        "delete" => "删除",
        "transition" => "办理环节",
        "void_number" => "作废编号",
        "import" => "导入",
        "backup" => "备份",
        "restore" => "恢复",
        "sync_apply" => "同步收到",
        "settings" | "reminder_settings" => "修改设置",
        "county_settings" => "县局下发设置",
        "account_add" => "新建账号",
        "account_change" => "修改账号",
        "password_change" => "修改密码",
        "password_set" => "重设密码",
        "password_reset_recovery" => "恢复密钥重设密码",
        "secure_store" => "数据加密",
        "sign_in" => "登录",
        "sign_in_failed" => "登录失败",
        "unlock_failed" => "解锁失败",
        "unmask" => "查看完整号码",
        "print" => "打印",
        "export" => "导出",
        _ => "其他",
    }
}

fn beijing(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| (t.naive_utc() + Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| at.to_string())
}

fn line(e: AuditEntry) -> AuditLine {
    AuditLine {
        seq: e.seq,
        at: beijing(&e.at),
        action_label: action_label(&e.action).to_string(),
        actor: e.actor,
        action: e.action,
        summary: e.summary,
        device: e.device_id.chars().take(8).collect(),
    }
}

/// A page of the audit log (所长 only), with the chain's check.
pub fn audit_log(state: &AppState, query: AuditQuery) -> Result<AuditLogView, AppError> {
    state.require(Permission::ViewAudit)?;
    let limit = query.limit.map_or(100, |l| l as usize).clamp(1, MAX_PAGE);
    state.with(|s| {
        let before = query.before_seq.unwrap_or(i64::MAX);
        // One more than a page tells whether there is a next one.
        let mut entries: Vec<AuditEntry> = s.audit_entries_before(before, limit + 1)?;
        let more = entries.len() > limit;
        entries.truncate(limit);
        let check = s.verify_audit()?;
        let sent_to_county = s.sync_setting(fengqiao_store::audit::SENT_TO_COUNTY_KEY)?.and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok(AuditLogView {
            lines: entries.into_iter().map(line).collect(),
            more,
            problem: check.problem.map(|p| p.message),
            checked: check.checked,
            sent_to_county,
            county_refused: s.sync_setting(fengqiao_sync::agent::Agent::AUDIT_REFUSED_KEY)?,
        })
    })
}

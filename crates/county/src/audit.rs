//! The county's own audit log (schema version 3): who signed in or failed to, who exported what,
//! and every administrative action, from the dashboard (with the client's address) or the
//! command line. Admins read it at `GET /api/v1/dashboard/audit` and with `audit list`.

use chrono::Utc;

use crate::store::{AuditEntry, CountyStore};

pub const SIGN_IN: &str = "sign_in";
pub const SIGN_IN_FAILED: &str = "sign_in_failed";
/// An account name or an address locked out after too many failures (written once, when the
/// lock begins; the attempts refused during the lock are not written one by one).
pub const SIGN_IN_LOCKED: &str = "sign_in_locked";
pub const SIGN_OUT: &str = "sign_out";
pub const EXPORT_ROLLUP_XLSX: &str = "export_rollup_xlsx";
pub const EXPORT_ROLLUP_PDF: &str = "export_rollup_pdf";
/// `fengqiao-county export`: an office's records as JSON Lines.
pub const EXPORT_OFFICE: &str = "export_office";
pub const OFFICE_ADD: &str = "office_add";
pub const OFFICE_CODE: &str = "office_code";
pub const OFFICE_REVOKE: &str = "office_revoke";
pub const DEVICE_REVOKE: &str = "device_revoke";
pub const NOTICE_ADD: &str = "notice_add";
pub const SETTINGS_CHANGE: &str = "settings_change";
pub const USER_ADD: &str = "user_add";

/// The action in Chinese, for the dashboard and `audit list`.
pub fn label(action: &str) -> &'static str {
    match action {
        SIGN_IN => "登录",
        SIGN_IN_FAILED => "登录失败",
        SIGN_IN_LOCKED => "登录锁定",
        SIGN_OUT => "退出登录",
        EXPORT_ROLLUP_XLSX => "导出统计表（Excel）",
        EXPORT_ROLLUP_PDF => "导出统计表（PDF）",
        EXPORT_OFFICE => "导出司法所数据",
        OFFICE_ADD => "登记司法所",
        OFFICE_CODE => "发放注册码",
        OFFICE_REVOKE => "停用司法所设备",
        DEVICE_REVOKE => "停用设备",
        NOTICE_ADD => "下发通知书",
        SETTINGS_CHANGE => "修改县局设置",
        USER_ADD => "添加账号",
        _ => "其他",
    }
}

/// The actor of a command-line action: the operating-system account that ran it.
pub fn cli_actor() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_default();
    if user.trim().is_empty() {
        "命令行".into()
    } else {
        format!("命令行（{}）", user.trim())
    }
}

/// Writes one line now. The action it records has already happened, so a failure to write is
/// reported on the county's log rather than turned into an error for the user.
pub async fn record(store: &dyn CountyStore, actor: &str, action: &str, target: Option<String>, detail: Option<String>, client: Option<String>) {
    let entry = AuditEntry { id: 0, at: Utc::now(), actor: actor.to_string(), action: action.to_string(), target, detail, client };
    if let Err(e) = store.add_audit(&entry).await {
        eprintln!("fengqiao-county: 无法写入审计日志（{actor} {action}）：{e}");
    }
}

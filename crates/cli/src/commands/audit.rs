//! `audit`: check the audit log's hash chain, and list its latest entries.

use serde_json::json;

use super::{open, say};
use crate::args::AuditAction;
use crate::table::Table;
use crate::{CliError, Env};

pub fn audit(env: &Env, action: AuditAction) -> Result<(), CliError> {
    let store = open(env)?;
    // The audit log is the 所长's to read (it says who looked at whose file).
    store.require_permission(fengqiao_store::Permission::ViewAudit)?;
    match action {
        AuditAction::Verify => {
            let check = store.verify_audit()?;
            if !check.is_ok() {
                return Err(CliError::AuditBroken(check));
            }
            say(env, json!({ "ok": true, "checked": check.checked }), || check.to_string());
            Ok(())
        }
        AuditAction::List { limit } => {
            let entries = store.audit_entries(limit)?;
            if env.json {
                crate::out(&format!("{}\n", json!({ "ok": true, "entries": entries })));
                return Ok(());
            }
            if entries.is_empty() {
                crate::out("审计日志中还没有记录\n");
                return Ok(());
            }
            let mut t = Table::new(&[("序号", 0), ("时间（北京时间）", 0), ("操作人", 16), ("操作", 0), ("内容", 60)]);
            for e in &entries {
                t.row(vec![e.seq.to_string(), beijing(&e.at), e.actor.clone(), e.action.clone(), e.summary.clone()]);
            }
            crate::out(&format!("{}最近{}条（最新的在前）；核对是否被改动：fengqiao-cli audit verify\n", t.render(), entries.len()));
            Ok(())
        }
    }
}

/// A stored UTC time as Beijing time to the second (as stored if it does not parse).
fn beijing(at: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(at) else { return at.to_string() };
    let east8 = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    t.with_timezone(&east8).format("%Y-%m-%d %H:%M:%S").to_string()
}

//! `AppError`: what a command refused or failed at, as `{code, message}` with a Chinese
//! message, plus the per-field problems (to show beside each field) and the workflow's
//! refusal reasons (to show beside the button).

use fengqiao_model::{FieldIssue, Issues};
use fengqiao_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppError {
    /// Machine-readable: the store's codes (`invalid`, `refused`, `rule`, `not_found`,
    /// `conflict`, `not_initialized` …) and the app's own (`bad_input`, `already_initialized`).
    pub code: String,
    /// What the clerk reads.
    pub message: String,
    /// Validation problems, each naming its field (`parties[0].person.id_number`).
    pub issues: Vec<FieldIssue>,
    /// Why a workflow step was refused.
    pub reasons: Vec<String>,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> AppError {
        AppError { code: code.into(), message: message.into(), issues: Vec::new(), reasons: Vec::new() }
    }

    /// Input that does not fit the command (a malformed date, an unknown code).
    pub fn bad_input(message: impl Into<String>) -> AppError {
        AppError::new("bad_input", message)
    }

    pub fn not_initialized() -> AppError {
        AppError::new("not_initialized", "尚未完成首次设置，请先填写司法所和调委会信息")
    }

    /// Validation problems: refused with every issue, each on its field.
    pub fn invalid(errors: Vec<FieldIssue>) -> AppError {
        // "公民身份号码校验码错误…" already names its field; "必须填写" does not.
        let say = |e: &FieldIssue| {
            if e.message.starts_with(&e.label) {
                e.message.clone()
            } else {
                format!("{}：{}", e.label, e.message)
            }
        };
        let message = match errors.len() {
            1 => say(&errors[0]),
            n => format!("有{n}处需要更正：{}", errors.iter().map(say).collect::<Vec<_>>().join("；")),
        };
        AppError { code: "invalid".into(), message, issues: errors, reasons: Vec::new() }
    }

    /// Refuses when `issues` holds errors; returns the warnings otherwise.
    pub fn check(issues: Issues) -> Result<Vec<FieldIssue>, AppError> {
        issues.into_result().map_err(|inv| AppError::invalid(inv.errors))
    }

    /// Puts every field path under `prefix` (`person` → `person.id_number`).
    pub fn under(mut self, prefix: &str) -> AppError {
        for i in &mut self.issues {
            i.field = if i.field.is_empty() { prefix.to_string() } else { format!("{prefix}.{}", i.field) };
        }
        self
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Invalid(inv) => AppError::invalid(inv.errors),
            StoreError::Refused(r) => AppError { code: "refused".into(), message: r.to_string(), issues: Vec::new(), reasons: r.reasons },
            other => AppError::new(other.code(), other.to_string()),
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> AppError {
        AppError::bad_input(format!("数据格式不正确：{e}"))
    }
}

//! What a command can fail with: a machine-readable code and a Chinese message.

use std::path::Path;

use fengqiao_render::RenderError;
use fengqiao_store::{ImportProblem, StoreError};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Sync with the county: enrollment, push, pull.
    #[error("{0}")]
    Sync(#[from] fengqiao_sync::SyncError),
    /// A file the command was told to read or write.
    #[error("{action}{path}失败：{}", io_cn(.source))]
    File { action: &'static str, path: String, source: std::io::Error },
    /// Bad arguments (after clap accepted them).
    #[error("{0}")]
    Usage(String),
    /// An encrypted store, or a command that sets a password, without the login name, password
    /// or recovery key it needs, and no terminal to ask on.
    #[error("{0}")]
    Credentials(String),
    /// An Excel ledger that could not be read, mapped or written.
    #[error("{0}")]
    Sheet(#[from] fengqiao_sheets::SheetError),
    /// Demo data that the store refused: a bug in the generator, said with the record.
    #[error("生成的演示数据未通过校验（{what}）：\n{source}")]
    Demo { what: String, source: StoreError },
    /// A document that could not be made: a character no font has, a font file that fails.
    #[error("{0}")]
    Document(#[from] fengqiao_documents::DocError),
    /// `audit verify` found the audit log changed: said with the first broken entry.
    #[error("{0}")]
    AuditBroken(fengqiao_store::AuditCheck),
    /// What `render` refuses: a document it does not know, a record the document does not fit.
    #[error("{message}")]
    Render { code: &'static str, message: String },
}

impl From<RenderError> for CliError {
    fn from(e: RenderError) -> Self {
        match e {
            RenderError::Store(e) => CliError::Store(e),
            RenderError::Document(e) => CliError::Document(e),
            RenderError::WrongSubject(m) => CliError::Usage(m),
            e @ RenderError::NotApplicable(_) => CliError::render(e.code(), e.to_string()),
        }
    }
}

impl CliError {
    pub fn file(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        CliError::File { action, path: path.display().to_string(), source }
    }

    pub fn render(code: &'static str, message: impl Into<String>) -> Self {
        CliError::Render { code, message: message.into() }
    }

    pub fn code(&self) -> &'static str {
        match self {
            CliError::Document(e) => e.code(),
            CliError::Render { code, .. } => code,
            CliError::Store(e) => e.code(),
            CliError::Sync(e) => e.code(),
            CliError::File { .. } => "io",
            CliError::Usage(_) => "usage",
            CliError::Credentials(_) => "credentials_missing",
            CliError::Demo { .. } => "demo_invalid",
            CliError::Sheet(e) => e.code(),
            CliError::AuditBroken(_) => "audit_broken",
        }
    }

    /// The process exit code: 2 for usage errors (as clap uses) and missing credentials (the
    /// command was not given what it needs), 3 for an audit log found changed (the check ran;
    /// its answer is no), 1 for everything else (a wrong password among them).
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) | CliError::Credentials(_) => 2,
            CliError::AuditBroken(_) => 3,
            _ => 1,
        }
    }

    pub fn problems(&self) -> Option<&[ImportProblem]> {
        match self {
            CliError::Store(StoreError::Import(p)) => Some(p),
            _ => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if let Some(p) = self.problems() {
            error["problems"] = serde_json::to_value(p).unwrap_or_default();
        }
        if let CliError::AuditBroken(check) = self {
            error["audit"] = serde_json::to_value(check).unwrap_or_default();
        }
        json!({ "ok": false, "error": error })
    }
}

/// An I/O error in Chinese (the common kinds; the system's text otherwise).
pub fn io_cn(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "文件或目录不存在".into(),
        PermissionDenied => "没有访问权限".into(),
        AlreadyExists => "文件已存在".into(),
        StorageFull => "磁盘空间不足".into(),
        InvalidData => "文件内容不是有效的文本".into(),
        _ => format!("{e}"),
    }
}

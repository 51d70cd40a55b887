use std::path::PathBuf;

use fengqiao_model::workflow::Refusal;
use fengqiao_model::Invalid;
use uuid::Uuid;

use crate::exchange::ImportProblem;

/// Everything the store can refuse or fail at. `code()` is machine-readable; Display is the
/// Chinese message a clerk can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// A rule across records (e.g. a zero report on a round with items).
    #[error("{0}")]
    Rule(String),
    #[error("找不到{kind}（编号{id}），可能已被删除")]
    NotFound { kind: &'static str, id: Uuid },
    #[error("{kind}已被修改（当前为第{current}版，您编辑的是第{yours}版），请刷新后重新修改")]
    Conflict { kind: &'static str, current: i64, yours: i64 },
    #[error("导入失败，未导入任何记录：\n{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Import(Vec<ImportProblem>),
    #[error("数据目录中已有数据库 {0}，不能重复初始化")]
    AlreadyInitialized(PathBuf),
    #[error("数据目录中没有数据库 {0}，请先运行 init 初始化")]
    NotInitialized(PathBuf),
    #[error("数据库由较新版本的程序创建（结构版本{found}，本程序支持到{supported}），请升级程序后再打开")]
    NewerSchema { found: i64, supported: i64 },
    /// The automatic backup before an upgrade could not be written; nothing was changed.
    #[error("数据库需要从结构版本{from}升级，但升级前的自动备份没有成功（{reason}），数据库没有做任何改动。请检查磁盘空间和数据目录的写入权限后重新打开程序；仍不行请联系县司法局的技术人员")]
    UpgradeBackupFailed { from: i64, reason: String },
    /// A migration failed and was rolled back: the database is as it was before.
    #[error("程序升级后，数据库未能从结构版本{from}升级到{to}。本次升级已全部撤销，数据库仍是升级前的状态，记录没有丢失。请重新安装原来版本的程序继续工作，并把这条消息发给县司法局的技术人员。升级前的自动备份：{}（技术信息：{reason}）", .backup.display())]
    UpgradeFailed { from: i64, to: i64, backup: PathBuf, reason: String },
    #[error("数据库文件已损坏或不是本程序的数据库：{0}")]
    Corrupt(String),
    /// The store is encrypted and was opened without signing in.
    #[error("数据已加密，请用账号和密码登录后再打开")]
    Locked,
    /// A wrong name or password, a disabled account, a malformed recovery key.
    #[error("{0}")]
    SignIn(String),
    /// The signed-in account's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("文件读写错误：{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Invalid(_) => "invalid",
            StoreError::Refused(_) => "refused",
            StoreError::Rule(_) => "rule",
            StoreError::NotFound { .. } => "not_found",
            StoreError::Conflict { .. } => "conflict",
            StoreError::Import(_) => "import",
            StoreError::AlreadyInitialized(_) => "already_initialized",
            StoreError::NotInitialized(_) => "not_initialized",
            StoreError::NewerSchema { .. } => "newer_schema",
            StoreError::UpgradeBackupFailed { .. } => "upgrade_backup_failed",
            StoreError::UpgradeFailed { .. } => "upgrade_failed",
            StoreError::Corrupt(_) => "corrupt",
            StoreError::Locked => "locked",
            StoreError::SignIn(_) => "sign_in",
            StoreError::Forbidden(_) => "forbidden",
            StoreError::Sqlite(_) => "database",
            StoreError::Io(_) => "io",
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(format!("记录内容无法解析：{e}"))
    }
}

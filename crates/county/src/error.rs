//! The county's one error type. Every message is Chinese, for the county's IT staff; the HTTP
//! layer never shows a database message to a device (it answers 500 with a generic message
//! and logs the detail).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CountyError {
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL数据库错误：{0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("无法连接PostgreSQL数据库：{0}")]
    Pool(String),
    #[error("数据库连接地址无效：{0}")]
    DatabaseUrl(String),
    #[error("数据格式错误：{0}")]
    Json(#[from] serde_json::Error),
    #[error("读写文件出错：{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("数据库中的数据损坏：{0}")]
    Corrupt(String),
    #[error("数据库由更新版本的程序创建（结构版本{found}，本程序支持到{supported}），请升级fengqiao-county")]
    TooNew { found: i64, supported: i64 },
    /// The backup before an upgrade could not be written; nothing was changed.
    #[error("数据库需要从结构版本{from}升级，但升级前的自动备份没有成功（{reason}），数据库没有做任何改动。请检查磁盘空间和数据目录的写入权限后再启动fengqiao-county")]
    UpgradeBackupFailed { from: i64, reason: String },
    /// The migration failed and was rolled back whole.
    #[error("数据库未能从结构版本{from}升级到{to}。本次升级已全部撤销，数据库仍是升级前的状态。请重新安装原来版本的fengqiao-county继续服务，并把这条日志发给技术支持。升级前的备份：{}（技术信息：{reason}）", .backup.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "PostgreSQL数据库请用升级前的pg_dump备份".into()))]
    UpgradeFailed { from: i64, to: i64, backup: Option<PathBuf>, reason: String },
    #[error("无法打开数据目录{}：{reason}", .path.display())]
    DataDir { path: PathBuf, reason: String },
    #[error("后台任务异常结束：{0}")]
    Task(String),
}

impl CountyError {
    /// A machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CountyError::Invalid(_) => "invalid",
            CountyError::NotFound(_) => "not_found",
            CountyError::Pool(_) => "unavailable",
            CountyError::TooNew { .. } => "too_new",
            CountyError::UpgradeBackupFailed { .. } => "upgrade_backup_failed",
            CountyError::UpgradeFailed { .. } => "upgrade_failed",
            _ => "internal",
        }
    }
}

impl From<deadpool_postgres::PoolError> for CountyError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => CountyError::Postgres(e),
            other => CountyError::Pool(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for CountyError {
    fn from(e: tokio::task::JoinError) -> Self {
        CountyError::Task(e.to_string())
    }
}

pub type Result<T, E = CountyError> = std::result::Result<T, E>;

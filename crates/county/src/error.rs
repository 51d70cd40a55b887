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

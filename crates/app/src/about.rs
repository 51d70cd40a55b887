//! 关于: the versions a county IT person asks for first, and where the data and the logs are.

use serde::Serialize;

use crate::logs::Log;
use crate::{AppError, AppState};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogFile {
    pub name: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct About {
    /// The program's version (`fengqiao --version`).
    pub version: String,
    /// The database structure this program writes, and the one the office's file has (none
    /// before first run).
    pub schema_version: i64,
    pub database_version: Option<i64>,
    /// The sync protocol version this program speaks with the county.
    pub protocol_version: u32,
    pub data_dir: String,
    pub log_dir: String,
    /// Newest first.
    pub logs: Vec<LogFile>,
}

pub fn about(state: &AppState, log: &Log) -> Result<About, AppError> {
    let database_version = match state.shared_store() {
        Some(shared) => Some(fengqiao_store::schema::version_of(AppState::lock_store(shared).connection())?),
        None => None,
    };
    Ok(About {
        version: crate::VERSION.to_string(),
        schema_version: fengqiao_store::schema::current_version(),
        database_version,
        protocol_version: fengqiao_sync::protocol::PROTOCOL_VERSION,
        data_dir: state.data_dir().display().to_string(),
        log_dir: log.dir().display().to_string(),
        logs: log.files().into_iter().map(|(name, bytes)| LogFile { name, bytes }).collect(),
    })
}

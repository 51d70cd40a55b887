//! 备份与恢复 in the window: a backup file encrypted with a 备份密码 the 所长 chooses (typed twice),
//! what a backup file holds before it is restored, and the restore. The rules (the passphrase's
//! length, the checks of a file, who may do it) are the store's; this layer puts each refusal
//! beside its field.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use fengqiao_model::FieldIssue;
use fengqiao_store::{BackupInfo, Permission, StoreError};
use serde::{Deserialize, Serialize};

use crate::{AppError, AppState};

/// The extension given to a backup file named without one.
pub const BACKUP_EXTENSION: &str = "fqbak";

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct BackupInput {
    /// Where to write the backup (`.fqbak` is added to a name without an extension).
    pub path: String,
    /// 备份密码: at least 8 characters; needed to restore the backup, and kept nowhere.
    pub passphrase: String,
    /// The passphrase typed again.
    pub passphrase_confirm: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupDone {
    /// The file written.
    pub path: String,
    pub bytes: u64,
}

/// A backup file and its passphrase (to read its summary, or to restore it).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct BackupFileInput {
    pub path: String,
    pub passphrase: String,
}

/// What a backup file holds, shown before the 所长 confirms the restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupSummary {
    pub path: String,
    pub office_name: String,
    pub division_code: String,
    /// Whether the backup is this office's (another office's is refused by the restore).
    pub same_office: bool,
    /// When it was made (UTC, RFC 3339), and as the window shows it (office time,
    /// `2026-11-20 10:00`); None for a backup that did not record it.
    pub made_at: Option<String>,
    pub made_at_label: Option<String>,
    /// Who made it.
    pub made_by: Option<String>,
    pub schema_version: i64,
    /// Whether this program can restore it (false: made by a newer version; upgrade first).
    pub supported: bool,
    /// Live records in the backup: 纠纷案件, 安置帮教对象, 排查, people.
    pub cases: i64,
    pub released: i64,
    pub screening_rounds: i64,
    pub persons: i64,
    pub bytes: u64,
}

impl BackupSummary {
    fn of(path: &Path, info: BackupInfo, office_id: uuid::Uuid) -> BackupSummary {
        let made_at_label = info.made_at.as_deref().and_then(office_time);
        BackupSummary {
            path: path.display().to_string(),
            office_name: info.office_name,
            division_code: info.division_code,
            same_office: info.office_id == office_id,
            made_at: info.made_at,
            made_at_label,
            made_by: info.made_by,
            schema_version: info.schema_version,
            supported: info.supported,
            cases: info.cases,
            released: info.released,
            screening_rounds: info.screening_rounds,
            persons: info.persons,
            bytes: info.bytes,
        }
    }
}

/// An RFC 3339 time in office time (UTC+8), as `2026-11-20 10:00`.
fn office_time(t: &str) -> Option<String> {
    let office = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&office).format("%Y-%m-%d %H:%M").to_string())
}

fn issue(field: &str, label: &str, message: impl Into<String>) -> FieldIssue {
    FieldIssue { field: field.into(), label: label.into(), message: message.into() }
}

/// A path as typed or pasted (quotes around it are dropped).
fn clean_path(path: &str) -> PathBuf {
    PathBuf::from(path.trim().trim_matches('"').trim())
}

/// The store's refusal put beside the field it concerns, keeping the store's code (`rule`,
/// `corrupt`, `newer_schema` …) so the window can tell them apart.
fn beside_field(e: StoreError) -> AppError {
    let text = e.to_string();
    let field = match &e {
        StoreError::Rule(m) if m.starts_with("备份密码") || m.starts_with("请输入备份密码") => Some(("passphrase", "备份密码")),
        StoreError::Rule(m) if m.starts_with("备份文件") || m.starts_with("找不到备份文件") => Some(("path", "备份文件")),
        StoreError::Corrupt(_) | StoreError::NewerSchema { .. } | StoreError::Io(_) => Some(("path", "备份文件")),
        _ => None,
    };
    match field {
        Some((path, label)) => {
            let mut err = AppError::invalid(vec![issue(path, label, text)]);
            err.code = e.code().into();
            err
        }
        None => AppError::from(e),
    }
}

/// Checks the answers of a backup, every problem on its field, and returns where to write.
fn check_backup_input(input: &BackupInput) -> Result<PathBuf, AppError> {
    let mut issues = vec![];
    let mut path = clean_path(&input.path);
    if path.as_os_str().is_empty() {
        issues.push(issue("path", "备份文件", "请选择备份文件的保存位置"));
    } else {
        if path.extension().is_none() {
            path.set_extension(BACKUP_EXTENSION);
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            issues.push(issue("path", "备份文件", format!("找不到文件夹{}，请重新选择保存位置", dir.display())));
        } else if path.exists() {
            issues.push(issue("path", "备份文件", format!("文件{}已存在，请换一个文件名", path.display())));
        }
    }
    if let Err(e) = fengqiao_store::check_passphrase(&input.passphrase) {
        issues.push(issue("passphrase", "备份密码", e.to_string()));
    }
    if input.passphrase_confirm.is_empty() {
        issues.push(issue("passphrase_confirm", "确认备份密码", "请再输入一次备份密码"));
    } else if input.passphrase_confirm != input.passphrase {
        issues.push(issue("passphrase_confirm", "确认备份密码", "两次输入的备份密码不一致"));
    }
    if issues.is_empty() {
        Ok(path)
    } else {
        Err(AppError::invalid(issues))
    }
}

/// Checks a backup file and its passphrase as typed; returns the file's path.
fn check_file_input(input: &BackupFileInput) -> Result<PathBuf, AppError> {
    let mut issues = vec![];
    let path = clean_path(&input.path);
    if path.as_os_str().is_empty() {
        issues.push(issue("path", "备份文件", "请选择备份文件"));
    } else if !path.is_file() {
        issues.push(issue("path", "备份文件", format!("找不到文件{}", path.display())));
    }
    if input.passphrase.is_empty() {
        issues.push(issue("passphrase", "备份密码", "请输入备份密码"));
    }
    if issues.is_empty() {
        Ok(path)
    } else {
        Err(AppError::invalid(issues))
    }
}

/// 备份: writes the office's data to a file encrypted with the passphrase (through a temporary
/// file beside it, so a failure leaves no half file). 所长 only.
pub fn backup_office(state: &AppState, input: BackupInput) -> Result<BackupDone, AppError> {
    state.require(Permission::Administer)?;
    let path = check_backup_input(&input)?;
    state.with(|s| s.backup_with_passphrase(&path, &input.passphrase).map_err(beside_field))?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(BackupDone { path: path.display().to_string(), bytes })
}

/// What a backup file holds (office, when, by whom, how many records), read with its
/// passphrase without restoring anything: shown for the 所长 to confirm. 所长 only.
pub fn backup_info(state: &AppState, input: BackupFileInput) -> Result<BackupSummary, AppError> {
    state.require(Permission::Administer)?;
    let path = check_file_input(&input)?;
    let office_id = state.with(|s| Ok(s.office_id()))?;
    // Outside the store's lock: deriving the key and checking the file take a moment.
    let info = fengqiao_store::backup_info(&path, &input.passphrase).map_err(beside_field)?;
    Ok(BackupSummary::of(&path, info, office_id))
}

/// 恢复: replaces the office's data with the backup's, after the store checked the passphrase,
/// the file's integrity, its version and that it is this office's; refused with nothing
/// changed otherwise. This PC's accounts and its link to the county stay. Returns what was
/// restored. 所长 only.
pub fn restore_office(state: &AppState, input: BackupFileInput) -> Result<BackupSummary, AppError> {
    state.require(Permission::Administer)?;
    let path = check_file_input(&input)?;
    // The summary first, outside the store's lock: a wrong passphrase or a damaged file is
    // refused without making the window wait on the store.
    let info = fengqiao_store::backup_info(&path, &input.passphrase).map_err(beside_field)?;
    let office_id = state.with(|s| {
        s.restore_with_passphrase(&path, &input.passphrase).map_err(beside_field)?;
        Ok(s.office_id())
    })?;
    Ok(BackupSummary::of(&path, info, office_id))
}

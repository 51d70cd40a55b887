//! 导入Excel and 导出Excel on the lists (纠纷台账, 排查记录, 安置帮教), over `fengqiao-sheets`:
//! a preview with the columns as they were mapped (the clerk corrects them and previews
//! again) and every row with its problems; then the previewed rows imported in one
//! transaction, or the preview dropped. Nothing is written before the import.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fengqiao_sheets::{ExportKind, ExportOptions, ImportOptions, LedgerKind, Mapping, Plan, RowStatus, SheetError};
use serde::{Deserialize, Serialize};

use crate::{AppError, AppState};

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Ledger {
    /// 纠纷台账.
    Disputes,
    /// 排查记录 (one 排查 item per row).
    Screenings,
    /// 安置帮教.
    Released,
}

impl Ledger {
    fn kind(self) -> LedgerKind {
        match self {
            Ledger::Disputes => LedgerKind::Disputes,
            Ledger::Screenings => LedgerKind::Screenings,
            Ledger::Released => LedgerKind::Released,
        }
    }
}

/// The previewed plans waiting for 导入 or 取消, by token, each with its data directory (one
/// per app: a new preview drops the one before).
type Pending = std::collections::HashMap<u64, (PathBuf, Plan)>;

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    static PENDING: std::sync::OnceLock<std::sync::Mutex<Pending>> = std::sync::OnceLock::new();
    PENDING.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// A column the clerk mapped: its letter and the field code (none = not imported).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ColumnChoice {
    pub letter: String,
    pub field: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportInput {
    pub ledger: Ledger,
    /// The workbook (.xlsx, .xls).
    pub path: String,
    /// The sheet (none: the one whose header fits best).
    #[serde(default)]
    pub sheet: Option<String>,
    /// The clerk's corrections; columns not listed keep what was guessed.
    #[serde(default)]
    pub columns: Vec<ColumnChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportColumn {
    pub letter: String,
    pub header: String,
    pub field: Option<String>,
    pub field_label: Option<String>,
    /// Set by the clerk rather than guessed.
    pub from_mapping: bool,
}

/// A field a column can be mapped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportField {
    pub code: String,
    pub label: String,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportRow {
    /// As Excel numbers it.
    pub row: usize,
    /// `new`, `existing` or `rejected`, and its label (导入, 已存在，跳过, 不导入).
    pub status: String,
    pub status_label: String,
    pub summary: String,
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

/// The preview: nothing written yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportPreview {
    /// What 导入 and 取消 refer to; none when nothing can be imported yet (a required column
    /// is missing).
    pub token: Option<u64>,
    pub ledger: Ledger,
    pub ledger_label: String,
    pub path: String,
    pub sheet: String,
    pub sheets: Vec<String>,
    /// "第2行", "第2–3行".
    pub header_rows: String,
    pub columns: Vec<ImportColumn>,
    pub fields: Vec<ImportField>,
    /// Required fields no column holds.
    pub missing: Vec<String>,
    pub rows: Vec<ImportRow>,
    pub new_rows: usize,
    pub existing_rows: usize,
    pub rejected_rows: usize,
    /// Rows below the data skipped (合计, 填表人 …).
    pub skipped_rows: Vec<usize>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RejectedImportRow {
    pub row: usize,
    pub problems: Vec<String>,
}

/// What 导入 wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportResult {
    pub imported: usize,
    pub records: usize,
    pub existing: usize,
    pub rejected: Vec<RejectedImportRow>,
    pub skipped_rows: Vec<usize>,
}

pub(crate) fn sheet_error(e: SheetError) -> AppError {
    match e {
        SheetError::Store(e) => AppError::from(e),
        other => AppError::new(other.code(), other.to_string()),
    }
}

/// A path as typed or pasted (quotes around it are dropped).
fn clean_path(path: &str) -> PathBuf {
    PathBuf::from(path.trim().trim_matches('"').trim())
}

fn path_issue(message: impl Into<String>) -> AppError {
    AppError::invalid(vec![fengqiao_model::FieldIssue { field: "path".into(), label: "文件".into(), message: message.into() }])
}

fn next_token() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Reads the workbook, maps its columns and checks every row against the store. The plan is
/// kept for [`import_commit`]; a new preview replaces it.
pub fn import_preview(state: &AppState, input: ImportInput) -> Result<ImportPreview, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let path = clean_path(&input.path);
    if path.as_os_str().is_empty() {
        return Err(path_issue("请选择要导入的Excel文件"));
    }
    if !fengqiao_sheets::is_workbook(&path) {
        return Err(path_issue("只能导入Excel文件（.xlsx、.xls）"));
    }
    if !path.is_file() {
        return Err(path_issue(format!("找不到文件 {}", path.display())));
    }
    let grids = fengqiao_sheets::read_file(&path).map_err(sheet_error)?;
    let kind = input.ledger.kind();
    let mapping = Mapping {
        kind: Some(kind),
        sheet: input.sheet.clone().filter(|s| !s.is_empty()),
        header_row: None,
        columns: input
            .columns
            .iter()
            .filter(|c| !c.letter.is_empty())
            .map(|c| (c.letter.clone(), c.field.clone().filter(|f| !f.is_empty())))
            .collect::<BTreeMap<_, _>>(),
    };
    let (_, header) = fengqiao_sheets::headers::choose(&grids, &mapping).map_err(sheet_error)?;
    let fields = kind.fields().iter().map(|f| ImportField { code: f.code.into(), label: f.label.into(), required: f.required }).collect();
    let columns = header
        .columns
        .iter()
        .map(|c| ImportColumn {
            letter: c.letter.clone(),
            header: c.header.clone(),
            field: c.field.map(str::to_string),
            field_label: c.field_label.map(str::to_string),
            from_mapping: c.from_mapping,
        })
        .collect();
    let header_rows = if header.first_row == header.last_row {
        format!("第{}行", header.last_row + 1)
    } else {
        format!("第{}–{}行", header.first_row + 1, header.last_row + 1)
    };
    let mut preview = ImportPreview {
        token: None,
        ledger: input.ledger,
        ledger_label: kind.label().into(),
        path: path.display().to_string(),
        sheet: header.sheet.clone(),
        sheets: grids.iter().map(|g| g.name.clone()).collect(),
        header_rows,
        columns,
        fields,
        missing: header.missing.iter().map(|m| m.to_string()).collect(),
        rows: Vec::new(),
        new_rows: 0,
        existing_rows: 0,
        rejected_rows: 0,
        skipped_rows: Vec::new(),
        notes: header.notes.clone(),
    };
    pending().retain(|_, (dir, _)| dir != state.data_dir());
    if !header.missing.is_empty() {
        return Ok(preview);
    }
    let plan = state.with(|s| fengqiao_sheets::plan(s, &grids, &mapping, &ImportOptions::default()).map_err(sheet_error))?;
    preview.rows = plan
        .rows
        .iter()
        .map(|r| ImportRow {
            row: r.row,
            status: serde_json::to_value(r.status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            status_label: r.status.label().into(),
            summary: r.summary.clone(),
            problems: r.problems.clone(),
            warnings: r.warnings.clone(),
        })
        .collect();
    preview.new_rows = plan.count(RowStatus::New);
    preview.existing_rows = plan.count(RowStatus::Existing);
    preview.rejected_rows = plan.count(RowStatus::Rejected);
    preview.skipped_rows = plan.skipped_rows.clone();
    preview.notes = plan.notes.clone();
    let token = next_token();
    preview.token = Some(token);
    pending().insert(token, (state.data_dir().to_path_buf(), plan));
    Ok(preview)
}

/// Imports the previewed rows in one transaction (all of them or none) and says what was
/// skipped and why.
pub fn import_commit(state: &AppState, token: u64) -> Result<ImportResult, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let plan = match pending().remove(&token) {
        Some((dir, plan)) if dir == state.data_dir() => plan,
        Some(other) => {
            pending().insert(token, other);
            return Err(AppError::bad_input("预览已失效，请重新选择文件预览后再导入"));
        }
        None => return Err(AppError::bad_input("预览已失效，请重新选择文件预览后再导入")),
    };
    if plan.count(RowStatus::New) == 0 {
        return Err(AppError::new("rule", "没有可导入的行（都已存在或有问题）"));
    }
    let report = match state.with(|s| fengqiao_sheets::commit(s, &plan).map_err(sheet_error)) {
        Ok(r) => r,
        Err(e) => {
            // Nothing was written: the clerk may try again.
            pending().insert(token, (state.data_dir().to_path_buf(), plan));
            return Err(e);
        }
    };
    Ok(ImportResult {
        imported: report.imported,
        records: report.records,
        existing: report.existing,
        rejected: report.rejected.into_iter().map(|r| RejectedImportRow { row: r.row, problems: r.problems }).collect(),
        skipped_rows: plan.skipped_rows,
    })
}

/// Drops the preview: nothing is imported.
pub fn import_cancel(state: &AppState, token: u64) -> Result<(), AppError> {
    let mut pending = pending();
    if pending.get(&token).is_some_and(|(dir, _)| dir == state.data_dir()) {
        pending.remove(&token);
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportInput {
    pub ledger: Ledger,
    /// Where to write the .xlsx.
    pub path: String,
    /// ID numbers as 340524********001X (the default when not given). `false` writes them
    /// whole: only for an account that may see them, and recorded in the audit log.
    #[serde(default = "masked_by_default")]
    pub mask_ids: bool,
}

fn masked_by_default() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportResult {
    pub path: String,
    pub rows: usize,
    pub bytes: usize,
}

/// Writes the whole list as .xlsx (through a temporary file beside it, so a failure leaves
/// no half-written workbook). Whole ID numbers need the right to see them; an export of the
/// 安置帮教 ledger, and any export with whole numbers, is recorded in the audit log — a
/// workbook whose export cannot be recorded is removed and the export refused.
pub fn export_xlsx(state: &AppState, input: ExportInput) -> Result<ExportResult, AppError> {
    state.require(fengqiao_store::Permission::Export)?;
    if !input.mask_ids {
        state.require(fengqiao_store::Permission::SeePersonal)?;
    }
    let mut path = clean_path(&input.path);
    if path.as_os_str().is_empty() {
        return Err(path_issue("请选择保存位置"));
    }
    if path.extension().is_none() {
        path.set_extension("xlsx");
    }
    let kind = match input.ledger {
        Ledger::Disputes => ExportKind::Disputes,
        Ledger::Screenings => ExportKind::Screenings,
        Ledger::Released => ExportKind::Released,
    };
    let (bytes, rows) = state.with(|s| fengqiao_sheets::export_xlsx(s, kind, &ExportOptions { mask_ids: input.mask_ids }).map_err(sheet_error))?;
    write_atomically(&path, &bytes).map_err(|e| path_issue(format!("无法写入 {}：{e}", path.display())))?;
    if input.ledger == Ledger::Released || !input.mask_ids {
        let how = if input.mask_ids { "身份证号已隐去中间位" } else { "含完整身份证号" };
        let summary = format!("导出Excel《{}》：{rows}行，{how}，保存为 {}", input.ledger.kind().label(), path.display());
        let recorded = state.with(|s| {
            let office = s.office_id();
            Ok(s.record_access("export", fengqiao_model::Kind::Organization, office, &summary)?)
        });
        if let Err(e) = recorded {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
    }
    Ok(ExportResult { path: path.display().to_string(), rows, bytes: bytes.len() })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

//! The office's Excel ledgers in and out.
//!
//! In: a workbook (.xlsx, .xls) is read with calamine; the sheet and its header are found
//! (title rows above it, two header rows with merged cells, blank trailing rows); columns are
//! mapped onto fields by their Chinese names and synonyms, and the clerk may correct that
//! with a [`Mapping`]; every row's values are cleaned as people write them and checked with
//! the model's rules, so a [`Plan`] lists every row with its problems — the preview. Nothing
//! is written until [`commit`], which writes every accepted row in one transaction or none.
//! Record ids are derived from each row's natural key (编号; 身份证号 + 释放日期; unit,
//! date, parties and summary), and rows already in the store are skipped, so importing the
//! same sheet twice creates nothing twice.
//!
//! Out: the ledgers as .xlsx with Chinese headers, real date cells and, if asked, masked ID
//! numbers ([`export`]).

pub mod clean;
pub mod export;
pub mod grid;
pub mod headers;
mod plan;

pub use export::{export_xlsx, ExportKind, ExportOptions};
pub use grid::{read_bytes, read_file, Cell, Grid};
pub use headers::{Column, Header, LedgerKind, Mapping};
pub use plan::{commit, plan, ImportOptions, ImportReport, Plan, RowPlan, RowStatus};

use fengqiao_store::StoreError;

/// What reading, mapping, importing or exporting a workbook can fail with, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("{0}")]
    Read(String),
    #[error("在工作表“{0}”的前30行中找不到表头（如“当事人”“纠纷类型”“受理日期”或“姓名”“身份证号”“释放日期”）；可用映射文件指定表头所在行和各列字段")]
    NoHeader(String),
    #[error("映射有误：{0}")]
    Mapping(String),
    #[error("表中缺少必需的列：{}；请在映射文件中指明哪一列是这些字段", .0.join("、"))]
    MissingColumns(Vec<&'static str>),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("写入Excel文件失败：{0}")]
    Write(String),
}

impl SheetError {
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::Read(_) => "sheet_read",
            SheetError::NoHeader(_) => "sheet_no_header",
            SheetError::Mapping(_) => "sheet_mapping",
            SheetError::MissingColumns(_) => "sheet_missing_columns",
            SheetError::Store(e) => e.code(),
            SheetError::Write(_) => "sheet_write",
        }
    }
}

/// Whether a path names a workbook this crate reads (by its extension).
pub fn is_workbook(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods"))
}

//! The crate's one error type. Messages are in Chinese for the clerk; `code()` is for machines.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("字符“{ch}”({})在所有字体中都不存在，无法打印{}", code_point(*.ch), context_note(.context))]
    MissingGlyph { ch: char, context: String },

    #[error("无法读取字体文件“{}”：{source}", .path.display())]
    FontRead { path: PathBuf, source: std::io::Error },

    #[error("字体文件“{}”无法解析（不是有效的 TrueType/OpenType 字体，或其中没有第 {index} 号字体）", .path.display())]
    FontParse { path: PathBuf, index: usize },

    #[error("表格“{table}”第 {row} 行的列数不对：单元格共占 {got} 列，表格有 {want} 列")]
    GridShape { table: String, row: usize, got: usize, want: usize },

    #[error("文书“{0}”排版失败：{1}")]
    Layout(String, String),

    #[error("无法写入 PDF 文件“{}”：{source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

impl DocError {
    /// Stable machine-readable code for the shell's `{code, message}`.
    pub fn code(&self) -> &'static str {
        match self {
            DocError::MissingGlyph { .. } => "documents.missing_glyph",
            DocError::FontRead { .. } => "documents.font_read",
            DocError::FontParse { .. } => "documents.font_parse",
            DocError::GridShape { .. } => "documents.grid_shape",
            DocError::Layout(..) => "documents.layout",
            DocError::Write { .. } => "documents.write",
        }
    }
}

/// `U+4E00`, `U+20BB7`: at least four hex digits, as Unicode charts write it.
pub fn code_point(ch: char) -> String {
    format!("U+{:04X}", ch as u32)
}

fn context_note(context: &str) -> String {
    if context.is_empty() {
        String::new()
    } else {
        format!("（出现在“{context}”中）")
    }
}

pub type Result<T, E = DocError> = std::result::Result<T, E>;

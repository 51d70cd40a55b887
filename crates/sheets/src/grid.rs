//! A worksheet as a grid of cells, read with calamine from .xlsx, .xls (and .xlsb, .ods):
//! merged regions are filled with their top-left value, so a header merged over two columns
//! or a 调解员 merged down several rows reads as it looks.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, Reader, Sheets};
use chrono::NaiveDate;

use crate::SheetError;

/// One cell's value, as far as a ledger cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A region of merged cells, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: usize,
    pub first_col: usize,
    pub last_row: usize,
    pub last_col: usize,
}

/// One worksheet. `rows[r][c]` is the cell at 0-based row r and column c of the sheet.
#[derive(Debug, Clone)]
pub struct Grid {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    pub merges: Vec<Merge>,
}

impl Grid {
    pub fn cell(&self, r: usize, c: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows.get(r).and_then(|row| row.get(c)).unwrap_or(&EMPTY)
    }
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }
    /// The merge a cell lies in, if any.
    pub fn merge_at(&self, r: usize, c: usize) -> Option<&Merge> {
        self.merges.iter().find(|m| (m.first_row..=m.last_row).contains(&r) && (m.first_col..=m.last_col).contains(&c))
    }
    pub fn row_is_blank(&self, r: usize) -> bool {
        self.rows.get(r).is_none_or(|row| row.iter().all(Cell::is_empty))
    }
}

fn convert(d: &Data) -> Cell {
    match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(y as i32, m as u32, day as u32).map(Cell::Date).unwrap_or(Cell::Number(dt.as_f64()))
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => s.get(..10).and_then(|p| p.parse().ok()).map(Cell::Date).unwrap_or_else(|| Cell::Text(s.clone())),
        Data::DurationIso(s) => Cell::Text(s.clone()),
    }
}

/// Reads every worksheet of a workbook file (.xlsx, .xlsm, .xls, .xlsb, .ods).
pub fn read_file(path: &Path) -> Result<Vec<Grid>, SheetError> {
    let wb = calamine::open_workbook_auto(path).map_err(|e| SheetError::Read(read_error_cn(&e.to_string())))?;
    read_sheets(wb)
}

/// Reads every worksheet of a workbook held in memory (the format is sniffed).
pub fn read_bytes(bytes: Vec<u8>) -> Result<Vec<Grid>, SheetError> {
    let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| SheetError::Read(read_error_cn(&e.to_string())))?;
    read_sheets(wb)
}

fn read_error_cn(e: &str) -> String {
    if e.contains("password") || e.contains("Password") || e.contains("encrypt") {
        "工作簿设有密码，请在Excel中取消密码后再导入".into()
    } else {
        format!("无法读取工作簿（不是有效的Excel文件，或文件已损坏）：{e}")
    }
}

fn read_sheets<RS: Read + Seek>(mut wb: Sheets<RS>) -> Result<Vec<Grid>, SheetError> {
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(|e| SheetError::Read(format!("工作表“{name}”无法读取：{e}")))?;
        let (r0, c0) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); r0];
        for row in range.rows() {
            let mut cells = vec![Cell::Empty; c0];
            cells.extend(row.iter().map(convert));
            while cells.last().is_some_and(Cell::is_empty) {
                cells.pop();
            }
            rows.push(cells);
        }
        while rows.last().is_some_and(|r| r.iter().all(Cell::is_empty)) {
            rows.pop();
        }
        let dims = match &mut wb {
            Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        };
        let merges: Vec<Merge> = dims
            .iter()
            .map(|d| Merge { first_row: d.start.0 as usize, first_col: d.start.1 as usize, last_row: d.end.0 as usize, last_col: d.end.1 as usize })
            .collect();
        let mut grid = Grid { name, rows, merges };
        fill_merges(&mut grid);
        out.push(grid);
    }
    Ok(out)
}

/// Copies each merged region's top-left value into its other cells (capped, so a stray merge
/// over a whole column does not make a million cells).
fn fill_merges(g: &mut Grid) {
    for m in g.merges.clone() {
        if (m.last_row - m.first_row + 1) * (m.last_col - m.first_col + 1) > 100_000 {
            continue;
        }
        let v = g.cell(m.first_row, m.first_col).clone();
        if v.is_empty() {
            continue;
        }
        for r in m.first_row..=m.last_row.min(g.rows.len().saturating_sub(1)) {
            let row = &mut g.rows[r];
            if row.len() <= m.last_col {
                row.resize(m.last_col + 1, Cell::Empty);
            }
            for c in m.first_col..=m.last_col {
                if (r, c) != (m.first_row, m.first_col) {
                    row[c] = v.clone();
                }
            }
        }
    }
}

/// "A", "B", … "AA" for a 0-based column.
pub fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (c % 26) as u8) as char);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.iter().rev().collect()
}

/// The 0-based column of a letter ("C" → 2), if it is one.
pub fn column_index(s: &str) -> Option<usize> {
    let s = s.trim();
    if s.is_empty() || s.len() > 3 || !s.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut n = 0usize;
    for c in s.to_ascii_uppercase().chars() {
        n = n * 26 + (c as usize - 'A' as usize + 1);
    }
    Some(n - 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn letters() {
        for (i, l) in [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")] {
            assert_eq!(super::column_letter(i), l);
            assert_eq!(super::column_index(l), Some(i));
        }
        assert_eq!(super::column_index("当事人"), None);
    }
}

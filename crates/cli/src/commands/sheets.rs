//! Excel ledgers: `import FILE.xlsx [--mapping FILE.json] [--preview]` and
//! `export-xlsx disputes|released|screenings --out FILE.xlsx [--mask-ids]`.

use std::path::Path;

use fengqiao_sheets::{ExportKind, ExportOptions, ImportOptions, Mapping, Plan, RowStatus};
use serde_json::json;

use super::{open, say};
use crate::args::ListKind;
use crate::table::Table;
use crate::{CliError, Env};

pub fn import(env: &Env, file: &Path, mapping: Option<&Path>, preview: bool) -> Result<(), CliError> {
    let mapping: Mapping = match mapping {
        None => Mapping::default(),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| CliError::file("读取映射文件", p, e))?;
            serde_json::from_str(text.trim_start_matches('\u{FEFF}'))
                .map_err(|e| CliError::Usage(format!("映射文件{}不是有效的映射（第{}行第{}列）：{e}", p.display(), e.line(), e.column())))?
        }
    };
    if !file.is_file() {
        return Err(CliError::file("打开导入文件", file, std::io::ErrorKind::NotFound.into()));
    }
    let mut store = open(env)?;
    let grids = fengqiao_sheets::read_file(file)?;
    let plan = fengqiao_sheets::plan(&store, &grids, &mapping, &ImportOptions::default())?;
    if preview {
        say(env, json!({ "ok": true, "preview": true, "plan": plan }), || {
            format!("{}\n预览，未写入任何记录；确认无误后去掉 --preview 即导入。", render(&plan))
        });
        return Ok(());
    }
    let report = fengqiao_sheets::commit(&mut store, &plan)?;
    say(env, json!({ "ok": true, "preview": false, "plan": plan, "report": report }), || {
        format!(
            "{}\n已导入{}行（写入{}条记录）；已存在跳过{}行；不导入{}行。",
            render(&plan),
            report.imported,
            report.records,
            report.existing,
            report.rejected.len()
        )
    });
    Ok(())
}

/// The preview as text: where the header is, what each column became, every row.
fn render(p: &Plan) -> String {
    let h = &p.header;
    let rows =
        if h.first_row == h.last_row { format!("第{}行", h.last_row + 1) } else { format!("第{}–{}行", h.first_row + 1, h.last_row + 1) };
    let mut out = format!("工作表“{}”：{}，表头在{rows}\n", h.sheet, h.kind.label());
    let mapped: Vec<String> = h.columns.iter().filter_map(|c| c.field_label.map(|f| format!("{} {}→{f}", c.letter, c.header))).collect();
    let unmapped: Vec<String> = h.columns.iter().filter(|c| c.field.is_none()).map(|c| format!("{} {}", c.letter, c.header)).collect();
    out.push_str(&format!("导入的列：{}\n", mapped.join("；")));
    if !unmapped.is_empty() {
        out.push_str(&format!("不导入的列：{}\n", unmapped.join("；")));
    }
    for n in &p.notes {
        out.push_str(&format!("说明：{n}\n"));
    }
    let mut t = Table::new(&[("行", 0), ("结果", 0), ("内容", 48), ("问题和提示", 0)]);
    for r in &p.rows {
        let mut notes: Vec<String> = r.problems.clone();
        notes.extend(r.warnings.iter().map(|w| format!("（提示）{w}")));
        t.row(vec![r.row.to_string(), r.status.label().to_string(), r.summary.clone(), notes.join("；")]);
    }
    out.push_str(&t.render());
    out.push_str(&format!(
        "共{}行：导入{}行，已存在{}行，不导入{}行",
        p.rows.len(),
        p.count(RowStatus::New),
        p.count(RowStatus::Existing),
        p.count(RowStatus::Rejected)
    ));
    if !p.skipped_rows.is_empty() {
        out.push_str(&format!("；跳过表尾第{}行", p.skipped_rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("、")));
    }
    out
}

pub fn export(env: &Env, what: ListKind, out: &Path, mask_ids: bool) -> Result<(), CliError> {
    let store = open(env)?;
    let kind = match what {
        ListKind::Disputes => ExportKind::Disputes,
        ListKind::Released => ExportKind::Released,
        ListKind::Screenings => ExportKind::Screenings,
    };
    let (bytes, rows) = fengqiao_sheets::export_xlsx(&store, kind, &ExportOptions { mask_ids })?;
    super::exchange::write_atomically(out, |w| w.write_all(&bytes).map_err(|e| CliError::file("写入", out, e)))?;
    say(env, json!({ "ok": true, "out": out, "rows": rows, "bytes": bytes.len() }), || {
        format!("已导出{rows}行到 {}（{}）", out.display(), super::human_bytes(bytes.len() as u64))
    });
    Ok(())
}

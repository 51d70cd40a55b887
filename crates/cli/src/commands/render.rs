//! `render`: the standardized documents as PDF — every form of a case and the whole 卷宗,
//! the ledgers and the 统计表 of a period, the 零报告 of a round, the 安置帮教 forms.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use fengqiao_documents::catalogue::{DocKind, Input, Period};
use fengqiao_documents::FontSet;
use fengqiao_render::Subject;
use serde_json::json;
use uuid::Uuid;

use super::{human_bytes, open, say};
use crate::{CliError, Env};

/// What `render` was asked for.
pub struct Request {
    pub list: bool,
    pub document: Option<String>,
    pub record: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub out: Option<PathBuf>,
}

pub fn render(env: &Env, req: Request) -> Result<(), CliError> {
    if req.list {
        list(env);
        return Ok(());
    }
    let name = req.document.as_deref().unwrap_or_default();
    let kind = DocKind::find(name).ok_or_else(|| {
        CliError::render("render.unknown_document", format!("没有名为“{name}”的文书；运行 fengqiao-cli render --list 查看全部文书及其代码"))
    })?;
    let out = req.out.clone().ok_or_else(|| CliError::Usage(format!("请用 --out 指定《{}》写入的PDF文件", kind.name())))?;
    let store = open(env)?;
    let fonts = FontSet::shared_default();
    let subject = match kind.input() {
        Input::Period => Subject::Period(period(kind, &req)?),
        _ => Subject::Record(record_id(kind, &req)?),
    };
    let paged = fengqiao_render::pages(&store, kind, subject, fonts)?;
    let (pdf, pages) = (paged.pdf(fonts)?, paged.pages.len());
    write_atomically(&out, &pdf)?;
    say(env, json!({ "ok": true, "document": kind.code(), "name": kind.name(), "out": out, "pages": pages, "bytes": pdf.len() }), || {
        format!("已生成《{}》：{}（{}页，{}）", kind.name(), out.display(), pages, human_bytes(pdf.len() as u64))
    });
    Ok(())
}

fn list(env: &Env) {
    if env.json {
        let docs: Vec<_> = DocKind::ALL
            .iter()
            .map(|k| json!({ "code": k.code(), "name": k.name(), "input": input_code(k.input()), "input_label": k.input().label() }))
            .collect();
        crate::out(&format!("{}\n", json!({ "ok": true, "documents": docs })));
        return;
    }
    let mut t = crate::table::Table::new(&[("代码", 0), ("文书", 0), ("需要", 0)]);
    for k in DocKind::ALL {
        t.row(vec![k.code().to_string(), k.name().to_string(), k.input().label().to_string()]);
    }
    crate::out(&format!(
        "{}\n用法：fengqiao-cli render 文书代码 记录编号 --out 文件.pdf；按期间的文书用 --from 日期 --to 日期 代替记录编号。\n",
        t.render()
    ));
}

fn input_code(i: Input) -> &'static str {
    match i {
        Input::Case => "dispute_case",
        Input::Round => "screening_round",
        Input::Released => "released_person",
        Input::Period => "period",
    }
}

fn record_id(kind: DocKind, req: &Request) -> Result<Uuid, CliError> {
    let raw = req.record.as_deref().map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(CliError::Usage(format!("《{}》需要{}", kind.name(), kind.input().label())));
    }
    Uuid::parse_str(raw).map_err(|_| CliError::render("render.bad_id", format!("记录编号“{raw}”不是有效的编号（应为UUID，可用 list --json 查到）")))
}

fn period(kind: DocKind, req: &Request) -> Result<Period, CliError> {
    match (req.from, req.to) {
        (Some(from), Some(to)) if from <= to => Ok(Period { from, to }),
        (Some(from), Some(to)) => Err(CliError::Usage(format!("起始日期{from}晚于截止日期{to}"))),
        _ => Err(CliError::Usage(format!("《{}》按期间生成，请用 --from 日期 --to 日期 指定期间", kind.name()))),
    }
}

/// Writes the PDF next to its destination and renames it over, so a failed render never
/// leaves half a file and a reader never sees one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".fengqiao-render-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| CliError::file("在目录中创建临时文件", &dir, e))?;
    tmp.write_all(bytes).map_err(|e| CliError::file("写入", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::metadata(path).map(|m| m.permissions()).unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file().set_permissions(perms).map_err(|e| CliError::file("写入", path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| CliError::file("写入", path, e))?;
    tmp.persist(path).map_err(|e| CliError::file("写入", path, e.error))?;
    Ok(())
}

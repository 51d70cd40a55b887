//! 打印: a PDF of a case's document (one of the 卷宗 catalogue, or the whole 卷宗), of a
//! released person's 安置帮教 form, of a list (纠纷台账 and 排查登记台账 for a period, a 零报告)
//! or of the 统计表 for a period — made through the same path as `fengqiao-cli render`
//! (`fengqiao-render`), written to `DATA/prints/` under a Chinese name that says what it is,
//! with page one drawn as SVG for the preview (a webview cannot be relied on to show a PDF).
//!
//! Several cases are printed in one go in the background ([`start_batch`]): one PDF holding
//! each case's 卷宗 one after the other, so the clerk sends one file to the printer; the UI
//! polls [`batch_status`] for the progress, [`cancel_batch`] stops before the next case, and a
//! case that cannot be printed is reported with its reason while the others still print.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use chrono::NaiveDate;
use fengqiao_documents::catalogue::{DocKind, Input, Period};
use fengqiao_documents::{page_svg, pdf, FontSet, Page};
use fengqiao_render::{RenderError, Subject};
use fengqiao_store::Store;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{privacy, AppError, AppState};

/// The folder under the data directory the PDFs go to.
pub const PRINT_DIR: &str = "prints";
/// PDFs older than this are removed when the next one is written. They hold the records in
/// clear (the database is encrypted, a PDF for the viewer cannot be), so they live only while
/// the clerk prints: the folder is also emptied at every start and when the window closes.
const KEEP: Duration = Duration::from_secs(3600);

/// Removes the print folder and every PDF in it (at start, and when the window closes).
pub fn clear_prints(data_dir: &Path) {
    let _ = std::fs::remove_dir_all(data_dir.join(PRINT_DIR));
}

/// One document of the catalogue, for the 打印 menus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PrintableDocument {
    /// The document's code (as `fengqiao-cli render --list` names it).
    pub code: String,
    pub name: String,
    /// What it is made from: `case`, `released`, `round` or `period`.
    pub input: String,
}

/// Every document the app prints, in catalogue order (卷宗 first, then each form of it).
pub fn documents(_state: &AppState) -> Result<Vec<PrintableDocument>, AppError> {
    Ok(DocKind::ALL.iter().map(|k| PrintableDocument { code: k.code().into(), name: k.name().into(), input: input_code(k.input()).into() }).collect())
}

fn input_code(i: Input) -> &'static str {
    match i {
        Input::Case => "case",
        Input::Released => "released",
        Input::Round => "round",
        Input::Period => "period",
    }
}

/// What to print: a document of the catalogue, and the record or the period it is made from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PrintInput {
    pub document: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub record_id: Option<Uuid>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub to: Option<NaiveDate>,
}

/// A PDF written, with page one for the preview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Printed {
    /// What was printed, as the dialog's title says it: `人民调解协议书（2026）东山调字第3号`.
    pub title: String,
    /// The file's name in the print folder (what [`open_path`] takes).
    pub file_name: String,
    /// Its full path, to show the clerk where it is.
    pub path: String,
    pub pages: u32,
    pub bytes: u32,
    /// Page one as a standalone SVG document.
    pub preview: String,
    /// Page one's size in pt (portrait or landscape), for the preview's frame.
    pub page_width: f32,
    pub page_height: f32,
}

/// A case's or a released person's documents carry whole ID and phone numbers: refused to an
/// account that sees them masked (只读), naming the document.
fn may_print_whole_numbers(store: &Store, kind: DocKind) -> Result<(), AppError> {
    store.require_permission(fengqiao_store::Permission::SeePersonal).map_err(|e| {
        let mut e = AppError::from(e);
        e.message = format!("{}，不能打印《{}》", e.message, kind.name());
        e
    })
}

/// Makes the PDF, writes it to the print folder and returns it with its preview. A released
/// person's form carries the full ID and phone numbers: it is printed only for an account
/// that may see them, and every print is recorded in the audit log (a print that cannot be
/// recorded is removed and refused).
pub fn print(state: &AppState, input: PrintInput) -> Result<Printed, AppError> {
    let kind = DocKind::find(&input.document).ok_or_else(|| AppError::bad_input(format!("没有名为“{}”的文书", input.document)))?;
    let subject = match kind.input() {
        Input::Period => {
            let (Some(from), Some(to)) = (input.from, input.to) else {
                return Err(AppError::bad_input(format!("请选择《{}》的起止日期", kind.name())));
            };
            if from > to {
                return Err(AppError::bad_input(format!("起始日期{from}晚于截止日期{to}")));
            }
            Subject::Period(Period { from, to })
        }
        other => Subject::Record(input.record_id.ok_or_else(|| AppError::bad_input(format!("《{}》需要{}", kind.name(), other.label())))?),
    };
    let fonts = FontSet::shared_default();
    let (paged, about, released) = state.with(|store| {
        let released = match (kind.input(), subject) {
            // A case's documents carry its parties' whole ID numbers: not for an account that
            // sees them masked (只读).
            (Input::Case, Subject::Record(_)) => {
                may_print_whole_numbers(store, kind)?;
                None
            }
            (Input::Released, Subject::Record(id)) => {
                may_print_whole_numbers(store, kind)?;
                Some((id, privacy::person_name(&store.released_file(id)?).to_string()))
            }
            _ => None,
        };
        let about = describe(store, kind, subject)?;
        let paged = fengqiao_render::pages(store, kind, subject, fonts).map_err(render_error)?;
        Ok((paged, about, released))
    })?;
    let title = format!("{}{about}", kind.name());
    let pdf = paged.pdf(fonts).map_err(|e| render_error(e.into()))?;
    let printed = write_print(state.data_dir(), &title, &pdf, &paged.pages, fonts)?;
    if let Some((id, name)) = released {
        let summary = format!("打印《{}》：{name}", kind.name());
        let recorded = state.with(|s| Ok(s.record_access("print", fengqiao_model::Kind::ReleasedPerson, id, &summary)?));
        if let Err(e) = recorded {
            let _ = std::fs::remove_file(&printed.path);
            return Err(e);
        }
    }
    Ok(printed)
}

/// The path of a PDF in the print folder, for the shell to open in the system viewer. Only a
/// bare file name that is there is accepted: the UI cannot have any other file opened.
pub fn open_path(state: &AppState, file_name: String) -> Result<PathBuf, AppError> {
    let bare = Path::new(&file_name).file_name().is_some_and(|n| n == file_name.as_str());
    if !bare || !file_name.ends_with(".pdf") {
        return Err(AppError::bad_input(format!("“{file_name}”不是打印文件夹中的PDF文件")));
    }
    let path = state.data_dir().join(PRINT_DIR).join(&file_name);
    if !path.is_file() {
        return Err(AppError::new("not_found", format!("打印文件“{file_name}”已不存在，请重新打印")));
    }
    Ok(path)
}

fn render_error(e: RenderError) -> AppError {
    match e {
        RenderError::Store(e) => e.into(),
        // "字符“𪚥”(U+2A6A5)在所有字体中都不存在，无法打印（出现在“…”中）" as the documents crate says it.
        e => AppError::new(e.code(), e.to_string()),
    }
}

/// What the PDF is about, after the document's name: the case's number and parties, the
/// person's name, the period.
fn describe(store: &Store, kind: DocKind, subject: Subject) -> Result<String, AppError> {
    Ok(match subject {
        Subject::Period(p) => format!("（{}至{}）", p.from, p.to),
        Subject::Record(id) => match kind.input() {
            Input::Case => case_label(&store.case_file(id)?),
            Input::Released => {
                let f = store.released_file(id)?;
                format!("（{}）", f.person.as_ref().and_then(|p| p.name.as_deref()).unwrap_or("未填姓名"))
            }
            _ => {
                let r = store.round_file(id)?.round;
                let when = r.period_start.or(r.screened_on).map(|d| d.to_string()).unwrap_or_default();
                format!("（{} {when}）", r.unit_name.as_deref().unwrap_or_default())
            }
        },
    })
}

/// `（2026）东山调字第3号 张三、李四`.
fn case_label(file: &fengqiao_model::CaseFile) -> String {
    let no = file.case.case_no.clone().unwrap_or_else(|| "未编号".into());
    let names: Vec<&str> = file.parties.iter().map(|p| p.name()).filter(|n| !n.is_empty()).take(3).collect();
    if names.is_empty() {
        no
    } else {
        format!("{no} {}", names.join("、"))
    }
}

/// A name that every file system takes: no `\ / : * ? " < > |`, no control characters.
fn file_name(title: &str) -> String {
    let clean: String =
        title.chars().map(|c| if matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '_' } else { c }).collect();
    let clean: String = clean.trim().chars().take(80).collect();
    format!("{clean}.pdf")
}

/// Writes the PDF into the print folder (through a temporary file, so a viewer never sees half
/// a file), removes PDFs older than a week, and draws page one.
fn write_print(data_dir: &Path, title: &str, pdf: &[u8], pages: &[Page], fonts: &FontSet) -> Result<Printed, AppError> {
    let dir = data_dir.join(PRINT_DIR);
    let io = |what: &str, p: &Path, e: std::io::Error| AppError::new("io", format!("{what}“{}”失败：{e}", p.display()));
    std::fs::create_dir_all(&dir).map_err(|e| io("创建打印文件夹", &dir, e))?;
    prune(&dir);
    let first = pages.first().ok_or_else(|| AppError::new("documents.layout", format!("《{title}》没有内容可打印")))?;
    let preview = page_svg(first, fonts).map_err(|e| AppError::new(e.code(), e.to_string()))?;
    let mut name = file_name(title);
    let tmp = dir.join(format!(".{}.tmp", Uuid::now_v7()));
    std::fs::write(&tmp, pdf).map_err(|e| io("写入", &tmp, e))?;
    let mut path = dir.join(&name);
    // The same document printed again replaces the old file; when the old one cannot be
    // replaced (open in a viewer on Windows) the new one gets a number.
    let mut n = 1;
    while let Err(e) = std::fs::rename(&tmp, &path) {
        n += 1;
        if n > 20 {
            let _ = std::fs::remove_file(&tmp);
            return Err(io("写入", &path, e));
        }
        name = file_name(&format!("{title}（{n}）"));
        path = dir.join(&name);
    }
    Ok(Printed {
        title: title.to_string(),
        file_name: name,
        path: path.display().to_string(),
        pages: pages.len() as u32,
        bytes: pdf.len() as u32,
        preview,
        page_width: first.width,
        page_height: first.height,
    })
}

fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| now.duration_since(t).ok()).is_some_and(|age| age > KEEP);
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

// ---- Several cases in one go -------------------------------------------------------------

/// The cases to print, in the order the ledger shows them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    pub case_ids: Vec<Uuid>,
}

/// One case of a batch: printed, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchItem {
    pub case_id: Uuid,
    /// `（2026）东山调字第3号 张三、李四`.
    pub label: String,
    pub pages: u32,
    /// Why the case could not be printed; `None` when it was.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchStatus {
    pub id: u64,
    pub total: u32,
    /// Cases done (printed or failed).
    pub done: u32,
    /// What is being done now: `正在排版 （2026）东山调字第3号 …`, `正在写入PDF`.
    pub current: Option<String>,
    pub items: Vec<BatchItem>,
    pub finished: bool,
    pub cancelled: bool,
    /// The one PDF of every case printed (none when nothing printed or cancelled).
    pub output: Option<Printed>,
    /// A failure of the whole batch (the folder cannot be written).
    pub error: Option<String>,
}

/// The batches of this run of the app (ids are unique in the process).
#[derive(Default)]
struct Jobs {
    next: AtomicU64,
    jobs: Mutex<HashMap<u64, Arc<Job>>>,
}

fn jobs() -> &'static Jobs {
    static JOBS: OnceLock<Jobs> = OnceLock::new();
    JOBS.get_or_init(Jobs::default)
}

struct Job {
    status: Mutex<BatchStatus>,
    cancel: AtomicBool,
}

impl Job {
    fn update(&self, f: impl FnOnce(&mut BatchStatus)) {
        f(&mut self.status.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn snapshot(&self) -> BatchStatus {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Starts printing the cases' 卷宗 in the background and returns at once. The batch reads
/// through its own connection to the store, so the app's other commands go on meanwhile.
pub fn start_batch(state: &AppState, input: BatchInput) -> Result<BatchStatus, AppError> {
    if input.case_ids.is_empty() {
        return Err(AppError::bad_input("请先在台账中勾选要打印的案件"));
    }
    // Its own connection, opened now with the signed-in account's key (refused before first
    // run and while locked, like every command). A 卷宗 carries whole ID numbers: not for 只读.
    state.require(fengqiao_store::Permission::SeePersonal)?;
    let reader = state.with(|s| Ok(s.open_another()?))?;
    let jobs = jobs();
    let id = jobs.next.fetch_add(1, Ordering::Relaxed) + 1;
    let job = Arc::new(Job {
        status: Mutex::new(BatchStatus {
            id,
            total: input.case_ids.len() as u32,
            done: 0,
            current: Some("正在准备".into()),
            items: Vec::new(),
            finished: false,
            cancelled: false,
            output: None,
            error: None,
        }),
        cancel: AtomicBool::new(false),
    });
    jobs.jobs.lock().unwrap_or_else(|e| e.into_inner()).insert(id, job.clone());
    let data_dir = state.data_dir().to_path_buf();
    let status = job.snapshot();
    std::thread::Builder::new()
        .name(format!("print-batch-{id}"))
        .spawn(move || run_batch(&job, reader, &data_dir, &input.case_ids))
        .map_err(|e| AppError::new("internal", format!("无法开始批量打印：{e}")))?;
    Ok(status)
}

pub fn batch_status(_state: &AppState, id: u64) -> Result<BatchStatus, AppError> {
    job(id).map(|j| j.snapshot())
}

/// Stops the batch before its next case; nothing is written.
pub fn cancel_batch(_state: &AppState, id: u64) -> Result<BatchStatus, AppError> {
    let j = job(id)?;
    j.cancel.store(true, Ordering::Relaxed);
    Ok(j.snapshot())
}

fn job(id: u64) -> Result<Arc<Job>, AppError> {
    let jobs = jobs().jobs.lock().unwrap_or_else(|e| e.into_inner());
    jobs.get(&id).cloned().ok_or_else(|| AppError::new("not_found", "没有这次批量打印（程序已重新启动？）"))
}

fn run_batch(job: &Job, store: Store, data_dir: &Path, ids: &[Uuid]) {
    let fail = |message: String| {
        job.update(|s| {
            s.error = Some(message);
            s.current = None;
            s.finished = true;
        })
    };
    let fonts = FontSet::shared_default();
    let mut pages: Vec<Page> = Vec::new();
    let mut printed = 0;
    for &id in ids {
        if job.cancel.load(Ordering::Relaxed) {
            return job.update(|s| {
                s.cancelled = true;
                s.finished = true;
                s.current = None;
            });
        }
        let label = store.case_file(id).map(|f| case_label(&f)).unwrap_or_else(|_| "（案件已不存在）".into());
        job.update(|s| s.current = Some(format!("正在排版 {label}")));
        let item = match fengqiao_render::pages(&store, DocKind::CaseFile, Subject::Record(id), fonts) {
            Ok(mut paged) => {
                printed += 1;
                let n = paged.pages.len() as u32;
                pages.append(&mut paged.pages);
                BatchItem { case_id: id, label, pages: n, error: None }
            }
            Err(e) => BatchItem { case_id: id, label, pages: 0, error: Some(render_error(e).message) },
        };
        job.update(|s| {
            s.items.push(item);
            s.done += 1;
        });
    }
    if job.cancel.load(Ordering::Relaxed) {
        return job.update(|s| {
            s.cancelled = true;
            s.finished = true;
            s.current = None;
        });
    }
    if printed == 0 {
        return job.update(|s| {
            s.current = None;
            s.finished = true;
        });
    }
    job.update(|s| s.current = Some("正在写入PDF".into()));
    let title = format!("人民调解卷宗（{printed}件）");
    let written = pdf::write(&title, &pages, fonts)
        .map_err(|e| AppError::new(e.code(), e.to_string()))
        .and_then(|bytes| write_print(data_dir, &title, &bytes, &pages, fonts));
    match written {
        Ok(p) => job.update(|s| {
            s.output = Some(p);
            s.current = None;
            s.finished = true;
        }),
        Err(e) => fail(e.message),
    }
}

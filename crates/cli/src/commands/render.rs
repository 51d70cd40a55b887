//! `render`: the standardized documents as PDF — every form of a case and the whole 卷宗,
//! the ledgers and the 统计表 of a period, the 零报告 of a round, the 安置帮教 forms.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use fengqiao_documents::catalogue::{self as cat, DocKind, Input, Period, Refs};
use fengqiao_documents::{bind, render_counted, Document, FontSet, Part};
use fengqiao_model::{CaseFile, Mediator, Organization, Person};
use fengqiao_store::stats::{CaseStatistics, Count, StatRow};
use fengqiao_store::{DisputeFilter, ScreeningFilter, SortOrder, Store, MAX_PAGE_SIZE};
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
        CliError::render(
            "render.unknown_document",
            format!("没有名为“{name}”的文书；运行 fengqiao-cli render --list 查看全部文书及其代码"),
        )
    })?;
    let out = req
        .out
        .clone()
        .ok_or_else(|| CliError::Usage(format!("请用 --out 指定《{}》写入的PDF文件", kind.name())))?;
    let store = open(env)?;
    let fonts = FontSet::shared_default();
    let (pdf, pages) = make(&store, kind, &req, fonts)?;
    write_atomically(&out, &pdf)?;
    say(
        env,
        json!({ "ok": true, "document": kind.code(), "name": kind.name(), "out": out, "pages": pages, "bytes": pdf.len() }),
        || {
            format!(
                "已生成《{}》：{}（{}页，{}）",
                kind.name(),
                out.display(),
                pages,
                human_bytes(pdf.len() as u64)
            )
        },
    );
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
    Uuid::parse_str(raw).map_err(|_| {
        CliError::render("render.bad_id", format!("记录编号“{raw}”不是有效的编号（应为UUID，可用 list --json 查到）"))
    })
}

fn period(kind: DocKind, req: &Request) -> Result<Period, CliError> {
    match (req.from, req.to) {
        (Some(from), Some(to)) if from <= to => Ok(Period { from, to }),
        (Some(from), Some(to)) => Err(CliError::Usage(format!("起始日期{from}晚于截止日期{to}"))),
        _ => Err(CliError::Usage(format!("《{}》按期间生成，请用 --from 日期 --to 日期 指定期间", kind.name()))),
    }
}

/// Everything the catalogue looks up by id: the office, committees and units, mediators.
struct Lookups {
    office: Organization,
    organizations: Vec<Organization>,
    mediators: Vec<Mediator>,
}

impl Lookups {
    fn load(store: &Store) -> Result<Lookups, CliError> {
        Ok(Lookups { office: store.office()?, organizations: store.all()?, mediators: store.all()? })
    }

    fn refs<'a>(&'a self, committee: Option<Uuid>, persons: &'a [Person]) -> Refs<'a> {
        Refs {
            committee: committee.and_then(|id| self.organizations.iter().find(|o| o.meta.id == id)),
            mediators: &self.mediators,
            persons,
            court: None,
            office: Some(&self.office),
            organizations: &self.organizations,
        }
    }
}

fn not_applicable(kind: DocKind, why: String) -> CliError {
    CliError::render("render.not_applicable", format!("{why}，无法生成《{}》", kind.name()))
}

fn make(store: &Store, kind: DocKind, req: &Request, fonts: &FontSet) -> Result<(Vec<u8>, usize), CliError> {
    let looked = Lookups::load(store)?;
    let one = |doc: Document| render_counted(&doc, fonts).map_err(CliError::from);
    match kind.input() {
        Input::Case => {
            let file = store.case_file(record_id(kind, req)?)?;
            // Interviewees and visited persons outside the parties.
            let mut persons = Vec::new();
            let ids = file
                .investigations
                .iter()
                .filter_map(|i| i.interviewee_person_id)
                .chain(file.return_visits.iter().filter_map(|v| v.visited_person_id));
            for id in ids {
                persons.extend(store.get::<Person>(id)?);
            }
            let refs = looked.refs(file.case.committee_id, &persons);
            case_document(kind, &file, &refs, fonts)
        }
        Input::Released => {
            let file = store.released_file(record_id(kind, req)?)?;
            let refs = looked.refs(None, &[]);
            match kind {
                DocKind::ReleasedRegister => one(cat::released_register(&file, &refs)),
                DocKind::HelpAgreement => one(cat::help_agreement(&file, &refs)),
                DocKind::HandoverSheet => one(cat::handover_sheet(&file, &refs)),
                _ if file.help_visits.is_empty() => one(cat::help_record(&file, None, &refs)),
                _ => several(
                    kind,
                    file.help_visits.iter().enumerate().map(|(i, v)| {
                        (format!("{}（第{}次）", kind.name(), i + 1), cat::help_record(&file, Some(v), &refs))
                    }),
                    fonts,
                ),
            }
        }
        Input::Round => {
            let file = store.round_file(record_id(kind, req)?)?;
            if !file.round.zero_report || !file.items.is_empty() {
                return Err(not_applicable(
                    kind,
                    format!("这次排查登记了{}条矛盾纠纷，不是零报告（请打印矛盾纠纷排查登记台账）", file.items.len()),
                ));
            }
            one(cat::zero_report(&file, &looked.refs(None, &[])))
        }
        Input::Period => {
            let p = period(kind, req)?;
            let refs = looked.refs(None, &[]);
            match kind {
                DocKind::DisputeLedger => one(cat::dispute_ledger(&cases_in(store, p)?, p, &refs)),
                DocKind::ScreeningLedger => one(cat::screening_ledger(&rounds_in(store, p)?, p, &refs)),
                _ => one(cat::statistics_table(&statistics(&store.case_statistics(p.from, p.to)?, p))),
            }
        }
    }
}

/// Several records of one kind (each 调查记录, each 回访) bound as one PDF, numbered through.
fn several(
    kind: DocKind,
    docs: impl Iterator<Item = (String, Document)>,
    fonts: &FontSet,
) -> Result<(Vec<u8>, usize), CliError> {
    let parts: Vec<Part> = docs.map(|(name, d)| Part::numbered(name, d)).collect();
    let bound = bind(kind.name(), &parts, fonts)?;
    Ok((bound.pdf, bound.sheets))
}

fn case_document(kind: DocKind, file: &CaseFile, refs: &Refs, fonts: &FontSet) -> Result<(Vec<u8>, usize), CliError> {
    let one = |doc: Document| render_counted(&doc, fonts).map_err(CliError::from);
    let no = || file.case.case_no.clone().unwrap_or_else(|| "未编号".into());
    let agreement = || {
        file.agreement
            .as_ref()
            .ok_or_else(|| not_applicable(kind, format!("案件{}没有调解协议", no())))
    };
    let many = |what: &str, n: usize| -> Result<(), CliError> {
        if n == 0 {
            Err(not_applicable(kind, format!("案件{}没有{what}", no())))
        } else {
            Ok(())
        }
    };
    match kind {
        DocKind::CaseFile => {
            let bound = cat::case_file(file, refs, fonts)?;
            Ok((bound.pdf, bound.sheets))
        }
        DocKind::Cover => one(cat::cover(file, refs)),
        DocKind::Application => one(cat::application(file, refs)),
        DocKind::IntakeRegister => one(cat::intake_register(file, refs)),
        DocKind::RightsNotice => one(cat::rights_notice(file, refs)),
        DocKind::Agreement => one(cat::agreement(file, agreement()?, refs)),
        DocKind::OralAgreement => one(cat::oral_agreement(file, agreement()?, refs)),
        DocKind::JudicialConfirmation => one(cat::judicial_confirmation_application(file, agreement()?, refs)),
        DocKind::Investigation => {
            many("调查记录", file.investigations.len())?;
            several(kind, file.investigations.iter().map(|r| (kind.name().to_string(), cat::investigation(file, r, refs))), fonts)
        }
        DocKind::Session => {
            many("调解记录", file.sessions.len())?;
            several(kind, file.sessions.iter().map(|s| (kind.name().to_string(), cat::session(file, s, refs))), fonts)
        }
        DocKind::ReturnVisit => {
            many("回访记录", file.return_visits.len())?;
            several(kind, file.return_visits.iter().map(|v| (kind.name().to_string(), cat::return_visit(file, v, refs))), fonts)
        }
        // Built from where the other parts land in the bound file.
        DocKind::Contents | DocKind::CaseNotes | DocKind::BackCover => {
            let name = match kind {
                DocKind::Contents => "卷内目录",
                DocKind::CaseNotes => "卷宗情况说明",
                _ => "封底",
            };
            let doc = cat::case_file_part(file, refs, name, fonts)?
                .ok_or_else(|| not_applicable(kind, format!("案件{}的卷宗没有{name}", no())))?;
            one(doc)
        }
        _ => unreachable!("{kind:?} is not a case document"),
    }
}

/// Every case accepted in the period, oldest first, with its whole file.
fn cases_in(store: &Store, p: Period) -> Result<Vec<CaseFile>, CliError> {
    let mut files = Vec::new();
    for page in 1.. {
        let f = DisputeFilter {
            accepted_from: Some(p.from),
            accepted_to: Some(p.to),
            order: SortOrder::Asc,
            page,
            page_size: MAX_PAGE_SIZE,
            ..DisputeFilter::default()
        };
        let rows = store.list_disputes(&f)?;
        for row in &rows.rows {
            files.push(store.case_file(row.case.meta.id)?);
        }
        if (page as i64) * (rows.page_size as i64) >= rows.total {
            break;
        }
    }
    Ok(files)
}

/// Every 排查 round whose period starts in the period, with its items.
fn rounds_in(store: &Store, p: Period) -> Result<Vec<fengqiao_model::RoundFile>, CliError> {
    let mut files = Vec::new();
    for page in 1.. {
        let f = ScreeningFilter {
            period_from: Some(p.from),
            period_to: Some(p.to),
            order: SortOrder::Asc,
            page,
            page_size: MAX_PAGE_SIZE,
            ..ScreeningFilter::default()
        };
        let rows = store.list_screenings(&f)?;
        for row in &rows.rows {
            files.push(store.round_file(row.round.meta.id)?);
        }
        if (page as i64) * (rows.page_size as i64) >= rows.total {
            break;
        }
    }
    Ok(files)
}

/// The store's 统计表 as the documents crate takes it.
fn statistics(s: &CaseStatistics, period: Period) -> cat::StatisticsTable {
    cat::StatisticsTable {
        office_name: s.office_name.clone(),
        period,
        rows: s.rows.iter().map(stat_row).collect(),
        subordinate_total: stat_row(&s.subordinate_total),
        own_total: stat_row(&s.own_total),
        checks: s
            .checks
            .iter()
            .map(|c| cat::StatisticsCheck { name: c.name.to_string(), ok: c.ok, detail: c.detail.clone() })
            .collect(),
    }
}

fn stat_row(r: &StatRow) -> cat::StatisticsRow {
    fn counts<T>(cs: &[Count], from_code: fn(&str) -> Option<T>) -> Vec<(T, i64)> {
        cs.iter().filter_map(|c| from_code(c.code).map(|k| (k, c.count))).collect()
    }
    use fengqiao_model::{CommitteeType, DisputeType, ReferralType};
    cat::StatisticsRow {
        label: r.label.clone(),
        total: r.total,
        party_count: r.party_count,
        success: r.success,
        difficult: r.difficult,
        amount_wan: r.amount_wan.clone(),
        by_committee_type: counts(&r.by_committee_type, CommitteeType::from_code),
        proactive: r.sources.proactive,
        party_application: r.sources.party_application,
        referral: r.sources.referral,
        referral_by_type: counts(&r.sources.referral_by_type, ReferralType::from_code),
        by_dispute_type: counts(&r.by_dispute_type, DisputeType::from_code),
        oral: r.agreement_forms.oral,
        written: r.agreement_forms.written,
        screening_rounds: r.prevention.screening_rounds,
        prevented_disputes: r.prevention.prevented_disputes,
        prevented: r.prevention.prevented,
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
        let perms = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file().set_permissions(perms).map_err(|e| CliError::file("写入", path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| CliError::file("写入", path, e))?;
    tmp.persist(path).map_err(|e| CliError::file("写入", path, e.error))?;
    Ok(())
}

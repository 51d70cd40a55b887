//! The standardized documents made from the office store's records: one path from a record
//! (or a period) to laid-out pages, shared by `fengqiao-cli render` and the desktop's 打印.
//!
//! `fengqiao-documents` takes model values and never reads the store; `fengqiao-store` knows
//! nothing of documents. This crate reads what a document needs from the store (the case file
//! with its interviewees, the office, committees and mediators it refers to, the cases or
//! rounds of a period, the 统计表's figures) and hands it to the catalogue.

use fengqiao_documents::catalogue::{self as cat, DocKind, Input, Period, Refs};
use fengqiao_documents::{bind_pages, paginate, pdf, DocError, Document, FontSet, Page, Part};
use fengqiao_model::{CaseFile, Mediator, Organization, Person};
use fengqiao_store::stats::{CaseStatistics, Count, StatRow};
use fengqiao_store::{DisputeFilter, ScreeningFilter, SortOrder, Store, StoreError, MAX_PAGE_SIZE};
use uuid::Uuid;

/// What a document is made from: a record (a case, a released person, a 排查 round) or a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Record(Uuid),
    Period(Period),
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A character no font has, a font file that fails.
    #[error("{0}")]
    Document(#[from] DocError),
    /// The record does not fit the document: a case without an agreement, a round that is
    /// not a zero report.
    #[error("{0}")]
    NotApplicable(String),
    /// A document made from a record asked for with a period, or the other way round.
    #[error("{0}")]
    WrongSubject(String),
}

impl RenderError {
    pub fn code(&self) -> &'static str {
        match self {
            RenderError::Store(e) => e.code(),
            RenderError::Document(e) => e.code(),
            RenderError::NotApplicable(_) => "render.not_applicable",
            RenderError::WrongSubject(_) => "render.wrong_subject",
        }
    }
}

/// A document laid out and numbered, before it is written.
pub struct Paged {
    pub title: String,
    pub pages: Vec<Page>,
}

impl Paged {
    pub fn pdf(&self, fonts: &FontSet) -> Result<Vec<u8>, DocError> {
        pdf::write(&self.title, &self.pages, fonts)
    }
}

/// Lays out `kind` for `subject` from what the store holds.
pub fn pages(store: &Store, kind: DocKind, subject: Subject, fonts: &FontSet) -> Result<Paged, RenderError> {
    let looked = Lookups::load(store)?;
    let one = |doc: Document| -> Result<Paged, RenderError> { Ok(Paged { pages: paginate(&doc, fonts)?, title: doc.title }) };
    match (kind.input(), subject) {
        (Input::Case, Subject::Record(id)) => {
            let file = store.case_file(id)?;
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
        (Input::Released, Subject::Record(id)) => {
            let file = store.released_file(id)?;
            let refs = looked.refs(None, &[]);
            match kind {
                DocKind::ReleasedRegister => one(cat::released_register(&file, &refs)),
                DocKind::HelpAgreement => one(cat::help_agreement(&file, &refs)),
                DocKind::HandoverSheet => one(cat::handover_sheet(&file, &refs)),
                _ if file.help_visits.is_empty() => one(cat::help_record(&file, None, &refs)),
                _ => several(
                    kind,
                    file.help_visits
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (format!("{}（第{}次）", kind.name(), i + 1), cat::help_record(&file, Some(v), &refs))),
                    fonts,
                ),
            }
        }
        (Input::Round, Subject::Record(id)) => {
            let file = store.round_file(id)?;
            if !file.round.zero_report || !file.items.is_empty() {
                return Err(not_applicable(kind, format!("这次排查登记了{}条矛盾纠纷，不是零报告（请打印矛盾纠纷排查登记台账）", file.items.len())));
            }
            one(cat::zero_report(&file, &looked.refs(None, &[])))
        }
        (Input::Period, Subject::Period(p)) => {
            let refs = looked.refs(None, &[]);
            match kind {
                DocKind::DisputeLedger => one(cat::dispute_ledger(&cases_in(store, p)?, p, &refs)),
                DocKind::ScreeningLedger => one(cat::screening_ledger(&rounds_in(store, p)?, p, &refs)),
                _ => one(cat::statistics_table(&statistics(&store.case_statistics(p.from, p.to)?, p))),
            }
        }
        (input, _) => Err(RenderError::WrongSubject(format!("《{}》需要{}", kind.name(), input.label()))),
    }
}

/// The 统计表 of figures that do not come from one store (the county's roll-up of its
/// offices), laid out as the office's own.
pub fn statistics_pages(s: &CaseStatistics, fonts: &FontSet) -> Result<Paged, RenderError> {
    let doc = cat::statistics_table(&statistics(s, Period { from: s.from, to: s.to }));
    Ok(Paged { pages: paginate(&doc, fonts)?, title: doc.title })
}

/// Everything the catalogue looks up by id: the office, committees and units, mediators.
struct Lookups {
    office: Organization,
    organizations: Vec<Organization>,
    mediators: Vec<Mediator>,
}

impl Lookups {
    fn load(store: &Store) -> Result<Lookups, RenderError> {
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

fn not_applicable(kind: DocKind, why: String) -> RenderError {
    RenderError::NotApplicable(format!("{why}，无法生成《{}》", kind.name()))
}

/// Several records of one kind (each 调查记录, each 回访) bound as one PDF, numbered through.
fn several(kind: DocKind, docs: impl Iterator<Item = (String, Document)>, fonts: &FontSet) -> Result<Paged, RenderError> {
    let parts: Vec<Part> = docs.map(|(name, d)| Part::numbered(name, d)).collect();
    let bound = bind_pages(kind.name(), &parts, fonts)?;
    Ok(Paged { title: kind.name().to_string(), pages: bound.pages })
}

fn case_document(kind: DocKind, file: &CaseFile, refs: &Refs, fonts: &FontSet) -> Result<Paged, RenderError> {
    let one = |doc: Document| -> Result<Paged, RenderError> { Ok(Paged { pages: paginate(&doc, fonts)?, title: doc.title }) };
    let no = || file.case.case_no.clone().unwrap_or_else(|| "未编号".into());
    let agreement = || file.agreement.as_ref().ok_or_else(|| not_applicable(kind, format!("案件{}没有调解协议", no())));
    let many = |what: &str, n: usize| -> Result<(), RenderError> {
        if n == 0 {
            Err(not_applicable(kind, format!("案件{}没有{what}", no())))
        } else {
            Ok(())
        }
    };
    match kind {
        DocKind::CaseFile => {
            let bound = cat::case_file_pages(file, refs, fonts)?;
            Ok(Paged { title: cat::case_file_title(file), pages: bound.pages })
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
            let doc = cat::case_file_part(file, refs, name, fonts)?.ok_or_else(|| not_applicable(kind, format!("案件{}的卷宗没有{name}", no())))?;
            one(doc)
        }
        _ => Err(RenderError::WrongSubject(format!("《{}》不是案件的文书", kind.name()))),
    }
}

/// Every case accepted in the period, oldest first, with its whole file.
fn cases_in(store: &Store, p: Period) -> Result<Vec<CaseFile>, RenderError> {
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
fn rounds_in(store: &Store, p: Period) -> Result<Vec<fengqiao_model::RoundFile>, RenderError> {
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
        checks: s.checks.iter().map(|c| cat::StatisticsCheck { name: c.name.to_string(), ok: c.ok, detail: c.detail.clone() }).collect(),
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

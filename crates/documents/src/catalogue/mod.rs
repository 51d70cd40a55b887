//! The document catalogue of a 人民调解 case file (domain.md §1.2–1.11): each form is a function
//! from model values to a [`Document`]; [`case_file`] binds them in 卷宗 order with the
//! 卷内目录 carrying real page numbers.
//!
//! Records refer to mediators, the committee and some persons by id; the caller passes those
//! in [`Refs`] (this crate never reads the store).

mod bundle;
mod cover;
mod forms;
mod kinds;
mod ledger;
mod records;
mod released;
mod screening;
mod statistics;

pub use bundle::{case_file, case_file_pages, case_file_part, case_file_parts, case_file_title};
pub use cover::{back_cover, case_notes, contents, cover, Attachment};
pub use forms::{application, intake_register, rights_notice};
pub use kinds::{DocKind, Input};
pub use ledger::dispute_ledger;
pub use records::{agreement, investigation, judicial_confirmation_application, oral_agreement, return_visit, session};
pub use released::{handover_sheet, help_agreement, help_record, released_register};
pub use screening::{screening_ledger, zero_report};
pub use statistics::{statistics_table, StatisticsCheck, StatisticsRow, StatisticsTable};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use fengqiao_model::{CaseFile, Mediator, Organization, PartyEntry, PartyRole, Person};
use uuid::Uuid;

use crate::model::*;

/// What the case file refers to by id.
#[derive(Clone, Copy, Debug, Default)]
pub struct Refs<'a> {
    /// The 人民调解委员会 that handled the case.
    pub committee: Option<&'a Organization>,
    pub mediators: &'a [Mediator],
    /// Persons referred to outside the parties (interviewees, visited persons).
    pub persons: &'a [Person],
    /// The basic-level court for 司法确认 when the agreement names none.
    pub court: Option<&'a str>,
    /// The 司法所 that prints (安置帮教 forms, ledgers, the 统计表).
    pub office: Option<&'a Organization>,
    /// Committees and units looked up by id (a ledger's 调委会, a 排查 round's unit).
    pub organizations: &'a [Organization],
}

/// The period of a ledger or a report, both days included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// "2024年1月1日至2024年6月30日".
    pub fn text(&self) -> String {
        format!("{}至{}", date(Some(self.from)), date(Some(self.to)))
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

impl<'a> Refs<'a> {
    fn committee_name(&self) -> Option<&'a str> {
        self.committee.and_then(|c| c.name.as_deref()).filter(|n| !n.trim().is_empty())
    }

    fn mediator(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.mediators.iter().find(|m| m.meta.id == id)).and_then(|m| m.name.clone()).unwrap_or_default()
    }

    fn mediators<'i>(&self, ids: impl IntoIterator<Item = &'i Uuid>) -> String {
        join(ids.into_iter().map(|id| self.mediator(Some(*id))))
    }

    fn office_name(&self) -> Option<&'a str> {
        self.office.and_then(|o| o.name.as_deref()).filter(|n| !n.trim().is_empty())
    }

    /// An organization's name by id: the committee, the office, then the list.
    fn org_name(&self, id: Option<Uuid>) -> String {
        let Some(id) = id else { return String::new() };
        self.committee
            .into_iter()
            .chain(self.office)
            .chain(self.organizations)
            .find(|o| o.meta.id == id)
            .and_then(|o| o.name.clone())
            .unwrap_or_default()
    }

    /// A person by id: a party's person first, then the extra persons.
    fn person<'f>(&self, file: &'f CaseFile, id: Option<Uuid>) -> Option<&'f Person>
    where
        'a: 'f,
    {
        let id = id?;
        file.parties.iter().filter_map(|p| p.person.as_ref()).chain(self.persons.iter()).find(|p| p.meta.id == id)
    }
}

fn join(names: impl IntoIterator<Item = String>) -> String {
    names.into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join("、")
}

/// "2024.5.6", the short date of ledgers; empty when unknown.
fn short_date(d: Option<NaiveDate>) -> String {
    use chrono::Datelike;
    d.map(|d| format!("{}.{}.{}", d.year(), d.month(), d.day())).unwrap_or_default()
}

/// "是" / "否" / blank.
fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "是",
        Some(false) => "否",
        None => "",
    }
}

/// A value cell, centred (numbers, dates and codes in ledgers).
fn centred(text: impl Into<String>) -> Cell {
    Cell::value(text).align(Align::Center)
}

/// "2024年5月6日"; empty when unknown (the form then shows a blank).
fn date(d: Option<NaiveDate>) -> String {
    d.map(fengqiao_model::validate::cn_date).unwrap_or_default()
}

/// Beijing time, the one time zone of every 司法所: "2024年5月7日9时30分".
fn time(t: Option<DateTime<Utc>>) -> String {
    let Some(t) = t else { return String::new() };
    let local = t.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("valid offset"));
    format!("{}{}", fengqiao_model::validate::cn_date(local.date_naive()), clock(&local))
}

fn clock(t: &DateTime<FixedOffset>) -> String {
    use chrono::Timelike;
    format!("{}时{:02}分", t.hour(), t.minute())
}

/// "2024年5月7日9时00分至10时30分" (the end's date only when it differs).
fn time_span(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> String {
    let (Some(a), Some(b)) = (from, to) else {
        return time(from);
    };
    let bj = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    let (la, lb) = (a.with_timezone(&bj), b.with_timezone(&bj));
    if la.date_naive() == lb.date_naive() {
        format!("{}至{}", time(from), clock(&lb))
    } else {
        format!("{}至{}", time(from), time(to))
    }
}

/// The committee's full name, or a blank to fill in before "人民调解委员会".
fn committee_inline(refs: &Refs) -> Vec<Inline> {
    match refs.committee_name() {
        Some(n) => vec![text(n)],
        None => vec![field("", 6), text("人民调解委员会")],
    }
}

fn committee_text(refs: &Refs) -> String {
    refs.committee_name().map(str::to_string).unwrap_or_else(|| "＿＿＿＿人民调解委员会".into())
}

fn seal(refs: &Refs, on: Option<NaiveDate>) -> Seal {
    Seal { committee: refs.committee_name().map(str::to_string), date: on.map_or(DateLine::Blank, |d| DateLine::Printed(date(Some(d)))) }
}

/// "甲方" from the agreement's side, else the role ("申请人").
fn side_label(p: &PartyEntry) -> String {
    match p.party.side.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => {
            if s.ends_with('方') {
                s.to_string()
            } else {
                format!("{s}方")
            }
        }
        _ => p.party.role.map_or("当事人", |r| r.label()).to_string(),
    }
}

fn parties_with(file: &CaseFile, role: PartyRole) -> String {
    join(file.parties.iter().filter(|p| p.party.role == Some(role)).map(|p| p.name().to_string()))
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(str::trim).unwrap_or_default().to_string()
}

/// The date a form's ages are counted on.
fn reference_date(file: &CaseFile) -> Option<NaiveDate> {
    file.case.applied_on.or(file.case.accepted_on).or(file.agreement.as_ref().and_then(|a| a.signed_on))
}

/// One party as grid rows (协议书, 申请书 …): a person's 姓名/性别/民族/年龄,
/// 职业或职务/联系方式, 单位或住址; a unit's 名称, 法定代表人/联系方式, 住所地.
fn party_rows(p: &PartyEntry, label: &str, on: Option<NaiveDate>) -> Vec<Row> {
    let side = Cell::label(label).rows(3);
    if let Some(e) = &p.entity {
        return vec![
            Row::new(vec![side, Cell::label("名称"), Cell::value(opt(&e.name)).span(7)]),
            Row::new(vec![
                Cell::label("法定代表人"),
                Cell::value(opt(&e.legal_rep)).span(3),
                Cell::label("联系方式").span(2),
                Cell::value(opt(&e.phone)).span(2),
            ]),
            Row::new(vec![Cell::label("住所地"), Cell::value(opt(&e.address)).span(7)]),
        ];
    }
    let person = p.person.clone().unwrap_or_default();
    let age = on.and_then(|d| person.age_on(d)).map(|a| format!("{a}岁")).unwrap_or_default();
    let address = person.residence_address.clone().or(person.hukou_address.clone());
    vec![
        Row::new(vec![
            side,
            Cell::label("姓名"),
            Cell::value(opt(&person.name)),
            Cell::label("性别"),
            Cell::value(person.gender.map(|g| g.label()).unwrap_or_default()),
            Cell::label("民族"),
            Cell::value(person.ethnicity.map(|e| e.label()).unwrap_or_default()),
            Cell::label("年龄"),
            Cell::value(age),
        ]),
        Row::new(vec![
            Cell::label("职业或职务"),
            Cell::value(opt(&person.occupation)).span(3),
            Cell::label("联系方式").span(2),
            Cell::value(opt(&person.phone)).span(2),
        ]),
        Row::new(vec![Cell::label("单位或住址"), Cell::value(opt(&address)).span(7)]),
    ]
}

/// Column widths (mm) of [`party_rows`].
const PARTY_COLUMNS: [f32; 9] = [21.0, 26.0, 23.0, 13.0, 12.0, 13.0, 18.0, 13.0, 17.0];

fn party_grid<'p>(parties: impl IntoIterator<Item = (&'p PartyEntry, String)>, on: Option<NaiveDate>) -> Grid {
    let mut g = Grid::new(&PARTY_COLUMNS);
    for (p, label) in parties {
        g.rows.extend(party_rows(p, &label, on));
    }
    g
}

/// Multi-line text as paragraphs, one per line the clerk typed.
fn paragraphs(text: &str, indent: bool) -> Vec<Block> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let p = Paragraph::new(l.trim_start());
            Block::Paragraph(if indent { p } else { p.no_indent() })
        })
        .collect()
}

/// "1．…" clauses (the clerk may have numbered them already).
fn numbered(items: &[String]) -> Vec<Block> {
    items
        .iter()
        .filter(|t| !t.trim().is_empty())
        .enumerate()
        .map(|(i, t)| {
            let t = t.trim();
            let already = t.chars().next().is_some_and(|c| c.is_ascii_digit() || "一二三四五六七八九十（(".contains(c));
            Paragraph::new(if already { t.to_string() } else { format!("{}．{t}", i + 1) }).into()
        })
        .collect()
}

/// Two label–value pairs on a 4-column grid.
fn row4(a: &str, b: impl Into<String>, c: &str, d: impl Into<String>) -> Row {
    Row::new(vec![Cell::label(a), Cell::value(b), Cell::label(c), Cell::value(d)])
}

/// A label cell and a value cell spanning the rest of a 2-column grid.
fn row2(label: &str, value: impl Into<String>) -> Row {
    Row::new(vec![Cell::label(label), Cell::value(value)])
}

/// A ledger's first line: "填报单位：＿＿　　排查期间：…".
fn ledger_head(refs: &Refs, period_label: &str, period: Period) -> Paragraph {
    Paragraph::runs(vec![
        text("填报单位："),
        field(refs.office_name().unwrap_or_default(), 8),
        text(format!("　　{period_label}：{}", period.text())),
    ])
    .no_indent()
}

/// A ledger's foot: the period's counts, then who filled it in and who checked it.
fn ledger_foot(doc: &mut Document, summary: String) {
    doc.push(Paragraph::new(summary).no_indent());
    doc.push(Signatures::new(&["填表人（签名）", "负责人（签名）"]).columns(2).date(DateLine::Blank));
}

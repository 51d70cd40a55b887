//! Rows → records: each row cleaned, built into the records it stands for, checked with the
//! model's rules and against the store (already imported? a zero-report round?), and listed
//! with its problems. [`commit`] writes the accepted rows in one transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use fengqiao_model::*;
use fengqiao_store::reminders::period_containing;
use fengqiao_store::Store;
use rusqlite::OptionalExtension;
use serde::Serialize;
use uuid::Uuid;

use crate::clean;
use crate::grid::{Cell, Grid};
use crate::headers::{choose, Header, LedgerKind, Mapping};
use crate::SheetError;

/// Where imported cases go when the sheet does not say (or names an unknown one).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The 调委会 of imported cases; default: the office's township (or first) committee.
    pub committee_id: Option<Uuid>,
    /// The 主调解员 of imported cases; default: the committee's first mediator.
    pub mediator_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Will be imported.
    New,
    /// Already in the store (imported before, or the same 编号 / person and release):
    /// skipped.
    Existing,
    /// Has problems: not imported.
    Rejected,
}

impl RowStatus {
    pub fn label(self) -> &'static str {
        match self {
            RowStatus::New => "导入",
            RowStatus::Existing => "已存在，跳过",
            RowStatus::Rejected => "不导入",
        }
    }
}

/// A record a row stands for, in the order it is written.
#[derive(Debug, Clone)]
enum Rec {
    Person(Person),
    Case(DisputeCase),
    Party(CaseParty),
    Round(ScreeningRound),
    Item(ScreeningItem),
    Released(ReleasedPerson),
}

/// One row of the sheet: what it is, and what is wrong with it.
#[derive(Debug, Clone, Serialize)]
pub struct RowPlan {
    /// The row number as Excel shows it.
    pub row: usize,
    pub status: RowStatus,
    /// A short description ("（2024）东山调字第3号 张伟、李娜 邻里纠纷").
    pub summary: String,
    /// Why the row is not imported.
    pub problems: Vec<String>,
    /// What was assumed or may be wrong, without stopping the row.
    pub warnings: Vec<String>,
    #[serde(skip)]
    records: Vec<Rec>,
}

/// The preview: the sheet's header and every row with its problems. Nothing is written.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub header: Header,
    pub rows: Vec<RowPlan>,
    /// Rows below the data that were skipped (合计, 填表人 …), as Excel numbers them.
    pub skipped_rows: Vec<usize>,
    /// What applies to every row (defaults taken for columns the sheet lacks).
    pub notes: Vec<String>,
}

impl Plan {
    pub fn count(&self, status: RowStatus) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }
}

/// What a commit wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Rows imported.
    pub imported: usize,
    /// Records written for them (cases, parties, persons, rounds …).
    pub records: usize,
    /// Rows skipped because they were already in the store.
    pub existing: usize,
    /// Rows not imported, with why.
    pub rejected: Vec<RejectedRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedRow {
    pub row: usize,
    pub problems: Vec<String>,
}

/// Ids derived from a row's natural key, per office, so a second import finds the first.
fn derived_id(office: Uuid, key: &str) -> Uuid {
    const NAMESPACE: Uuid = Uuid::from_u128(0x6a1e_5c0b_8f3d_4e2a_9b71_0c4d_2e8f_5a13);
    Uuid::new_v5(&NAMESPACE, format!("{office}/{key}").as_bytes())
}

/// Cells of one row by field.
struct RowCells<'a> {
    grid: &'a Grid,
    row: usize,
    header: &'a Header,
}

impl RowCells<'_> {
    fn cell(&self, field: &str) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        match self.header.column_of(field) {
            Some(c) => self.grid.cell(self.row, c),
            None => &EMPTY,
        }
    }
    fn text(&self, field: &str) -> Option<String> {
        clean::text(self.cell(field))
    }
}

/// Collects a row's problems and warnings, each naming its column.
#[derive(Default)]
struct Notes {
    problems: Vec<String>,
    warnings: Vec<String>,
    /// Fields already reported, so the model's "必须填写" for them is not said twice.
    bad: std::collections::HashSet<String>,
}

impl Notes {
    fn problem(&mut self, label: &str, msg: impl AsRef<str>) {
        self.problems.push(format!("{label}：{}", msg.as_ref()));
    }
    fn warn(&mut self, label: &str, msg: impl AsRef<str>) {
        self.warnings.push(format!("{label}：{}", msg.as_ref()));
    }
    /// A value through a cleaner; a failure is a problem of the row.
    fn take<T>(&mut self, label: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(label, e);
                None
            }
        }
    }
    /// Runs the model's rules on a record about to be written.
    fn check<R: Record>(&mut self, rec: &mut R, ctx: &Ctx, what: &str) {
        rec.normalize(ctx);
        let mut issues = Issues::new();
        rec.validate(ctx, &mut issues);
        for e in issues.errors {
            if self.bad.contains(&e.field) {
                continue;
            }
            self.problems.push(format!("{what}{}：{}", e.label, e.message));
        }
        for w in issues.warnings {
            self.warnings.push(format!("{what}{}：{}", w.label, w.message));
        }
    }
}

const FOOTER_WORDS: &[&str] = &["合计", "总计", "小计", "填表", "制表", "审核", "负责人", "说明", "注：", "注:", "备注：", "统计"];

/// Reads the sheet the mapping names (or the one whose header fits best) and builds the
/// preview against the store. Writes nothing.
pub fn plan(store: &Store, grids: &[Grid], mapping: &Mapping, opts: &ImportOptions) -> Result<Plan, SheetError> {
    let (grid, header) = choose(grids, mapping)?;
    if !header.missing.is_empty() {
        return Err(SheetError::MissingColumns(header.missing.clone()));
    }
    let mut b = Builder::new(store, &header, opts)?;
    let mut rows = Vec::new();
    let mut skipped_rows = Vec::new();
    for r in header.last_row + 1..grid.rows.len() {
        if grid.row_is_blank(r) {
            continue;
        }
        let first_text = grid.rows[r].iter().find_map(clean::text).unwrap_or_default();
        let mapped_cells = header.columns.iter().filter(|c| c.field.is_some()).filter(|c| !grid.cell(r, c.index).is_empty()).count();
        if FOOTER_WORDS.iter().any(|w| first_text.starts_with(w)) && mapped_cells <= 2 {
            skipped_rows.push(r + 1);
            continue;
        }
        let cells = RowCells { grid, row: r, header: &header };
        rows.push(b.row(&cells)?);
    }
    if header.kind == LedgerKind::Screenings {
        b.finish_rounds(&mut rows);
    }
    let mut notes = header.notes.clone();
    notes.extend(b.notes);
    Ok(Plan { header, rows, skipped_rows, notes })
}

/// Writes every row the plan accepts, in one transaction: all of them, or none.
pub fn commit(store: &mut Store, plan: &Plan) -> Result<ImportReport, SheetError> {
    let mut report = ImportReport::default();
    for r in &plan.rows {
        match r.status {
            RowStatus::New => report.imported += 1,
            RowStatus::Existing => report.existing += 1,
            RowStatus::Rejected => report.rejected.push(RejectedRow { row: r.row, problems: r.problems.clone() }),
        }
    }
    let written = store.batch(|b| {
        let mut n = 0;
        for r in plan.rows.iter().filter(|r| r.status == RowStatus::New) {
            let at = |e: fengqiao_store::StoreError| fengqiao_store::StoreError::Rule(format!("第{}行：{e}", r.row));
            for rec in &r.records {
                match rec.clone() {
                    Rec::Person(x) => drop(b.save(x).map_err(at)?),
                    Rec::Case(x) => {
                        let saved = b.save(x).map_err(at)?.record;
                        b.register_case_number(&saved).map_err(at)?;
                    }
                    Rec::Party(x) => drop(b.save(x).map_err(at)?),
                    Rec::Round(x) => drop(b.save(x).map_err(at)?),
                    Rec::Item(x) => drop(b.save(x).map_err(at)?),
                    Rec::Released(x) => drop(b.save(x).map_err(at)?),
                }
                n += 1;
            }
        }
        Ok(n)
    })?;
    report.records = written;
    Ok(report)
}

/// A case number as the register writes it: full-width brackets, ASCII digits, no spaces
/// ("(2024) 东山调字第１号" → "（2024）东山调字第1号").
fn canonical_case_no(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// Builds rows into records, with what it has looked up in the store.
struct Builder<'a> {
    store: &'a Store,
    header: &'a Header,
    ctx: Ctx,
    office: Uuid,
    office_division: String,
    committees: Vec<Organization>,
    mediators: Vec<Mediator>,
    committee: Option<Uuid>,
    mediator: Option<Uuid>,
    village_period: PeriodType,
    township_period: PeriodType,
    /// Natural key → first row, to refuse a row repeated in the sheet.
    seen: HashMap<String, usize>,
    /// Rounds by (unit, period start): the id, whether it is new, and its rows.
    rounds: BTreeMap<(String, NaiveDate), RoundPlan>,
    notes: Vec<String>,
}

struct RoundPlan {
    round: ScreeningRound,
    existing: bool,
}

impl<'a> Builder<'a> {
    fn new(store: &'a Store, header: &'a Header, opts: &ImportOptions) -> Result<Self, SheetError> {
        let office = store.office()?;
        let committees: Vec<Organization> =
            store.all::<Organization>()?.into_iter().filter(|o| o.org_type == Some(OrgType::MediationCommittee)).collect();
        let mediators = store.all::<Mediator>()?;
        let committee = opts.committee_id.or_else(|| {
            committees
                .iter()
                .find(|c| matches!(c.committee_type, Some(CommitteeType::Township | CommitteeType::Subdistrict)))
                .or(committees.first())
                .map(|c| c.meta.id)
        });
        let mediator = opts.mediator_id.or_else(|| {
            let of = |cid| mediators.iter().find(|m| m.committee_id == Some(cid)).map(|m| m.meta.id);
            committee.and_then(of).or(mediators.first().map(|m| m.meta.id))
        });
        let settings = store.reminder_settings()?;
        let mut notes = Vec::new();
        let has = |f: &str| header.column_of(f).is_some();
        match header.kind {
            LedgerKind::Disputes => {
                if !has("source") {
                    notes.push("表中没有“案件来源”列，导入的案件均记为依申请调解".into());
                }
                if !has("committee") {
                    if let Some(c) = committee.and_then(|id| committees.iter().find(|c| c.meta.id == id)) {
                        notes.push(format!("表中没有“调委会”列，导入的案件均归{}", c.name.as_deref().unwrap_or("")));
                    }
                }
                if !has("mediator") {
                    if let Some(m) = mediator.and_then(|id| mediators.iter().find(|m| m.meta.id == id)) {
                        notes.push(format!("表中没有“调解员”列，主调解员均记为{}", m.name.as_deref().unwrap_or("")));
                    }
                }
                if has("result") && !has("agreement_form") {
                    notes.push("表中没有“协议形式”列，调解成功的案件均记为书面协议".into());
                }
            }
            LedgerKind::Released => {
                if !has("is_recidivist") {
                    notes.push("表中没有“是否累犯”列，均记为否".into());
                }
            }
            LedgerKind::Screenings => {
                if !has("risk_level") {
                    notes.push("表中没有“风险等级”列，均记为一般".into());
                }
                if !has("disposition") {
                    notes.push("表中没有“处置措施”列，均记为就地调解".into());
                }
            }
        }
        Ok(Builder {
            store,
            header,
            ctx: store.ctx(),
            office: office.meta.id,
            office_division: office.division_code.unwrap_or_default(),
            committees,
            mediators,
            committee,
            mediator,
            village_period: settings.screening_village_period,
            township_period: settings.screening_township_period,
            seen: HashMap::new(),
            rounds: BTreeMap::new(),
            notes,
        })
    }

    fn label(&self, field: &str) -> String {
        let col = self.header.columns.iter().find(|c| c.field == Some(field));
        match col {
            Some(c) => format!("{}列“{}”", c.letter, c.header),
            None => field.to_string(),
        }
    }

    fn date(&self, n: &mut Notes, cells: &RowCells, field: &str) -> Option<NaiveDate> {
        let label = self.label(field);
        let r = clean::date(cells.cell(field));
        if r.is_err() {
            n.bad.insert(field.to_string());
        }
        n.take(&label, r).flatten()
    }

    fn required_date(&self, n: &mut Notes, cells: &RowCells, field: &str) -> Option<NaiveDate> {
        let d = self.date(n, cells, field);
        if d.is_none() && cells.cell(field).is_empty() {
            self.missing(n, field);
        }
        d
    }

    fn required_text(&self, n: &mut Notes, cells: &RowCells, field: &str) -> Option<String> {
        let t = cells.text(field);
        if t.is_none() {
            self.missing(n, field);
        }
        t
    }

    fn missing(&self, n: &mut Notes, field: &str) {
        n.bad.insert(field.to_string());
        n.problem(&self.label(field), "必须填写");
    }

    /// A code list value through its cleaner; empty is none.
    fn code<T>(&self, n: &mut Notes, cells: &RowCells, field: &str, f: fn(&str) -> Result<T, String>) -> Option<T> {
        let t = cells.text(field)?;
        let label = self.label(field);
        let r = f(&t);
        if r.is_err() {
            n.bad.insert(field.to_string());
        }
        n.take(&label, r)
    }

    /// Refuses a natural key already seen in this sheet.
    fn once(&mut self, n: &mut Notes, key: &str, row: usize, what: &str) {
        if let Some(first) = self.seen.get(key) {
            n.problems.push(format!("与第{first}行{what}重复"));
        } else {
            self.seen.insert(key.to_string(), row);
        }
    }

    fn exists(&self, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<bool, SheetError> {
        let found: Option<i64> = self.store.connection().query_row(sql, args, |r| r.get(0)).optional().map_err(fengqiao_store::StoreError::from)?;
        Ok(found.is_some())
    }

    fn row(&mut self, cells: &RowCells) -> Result<RowPlan, SheetError> {
        match self.header.kind {
            LedgerKind::Disputes => self.dispute(cells),
            LedgerKind::Screenings => self.screening(cells),
            LedgerKind::Released => self.released(cells),
        }
    }

    fn finish(&self, row: usize, summary: String, n: Notes, existing: bool, records: Vec<Rec>) -> RowPlan {
        let status = if !n.problems.is_empty() {
            RowStatus::Rejected
        } else if existing {
            RowStatus::Existing
        } else {
            RowStatus::New
        };
        let records = if status == RowStatus::New { records } else { Vec::new() };
        RowPlan { row: row + 1, status, summary, problems: n.problems, warnings: n.warnings, records }
    }

    // --- 纠纷调解台账 ----------------------------------------------------------------------

    fn dispute(&mut self, cells: &RowCells) -> Result<RowPlan, SheetError> {
        let mut n = Notes::default();
        let row = cells.row;
        let case_no = self.required_text(&mut n, cells, "case_no").map(|s| canonical_case_no(&s));
        let accepted_on = self.required_date(&mut n, cells, "accepted_on");
        let applied_on = self.date(&mut n, cells, "applied_on");
        let closed_on = self.date(&mut n, cells, "closed_on");
        let dispute_type = self.code(&mut n, cells, "dispute_type", clean::dispute_type);
        if cells.cell("dispute_type").is_empty() {
            self.missing(&mut n, "dispute_type");
        }
        // Parties: one column of names, or 申请人 and 被申请人.
        let mut parties: Vec<(String, PartyRole)> = Vec::new();
        for (field, role) in [("applicant", PartyRole::Applicant), ("respondent", PartyRole::Respondent)] {
            if let Some(t) = cells.text(field) {
                parties.extend(clean::names(&t).into_iter().map(|p| (p, role)));
            }
        }
        if let Some(t) = cells.text("parties") {
            for (i, p) in clean::names(&t).into_iter().enumerate() {
                if !parties.iter().any(|(q, _)| *q == p) {
                    let role =
                        if i == 0 && !parties.iter().any(|(_, r)| *r == PartyRole::Applicant) { PartyRole::Applicant } else { PartyRole::Respondent };
                    parties.push((p, role));
                }
            }
        }
        parties.sort_by_key(|(_, r)| *r != PartyRole::Applicant);
        if parties.is_empty() {
            n.bad.insert("person_id".into());
            n.problems.push("当事人：必须填写".into());
        } else if parties.len() == 1 {
            n.warnings.push("当事人：只有一方当事人，请核对".into());
        }
        let names: Vec<&str> = parties.iter().map(|(p, _)| p.as_str()).collect();
        let title = cells.text("title").unwrap_or_else(|| {
            let who = match names.as_slice() {
                [] => String::new(),
                [a] => a.to_string(),
                [a, rest @ ..] => format!("{a}与{}", rest.join("、")),
            };
            format!("{who}{}", dispute_type.map(|d| d.label()).unwrap_or("纠纷"))
        });
        let summary = cells.text("summary").unwrap_or_else(|| {
            n.warnings.push("纠纷简要情况：表中未填写，以案由代替".into());
            title.clone()
        });
        let result = self.code(&mut n, cells, "result", clean::result);
        let form = self.code(&mut n, cells, "agreement_form", clean::agreement_form);
        let (source, referral_type) = match cells.text("source") {
            Some(t) => n.take(&self.label("source"), clean::source(&t)).unwrap_or((CaseSource::PartyApplication, None)),
            None => (CaseSource::PartyApplication, None),
        };
        let referral_org = (source == CaseSource::Referral).then(|| cells.text("source")).flatten();
        let wan = self.header.header_of("amount").is_some_and(|h| h.contains("万"));
        let amount_cents = n.take(&self.label("amount"), clean::amount_cents(cells.cell("amount"), wan)).flatten();
        // The committee and the mediator: as named, or the defaults.
        let committee = match cells.text("committee") {
            Some(name) => {
                let found = self.committees.iter().find(|c| {
                    c.name.as_deref().is_some_and(|cn| cn == name || cn.contains(&name) || name.contains(cn.trim_end_matches("人民调解委员会")))
                });
                if found.is_none() {
                    n.warn(&self.label("committee"), format!("“{name}”不是本所登记的调委会，记入默认调委会"));
                }
                found.map(|c| c.meta.id).or(self.committee)
            }
            None => self.committee,
        };
        let mediator = match cells.text("mediator") {
            Some(t) => {
                let first = clean::names(&t).into_iter().next().unwrap_or_default();
                let found = self.mediators.iter().find(|m| m.name.as_deref() == Some(first.as_str()));
                if found.is_none() {
                    n.warn(&self.label("mediator"), format!("调解员“{first}”未在本所登记，主调解员记为默认调解员"));
                }
                found.map(|m| m.meta.id).or(self.mediator)
            }
            None => self.mediator,
        };
        if committee.is_none() {
            n.problems.push("调委会：本所尚未登记人民调解委员会，请先在设置中登记".into());
        }
        if mediator.is_none() {
            n.problems.push("调解员：本所尚未登记人民调解员，请先在设置中登记".into());
        }
        // Status from the result.
        let mut case = DisputeCase {
            case_no: case_no.clone(),
            committee_id: committee,
            accepted_on,
            applied_on,
            source: Some(source),
            referral_type,
            referral_org,
            dispute_type,
            title: Some(title.clone()),
            summary: Some(summary),
            occurred_place: cells.text("occurred_place"),
            amount_cents,
            lead_mediator_id: mediator,
            party_count: parties.len() as i64,
            ..Default::default()
        };
        let closed = || closed_on.or(accepted_on);
        match result {
            None => case.status = CaseStatus::Accepted,
            Some(r) => {
                if closed_on.is_none() {
                    n.warnings.push("结案日期：表中未填写，以受理日期代替".into());
                }
                case.result = Some(r);
                case.closed_on = closed();
                match r {
                    MediationResult::Success => {
                        case.status = CaseStatus::Closed;
                        case.agreement_form = Some(form.unwrap_or(AgreementForm::Written));
                    }
                    MediationResult::Failed => {
                        case.status = CaseStatus::Closed;
                        case.failure_reason = cells.text("result");
                        case.alternatives_told = vec![Alternative::Other];
                        n.warnings.push("调解不成功：台账未记载告知当事人的其他途径，记为“其他途径”".into());
                    }
                    MediationResult::Withdrawn => {
                        case.status = CaseStatus::Withdrawn;
                        case.status_reason = cells.text("result");
                    }
                }
            }
        }
        let key = format!("dispute_case/{}", case_no.clone().unwrap_or_default());
        if case_no.is_some() {
            self.once(&mut n, &key, row + 1, "编号");
        }
        let case_id = derived_id(self.office, &key);
        case.meta.id = case_id;
        let existing = match &case_no {
            Some(no) => self.exists("SELECT 1 FROM dispute_case WHERE (case_no = ?1 OR id = ?2) AND deleted = 0", &[no, &case_id.to_string()])?,
            None => false,
        };
        n.check(&mut case, &self.ctx, "");
        let mut records = Vec::new();
        let mut party_records = Vec::new();
        const SIDES: [&str; 10] = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];
        for (i, (name, role)) in parties.iter().enumerate() {
            let mut person = Person { name: Some(name.clone()), gender: Some(Gender::Unknown), ..Default::default() };
            person.meta.id = derived_id(self.office, &format!("{key}/person/{i}"));
            n.check(&mut person, &self.ctx, &format!("当事人“{name}”的"));
            let mut party = CaseParty {
                case_id: Some(case_id),
                person_id: Some(person.meta.id),
                role: Some(*role),
                side: SIDES.get(i).map(|s| s.to_string()),
                ..Default::default()
            };
            party.meta.id = derived_id(self.office, &format!("{key}/party/{i}"));
            n.check(&mut party, &self.ctx, "");
            records.push(Rec::Person(person));
            party_records.push(Rec::Party(party));
        }
        records.push(Rec::Case(case));
        records.extend(party_records);
        let summary =
            format!("{} {} {}", case_no.as_deref().unwrap_or("（无编号）"), names.join("、"), dispute_type.map(|d| d.label()).unwrap_or(""));
        Ok(self.finish(row, summary.trim().to_string(), n, existing, records))
    }

    // --- 安置帮教台账 ----------------------------------------------------------------------

    fn released(&mut self, cells: &RowCells) -> Result<RowPlan, SheetError> {
        let mut n = Notes::default();
        let row = cells.row;
        let name = self.required_text(&mut n, cells, "name").map(|s| clean::name(&s));
        let id_label = self.label("id_number");
        let id_raw = n.take(&id_label, clean::id_number(cells.cell("id_number"))).flatten();
        let id_number = match &id_raw {
            None => {
                if cells.cell("id_number").is_empty() {
                    n.problem(&id_label, "必须填写");
                }
                n.bad.insert("id_number".into());
                None
            }
            Some(raw) => match id_number::parse(raw, self.ctx.today) {
                Ok(id) => {
                    if id.converted_from_15 {
                        n.warn(&id_label, format!("15位号码已转换为18位：{}", id.number));
                    }
                    Some(id.number)
                }
                Err(e) => {
                    n.problem(&id_label, format!("“{raw}”{e}"));
                    n.bad.insert("id_number".into());
                    None
                }
            },
        };
        let released_on = self.required_date(&mut n, cells, "released_on");
        let gender = self.code(&mut n, cells, "gender", clean::gender);
        let ethnicity = self.code(&mut n, cells, "ethnicity", clean::ethnicity);
        let assessment = self.code(&mut n, cells, "assessment_type", clean::assessment).or_else(|| {
            n.warnings.push("危险性评估：表中未填写，记为一般帮教人员，请核对".into());
            Some(AssessmentType::General)
        });
        let is_recidivist = match cells.text("is_recidivist") {
            Some(t) => n.take(&self.label("is_recidivist"), clean::yes_no(&t)),
            None => Some(false),
        };
        let handover_on = self.date(&mut n, cells, "handover_on");
        let mut handover_method = self.code(&mut n, cells, "handover_method", clean::handover_method);
        if handover_on.is_some() && handover_method.is_none() {
            n.warnings.push("衔接情况：表中未填写，记为其他衔接情况".into());
            handover_method = Some(HandoverMethod::Other);
        }
        let resettled_on = self.date(&mut n, cells, "resettled_on");
        let resettlement_method =
            self.code(&mut n, cells, "resettlement_method", clean::resettlement_method).or(resettled_on.map(|_| ResettlementMethod::Other));
        let help_period_end = self.date(&mut n, cells, "help_period_end");
        let help_status = self.code(&mut n, cells, "help_status", clean::help_status);
        let sentence_term = self.required_text(&mut n, cells, "sentence_term");
        let key = format!("released_person/{}/{}", id_number.clone().unwrap_or_default(), released_on.map(|d| d.to_string()).unwrap_or_default());
        if id_number.is_some() && released_on.is_some() {
            self.once(&mut n, &key, row + 1, "身份证号和释放日期");
        }
        // The person: the one already registered with this number, or a new one.
        let existing_person: Option<String> = match &id_number {
            Some(id) => self
                .store
                .connection()
                .query_row("SELECT id FROM person WHERE id_number = ?1 AND deleted = 0 ORDER BY id LIMIT 1", [id], |r| r.get(0))
                .optional()
                .map_err(fengqiao_store::StoreError::from)?,
            None => None,
        };
        let mut records = Vec::new();
        let person_id = match existing_person.and_then(|s| Uuid::parse_str(&s).ok()) {
            Some(id) => id,
            None => {
                let mut person = Person {
                    name: name.clone(),
                    id_number: id_number.clone(),
                    gender,
                    ethnicity,
                    phone: cells.text("phone").map(|p| clean::half_width(&p)),
                    hukou_address: cells.text("hukou_address"),
                    residence_address: cells.text("residence_address"),
                    ..Default::default()
                };
                person.meta.id = derived_id(self.office, &format!("person/{}", id_number.clone().unwrap_or_else(|| format!("row{row}"))));
                n.check(&mut person, &self.ctx, "人员");
                let id = person.meta.id;
                records.push(Rec::Person(person));
                id
            }
        };
        let mut r = ReleasedPerson {
            person_id: Some(person_id),
            is_recidivist,
            crime_name: self.required_text(&mut n, cells, "crime_name"),
            sentence_months: sentence_term.as_deref().and_then(clean::sentence_months),
            sentence_term,
            prison_name: self.required_text(&mut n, cells, "prison_name"),
            released_on,
            release_type: Some(ReleaseType::SentenceServed),
            assessment_type: assessment,
            notice_received_on: self.date(&mut n, cells, "notice_received_on"),
            handover_on,
            handover_method,
            handover_status: Some(if handover_on.is_some() { HandoverStatus::Done } else { HandoverStatus::Pending }),
            police_registration_on: self.date(&mut n, cells, "police_registration_on"),
            resettled_on,
            resettlement_method,
            help_period_end,
            help_status,
            ..Default::default()
        };
        if r.help_status == Some(HelpStatus::Expired) && r.help_released_on.is_none() {
            r.help_released_on = help_period_end.filter(|d| *d <= self.ctx.today).or(Some(self.ctx.today));
            n.warnings.push("帮教状态：已解除，解除日期记为帮教期满日".into());
        }
        let rid = derived_id(self.office, &key);
        r.meta.id = rid;
        n.check(&mut r, &self.ctx, "");
        let existing = self.exists(
            "SELECT 1 FROM released_person WHERE (id = ?1 OR (person_id = ?2 AND released_on = ?3)) AND deleted = 0",
            &[&rid.to_string(), &person_id.to_string(), &released_on.map(|d| d.to_string()).unwrap_or_default()],
        )?;
        records.push(Rec::Released(r));
        let summary = format!(
            "{} {} {}释放",
            name.as_deref().unwrap_or("（无姓名）"),
            id_number.as_deref().or(id_raw.as_deref()).unwrap_or(""),
            released_on.map(|d| d.to_string()).unwrap_or_default()
        );
        Ok(self.finish(row, summary, n, existing, records))
    }

    // --- 矛盾纠纷排查台账 --------------------------------------------------------------------

    fn screening(&mut self, cells: &RowCells) -> Result<RowPlan, SheetError> {
        let mut n = Notes::default();
        let row = cells.row;
        let found_on = self.required_date(&mut n, cells, "found_on");
        let unit = self.required_text(&mut n, cells, "unit").map(|u| clean::half_width(&u).split_whitespace().collect::<String>());
        let party_summary = self.required_text(&mut n, cells, "parties");
        let dispute_type = self.code(&mut n, cells, "dispute_type", clean::dispute_type);
        if cells.cell("dispute_type").is_empty() {
            self.missing(&mut n, "dispute_type");
        }
        let summary = self.required_text(&mut n, cells, "summary");
        let people = n
            .take(&self.label("people_involved"), clean::count(cells.cell("people_involved")))
            .flatten()
            .or_else(|| party_summary.as_deref().map(|p| clean::names(p).len().max(1) as i64));
        let risk_level = self.code(&mut n, cells, "risk_level", clean::risk_level).or(Some(RiskLevel::General));
        let status = self.code(&mut n, cells, "status", clean::item_status).or(Some(ItemStatus::Open));
        let disposition = self.code(&mut n, cells, "disposition", clean::disposition).or(Some(if status == Some(ItemStatus::Referred) {
            Disposition::ReferCommittee
        } else {
            Disposition::MediateOnSpot
        }));
        let mut resolved_on = self.date(&mut n, cells, "resolved_on");
        if status == Some(ItemStatus::Resolved) && resolved_on.is_none() {
            resolved_on = found_on;
            n.warnings.push("化解日期：表中未填写，以排查日期代替".into());
        }
        let deadline = self.date(&mut n, cells, "deadline");
        let mut records = Vec::new();
        let mut existing = false;
        let summary_text = format!(
            "{} {} {}",
            unit.as_deref().unwrap_or("（无排查单位）"),
            found_on.map(|d| d.to_string()).unwrap_or_default(),
            party_summary.as_deref().unwrap_or("")
        );
        if let (Some(unit), Some(found_on)) = (unit.clone(), found_on) {
            // The unit: a committee of that name, else the office's area.
            let committee = self.committees.iter().find(|c| {
                let short = c.name.as_deref().unwrap_or("").trim_end_matches("人民调解委员会").trim_end_matches("调委会");
                !short.is_empty() && (short == unit || unit.contains(short) || short.contains(&unit))
            });
            let village = match committee {
                Some(c) => matches!(c.committee_type, Some(CommitteeType::Village | CommitteeType::Residential)),
                None => !(unit.ends_with('镇') || unit.ends_with('乡') || unit.ends_with("街道") || unit.ends_with("司法所")),
            };
            let period_type = if village { self.village_period } else { self.township_period };
            let (start, end, _) = period_containing(period_type, found_on);
            let round_key = (unit.clone(), start);
            if !self.rounds.contains_key(&round_key) {
                let found: Option<String> = self
                    .store
                    .connection()
                    .query_row(
                        "SELECT data FROM screening_round WHERE json_extract(data, '$.unit_name') = ?1 AND period_start = ?2 AND deleted = 0 ORDER BY id LIMIT 1",
                        [unit.as_str(), start.to_string().as_str()],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(fengqiao_store::StoreError::from)?;
                let plan = match found {
                    Some(data) => RoundPlan { round: serde_json::from_str(&data).map_err(fengqiao_store::StoreError::from)?, existing: true },
                    None => {
                        if committee.is_none() {
                            n.warn(&self.label("unit"), format!("“{unit}”未匹配到本所登记的调委会，按本所行政区划登记"));
                        }
                        let mut round = ScreeningRound {
                            unit_org_id: committee.map(|c| c.meta.id),
                            unit_division_code: committee.and_then(|c| c.division_code.clone()).or(Some(self.office_division.clone())),
                            unit_name: Some(unit.clone()),
                            period_type: Some(period_type),
                            period_start: Some(start),
                            period_end: Some(end),
                            screened_on: Some(found_on),
                            screener_names: Vec::new(),
                            statement: Some("台账导入".into()),
                            ..Default::default()
                        };
                        round.meta.id = derived_id(self.office, &format!("screening_round/{unit}/{start}"));
                        RoundPlan { round, existing: false }
                    }
                };
                self.rounds.insert(round_key.clone(), plan);
            }
            let plan = self.rounds.get_mut(&round_key).expect("inserted above");
            if plan.existing && plan.round.zero_report {
                n.problems.push(format!("{unit}该期（{}起）已报零报告，不能再登记矛盾纠纷；请先在系统中取消零报告", start));
            }
            if !plan.existing {
                let on = plan.round.screened_on.map_or(found_on, |d| d.min(found_on));
                plan.round.screened_on = Some(on);
                let screener = cells.text("screener").or_else(|| cells.text("responsible")).unwrap_or_else(|| "台账导入".into());
                for s in clean::names(&screener) {
                    if !plan.round.screener_names.contains(&s) {
                        plan.round.screener_names.push(s);
                    }
                }
            }
            let round_id = plan.round.meta.id;
            let key =
                format!("screening_item/{unit}/{found_on}/{}/{}", party_summary.clone().unwrap_or_default(), summary.clone().unwrap_or_default());
            self.once(&mut n, &key, row + 1, "排查单位、日期、当事人和情况");
            let mut item = ScreeningItem {
                round_id: Some(round_id),
                found_on: Some(found_on),
                place: cells.text("place"),
                party_summary: party_summary.clone(),
                dispute_type,
                people_involved: people,
                summary: summary.clone(),
                risk_level,
                disposition,
                responsible_person: cells.text("responsible").map(|r| clean::name(&r)),
                deadline,
                status,
                resolved_on,
                ..Default::default()
            };
            item.meta.id = derived_id(self.office, &key);
            existing = self.exists("SELECT 1 FROM screening_item WHERE id = ?1 AND deleted = 0", &[&item.meta.id.to_string()])?;
            n.check(&mut item, &self.ctx, "");
            records.push(Rec::Item(item));
        }
        Ok(self.finish(row, summary_text, n, existing, records))
    }

    /// Puts each new round before the first accepted item of it, with its count, and checks
    /// the rounds themselves.
    fn finish_rounds(&mut self, rows: &mut [RowPlan]) {
        let mut counts: HashMap<Uuid, i64> = HashMap::new();
        for r in rows.iter().filter(|r| r.status == RowStatus::New) {
            for rec in &r.records {
                if let Rec::Item(i) = rec {
                    *counts.entry(i.round_id.unwrap_or_default()).or_default() += 1;
                }
            }
        }
        let new_rounds: HashMap<Uuid, ScreeningRound> =
            self.rounds.values().filter(|p| !p.existing).map(|p| (p.round.meta.id, p.round.clone())).collect();
        let mut placed = std::collections::HashSet::new();
        for r in rows.iter_mut().filter(|r| r.status == RowStatus::New) {
            let Some(Rec::Item(item)) = r.records.first() else { continue };
            let rid = item.round_id.unwrap_or_default();
            if let (Some(round), true) = (new_rounds.get(&rid), !placed.contains(&rid)) {
                let mut round = round.clone();
                round.found_count = counts.get(&rid).copied().unwrap_or(0);
                let mut n = Notes::default();
                n.check(&mut round, &self.ctx, "排查记录的");
                if n.problems.is_empty() {
                    placed.insert(rid);
                    r.records.insert(0, Rec::Round(round));
                } else {
                    r.problems.extend(n.problems);
                    r.status = RowStatus::Rejected;
                    r.records.clear();
                }
            }
        }
        // Items whose new round could not be placed (its first row was refused above).
        for r in rows.iter_mut().filter(|r| r.status == RowStatus::New) {
            let Some(Rec::Item(item)) = r.records.iter().find(|x| matches!(x, Rec::Item(_))) else { continue };
            let rid = item.round_id.unwrap_or_default();
            if new_rounds.contains_key(&rid) && !placed.contains(&rid) {
                r.problems.push("所属排查记录有误，见同期其他行".into());
                r.status = RowStatus::Rejected;
                r.records.clear();
            }
        }
    }
}

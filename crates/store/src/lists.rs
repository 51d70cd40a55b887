//! The ledgers as lists: filters, sorting and pagination for each family, with search.

use chrono::NaiveDate;
use fengqiao_model::*;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{search, Result, Store};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Desc,
    Asc,
}

impl SortOrder {
    fn sql(self) -> &'static str {
        match self {
            SortOrder::Desc => "DESC",
            SortOrder::Asc => "ASC",
        }
    }
}

/// One page of a list, with the total matching count for the pager.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

/// The largest page a list returns; larger requests are capped.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Folds what people type into what is indexed: full-width digits and letters to ASCII,
/// upper-case X in ID numbers.
pub(crate) fn normalize_query_term(term: &str) -> String {
    term.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .map(|c| if c == 'x' { 'X' } else { c })
        .collect()
}

/// Builds `WHERE` clauses and their parameters.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    args: Vec<SqlValue>,
}

impl Where {
    fn eq<T: ToString>(&mut self, column: &str, v: Option<T>) {
        if let Some(v) = v {
            self.clauses.push(format!("{column} = ?"));
            self.args.push(SqlValue::Text(v.to_string()));
        }
    }
    fn any_of(&mut self, column: &str, values: &[&str]) {
        if !values.is_empty() {
            self.clauses.push(format!("{column} IN ({})", vec!["?"; values.len()].join(", ")));
            self.args.extend(values.iter().map(|v| SqlValue::Text(v.to_string())));
        }
    }
    fn range(&mut self, column: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) {
        if let Some(f) = from {
            self.clauses.push(format!("{column} >= ?"));
            self.args.push(SqlValue::Text(f.to_string()));
        }
        if let Some(t) = to {
            self.clauses.push(format!("{column} <= ?"));
            self.args.push(SqlValue::Text(t.to_string()));
        }
    }
    fn search(&mut self, kind: Kind, query: Option<&str>) {
        if let Some((sql, args)) = query.and_then(|q| search::condition(kind, q)) {
            self.clauses.push(sql);
            self.args.extend(args.into_iter().map(SqlValue::Text));
        }
    }
    fn sql(&self) -> String {
        let mut all = vec!["deleted = 0".to_string()];
        all.extend(self.clauses.iter().cloned());
        all.join(" AND ")
    }
}

fn page_bounds(page: u32, page_size: u32) -> (u32, u32, i64) {
    let size = page_size.clamp(1, MAX_PAGE_SIZE);
    let page = page.max(1);
    (page, size, ((page - 1) * size) as i64)
}

/// Filters of the 纠纷台账.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DisputeFilter {
    pub query: Option<String>,
    pub statuses: Vec<CaseStatus>,
    pub dispute_type: Option<DisputeType>,
    pub source: Option<CaseSource>,
    pub committee_id: Option<Uuid>,
    pub result: Option<MediationResult>,
    pub accepted_from: Option<NaiveDate>,
    pub accepted_to: Option<NaiveDate>,
    /// `accepted_on` (default), `case_no`, `updated_at`, `closed_on`.
    pub sort: Option<String>,
    pub order: SortOrder,
    pub page: u32,
    pub page_size: u32,
}

/// One line of the ledger.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeRow {
    #[serde(flatten)]
    pub case: DisputeCase,
    /// The parties' names, 甲 side first, joined by "、".
    pub party_names: String,
}

/// Filters of the 排查 list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScreeningFilter {
    pub query: Option<String>,
    pub unit_division_code: Option<String>,
    pub period_type: Option<PeriodType>,
    pub zero_report: Option<bool>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub order: SortOrder,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScreeningRow {
    #[serde(flatten)]
    pub round: ScreeningRound,
}

/// Filters of the 安置帮教 list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleasedFilter {
    pub query: Option<String>,
    pub assessment_type: Option<AssessmentType>,
    pub handover_status: Option<HandoverStatus>,
    pub help_status: Option<HelpStatus>,
    pub released_from: Option<NaiveDate>,
    pub released_to: Option<NaiveDate>,
    /// 帮教期 ending on or before this date (e.g. "ending within 30 days").
    pub period_ends_by: Option<NaiveDate>,
    /// `released_on` (default), `help_period_end`, `updated_at`.
    pub sort: Option<String>,
    pub order: SortOrder,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReleasedRow {
    #[serde(flatten)]
    pub released: ReleasedPerson,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub gender: Option<Gender>,
}

impl Store {
    fn page_of<T>(&self, table: &str, w: &Where, order_by: &str, page: u32, page_size: u32, map: impl Fn(String) -> Result<T>) -> Result<Page<T>> {
        let (page, size, offset) = page_bounds(page, if page_size == 0 { 20 } else { page_size });
        let filter = w.sql();
        let total: i64 =
            self.conn.query_row(&format!("SELECT count(*) FROM {table} WHERE {filter}"), rusqlite::params_from_iter(w.args.iter()), |r| r.get(0))?;
        let sql = format!("SELECT data FROM {table} WHERE {filter} ORDER BY {order_by} LIMIT {size} OFFSET {offset}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(w.args.iter()), |r| r.get::<_, String>(0))?;
        let rows = rows.map(|d| map(d?)).collect::<Result<Vec<_>>>()?;
        Ok(Page { rows, total, page, page_size: size })
    }

    /// The 纠纷台账 with filters, search, sorting and paging.
    pub fn list_disputes(&self, f: &DisputeFilter) -> Result<Page<DisputeRow>> {
        let mut w = Where::default();
        let statuses: Vec<&str> = f.statuses.iter().map(|s| s.code()).collect();
        w.any_of("status", &statuses);
        w.eq("dispute_type", f.dispute_type.map(|t| t.code()));
        w.eq("source", f.source.map(|t| t.code()));
        w.eq("committee_id", f.committee_id);
        w.eq("result", f.result.map(|t| t.code()));
        w.range("accepted_on", f.accepted_from, f.accepted_to);
        w.search(Kind::DisputeCase, f.query.as_deref());
        let column = match f.sort.as_deref() {
            Some("case_no") => "case_no",
            Some("updated_at") => "updated_at",
            Some("closed_on") => "closed_on",
            _ => "accepted_on",
        };
        let order = format!("{column} {o}, id {o}", o = f.order.sql());
        self.page_of("dispute_case", &w, &order, f.page, f.page_size, |data| {
            let mut case: DisputeCase = serde_json::from_str(&data)?;
            let parties = self.party_names(case.meta.id)?;
            case.party_count = parties.len() as i64;
            Ok(DisputeRow { case, party_names: parties.join("、") })
        })
    }

    /// The parties' names of a case in 甲/乙 order.
    fn party_names(&self, case_id: Uuid) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT coalesce(json_extract(p.data, '$.name'), json_extract(e.data, '$.name'), '') \
             FROM case_party cp LEFT JOIN person p ON p.id = cp.person_id LEFT JOIN legal_entity e ON e.id = cp.entity_id \
             WHERE cp.parent_id = ?1 AND cp.deleted = 0 \
             ORDER BY coalesce(nullif(instr('甲乙丙丁戊己庚辛壬癸', json_extract(cp.data, '$.side')), 0), 99), cp.id",
        )?;
        let rows = stmt.query_map([case_id.to_string()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// 排查 rounds with filters and paging, newest period first.
    pub fn list_screenings(&self, f: &ScreeningFilter) -> Result<Page<ScreeningRow>> {
        let mut w = Where::default();
        w.eq("unit_division_code", f.unit_division_code.as_deref());
        w.eq("period_type", f.period_type.map(|t| t.code()));
        if let Some(z) = f.zero_report {
            w.clauses.push(format!("zero_report = {}", if z { "1" } else { "0" }));
        }
        w.range("period_start", f.period_from, f.period_to);
        w.search(Kind::ScreeningRound, f.query.as_deref());
        let order = format!("period_start {o}, id {o}", o = f.order.sql());
        self.page_of("screening_round", &w, &order, f.page, f.page_size, |data| {
            let mut round: ScreeningRound = serde_json::from_str(&data)?;
            round.found_count = self.count_live("screening_item", round.meta.id)?;
            Ok(ScreeningRow { round })
        })
    }

    /// 安置帮教 files with filters and paging.
    pub fn list_released(&self, f: &ReleasedFilter) -> Result<Page<ReleasedRow>> {
        let mut w = Where::default();
        w.eq("assessment_type", f.assessment_type.map(|t| t.code()));
        w.eq("handover_status", f.handover_status.map(|t| t.code()));
        w.eq("help_status", f.help_status.map(|t| t.code()));
        w.range("released_on", f.released_from, f.released_to);
        w.range("help_period_end", None, f.period_ends_by);
        w.search(Kind::ReleasedPerson, f.query.as_deref());
        let column = match f.sort.as_deref() {
            Some("help_period_end") => "help_period_end",
            Some("updated_at") => "updated_at",
            _ => "released_on",
        };
        let order = format!("{column} {o}, id {o}", o = f.order.sql());
        self.page_of("released_person", &w, &order, f.page, f.page_size, |data| {
            let released: ReleasedPerson = serde_json::from_str(&data)?;
            let person = match released.person_id {
                Some(id) => self.get::<Person>(id)?,
                None => None,
            };
            Ok(ReleasedRow {
                name: person.as_ref().and_then(|p| p.name.clone()),
                id_number: person.as_ref().and_then(|p| p.id_number.clone()),
                gender: person.as_ref().and_then(|p| p.gender),
                released,
            })
        })
    }

    /// The live cases accepted from `from` to `to` that have live agreements, each with all
    /// of them (drafts too: a draft may supersede), by case id. Found by the accepted-date
    /// index; only these cases and agreements are parsed (协议履行率's records, asked of a
    /// 10,000-case office, parsed all of them). The rows come ordered by case so that each
    /// case's agreements are next to each other, and each case is parsed once.
    pub fn cases_with_agreements(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(DisputeCase, Vec<Agreement>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.data, a.data FROM dispute_case c JOIN agreement a ON a.parent_id = c.id \
             WHERE c.accepted_on BETWEEN ?1 AND ?2 AND c.deleted = 0 AND a.deleted = 0 ORDER BY c.id, a.id",
        )?;
        let mut rows = stmt.query([from.to_string(), to.to_string()])?;
        let mut out: Vec<(DisputeCase, Vec<Agreement>)> = Vec::new();
        let mut last_case = String::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            if id != last_case {
                out.push((serde_json::from_str(&r.get::<_, String>(1)?)?, Vec::new()));
                last_case = id;
            }
            let agreement: Agreement = serde_json::from_str(&r.get::<_, String>(2)?)?;
            out.last_mut().expect("pushed above").1.push(agreement);
        }
        Ok(out)
    }

    pub(crate) fn count_live(&self, table: &str, parent: Uuid) -> Result<i64> {
        let sql = format!("SELECT count(*) FROM {table} WHERE parent_id = ?1 AND deleted = 0");
        Ok(self.conn.query_row(&sql, [parent.to_string()], |r| r.get(0))?)
    }
}

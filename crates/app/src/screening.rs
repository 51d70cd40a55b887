//! 排查记录: rounds per unit and period with their items, a 零报告 in one action, missing
//! rounds flagged, and a dispute case opened from an item with its data carried over.

use chrono::NaiveDate;
use fengqiao_model::*;
use fengqiao_store::{ScreeningFilter, SortOrder, Store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cases::{case_view, CaseView};
use crate::views::ReminderItem;
use crate::{AppError, AppState};

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct RoundQuery {
    pub query: Option<String>,
    pub unit_division_code: Option<String>,
    pub period_type: Option<PeriodType>,
    pub zero_report: Option<bool>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub ascending: bool,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoundRow {
    pub id: Uuid,
    pub unit_name: Option<String>,
    pub unit_division_code: Option<String>,
    pub period_type: Option<PeriodType>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub screened_on: Option<NaiveDate>,
    pub found_count: i64,
    pub zero_report: bool,
    pub statement: Option<String>,
    pub submitted_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoundPage {
    pub rows: Vec<RoundRow>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
    /// Periods with no round (or a round with nothing found and no 零报告), from the reminders.
    pub missing: Vec<ReminderItem>,
}

fn missing(store: &Store) -> Result<Vec<ReminderItem>, AppError> {
    Ok(store
        .reminders()?
        .into_iter()
        .filter(|r| matches!(r.rule.code(), "screening_missing" | "zero_report_missing"))
        .map(|r| ReminderItem::from_reminder(store, r))
        .collect())
}

pub fn list_rounds(state: &AppState, q: RoundQuery) -> Result<RoundPage, AppError> {
    state.with(|s| {
        let filter = ScreeningFilter {
            query: q.query.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
            unit_division_code: q.unit_division_code.filter(|c| !c.trim().is_empty()),
            period_type: q.period_type,
            zero_report: q.zero_report,
            period_from: q.period_from,
            period_to: q.period_to,
            order: if q.ascending { SortOrder::Asc } else { SortOrder::Desc },
            page: q.page.max(1),
            page_size: if q.page_size == 0 { 20 } else { q.page_size },
        };
        let page = s.list_screenings(&filter)?;
        let rows = page
            .rows
            .into_iter()
            .map(|r| {
                let r = r.round;
                RoundRow {
                    id: r.meta.id,
                    unit_name: r.unit_name,
                    unit_division_code: r.unit_division_code,
                    period_type: r.period_type,
                    period_start: r.period_start,
                    period_end: r.period_end,
                    screened_on: r.screened_on,
                    found_count: r.found_count,
                    zero_report: r.zero_report,
                    statement: r.statement,
                    submitted_on: r.submitted_on,
                }
            })
            .collect();
        Ok(RoundPage { rows, total: page.total, page: page.page, page_size: page.page_size, missing: missing(s)? })
    })
}

/// A round's save result: the round with its items, and the warnings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoundUpdate {
    pub file: RoundFile,
    pub warnings: Vec<FieldIssue>,
}

pub fn get_round(state: &AppState, id: Uuid) -> Result<RoundFile, AppError> {
    state.with(|s| Ok(s.round_file(id)?))
}

pub fn save_round(state: &AppState, round: ScreeningRound) -> Result<RoundUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        let saved = s.save(round)?;
        Ok(RoundUpdate { file: s.round_file(saved.record.meta.id)?, warnings: saved.warnings })
    })
}

pub fn save_item(state: &AppState, item: ScreeningItem) -> Result<RoundUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let round_id = item.round_id.ok_or_else(|| AppError::bad_input("排查登记须属于一次排查"))?;
    state.with(|s| {
        let saved = s.save(item)?;
        Ok(RoundUpdate { file: s.round_file(round_id)?, warnings: saved.warnings })
    })
}

pub fn delete_item(state: &AppState, id: Uuid) -> Result<RoundFile, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        let item = s.delete::<ScreeningItem>(id)?;
        let round = item.round_id.ok_or_else(|| AppError::bad_input("排查登记不属于任何排查"))?;
        Ok(s.round_file(round)?)
    })
}

/// A 零报告 in one action: a round of the unit for the period that found nothing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ZeroReportInput {
    pub unit_name: Option<String>,
    pub unit_org_id: Option<Uuid>,
    pub unit_division_code: Option<String>,
    pub period_type: Option<PeriodType>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    /// Today by default.
    pub screened_on: Option<NaiveDate>,
    pub screener_names: Vec<String>,
    pub method: Vec<ScreeningMethod>,
    /// "本期未发现矛盾纠纷" by default.
    pub statement: Option<String>,
    /// 负责人 who signs the report.
    pub approved_by: Option<String>,
    pub submitted_to: Option<String>,
}

pub fn zero_report(state: &AppState, input: ZeroReportInput) -> Result<RoundUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        let today = s.ctx().today;
        let signed = input.approved_by.as_deref().is_some_and(|a| !a.trim().is_empty());
        let round = ScreeningRound {
            unit_name: input.unit_name,
            unit_org_id: input.unit_org_id,
            unit_division_code: input.unit_division_code.filter(|c| !c.trim().is_empty()),
            period_type: input.period_type,
            period_start: input.period_start,
            period_end: input.period_end,
            screened_on: Some(input.screened_on.unwrap_or(today)),
            screener_names: input.screener_names,
            method: input.method,
            zero_report: true,
            statement: input.statement.filter(|t| !t.trim().is_empty()),
            approved_on: signed.then_some(today),
            approved_by: input.approved_by.filter(|_| signed),
            submitted_to: input.submitted_to.clone().filter(|t| !t.trim().is_empty()),
            submitted_on: input.submitted_to.filter(|t| !t.trim().is_empty() && signed).map(|_| today),
            ..Default::default()
        };
        let saved = s.save(round)?;
        Ok(RoundUpdate { file: s.round_file(saved.record.meta.id)?, warnings: saved.warnings })
    })
}

/// Opens a 人民调解 case (登记中) from an item: type, facts, place and date carried over; the
/// item links to the case and counts as 已移交.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct OpenCaseInput {
    pub item_id: Uuid,
    /// The 调委会 (the office's only one by default) and the 主调解员.
    pub committee_id: Option<Uuid>,
    pub lead_mediator_id: Option<Uuid>,
}

pub fn open_case_from_item(state: &AppState, input: OpenCaseInput) -> Result<CaseView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        let mut item = s.require::<ScreeningItem>(input.item_id)?;
        if let Some(existing) = item.case_id {
            let no = s.get::<DisputeCase>(existing)?.and_then(|c| c.case_no.or(c.title)).unwrap_or_default();
            return Err(AppError::new("rule", format!("该排查登记已转为调解案件{no}")));
        }
        let committee = match input.committee_id {
            Some(c) => Some(c),
            None => {
                let committees: Vec<Organization> = s.all()?;
                let mut it = committees.iter().filter(|o| o.org_type == Some(OrgType::MediationCommittee));
                match (it.next(), it.next()) {
                    (Some(only), None) => Some(only.meta.id),
                    _ => None,
                }
            }
        };
        let type_label = item.dispute_type.map(|t| t.label()).unwrap_or("矛盾纠纷");
        let title = match item.party_summary.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(parties) => format!("{parties}{type_label}"),
            None => type_label.to_string(),
        };
        let case = DisputeCase {
            committee_id: committee,
            lead_mediator_id: input.lead_mediator_id,
            source: Some(CaseSource::Proactive),
            dispute_type: item.dispute_type,
            title: Some(title.chars().take(100).collect()),
            summary: item.summary.clone(),
            occurred_on: item.found_on,
            occurred_place: item.place.clone(),
            is_difficult: item.risk_level == Some(RiskLevel::Difficult),
            is_group: item.risk_level == Some(RiskLevel::Major) && item.people_involved.unwrap_or(0) >= 5,
            screening_item_id: Some(item.meta.id),
            ..Default::default()
        };
        let case = s.save(case)?.record;
        item.case_id = Some(case.meta.id);
        if matches!(item.status, None | Some(ItemStatus::Open)) {
            item.status = Some(ItemStatus::Referred);
        }
        item.disposition.get_or_insert(Disposition::ReferCommittee);
        s.save(item)?;
        case_view(s, case.meta.id)
    })
}

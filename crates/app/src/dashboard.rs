//! 工作台: what is due today and overdue, and this month's figures.

use chrono::{Datelike, NaiveDate};
use fengqiao_model::{CaseSource, CaseStatus};
use fengqiao_store::reminders::{Reminder, Severity};
use fengqiao_store::DisputeFilter;
use serde::Serialize;

use crate::views::{mirror, CountItem, RateView, ReminderItem};
use crate::{AppError, AppState};

/// How many reminders of each list the 工作台 shows.
pub const DASHBOARD_REMINDERS: usize = 30;

/// This month's figures: the statistics table's own total and two §3.4 rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MonthFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 调解案件总数 (cases accepted this month).
    pub cases: i64,
    /// 调解成功.
    pub success: i64,
    /// Cases by 纠纷类型 (every type, zeros included, form order).
    pub by_type: Vec<CountItem>,
    /// Cases by 案件来源.
    pub by_source: Vec<CountItem>,
    /// 调解成功率 and 衔接率 against the targets in force (the county's once they arrived).
    pub mediation_success: RateView,
    pub handover: RateView,
    /// 排查 rounds held this month.
    pub screening_rounds: i64,
}

/// Open cases by status (受理, 调查中, 调解中 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusCount {
    pub status: CaseStatus,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Dashboard {
    pub today: NaiveDate,
    pub month: MonthFigures,
    pub open_cases: Vec<StatusCount>,
}

/// The 工作台's reminder lists, asked for after its figures: on a big office they take
/// seconds to compute the first time, and the window is usable meanwhile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DashboardReminders {
    /// Past their due date, longest overdue first: the first [`DASHBOARD_REMINDERS`], and
    /// how many there are.
    pub overdue: Vec<ReminderItem>,
    pub overdue_total: i64,
    /// Due soon, earliest first: the first [`DASHBOARD_REMINDERS`], and how many there are.
    pub due_soon: Vec<ReminderItem>,
    pub due_soon_total: i64,
}

pub fn dashboard_reminders(state: &AppState) -> Result<DashboardReminders, AppError> {
    state.with(|s| {
        // The store sorts them most urgent first; the 工作台 shows the head of each list and
        // the counts, the 到期提醒 page pages through the rest (a big office has thousands,
        // and a list of thousands would stall the window).
        let (overdue, due_soon): (Vec<_>, Vec<_>) = s.reminders()?.into_iter().partition(|r| r.severity == Severity::Overdue);
        let (overdue_total, due_soon_total) = (overdue.len() as i64, due_soon.len() as i64);
        let head = |list: Vec<Reminder>| list.into_iter().take(DASHBOARD_REMINDERS).map(|r| ReminderItem::from_reminder(s, r)).collect::<Vec<_>>();
        Ok(DashboardReminders { overdue: head(overdue), overdue_total, due_soon: head(due_soon), due_soon_total })
    })
}

pub fn dashboard(state: &AppState) -> Result<Dashboard, AppError> {
    state.with(|s| {
        let today = s.ctx().today;
        let from = today.with_day(1).unwrap_or(today);
        let to = today;
        let table = s.case_statistics(from, to)?;
        let metrics = s.metrics(from, to, &s.targets()?)?;
        let total = &table.own_total;
        let by_source = [
            (CaseSource::PartyApplication, total.sources.party_application),
            (CaseSource::Proactive, total.sources.proactive),
            (CaseSource::Referral, total.sources.referral),
        ]
        .into_iter()
        .map(|(src, count)| CountItem { code: src.code().into(), label: src.label().into(), group: None, count })
        .collect();
        let month = MonthFigures {
            from,
            to,
            cases: total.total,
            success: total.success,
            by_type: mirror(&total.by_dispute_type)?,
            by_source,
            mediation_success: mirror(&metrics.mediation_success)?,
            handover: mirror(&metrics.handover)?,
            screening_rounds: total.prevention.screening_rounds,
        };
        let mut open_cases = Vec::new();
        for status in [
            CaseStatus::Draft,
            CaseStatus::Accepted,
            CaseStatus::Investigating,
            CaseStatus::Mediating,
            CaseStatus::AgreementReached,
            CaseStatus::Performing,
            CaseStatus::Terminated,
            CaseStatus::Closed,
        ] {
            let page = s.list_disputes(&DisputeFilter { statuses: vec![status], page_size: 1, ..Default::default() })?;
            open_cases.push(StatusCount { status, label: status.label().into(), count: page.total });
        }
        Ok(Dashboard { today, month, open_cases })
    })
}

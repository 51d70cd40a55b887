//! 工作台: what is due today and overdue, and this month's figures.

use chrono::{Datelike, NaiveDate};
use fengqiao_model::{CaseSource, CaseStatus};
use fengqiao_store::stats::Targets;
use fengqiao_store::DisputeFilter;
use serde::Serialize;

use crate::views::{mirror, CountItem, RateView, ReminderItem};
use crate::{AppError, AppState};

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
    /// Past their due date, longest overdue first.
    pub overdue: Vec<ReminderItem>,
    /// Due soon, earliest first.
    pub due_soon: Vec<ReminderItem>,
    pub month: MonthFigures,
    pub open_cases: Vec<StatusCount>,
}

pub fn dashboard(state: &AppState) -> Result<Dashboard, AppError> {
    state.with(|s| {
        let today = s.ctx().today;
        let (mut overdue, mut due_soon) = (Vec::new(), Vec::new());
        for r in s.reminders()? {
            let item = ReminderItem::from_reminder(s, r);
            if item.severity == "overdue" { overdue.push(item) } else { due_soon.push(item) }
        }
        let from = today.with_day(1).unwrap_or(today);
        let to = today;
        let table = s.case_statistics(from, to)?;
        let metrics = s.metrics(from, to, &Targets::default())?;
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
        for status in [CaseStatus::Draft, CaseStatus::Accepted, CaseStatus::Investigating, CaseStatus::Mediating, CaseStatus::AgreementReached, CaseStatus::Performing, CaseStatus::Terminated, CaseStatus::Closed] {
            let page = s.list_disputes(&DisputeFilter { statuses: vec![status], page_size: 1, ..Default::default() })?;
            open_cases.push(StatusCount { status, label: status.label().into(), count: page.total });
        }
        Ok(Dashboard { today, overdue, due_soon, month, open_cases })
    })
}

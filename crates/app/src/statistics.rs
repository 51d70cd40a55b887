//! 统计报表: the 人民调解案件情况统计表 for any period, and the §3.4 metrics.

use chrono::NaiveDate;
use fengqiao_model::{CommitteeType, Prevented};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::views::{mirror, CountItem, RateView};
use crate::{AppError, AppState};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SourcesView {
    pub proactive: i64,
    pub party_application: i64,
    pub referral: i64,
    pub referral_by_type: Vec<CountItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AgreementFormsView {
    pub oral: i64,
    pub written: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PreventionView {
    pub screening_rounds: i64,
    pub prevented_disputes: i64,
    pub prevented: Prevented,
}

/// One row of the 统计表: a unit, 下级上报总计 or 本级上报总计.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct StatRowView {
    /// `unit`, `subordinate_total` or `own_total`.
    pub kind: String,
    pub org_id: Option<Uuid>,
    pub label: String,
    pub committee_type: Option<CommitteeType>,
    pub total: i64,
    pub party_count: i64,
    pub success: i64,
    pub difficult: i64,
    pub amount_cents: i64,
    /// 协议涉及金额 in 万元, as printed.
    pub amount_wan: String,
    pub by_committee_type: Vec<CountItem>,
    pub sources: SourcesView,
    pub by_dispute_type: Vec<CountItem>,
    pub agreement_forms: AgreementFormsView,
    pub prevention: PreventionView,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CheckView {
    pub code: String,
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// 人民调解案件情况统计表.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CaseTableView {
    pub title: String,
    pub office_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<StatRowView>,
    pub subordinate_total: StatRowView,
    pub own_total: StatRowView,
    pub checks: Vec<CheckView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MetricsView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub mediation_success: RateView,
    pub performance: RateView,
    pub screening_handled: RateView,
    pub screening_success: RateView,
    pub handover: RateView,
    pub must_escort: RateView,
    pub resettlement: RateView,
    pub help: RateView,
    pub reoffense: RateView,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatisticsView {
    pub table: CaseTableView,
    /// Against the county's targets once they arrived through sync, else the defaults.
    pub metrics: MetricsView,
    /// Where the targets come from, e.g. “目标由东山县司法局统一设置（2026年11月20日下发）”.
    pub targets_note: String,
}

/// Where the metrics' targets come from, in a line for the page.
pub(crate) fn targets_note(s: &fengqiao_store::Store) -> Result<String, AppError> {
    Ok(match s.county_policy()? {
        Some(p) => {
            let who = Some(p.policy.county_name.trim()).filter(|n| !n.is_empty()).unwrap_or("县司法局").to_string();
            format!("目标由{who}统一设置（{}下发）", fengqiao_model::validate::cn_date(p.received_on()))
        }
        None => "目标为默认值（县司法局尚未统一下发）".into(),
    })
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PeriodInput {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

pub fn statistics(state: &AppState, period: PeriodInput) -> Result<StatisticsView, AppError> {
    state.with(|s| {
        let table = s.case_statistics(period.from, period.to)?;
        let metrics = s.metrics(period.from, period.to, &s.targets()?)?;
        Ok(StatisticsView { table: mirror(&table)?, metrics: mirror(&metrics)?, targets_note: targets_note(s)? })
    })
}

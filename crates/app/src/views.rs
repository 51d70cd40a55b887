//! Output types shared by several screens, shaped for the UI (codes with their labels, the
//! record a reminder opens).

use chrono::NaiveDate;
use fengqiao_model::{Agreement, Kind};
use fengqiao_store::reminders::Reminder;
use fengqiao_store::Store;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One reminder, with what the UI opens when it is clicked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReminderItem {
    /// Stable id (what acknowledge and snooze refer to).
    pub id: String,
    /// Rule code (`mediation_due`, `help_visit`, `screening_missing` …) and its label.
    pub rule: String,
    pub rule_label: String,
    /// `overdue` or `due_soon`.
    pub severity: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
    pub record_kind: Option<Kind>,
    pub record_id: Option<Uuid>,
    /// The screen to open: `case`, `released`, `screening` or none.
    pub open: Option<String>,
    /// The record that screen opens (a 回访 reminder on an agreement opens its case).
    pub open_id: Option<Uuid>,
}

impl ReminderItem {
    pub(crate) fn from_reminder(store: &Store, r: Reminder) -> ReminderItem {
        let (open, open_id) = match r.record_kind {
            Some(Kind::DisputeCase) => (Some("case"), r.record_id),
            Some(Kind::Agreement) => {
                let case = r.record_id.and_then(|id| store.get::<Agreement>(id).ok().flatten()).and_then(|a| a.case_id);
                (case.map(|_| "case"), case)
            }
            Some(Kind::ReleasedPerson) => (Some("released"), r.record_id),
            Some(Kind::ScreeningRound) => (Some("screening"), r.record_id),
            Some(Kind::Organization) => (Some("screening"), None),
            _ if matches!(r.rule.code(), "screening_missing" | "zero_report_missing") => (Some("screening"), None),
            _ => (None, None),
        };
        let severity = match r.severity {
            fengqiao_store::reminders::Severity::Overdue => "overdue",
            fengqiao_store::reminders::Severity::DueSoon => "due_soon",
        };
        ReminderItem {
            id: r.id,
            rule: r.rule.code().into(),
            rule_label: r.rule.label().into(),
            severity: severity.into(),
            title: r.title,
            due_on: r.due_on,
            days_overdue: r.days_overdue,
            record_kind: r.record_kind,
            record_id: r.record_id,
            open: open.map(str::to_string),
            open_id,
        }
    }
}

/// A count of one code of a list (a 纠纷类型, a 案件来源 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CountItem {
    pub code: String,
    pub label: String,
    /// The form's parent column of a sub-type (劳动争议纠纷, 消费纠纷).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub group: Option<String>,
    pub count: i64,
}

/// One §3.4 rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RateView {
    pub label: String,
    pub formula: String,
    pub numerator: i64,
    pub denominator: i64,
    /// None when the denominator is 0.
    pub value: Option<f64>,
    pub target: Option<f64>,
    /// `higher` or `lower` is better.
    pub better: String,
    pub meets_target: Option<bool>,
}

/// Converts a store output into its UI mirror through serde; the mirrors refuse unknown
/// fields, so a field the store adds fails the tests instead of vanishing silently.
pub(crate) fn mirror<T: Serialize, U: serde::de::DeserializeOwned>(value: &T) -> Result<U, crate::AppError> {
    let v = serde_json::to_value(value)?;
    serde_json::from_value(v).map_err(|e| crate::AppError::new("internal", format!("内部数据格式不一致：{e}")))
}

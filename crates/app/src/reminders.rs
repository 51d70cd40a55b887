//! Reminders where the work is: on the record they concern, acknowledged (知道了) or snoozed
//! (暂缓) with a reason — the store audits both; the periods of the rules (设置 → 提醒设置),
//! read-only while the county's arrive through sync; and the once-a-day desktop notification,
//! decided here so the shell only shows it.

use chrono::NaiveDate;
use fengqiao_model::validate::cn_date;
use fengqiao_model::{FieldIssue, PeriodType};
use fengqiao_store::reminders::{CountyPolicyInForce, ReminderSettings, Severity};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::views::{mirror, CountItem, ReminderItem};
use crate::{AppError, AppState};

/// The reminders of one record, as its screen shows them at the top.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordRemindersInput {
    /// The screen: `case`, `released` or `screening` (a round).
    pub open: String,
    pub id: Uuid,
}

/// The reminders (neither acknowledged nor snoozed) whose record is `input.id` — for a case,
/// its agreements' reminders too.
pub fn record_reminders(state: &AppState, input: RecordRemindersInput) -> Result<Vec<ReminderItem>, AppError> {
    if !matches!(input.open.as_str(), "case" | "released" | "screening") {
        return Err(AppError::bad_input(format!("未知的记录类别“{}”", input.open)));
    }
    state.with(|s| {
        let mut out = Vec::new();
        for r in s.reminders()? {
            let item = ReminderItem::from_reminder(s, r);
            if item.open.as_deref() == Some(input.open.as_str()) && item.open_id == Some(input.id) {
                out.push(item);
            }
        }
        Ok(out)
    })
}

/// The 到期提醒 page: every reminder to show, filtered and paged.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ReminderQuery {
    /// `overdue` or `due_soon`; none for both.
    pub severity: Option<String>,
    /// One rule's code (`mediation_due`, `help_visit` …); none for all.
    pub rule: Option<String>,
    /// Words that must all be in the reminder's title (a name, a case number).
    pub query: Option<String>,
    /// From 1.
    pub page: u32,
    /// 50 when 0; at most 200.
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReminderPage {
    pub rows: Vec<ReminderItem>,
    /// How many match the query.
    pub total: i64,
    /// How many of the chosen severity each rule has, for the rule filter.
    pub rules: Vec<CountItem>,
    pub overdue_total: i64,
    pub due_soon_total: i64,
}

pub fn list_reminders(state: &AppState, q: ReminderQuery) -> Result<ReminderPage, AppError> {
    let severity = match q.severity.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("overdue") => Some(Severity::Overdue),
        Some("due_soon") => Some(Severity::DueSoon),
        Some(other) => return Err(AppError::bad_input(format!("未知的提醒类别“{other}”，应为 overdue 或 due_soon"))),
    };
    let words: Vec<String> = q.query.as_deref().unwrap_or("").split_whitespace().map(str::to_string).collect();
    let page_size = match q.page_size {
        0 => 50,
        n => n.min(200),
    } as usize;
    let page = q.page.max(1) as usize;
    state.with(|s| {
        let all = s.reminders()?;
        let overdue_total = all.iter().filter(|r| r.severity == Severity::Overdue).count() as i64;
        let due_soon_total = all.len() as i64 - overdue_total;
        let of_severity: Vec<_> = all.into_iter().filter(|r| severity.is_none_or(|v| r.severity == v)).collect();
        let mut rules: Vec<CountItem> = Vec::new();
        for r in &of_severity {
            match rules.iter_mut().find(|c| c.code == r.rule.code()) {
                Some(c) => c.count += 1,
                None => rules.push(CountItem { code: r.rule.code().into(), label: r.rule.label().into(), group: None, count: 1 }),
            }
        }
        let matching: Vec<_> = of_severity
            .into_iter()
            .filter(|r| q.rule.as_deref().is_none_or(|code| code.is_empty() || r.rule.code() == code))
            .filter(|r| words.iter().all(|w| r.title.contains(w.as_str())))
            .collect();
        let total = matching.len() as i64;
        let rows = matching.into_iter().skip((page - 1) * page_size).take(page_size).map(|r| ReminderItem::from_reminder(s, r)).collect();
        Ok(ReminderPage { rows, total, rules, overdue_total, due_soon_total })
    })
}

/// 知道了: hides a reminder until its due date changes.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AcknowledgeInput {
    pub id: String,
    pub reason: String,
}

/// 暂缓: hides a reminder until a date.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct SnoozeInput {
    pub id: String,
    pub until: Option<NaiveDate>,
    pub reason: String,
}

fn issue(field: &str, label: &str, message: impl Into<String>) -> FieldIssue {
    FieldIssue { field: field.into(), label: label.into(), message: message.into() }
}

fn check_reason(reason: &str, issues: &mut Vec<FieldIssue>) {
    let reason = reason.trim();
    if reason.is_empty() {
        issues.push(issue("reason", "原因", "请填写原因"));
    } else if reason.chars().count() > 500 {
        issues.push(issue("reason", "原因", "原因过长，最多500字"));
    }
}

fn item_of(state: &AppState, r: fengqiao_store::reminders::Reminder) -> Result<ReminderItem, AppError> {
    state.with(|s| Ok(ReminderItem::from_reminder(s, r)))
}

pub fn acknowledge_reminder(state: &AppState, input: AcknowledgeInput) -> Result<ReminderItem, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let mut issues = Vec::new();
    check_reason(&input.reason, &mut issues);
    if !issues.is_empty() {
        return Err(AppError::invalid(issues));
    }
    let r = state.with(|s| Ok(s.acknowledge_reminder(&input.id, input.reason.trim())?))?;
    item_of(state, r)
}

pub fn snooze_reminder(state: &AppState, input: SnoozeInput) -> Result<ReminderItem, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let today = state.ctx().today;
    let mut issues = Vec::new();
    match input.until {
        None => issues.push(issue("until", "暂缓至", "请选择暂缓到哪一天")),
        Some(u) if u <= today => issues.push(issue("until", "暂缓至", format!("应晚于今天（{}）", cn_date(today)))),
        Some(_) => {}
    }
    check_reason(&input.reason, &mut issues);
    if !issues.is_empty() {
        return Err(AppError::invalid(issues));
    }
    let until = input.until.expect("checked above");
    let r = state.with(|s| Ok(s.snooze_reminder(&input.id, until, input.reason.trim())?))?;
    item_of(state, r)
}

// ---------------------------------------------------------------------------------------------
// Settings

/// A report of the county's calendar (UI mirror of the store's `ReportDeadline`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ReportDeadlineView {
    pub code: String,
    pub name: String,
    pub month: u32,
    pub day: u32,
    /// `first_half` (the same year's 上半年) or `previous_year`.
    pub covers: String,
}

/// The periods of every reminder rule (UI mirror of the store's `ReminderSettings`; the
/// mirror refuses unknown fields, so a period the store adds fails the tests until it is
/// here too). The county may send them through sync into the same store setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ReminderSettingsView {
    pub mediation_warn_days: i64,
    pub mediation_days: i64,
    pub jc_warn_from_day: i64,
    pub performance_warn_days: i64,
    pub return_visit_days: i64,
    pub immediate_return_visit_days: i64,
    pub return_visit_warn_days: i64,
    pub help_visit_key_months: u32,
    pub help_visit_general_months: u32,
    pub help_visit_warn_days: i64,
    pub help_period_warn_days: i64,
    pub handover_notify_days: i64,
    pub handover_collect_days: i64,
    pub handover_first_visit_days: i64,
    pub handover_file_days: i64,
    pub handover_hukou_days: i64,
    pub handover_warn_days: i64,
    pub screening_village_period: PeriodType,
    pub screening_township_period: PeriodType,
    pub screening_deadline_days: i64,
    pub screening_warn_days: i64,
    pub screening_lookback_days: i64,
    pub reports: Vec<ReportDeadlineView>,
    pub report_warn_days: i64,
    pub report_overdue_days: i64,
}

/// The county's settings in force on this office (they arrived through sync).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CountySettingsNote {
    pub county_name: String,
    pub version: String,
    /// The office's date they arrived on.
    pub received_on: NaiveDate,
    /// “提醒周期由东山县司法局统一设置（2026年11月20日下发）”.
    pub note: String,
}

impl CountySettingsNote {
    pub fn of(p: &CountyPolicyInForce) -> CountySettingsNote {
        CountySettingsNote {
            county_name: p.policy.county_name.clone(),
            version: p.policy.version.clone(),
            received_on: p.received_on(),
            note: p.note(),
        }
    }
}

/// The reminder settings with the defaults beside them (for 恢复默认值).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReminderSettingsPage {
    pub settings: ReminderSettingsView,
    pub defaults: ReminderSettingsView,
    /// Set while the county's settings are in force: the page shows them read-only and
    /// saving is refused.
    pub county: Option<CountySettingsNote>,
}

fn settings_page(s: &fengqiao_store::Store) -> Result<ReminderSettingsPage, AppError> {
    Ok(ReminderSettingsPage {
        settings: mirror(&s.reminder_settings()?)?,
        defaults: mirror(&ReminderSettings::default())?,
        county: s.county_policy()?.as_ref().map(CountySettingsNote::of),
    })
}

pub fn reminder_settings(state: &AppState) -> Result<ReminderSettingsPage, AppError> {
    state.with(|s| settings_page(s))
}

/// The refusal of a local edit while the county's settings are in force.
fn county_refusal(p: &CountyPolicyInForce) -> AppError {
    AppError::new("county_settings", format!("{}，本所不能修改；如需调整请联系县司法局", p.note()))
}

/// Each period's field, its label in 设置, and its allowed range.
const DAY_FIELDS: &[(&str, &str, i64, i64)] = &[
    ("mediation_warn_days", "受理后第几天提醒调解期限", 1, 365),
    ("mediation_days", "调解期限（天）", 1, 365),
    ("jc_warn_from_day", "协议生效后第几天提醒申请司法确认", 0, 30),
    ("performance_warn_days", "履行期限提前提醒（天）", 0, 365),
    ("return_visit_days", "履行期限后回访（天内）", 1, 365),
    ("immediate_return_visit_days", "即时履行后回访（天内）", 1, 365),
    ("return_visit_warn_days", "回访提前提醒（天）", 0, 365),
    ("help_visit_warn_days", "帮教走访提前提醒（天）", 0, 365),
    ("help_period_warn_days", "帮教期满提前提醒（天）", 0, 365),
    ("handover_notify_days", "收到通知书后通知村(居)和家属（天内）", 0, 365),
    ("handover_collect_days", "释放后衔接接回（天内）", 0, 365),
    ("handover_first_visit_days", "回归后首次走访（天内）", 0, 365),
    ("handover_file_days", "回归后建档和签帮教协议（天内）", 0, 365),
    ("handover_hukou_days", "释放后户籍登记（天内）", 0, 365),
    ("handover_warn_days", "衔接各环节提前提醒（天）", 0, 365),
    ("screening_deadline_days", "排查周期结束后报送（天内）", 0, 365),
    ("screening_warn_days", "排查报送提前提醒（天）", 0, 365),
    ("screening_lookback_days", "查找漏报排查的范围（天）", 1, 3660),
    ("report_warn_days", "报表报送提前提醒（天）", 0, 365),
    ("report_overdue_days", "报表逾期后继续提醒（天）", 0, 3660),
];

/// Checks every period, each problem on its field, then saves (the store checks again and
/// audits the change). Refused while the county's settings are in force.
pub fn save_reminder_settings(state: &AppState, input: ReminderSettingsView) -> Result<ReminderSettingsPage, AppError> {
    state.require(fengqiao_store::Permission::Administer)?;
    if let Some(p) = state.with(|s| Ok(s.county_policy()?))? {
        return Err(county_refusal(&p));
    }
    let json = serde_json::to_value(&input)?;
    let mut issues = Vec::new();
    for (field, label, min, max) in DAY_FIELDS {
        let v = json.get(field).and_then(|v| v.as_i64()).unwrap_or(-1);
        if v < *min || v > *max {
            issues.push(issue(field, label, format!("应为{min}到{max}之间的整数")));
        }
    }
    if input.mediation_warn_days > input.mediation_days && issues.iter().all(|i| i.field != "mediation_warn_days") {
        issues.push(issue("mediation_warn_days", "受理后第几天提醒调解期限", format!("不能晚于调解期限（{}天）", input.mediation_days)));
    }
    for (field, label, v) in [
        ("help_visit_key_months", "重点帮教人员走访间隔（月）", input.help_visit_key_months),
        ("help_visit_general_months", "一般帮教人员走访间隔（月）", input.help_visit_general_months),
    ] {
        if !(1..=24).contains(&v) {
            issues.push(issue(field, label, "应为1到24之间的整数"));
        }
    }
    for (field, label, p) in [
        ("screening_village_period", "村(居)排查频次", input.screening_village_period),
        ("screening_township_period", "乡镇(街道)排查频次", input.screening_township_period),
    ] {
        if p == PeriodType::Special {
            issues.push(issue(field, label, "专项排查没有固定周期，请选择每周、每旬、每半月、每月或每季度"));
        }
    }
    let mut codes = std::collections::HashSet::new();
    for (n, r) in input.reports.iter().enumerate() {
        if r.name.trim().is_empty() {
            issues.push(issue(&format!("reports[{n}].name"), "报表名称", "请填写报表名称"));
        }
        if NaiveDate::from_ymd_opt(2024, r.month, r.day).is_none() || (r.month, r.day) == (2, 29) {
            issues.push(issue(&format!("reports[{n}].day"), "报送日期", format!("{}月{}日不存在", r.month, r.day)));
        }
        if !matches!(r.covers.as_str(), "first_half" | "previous_year") {
            issues.push(issue(&format!("reports[{n}].covers"), "报送内容", "请选择上半年或上一年度"));
        }
        if r.code.trim().is_empty() || !codes.insert(r.code.trim().to_string()) {
            issues.push(issue(&format!("reports[{n}].code"), "报表代码", "报表代码不能为空，也不能重复"));
        }
    }
    if !issues.is_empty() {
        return Err(AppError::invalid(issues));
    }
    let settings: ReminderSettings = mirror(&input)?;
    state.with(|s| {
        // The county's may have arrived since the check above.
        if let Some(p) = s.county_policy()? {
            return Err(county_refusal(&p));
        }
        s.set_reminder_settings(&settings)?;
        settings_page(s)
    })
}

// ---------------------------------------------------------------------------------------------
// The once-a-day notification

/// The settings key holding the office day (YYYY-MM-DD) whose notification this PC showed.
pub const NOTIFIED_ON_KEY: &str = "app_reminder_notified_on";

/// What the desktop notification says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DailyNotification {
    pub date: NaiveDate,
    /// Reminders falling due today.
    pub due_today: usize,
    pub overdue: usize,
    pub title: String,
    /// "今天有 N 项到期、M 项逾期".
    pub body: String,
}

/// Whether to notify now: when reminders are overdue or fall due today and today's
/// notification was not shown yet. Returning one records today in the store's settings, so a
/// restart the same day does not repeat it; a day without anything due records nothing (a
/// reminder appearing later that day is still notified).
pub fn daily_notification(state: &AppState) -> Result<Option<DailyNotification>, AppError> {
    state.with(|s| {
        let today = s.ctx().today;
        if s.sync_setting(NOTIFIED_ON_KEY)?.and_then(|d| d.parse::<NaiveDate>().ok()) == Some(today) {
            return Ok(None);
        }
        let list = s.reminders()?;
        let overdue = list.iter().filter(|r| r.severity == Severity::Overdue).count();
        let due_today = list.iter().filter(|r| r.severity == Severity::DueSoon && r.due_on == today).count();
        if overdue + due_today == 0 {
            return Ok(None);
        }
        s.set_sync_setting(NOTIFIED_ON_KEY, Some(&today.to_string()))?;
        Ok(Some(DailyNotification {
            date: today,
            due_today,
            overdue,
            title: "枫桥 · 到期提醒".into(),
            body: format!("今天有 {due_today} 项到期、{overdue} 项逾期"),
        }))
    })
}

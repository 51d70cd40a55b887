//! `reminders`: what is due or overdue today (computed from the records), and acknowledging
//! or snoozing one with a reason.

use fengqiao_store::reminders::{ReminderView, Severity};
use serde_json::json;

use super::{open, say};
use crate::args::ReminderAction;
use crate::table::Table;
use crate::{CliError, Env};

pub fn reminders(env: &Env, action: Option<ReminderAction>, all: bool) -> Result<(), CliError> {
    let mut store = open(env)?;
    match action {
        None => list(env, store.all_reminders()?, all, store.ctx().today),
        Some(ReminderAction::Ack { id, reason }) => {
            let r = store.acknowledge_reminder(id.trim(), &reason)?;
            say(env, json!({ "ok": true, "acknowledged": r }), || format!("已确认提醒：{}（到期日变化前不再显示）", r.title));
            Ok(())
        }
        Some(ReminderAction::Snooze { id, until, reason }) => {
            let r = store.snooze_reminder(id.trim(), until, &reason)?;
            say(env, json!({ "ok": true, "snoozed": r, "until": until }), || format!("已暂缓提醒至{until}：{}", r.title));
            Ok(())
        }
    }
}

fn list(env: &Env, views: Vec<ReminderView>, all: bool, today: chrono::NaiveDate) -> Result<(), CliError> {
    let hidden = views.iter().filter(|v| v.hidden).count();
    let shown: Vec<&ReminderView> = views.iter().filter(|v| all || !v.hidden).collect();
    if env.json {
        let rows: Vec<serde_json::Value> = shown
            .iter()
            .map(|v| if all { serde_json::to_value(v).unwrap_or_default() } else { serde_json::to_value(&v.reminder).unwrap_or_default() })
            .collect();
        crate::out(&format!("{}\n", json!({ "ok": true, "today": today, "reminders": rows, "hidden": hidden })));
        return Ok(());
    }
    if shown.is_empty() {
        let note = if hidden > 0 { format!("（另有{hidden}条已确认或暂缓，加 --all 查看）") } else { String::new() };
        crate::out(&format!("{today}没有到期或逾期的事项{note}\n"));
        return Ok(());
    }
    let mut t = Table::new(&[("状态", 0), ("到期日", 0), ("逾期", 0), ("类别", 0), ("事项", 70), ("编号", 0)]);
    for v in &shown {
        let r = &v.reminder;
        let status = match (&v.state, v.hidden) {
            (Some(s), true) if s.action == "snoozed" => format!("暂缓至{}", s.until.map(|u| u.to_string()).unwrap_or_default()),
            (Some(_), true) => "已确认".to_string(),
            _ => r.severity.label().to_string(),
        };
        let late = if r.severity == Severity::Overdue { format!("{}天", r.days_overdue) } else { String::new() };
        t.row(vec![status, r.due_on.to_string(), late, r.rule.label().to_string(), r.title.clone(), r.id.clone()]);
    }
    let overdue = shown.iter().filter(|v| !v.hidden && v.reminder.severity == Severity::Overdue).count();
    let soon = shown.iter().filter(|v| !v.hidden && v.reminder.severity == Severity::DueSoon).count();
    let mut footer = format!("{today}：已逾期{overdue}条，即将到期{soon}条");
    if hidden > 0 && !all {
        footer.push_str(&format!("；另有{hidden}条已确认或暂缓（--all 查看）"));
    }
    footer.push_str("\n确认：fengqiao-cli reminders ack 编号 --reason 原因；暂缓：fengqiao-cli reminders snooze 编号 --until 日期 --reason 原因");
    crate::out(&format!("{}{footer}\n", t.render()));
    Ok(())
}

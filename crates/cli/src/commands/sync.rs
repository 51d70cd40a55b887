//! `enroll`, `sync` and `sync status`: the office's link to the county 司法局.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset};
use fengqiao_model::{labels, Kind};
use fengqiao_store::{ChangeEntry, Permission, Store};
use fengqiao_sync::agent::{self, SyncState};
use fengqiao_sync::{Agent, AgentConfig, RoundReport, StatusSink, SyncError};
use serde_json::{json, Value};

use super::{open, say};
use crate::args::SyncAction;
use crate::{CliError, Env};

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| CliError::Usage(format!("无法启动同步所需的运行环境：{e}")))
}

/// The agent's settings; `FENGQIAO_SYNC_TIMEOUT` (seconds) shortens the wait for the county's
/// answer (default 120 s), for slow links or tests.
fn config() -> Result<AgentConfig, CliError> {
    let mut config = AgentConfig::default();
    if let Ok(v) = std::env::var("FENGQIAO_SYNC_TIMEOUT") {
        let secs: f64 = v
            .trim()
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
            .ok_or_else(|| CliError::Usage(format!("环境变量 FENGQIAO_SYNC_TIMEOUT 的值“{v}”应为等待县级服务器回复的秒数，如 30")))?;
        config.client.request_timeout = std::time::Duration::from_secs_f64(secs);
        config.client.connect_timeout = config.client.connect_timeout.min(config.client.request_timeout);
    }
    Ok(config)
}

/// A time as the clerk reads it (Beijing time).
fn local(t: &str) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|_| t.to_string())
}

pub fn enroll(env: &Env, server: &str, code: &str, name: Option<&str>) -> Result<(), CliError> {
    if code.trim().is_empty() {
        return Err(CliError::Usage("注册码不能为空".into()));
    }
    let device_name = name.map(str::to_string).unwrap_or_else(agent::device_name);
    let options = config()?.client;
    let rt = runtime()?;
    let done = if Store::is_secured(&env.data_dir) {
        // An encrypted store is opened signed in; the county's address is the 所长's to set.
        let store = open(env)?;
        store.require_permission(Permission::Administer)?;
        rt.block_on(agent::enroll_shared(Arc::new(Mutex::new(store)), server, code, &device_name, options))?
    } else {
        rt.block_on(agent::enroll(&env.data_dir, server, code, &device_name, env.clock.clone(), options))?
    };
    say(env, json!({ "ok": true, "enrolled": done }), || {
        let mut text =
            format!("已登记到县司法局：{}（{}，行政区划代码{}），服务器 {}", done.office_name, done.office_id, done.division_code, done.server);
        if done.new_store {
            text.push_str(&format!("\n已在 {} 新建本机数据库，运行 fengqiao-cli sync --once 下载本所的记录", env.data_dir.display()));
        } else {
            text.push_str("\n运行 fengqiao-cli sync --once 立即同步");
        }
        text
    });
    Ok(())
}

pub fn sync(env: &Env, action: Option<SyncAction>, once: bool, server: Option<&str>, attempts: u32) -> Result<(), CliError> {
    if let Some(SyncAction::Status) = action {
        if once || server.is_some() {
            return Err(CliError::Usage("sync status 不能与 --once 或 --server 同用".into()));
        }
        return status(env);
    }
    let mut store = open(env)?;
    if let Some(s) = server {
        store.require_permission(Permission::Administer)?;
        let saved = agent::set_server(&mut store, s)?;
        eprintln!("县级服务器地址已改为 {saved}");
    }
    let store = Arc::new(Mutex::new(store));
    let json = env.json;
    let sink: Arc<dyn StatusSink> = Arc::new(move |state: &SyncState| {
        if json {
            if !once {
                crate::out(&format!("{}\n", serde_json::to_string(state).unwrap_or_default()));
            }
        } else if !matches!(state, SyncState::Error { .. }) || !once {
            eprintln!("{}", state.label());
        }
    });
    let agent = Agent::new(store, config()?, sink)?;
    let rt = runtime()?;
    if once {
        let report = rt.block_on(agent.drain(attempts))?;
        say(env, json!({ "ok": true, "report": report }), || summary(&report));
        return Ok(());
    }
    let stopped = rt.block_on(agent.run(async {
        let _ = tokio::signal::ctrl_c().await;
    }));
    match stopped {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

fn summary(r: &RoundReport) -> String {
    let mut text = format!("同步完成：上传{}条修改", r.pushed + r.push_duplicates);
    if r.push_duplicates > 0 {
        text.push_str(&format!("（其中{}条县司法局已收到过）", r.push_duplicates));
    }
    text.push_str(&format!("，下载{}条修改", r.pulled));
    if r.pull_duplicates > 0 {
        text.push_str(&format!("（另有{}条本机已有）", r.pull_duplicates));
    }
    if !r.set_aside.is_empty() {
        text.push_str(&format!("\n{}条修改被县司法局拒收，已搁置（不影响其他修改）：", r.set_aside.len()));
        for (id, reason) in &r.set_aside {
            text.push_str(&format!("\n  {id}：{reason}"));
        }
    }
    if !r.refused.is_empty() {
        text.push_str(&format!("\n{}条下载的修改本机无法接收，已跳过：", r.refused.len()));
        for (id, reason) in &r.refused {
            text.push_str(&format!("\n  {id}：{reason}"));
        }
    }
    if let Some(v) = &r.settings {
        text.push_str(&format!("\n已启用县司法局下发的提醒周期和工作目标（版本{v}）"));
    }
    text
}

fn status(env: &Env) -> Result<(), CliError> {
    let store: Store = open(env)?;
    let st = store.sync_status()?;
    let aside = store.set_aside_changes()?;
    let aside_json: Vec<_> = aside
        .iter()
        .map(|(c, reason)| {
            json!({ "change_id": c.change_id, "kind": c.kind, "record_id": c.record_id, "op": c.op, "created_at": c.created_at, "reason": reason })
        })
        .collect();
    let mut value = serde_json::to_value(&st).unwrap_or_default();
    value["ok"] = json!(true);
    value["set_aside_changes"] = json!(aside_json);
    say(env, value, || {
        let mut lines = vec![
            format!("县级服务器：{}", st.server.as_deref().unwrap_or("未设置")),
            format!("登记状态：{}", if st.enrolled { "已登记" } else { "未登记（运行 fengqiao-cli enroll --server 地址 --code 注册码）" }),
            format!("待上传的修改：{}条", st.pending),
            format!("被拒收已搁置的修改：{}条", st.set_aside),
        ];
        for (c, reason) in &aside {
            lines.extend(set_aside_lines(c, reason));
        }
        lines.push(format!("最近同步：{}", st.last_sync_at.as_deref().map(local).unwrap_or_else(|| "从未".into())));
        lines.push(format!("最近错误：{}", st.last_error.as_deref().unwrap_or("无")));
        lines.join("\n")
    });
    Ok(())
}

/// A change the county refused, as the desktop's 同步 page shows it: what it was, why it was
/// refused, and the fields it wrote by their Chinese names with their values as a clerk reads
/// them (codes by their labels, 是/否) — not the change's JSON.
fn set_aside_lines(c: &ChangeEntry, reason: &str) -> Vec<String> {
    let kind = Kind::from_code(&c.kind);
    let kind_label = kind.map(|k| k.label()).unwrap_or(c.kind.as_str());
    let op = if c.op == "delete" { "删除" } else { "保存" };
    let title = ["title", "name", "case_no"].iter().find_map(|k| c.data.get(*k).and_then(Value::as_str).filter(|t| !t.is_empty()));
    let what = title.map(|t| format!("{kind_label}“{t}”")).unwrap_or_else(|| kind_label.to_string());
    let mut lines = vec![format!("  {} {op}{what}（{}）", local(&c.created_at), c.record_id), format!("    拒收原因：{reason}")];
    if c.op == "delete" {
        return lines;
    }
    // The record's bookkeeping says nothing to the clerk (as on the 同步 page).
    const BOOKKEEPING: [&str; 6] = ["id", "created_at", "updated_at", "created_by", "version", "draft"];
    for field in c.changed_fields.iter().filter(|f| !BOOKKEEPING.contains(&f.as_str())) {
        let value = c.data.get(field).unwrap_or(&Value::Null);
        let label = kind.and_then(|k| labels::field_label(k, field)).unwrap_or(field);
        let shown = match kind {
            Some(k) => labels::display_value(k, field, value),
            None => labels::display_plain(value),
        };
        let shown = if shown.is_empty() { "（空）".to_string() } else { shown.replace('\n', "\n      ") };
        lines.push(format!("    {label}：{shown}"));
    }
    lines
}

impl From<fengqiao_sync::ClientError> for CliError {
    fn from(e: fengqiao_sync::ClientError) -> Self {
        CliError::Sync(SyncError::Client(e))
    }
}

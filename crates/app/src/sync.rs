//! Sync with the county 司法局 in the desktop app: the agent (`fengqiao-sync`) as a background
//! tokio task on the app's own store — the same connection and the same lock as the commands;
//! the agent takes the lock only for its store calls, never while it waits for the county —
//! the indicator in the window's header, the 同步 page (history of runs, changes the county
//! refused), and enrollment with a one-time code in 设置.
//!
//! The agent starts when the app opens an enrolled store ([`start`], called by the shell) and
//! again after an enrollment or a new server address, without a restart. A command that wrote
//! to the store wakes it ([`AppState::with`]). What it reports is kept here and handed to the
//! shell's listener (a Tauri event), so the window never has to ask.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use fengqiao_model::{labels, FieldIssue, Kind};
use fengqiao_store::{ChangeEntry, Clock, Store};
use fengqiao_sync::agent::{self, SyncState};
use fengqiao_sync::{Agent, AgentConfig, ClientError, RoundReport, SharedStore, StatusSink, SyncError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{oneshot, Notify};
use uuid::Uuid;

use crate::settings::SettingsView;
use crate::{AppError, AppState};

/// Runs kept for the 同步 page (the oldest go first); runs alike in a row are one entry.
pub const HISTORY_LIMIT: usize = 50;

/// What the indicator shows, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// No county server, or not enrolled with it.
    NotConnected,
    Syncing,
    Synced,
    /// Local changes wait for the next round.
    Pending,
    /// The county cannot be reached; the agent keeps trying.
    Offline,
    /// A round failed for another reason (or the agent stopped: `stopped`).
    Error,
}

/// The sync indicator in the window's header.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncIndicator {
    pub phase: SyncPhase,
    /// The few words in the header: 已同步, 3条待同步, 离线（自09:30起）, 同步出错, 未连接县局.
    pub label: String,
    /// One sentence more, for the tooltip.
    pub detail: String,
    /// Local changes not yet received by the county.
    pub pending: i64,
    /// Changes the county refused for good (see the 同步 page).
    pub set_aside: i64,
    /// Since when the county cannot be reached.
    pub offline_since: Option<DateTime<Utc>>,
    /// The agent stopped and will not retry by itself (e.g. the device was revoked).
    pub stopped: bool,
}

/// One sync round (or several alike in a row), for the 同步 page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncRun {
    /// When it ended (the last of them when several are folded into this entry).
    pub at: DateTime<Utc>,
    /// When the first of them ended.
    pub first_at: DateTime<Utc>,
    /// How many rounds this entry stands for.
    pub times: u32,
    pub ok: bool,
    /// Local changes the county took (including ones it already had).
    pub pushed: u64,
    /// Changes from the county merged here.
    pub pulled: u64,
    /// Local changes the county refused in this round.
    pub set_aside: u64,
    /// How long the (last) round took.
    pub millis: u64,
    /// Why it failed, for the clerk.
    pub error: Option<String>,
    /// The transport's own words about it, for IT staff (e.g. "Connection refused").
    pub error_detail: Option<String>,
    /// Machine-readable kind of failure (`offline`, `revoked`, …).
    pub error_code: Option<String>,
}

impl SyncRun {
    /// Two runs a clerk would not tell apart: both moved nothing, or both failed alike.
    fn alike(&self, other: &SyncRun) -> bool {
        let idle = |r: &SyncRun| r.ok && r.pushed == 0 && r.pulled == 0 && r.set_aside == 0;
        (idle(self) && idle(other)) || (!self.ok && !other.ok && self.error_code == other.error_code)
    }
}

/// A field a set-aside change wrote, with its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChangedField {
    pub field: String,
    /// The field's Chinese name (受理日期); the field itself when the model does not know it.
    pub label: String,
    /// As saved (any JSON).
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Value,
    /// The value as a clerk reads it: a code's label, 是/否, empty for nothing, lists joined.
    pub display: String,
}

impl ChangedField {
    fn new(kind: Option<Kind>, field: &str, value: Value) -> ChangedField {
        let label = kind.and_then(|k| labels::field_label(k, field)).unwrap_or(field);
        let display = match kind {
            Some(k) => labels::display_value(k, field, &value),
            None => labels::display_plain(&value),
        };
        ChangedField { field: field.to_string(), label: label.to_string(), value, display }
    }
}

/// A local change the county refused for good: it stays here, does not block the others, and
/// waits for the clerk.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetAsideChange {
    pub change_id: Uuid,
    /// The kind of record (`dispute_case` …) and its Chinese name.
    pub kind: String,
    pub kind_label: String,
    pub record_id: Uuid,
    /// A name for the record: a case's title, a person's name, …
    pub title: Option<String>,
    /// 删除 or 保存.
    pub op_label: String,
    /// When it was made here (RFC 3339).
    pub created_at: String,
    /// Why the county refused it.
    pub reason: String,
    /// What the change wrote: its fields and their values.
    pub fields: Vec<ChangedField>,
    /// Where the record opens in the app (`/cases/…`), if it has a page.
    pub link: Option<String>,
}

/// The 同步 page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncOverview {
    pub indicator: SyncIndicator,
    pub server: Option<String>,
    pub enrolled: bool,
    /// This PC as the county knows it.
    pub device_id: Uuid,
    pub device_name: String,
    pub pending: i64,
    pub set_aside: i64,
    /// The last round that finished (RFC 3339, from the store).
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// The transport's own words about the last error, for IT staff.
    pub last_error_detail: Option<String>,
    /// The last round that sent changes, and how many (of the kept history).
    pub last_push_at: Option<DateTime<Utc>>,
    pub last_push_count: u64,
    /// The last round that brought changes, and how many (of the kept history).
    pub last_pull_at: Option<DateTime<Utc>>,
    pub last_pull_count: u64,
    /// Newest first.
    pub history: Vec<SyncRun>,
    pub set_aside_changes: Vec<SetAsideChange>,
}

/// 设置 → 登记到县司法局.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct EnrollInput {
    /// The county server's address, e.g. https://sfj.example.gov.cn.
    pub server: String,
    /// The one-time code the county printed for this office.
    pub code: String,
}

type Listener = Arc<dyn Fn(&SyncIndicator) + Send + Sync>;

/// What the indicator and the 同步 page show, kept between reports.
struct Shown {
    /// Reports of agents older than this one are ignored (an agent being replaced).
    generation: u64,
    indicator: SyncIndicator,
    history: VecDeque<SyncRun>,
    last_push: Option<(DateTime<Utc>, u64)>,
    last_pull: Option<(DateTime<Utc>, u64)>,
}

struct Shared {
    clock: Clock,
    shown: Mutex<Shown>,
    listener: Mutex<Option<Listener>>,
    /// Where the history is kept between runs of the app (none in unit tests).
    history_file: Option<PathBuf>,
}

/// The 同步 page's history, kept in the data directory so that it survives a restart: what
/// was sent and received and why rounds failed — counts and messages, no records.
pub const HISTORY_FILE: &str = "sync-history.json";

/// The history kept by an earlier run; an unreadable file is an empty history.
fn load_history(file: &Path) -> VecDeque<SyncRun> {
    let mut runs: VecDeque<SyncRun> = std::fs::read(file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    runs.truncate(HISTORY_LIMIT);
    runs
}

/// Writes the history beside a temporary file and renames it over the old one, so a power cut
/// leaves the old history or the new one, never half of one. Failing to write it only costs
/// the history, never a round.
fn save_history(file: &Path, runs: &VecDeque<SyncRun>) {
    let tmp = file.with_extension("json.tmp");
    let written = serde_json::to_vec(runs).ok().is_some_and(|bytes| std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, file).is_ok());
    if !written {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The running agent's handles; dropping it stops the agent.
struct Running {
    wake: Arc<Notify>,
    nudge: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
    _stop: oneshot::Sender<()>,
}

/// The app's side of sync: the agent's runtime and handles, and what it last reported.
pub struct SyncHub {
    shared: Arc<Shared>,
    runtime: OnceLock<tokio::runtime::Runtime>,
    running: Mutex<Option<Running>>,
    config: Mutex<AgentConfig>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A time as the header shows it: 09:30 today, 11-20 09:30 before (office time, UTC+8).
fn short_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let (t, now) = (t.with_timezone(&tz), now.with_timezone(&tz));
    if t.date_naive() == now.date_naive() {
        t.format("%H:%M").to_string()
    } else {
        t.format("%m-%d %H:%M").to_string()
    }
}

/// A sync error as the clerk reads it — “无法连接县级服务器（连接失败）” — and apart from it the
/// transport's own words (“tcp connect error: Connection refused”), for IT staff.
fn plain(message: &str) -> (String, Option<String>) {
    // ClientError::Network reads “无法连接县级服务器（{what}：{detail}）”.
    if let Some((what, detail)) = message.strip_prefix("无法连接县级服务器（").and_then(|rest| rest.split_once('：')) {
        return (format!("无法连接县级服务器（{what}）"), Some(detail.strip_suffix('）').unwrap_or(detail).to_string()));
    }
    (message.to_string(), None)
}

fn not_connected(server: Option<&str>, pending: i64, set_aside: i64) -> SyncIndicator {
    let detail = match server {
        Some(s) => format!("已设置县级服务器 {s}，本机尚未登记：请在“设置”中输入县司法局提供的注册码"),
        None => "未设置县级服务器，本机离线工作；修改只保存在本机".to_string(),
    };
    SyncIndicator { phase: SyncPhase::NotConnected, label: "未连接县局".into(), detail, pending, set_aside, offline_since: None, stopped: false }
}

impl SyncIndicator {
    fn pending_label(n: i64) -> String {
        format!("{n}条待同步")
    }

    /// The indicator after the agent reported `state` (times from the app's clock).
    fn after(&self, state: &SyncState, now: DateTime<Utc>) -> SyncIndicator {
        let mut next = self.clone();
        next.stopped = false;
        match state {
            SyncState::Syncing { pending } => {
                next.pending = *pending;
                // While the county cannot be reached, a new attempt is still “offline”.
                if self.offline_since.is_none() {
                    next.phase = SyncPhase::Syncing;
                    next.label = "正在同步".into();
                    next.detail = if *pending > 0 {
                        format!("正在与县司法局同步，{pending}条修改待上传")
                    } else {
                        "正在与县司法局同步".into()
                    };
                }
            }
            SyncState::Synced { set_aside, .. } => {
                next.phase = SyncPhase::Synced;
                next.pending = 0;
                next.set_aside = *set_aside;
                next.offline_since = None;
                next.label = "已同步".into();
                next.detail = format!("已于{}与县司法局同步完毕", short_time(now, now));
                if *set_aside > 0 {
                    next.detail.push_str(&format!("；{set_aside}条修改被县司法局拒收，请在同步页查看"));
                }
            }
            SyncState::Pending { count } => {
                next.phase = SyncPhase::Pending;
                next.pending = *count;
                next.offline_since = None;
                next.label = Self::pending_label(*count);
                next.detail = format!("{count}条修改尚未上传到县司法局，稍后自动同步");
            }
            SyncState::Offline { pending, .. } => {
                let since = self.offline_since.unwrap_or(now);
                next.phase = SyncPhase::Offline;
                next.pending = *pending;
                next.offline_since = Some(since);
                next.label = format!("离线（自{}起）", short_time(since, now));
                next.detail = format!("自{}起连不上县级服务器，网络恢复后自动同步", short_time(since, now));
                if *pending > 0 {
                    next.detail.push_str(&format!("；{pending}条修改待上传"));
                }
            }
            SyncState::Error { message, pending, stopped } => {
                next.phase = SyncPhase::Error;
                next.pending = *pending;
                next.offline_since = None;
                next.stopped = *stopped;
                next.label = "同步出错".into();
                let message = plain(message).0;
                next.detail =
                    if *stopped { format!("同步已停止：{message}") } else { format!("同步出错，稍后自动重试：{message}") };
            }
        }
        next
    }

    /// The indicator after a local save left `pending` changes to push.
    fn with_pending(&self, pending: i64) -> SyncIndicator {
        let mut next = self.clone();
        next.pending = pending;
        match self.phase {
            SyncPhase::Synced | SyncPhase::Pending if pending > 0 => {
                next.phase = SyncPhase::Pending;
                next.label = Self::pending_label(pending);
                next.detail = format!("{pending}条修改尚未上传到县司法局，稍后自动同步");
            }
            SyncPhase::Offline if pending > 0 => {
                if let Some(base) = self.detail.split('；').next() {
                    next.detail = format!("{base}；{pending}条修改待上传");
                }
            }
            _ => {}
        }
        next
    }
}

impl Shared {
    /// Changes what is shown (unless `generation` is an agent since replaced) and tells the
    /// listener, outside the lock.
    fn update(&self, generation: Option<u64>, f: impl FnOnce(&mut Shown)) {
        let shown = {
            let mut s = lock(&self.shown);
            if generation.is_some_and(|g| g != s.generation) {
                return;
            }
            let before = s.indicator.clone();
            f(&mut s);
            (s.indicator != before).then(|| s.indicator.clone())
        };
        if let Some(indicator) = shown {
            let listener = lock(&self.listener).clone();
            if let Some(l) = listener {
                l(&indicator);
            }
        }
    }
}

/// The agent's status sink: reports of one agent (its generation) into what is shown.
struct Sink {
    shared: Arc<Shared>,
    generation: u64,
}

impl StatusSink for Sink {
    fn report(&self, state: &SyncState) {
        let now = (self.shared.clock)();
        self.shared.update(Some(self.generation), |s| s.indicator = s.indicator.after(state, now));
    }

    fn round_done(&self, outcome: Result<&RoundReport, &SyncError>, took: Duration) {
        let now = (self.shared.clock)();
        let run = match outcome {
            Ok(r) => SyncRun {
                at: now,
                first_at: now,
                times: 1,
                ok: true,
                pushed: (r.pushed + r.push_duplicates) as u64,
                pulled: r.pulled as u64,
                set_aside: r.set_aside.len() as u64,
                millis: took.as_millis() as u64,
                error: None,
                error_detail: None,
                error_code: None,
            },
            Err(e) => SyncRun {
                at: now,
                first_at: now,
                times: 1,
                ok: false,
                pushed: 0,
                pulled: 0,
                set_aside: 0,
                millis: took.as_millis() as u64,
                error: Some(plain(&e.to_string()).0),
                error_detail: plain(&e.to_string()).1,
                error_code: Some(e.code().to_string()),
            },
        };
        self.shared.update(Some(self.generation), |s| {
            if run.pushed > 0 {
                s.last_push = Some((now, run.pushed));
            }
            if run.pulled > 0 {
                s.last_pull = Some((now, run.pulled));
            }
            match s.history.front_mut() {
                Some(last) if last.alike(&run) => {
                    last.times += 1;
                    last.at = run.at;
                    last.millis = run.millis;
                    last.error = run.error;
                    last.error_detail = run.error_detail;
                }
                _ => {
                    s.history.push_front(run);
                    s.history.truncate(HISTORY_LIMIT);
                }
            }
            if let Some(file) = &self.shared.history_file {
                save_history(file, &s.history);
            }
        });
    }
}

impl SyncHub {
    /// The hub of the app whose data directory is `data_dir`: the history of earlier runs is
    /// read from it and kept in it.
    pub(crate) fn new(clock: Clock, data_dir: &Path) -> SyncHub {
        let history_file = data_dir.join(HISTORY_FILE);
        let history = load_history(&history_file);
        let last_push = history.iter().find(|r| r.pushed > 0).map(|r| (r.at, r.pushed));
        let last_pull = history.iter().find(|r| r.pulled > 0).map(|r| (r.at, r.pulled));
        let shown = Shown { generation: 0, indicator: not_connected(None, 0, 0), history, last_push, last_pull };
        SyncHub {
            shared: Arc::new(Shared { clock, shown: Mutex::new(shown), listener: Mutex::new(None), history_file: Some(history_file) }),
            runtime: OnceLock::new(),
            running: Mutex::new(None),
            config: Mutex::new(AgentConfig::default()),
        }
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime, AppError> {
        if let Some(rt) = self.runtime.get() {
            return Ok(rt);
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(4)
            .thread_name("fengqiao-sync")
            .enable_all()
            .build()
            .map_err(|e| AppError::new("internal", format!("无法启动同步任务：{e}")))?;
        Ok(self.runtime.get_or_init(|| rt))
    }

    /// A local save: count it on the indicator and wake the agent.
    /// A command wrote to the store: wake the agent, and count what waits for the county on
    /// the sync runtime's blocking pool, off the command's path (an office that never synced
    /// may hold a long change log).
    pub(crate) fn local_change(&self, store: &SharedStore) {
        if let Some(r) = lock(&self.running).as_ref() {
            r.wake.notify_one();
        }
        let Ok(rt) = self.runtime() else { return };
        let (store, shared) = (store.clone(), self.shared.clone());
        rt.spawn_blocking(move || {
            let pending = AppState::lock_store(&store).sync_status().map(|st| st.pending);
            if let Ok(pending) = pending {
                shared.update(None, |s| s.indicator = s.indicator.with_pending(pending));
            }
        });
    }

    fn indicator(&self) -> SyncIndicator {
        lock(&self.shared.shown).indicator.clone()
    }
}

impl Drop for SyncHub {
    fn drop(&mut self) {
        lock(&self.running).take();
        // Without waiting: the app may be closing from inside another runtime.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Tells `listener` every change of the indicator (the shell sends it to the window).
pub fn on_change(state: &AppState, listener: impl Fn(&SyncIndicator) + Send + Sync + 'static) {
    *lock(&state.sync.shared.listener) = Some(Arc::new(listener));
}

/// The agent's timing (tests shorten the waits). Takes effect at the next [`start`].
pub fn set_config(state: &AppState, config: AgentConfig) {
    *lock(&state.sync.config) = config;
}

/// Starts the agent when this PC is enrolled with a county server (stopping the one before,
/// if any); otherwise shows “未连接县局”. The shell calls it when the window opens; enrollment
/// and a new server address call it again.
pub fn start(state: &AppState) {
    let hub = &state.sync;
    let mut running = lock(&hub.running);
    running.take();
    let Some(store) = state.shared_store() else { return };
    let status = AppState::lock_store(store).sync_status();
    let generation = {
        let mut s = lock(&hub.shared.shown);
        s.generation += 1;
        s.generation
    };
    let st = match status {
        Ok(st) => st,
        Err(e) => {
            let e = SyncError::Store(e);
            hub.shared.update(None, |s| {
                s.indicator = s.indicator.after(&SyncState::Error { message: e.to_string(), pending: 0, stopped: true }, (hub.shared.clock)())
            });
            return;
        }
    };
    if !st.enrolled || st.server.is_none() {
        hub.shared.update(None, |s| s.indicator = not_connected(st.server.as_deref(), st.pending, st.set_aside));
        return;
    }
    // Counts from the store until the agent's first report.
    hub.shared.update(None, |s| {
        s.indicator.pending = st.pending;
        s.indicator.set_aside = st.set_aside;
        if s.indicator.phase == SyncPhase::NotConnected {
            s.indicator.label = "正在同步".into();
            s.indicator.phase = SyncPhase::Syncing;
            s.indicator.detail = "正在连接县级服务器".into();
        }
    });
    let fail = |e: SyncError| {
        let state = SyncState::Error { message: e.to_string(), pending: st.pending, stopped: true };
        hub.shared.update(None, |s| s.indicator = s.indicator.after(&state, (hub.shared.clock)()));
    };
    let rt = match hub.runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(SyncError::Task(e.message)),
    };
    let sink = Arc::new(Sink { shared: hub.shared.clone(), generation });
    let config = *lock(&hub.config);
    // The client is made inside the runtime (it may need one for its connection pool).
    let made = rt.block_on(async { Agent::new(store.clone(), config, sink) });
    let agent = match made {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let (wake, nudge) = (agent.waker(), agent.nudger());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = rt.spawn(async move {
        // A fatal error has been reported through the sink; nothing more to do with it.
        let _ = agent
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    *running = Some(Running { wake, nudge, task, _stop: stop });
}

/// The indicator now.
pub fn sync_status(state: &AppState) -> Result<SyncIndicator, AppError> {
    Ok(state.sync.indicator())
}

/// 立即同步: a round now, even while the agent waits after a failure; an agent that stopped
/// (e.g. after the county revoked the device) is started again.
pub fn sync_now(state: &AppState) -> Result<SyncIndicator, AppError> {
    state.with(|s| {
        let st = s.sync_status()?;
        if st.server.is_none() {
            return Err(AppError::new("not_enrolled", "未设置县级服务器：请先在“设置”中填写县级服务器地址并登记"));
        }
        if !st.enrolled {
            return Err(AppError::new("not_enrolled", "本机尚未登记到县司法局：请先在“设置”中输入县司法局提供的注册码"));
        }
        Ok(())
    })?;
    let alive = lock(&state.sync.running).as_ref().filter(|r| !r.task.is_finished()).map(|r| r.nudge.clone());
    match alive {
        Some(nudge) => nudge.notify_one(),
        None => start(state),
    }
    Ok(state.sync.indicator())
}

fn set_aside_view(entry: ChangeEntry, reason: String) -> SetAsideChange {
    let kind = Kind::from_code(&entry.kind);
    let text = |k: &str| entry.data.get(k).and_then(Value::as_str).map(str::to_string);
    let id = |k: &str| entry.data.get(k).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    let link = match kind {
        Some(Kind::DisputeCase) => Some(format!("/cases/{}", entry.record_id)),
        Some(Kind::ReleasedPerson) => Some(format!("/released/{}", entry.record_id)),
        Some(Kind::CaseParty | Kind::InvestigationRecord | Kind::MediationSession | Kind::Agreement | Kind::ReturnVisit) => {
            id("case_id").map(|c| format!("/cases/{c}"))
        }
        Some(Kind::HelpGroup | Kind::HelpVisit | Kind::AssessmentChange | Kind::HandoverEvent) => {
            id("released_person_id").map(|r| format!("/released/{r}"))
        }
        _ => None,
    };
    let fields = if entry.op == "delete" {
        Vec::new()
    } else {
        // The record's bookkeeping says nothing to the clerk.
        const BOOKKEEPING: [&str; 6] = ["id", "created_at", "updated_at", "created_by", "version", "draft"];
        entry
            .changed_fields
            .iter()
            .filter(|f| !BOOKKEEPING.contains(&f.as_str()))
            .map(|f| ChangedField::new(kind, f, entry.data.get(f).cloned().unwrap_or(Value::Null)))
            .collect()
    };
    SetAsideChange {
        change_id: entry.change_id,
        kind_label: kind.map(|k| k.label().to_string()).unwrap_or_else(|| entry.kind.clone()),
        kind: entry.kind.clone(),
        record_id: entry.record_id,
        title: text("title").or_else(|| text("name")).or_else(|| text("case_no")),
        op_label: if entry.op == "delete" { "删除".into() } else { "保存".into() },
        created_at: entry.created_at,
        reason,
        fields,
        link,
    }
}

/// The 同步 page.
pub fn sync_overview(state: &AppState) -> Result<SyncOverview, AppError> {
    let (st, device_id, aside) = state.with(|s: &mut Store| Ok((s.sync_status()?, s.device_id(), s.set_aside_changes()?)))?;
    let shown = lock(&state.sync.shared.shown);
    Ok(SyncOverview {
        indicator: shown.indicator.clone(),
        server: st.server,
        enrolled: st.enrolled,
        device_id,
        device_name: agent::device_name(),
        pending: st.pending,
        set_aside: st.set_aside,
        last_sync_at: st.last_sync_at,
        last_error: st.last_error.as_deref().map(|e| plain(e).0),
        last_error_detail: st.last_error.as_deref().and_then(|e| plain(e).1),
        last_push_at: shown.last_push.map(|p| p.0),
        last_push_count: shown.last_push.map_or(0, |p| p.1),
        last_pull_at: shown.last_pull.map(|p| p.0),
        last_pull_count: shown.last_pull.map_or(0, |p| p.1),
        history: shown.history.iter().cloned().collect(),
        set_aside_changes: aside.into_iter().map(|(e, r)| set_aside_view(e, r)).collect(),
    })
}

fn on_field(code: &str, field: &str, label: &str, message: String) -> AppError {
    AppError {
        code: code.into(),
        message: message.clone(),
        issues: vec![FieldIssue { field: field.into(), label: label.into(), message }],
        reasons: Vec::new(),
    }
}

const SERVER_FIELD: (&str, &str) = ("county_server", "县级服务器地址");
const CODE_FIELD: (&str, &str) = ("enrollment_code", "注册码");

/// An enrollment's failure, in words a clerk can act on, beside the field to correct.
fn enroll_error(e: SyncError) -> AppError {
    let server = |code: &str, m: String| on_field(code, SERVER_FIELD.0, SERVER_FIELD.1, m);
    let code_field = |code: &str, m: String| on_field(code, CODE_FIELD.0, CODE_FIELD.1, m);
    match e {
        SyncError::Client(ClientError::Address(_)) => {
            server("invalid", "地址应为 http:// 或 https:// 开头的县级服务器地址，如 https://sfj.example.gov.cn".into())
        }
        SyncError::Client(ClientError::Network(detail)) => {
            let what = detail.split('：').next().unwrap_or("连接失败");
            server("unreachable", format!("无法连接县级服务器（{what}），请核对地址，并检查本机网络"))
        }
        SyncError::Client(ClientError::Unauthorized { message }) => code_field("wrong_code", message),
        SyncError::Client(ClientError::Refused { status: 409, message, .. }) => code_field("refused", message),
        SyncError::Client(ClientError::Refused { status, .. }) | SyncError::Client(ClientError::Unavailable { status, .. })
            if status == 404 || status == 405 =>
        {
            server("not_a_county_server", format!("这个地址不是县级服务器（HTTP {status}），请核对地址"))
        }
        SyncError::Client(ClientError::BadResponse(_)) => server("not_a_county_server", "这个地址的回复不是县级服务器的回复，请核对地址".into()),
        e @ SyncError::Client(ClientError::Unavailable { .. }) => server("server_unavailable", format!("{e}，请稍后再试")),
        e @ SyncError::Client(ClientError::Refused { .. }) => code_field("refused", e.to_string()),
        e @ SyncError::OfficeMismatch { .. } => code_field("office_mismatch", e.to_string()),
        e => AppError::new(e.code(), e.to_string()),
    }
}

/// Enrolls this PC with the county using the one-time code, remembers the address and the
/// device credential, and starts the agent. Refused while this PC is enrolled and syncing (a
/// new address alone is saved with `set_county_server`).
pub fn enroll(state: &AppState, input: EnrollInput) -> Result<SettingsView, AppError> {
    state.require(fengqiao_store::Permission::Administer)?;
    let (server, code) = (input.server.trim().to_string(), input.code.trim().to_string());
    let mut issues = Vec::new();
    if server.is_empty() {
        issues.push(FieldIssue { field: SERVER_FIELD.0.into(), label: SERVER_FIELD.1.into(), message: "请填写县级服务器地址".into() });
    } else if let Err(m) = crate::settings::check_server(&server) {
        issues.push(FieldIssue { field: SERVER_FIELD.0.into(), label: SERVER_FIELD.1.into(), message: m });
    }
    if code.is_empty() {
        issues.push(FieldIssue { field: CODE_FIELD.0.into(), label: CODE_FIELD.1.into(), message: "请填写县司法局提供的注册码".into() });
    }
    if !issues.is_empty() {
        return Err(AppError::invalid(issues));
    }
    state.with(|s| {
        s.require_permission(fengqiao_store::Permission::Administer)?;
        let st = s.sync_status()?;
        let stopped = state.sync.indicator().stopped;
        if let (true, Some(current), false) = (st.enrolled, st.server.as_deref(), stopped) {
            return Err(on_field(
                "already_enrolled",
                CODE_FIELD.0,
                CODE_FIELD.1,
                format!("本机已登记到县司法局（{current}），不需要再次登记；服务器地址变了只需修改上面的地址并保存"),
            ));
        }
        Ok(())
    })?;
    let shared = state.shared_store().ok_or_else(AppError::not_initialized)?.clone();
    let rt = state.sync.runtime()?;
    let options = lock(&state.sync.config).client;
    rt.block_on(agent::enroll_shared(shared, &server, &code, &agent::device_name(), options)).map_err(enroll_error)?;
    start(state);
    crate::settings::settings(state)
}

/// The address and the code of an enrollment, each problem beside its field (first run's
/// 加入已登记的司法所 checks them with its other answers).
pub(crate) fn enroll_issues(server: &str, code: &str) -> Vec<FieldIssue> {
    let issue = |(field, label): (&str, &str), message: String| FieldIssue { field: field.into(), label: label.into(), message };
    let mut issues = Vec::new();
    if server.is_empty() {
        issues.push(issue(SERVER_FIELD, "请填写县级服务器地址".into()));
    } else if let Err(m) = crate::settings::check_server(server) {
        issues.push(issue(SERVER_FIELD, m));
    }
    if code.is_empty() {
        issues.push(issue(CODE_FIELD, "请填写县司法局提供的注册码".into()));
    }
    issues
}

/// First run's 加入已登记的司法所 ([`crate::setup::join_office`]): enrolls this PC with the county
/// and creates its store, for the office the county names, in the empty data directory. When
/// the county says no, nothing is made; refusals read as in 设置, beside the address or the code.
pub(crate) fn enroll_new_store(state: &AppState, server: &str, code: &str, device_name: &str) -> Result<agent::Enrolled, AppError> {
    let rt = state.sync.runtime()?;
    let options = lock(&state.sync.config).client;
    rt.block_on(agent::enroll(state.data_dir(), server, code, device_name, state.clock(), options)).map_err(enroll_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_indicator_reads_in_chinese() {
        let now = at("2026-11-20T02:00:00Z");
        let start = not_connected(None, 0, 0);
        assert_eq!(start.label, "未连接县局");
        let syncing = start.after(&SyncState::Syncing { pending: 2 }, now);
        assert_eq!((syncing.phase, syncing.label.as_str()), (SyncPhase::Syncing, "正在同步"));
        let synced = syncing.after(&SyncState::Synced { at: now, set_aside: 0 }, now);
        assert_eq!((synced.phase, synced.label.as_str(), synced.pending), (SyncPhase::Synced, "已同步", 0));
        let saved = synced.with_pending(3);
        assert_eq!((saved.phase, saved.label.as_str()), (SyncPhase::Pending, "3条待同步"));
        // Offline since the first failure, kept across later attempts (10:00 at the office).
        let off = saved.after(&SyncState::Offline { since: now, pending: 3 }, now);
        assert_eq!(off.label, "离线（自10:00起）");
        let later = at("2026-11-21T03:00:00Z");
        let again = off.after(&SyncState::Syncing { pending: 4 }, later).after(&SyncState::Offline { since: later, pending: 4 }, later);
        assert_eq!((again.label.as_str(), again.pending), ("离线（自11-20 10:00起）", 4));
        assert!(again.detail.ends_with("4条修改待上传"), "{}", again.detail);
        let err = again.after(&SyncState::Error { message: "设备已被注销".into(), pending: 4, stopped: true }, later);
        assert_eq!((err.label.as_str(), err.stopped, err.offline_since), ("同步出错", true, None));
        assert_eq!(err.detail, "同步已停止：设备已被注销");
    }

    #[test]
    fn runs_alike_are_folded_and_the_history_is_bounded() {
        let shared = Arc::new(Shared {
            clock: Arc::new(|| at("2026-11-20T02:00:00Z")),
            shown: Mutex::new(Shown {
                generation: 1,
                indicator: not_connected(None, 0, 0),
                history: VecDeque::new(),
                last_push: None,
                last_pull: None,
            }),
            listener: Mutex::new(None),
            history_file: None,
        });
        let sink = Sink { shared: shared.clone(), generation: 1 };
        let busy = RoundReport { pushed: 2, pulled: 1, ..Default::default() };
        let offline = SyncError::Client(ClientError::Network("连接失败：refused".into()));
        sink.round_done(Ok(&busy), Duration::from_millis(5));
        for _ in 0..3 {
            sink.round_done(Err(&offline), Duration::from_millis(5));
        }
        sink.round_done(Ok(&RoundReport::default()), Duration::from_millis(5));
        sink.round_done(Ok(&RoundReport::default()), Duration::from_millis(5));
        {
            let s = lock(&shared.shown);
            let seen: Vec<(bool, u32, u64)> = s.history.iter().map(|r| (r.ok, r.times, r.pushed)).collect();
            assert_eq!(seen, vec![(true, 2, 0), (false, 3, 0), (true, 1, 2)]);
            assert_eq!(s.last_push.map(|p| p.1), Some(2));
        }
        for n in 0..(HISTORY_LIMIT * 2) {
            sink.round_done(Ok(&RoundReport { pushed: n + 1, ..Default::default() }), Duration::ZERO);
        }
        assert_eq!(lock(&shared.shown).history.len(), HISTORY_LIMIT);
        // A replaced agent's reports change nothing.
        let stale = Sink { shared: shared.clone(), generation: 0 };
        stale.report(&SyncState::Pending { count: 9 });
        assert_ne!(lock(&shared.shown).indicator.pending, 9);
    }

    #[test]
    fn the_history_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let clock: Clock = Arc::new(|| at("2026-11-20T02:00:00Z"));
        let hub = SyncHub::new(clock.clone(), dir.path());
        let sink = Sink { shared: hub.shared.clone(), generation: 0 };
        sink.round_done(Ok(&RoundReport { pushed: 3, pulled: 2, ..Default::default() }), Duration::from_millis(7));
        sink.round_done(Err(&SyncError::Client(ClientError::Network("连接失败：refused".into()))), Duration::from_millis(5));
        let before: Vec<SyncRun> = lock(&hub.shared.shown).history.iter().cloned().collect();
        drop(hub);
        let again = SyncHub::new(clock.clone(), dir.path());
        let after: Vec<SyncRun> = lock(&again.shared.shown).history.iter().cloned().collect();
        assert_eq!(after, before);
        assert_eq!((after[1].pushed, after[1].pulled, after[0].ok), (3, 2, false));
        assert_eq!(lock(&again.shared.shown).last_push, Some((after[1].at, 3)));
        // A damaged file is an empty history, not a failure to start.
        std::fs::write(dir.path().join(HISTORY_FILE), b"{not json").unwrap();
        assert!(lock(&SyncHub::new(clock, dir.path()).shared.shown).history.is_empty());
    }

    #[test]
    fn transport_detail_is_kept_apart() {
        let e =
            SyncError::Client(ClientError::Network("连接失败：error sending request: tcp connect error: Connection refused (os error 111)".into()));
        let (clerk, detail) = plain(&e.to_string());
        assert_eq!(clerk, "无法连接县级服务器（连接失败）");
        assert_eq!(detail.as_deref(), Some("error sending request: tcp connect error: Connection refused (os error 111)"));
        assert_eq!(plain("设备已被县司法局注销"), ("设备已被县司法局注销".to_string(), None));
    }

    fn entry(kind: &str, op: &str, data: Value, changed: &[&str]) -> ChangeEntry {
        ChangeEntry {
            seq: 1,
            change_id: Uuid::nil(),
            kind: kind.into(),
            record_id: Uuid::nil(),
            op: op.into(),
            version: 1,
            data,
            changed_fields: changed.iter().map(|f| f.to_string()).collect(),
            hlc: "001-A".into(),
            device_id: Uuid::nil(),
            created_at: "2026-11-20T02:00:00Z".into(),
            acked_at: None,
        }
    }

    #[test]
    fn set_aside_fields_read_in_chinese() {
        let data = serde_json::json!({
            "title": "张伟与李娜相邻通行纠纷",
            "dispute_type": "neighborhood",
            "accepted_on": "2026-11-18",
            "is_difficult": true,
            "alternatives_told": ["litigation", "arbitration"],
            "referral_org": null,
            "created_by": "张三",
            "a_field_from_a_newer_app": "x",
        });
        let changed =
            ["title", "dispute_type", "accepted_on", "is_difficult", "alternatives_told", "referral_org", "created_by", "a_field_from_a_newer_app"];
        let view = set_aside_view(entry("dispute_case", "upsert", data, &changed), "编号重复".into());
        assert_eq!((view.kind_label.as_str(), view.title.as_deref()), ("纠纷案件", Some("张伟与李娜相邻通行纠纷")));
        let shown: Vec<(&str, &str, &str)> = view.fields.iter().map(|f| (f.field.as_str(), f.label.as_str(), f.display.as_str())).collect();
        assert_eq!(
            shown,
            [
                ("title", "案由/纠纷名称", "张伟与李娜相邻通行纠纷"),
                ("dispute_type", "纠纷类型", "邻里纠纷"),
                ("accepted_on", "受理日期", "2026-11-18"),
                ("is_difficult", "疑难复杂", "是"),
                ("alternatives_told", "告知的其他途径", "诉讼、仲裁"),
                ("referral_org", "委托移送单位", ""),
                // Unknown to this app: the raw name, and the value as it is.
                ("a_field_from_a_newer_app", "a_field_from_a_newer_app", "x"),
            ]
        );
        // The raw value stays beside what is shown.
        assert_eq!(view.fields[1].value, "neighborhood");

        // A kind this app does not know: raw names, plain values.
        let data = serde_json::json!({ "name": "某某", "active": false });
        let view = set_aside_view(entry("future_kind", "upsert", data, &["name", "active"]), "不支持".into());
        let shown: Vec<(&str, &str)> = view.fields.iter().map(|f| (f.label.as_str(), f.display.as_str())).collect();
        assert_eq!(shown, [("name", "某某"), ("active", "否")]);

        let view = set_aside_view(entry("dispute_case", "delete", serde_json::json!({}), &[]), "已归档".into());
        assert!(view.fields.is_empty() && view.op_label == "删除");
    }

    #[test]
    fn enrollment_failures_name_their_field() {
        let e = enroll_error(SyncError::Client(ClientError::Unauthorized { message: "注册码无效、已使用或已过期".into() }));
        assert_eq!((e.code.as_str(), e.issues[0].field.as_str()), ("wrong_code", "enrollment_code"));
        let e = enroll_error(SyncError::Client(ClientError::Network("连接失败：tcp connect error".into())));
        assert_eq!((e.code.as_str(), e.issues[0].field.as_str()), ("unreachable", "county_server"));
        assert_eq!(e.message, "无法连接县级服务器（连接失败），请核对地址，并检查本机网络");
    }
}

//! The office's sync agent: a tokio task that keeps one office store in step with the county.
//!
//! It wakes on a local change (a [`Notify`] the app pokes after a save), on a timer, and when
//! the network returns (a health probe while offline). A round pushes the change log in
//! batches and marks entries acknowledged only after the county's reply (applied or duplicate;
//! a change rejected for good is set aside with its reason and the rest go on), then pulls
//! pages since the stored cursor, merging each page before saving the cursor after it — a
//! crash between the two re-applies a page, which `apply_remote` makes a no-op. Each pull names
//! the version of the county's settings the store holds; when the last page brings other ones
//! they are put in force (`Store::apply_county_settings`, one transaction). Failures back
//! off with jitter up to a cap and are retried for ever, except a credential the county no
//! longer accepts (401), which stops the agent with a message for the clerk.
//!
//! The store is used only on blocking threads (`spawn_blocking`), behind a mutex the app may
//! share; the agent can equally be given its own connection to the same file (WAL).

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use fengqiao_store::sync::keys;
use fengqiao_store::{ChangeEntry, Clock, Store, StoreError, DB_FILE};
use rand::Rng;
use serde::Serialize;
use tokio::sync::Notify;
use tokio::time::Instant;
use uuid::Uuid;

use crate::client::{encode_body, normalize_server, Client, ClientError, ClientOptions};
use crate::protocol::*;

/// The message for a credential the county no longer accepts.
pub const REVOKED_MESSAGE: &str = "设备已被县司法局注销或凭证无效，请重新登记";

/// A store the agent and the app share.
pub type SharedStore = Arc<Mutex<Store>>;

/// What a round can fail with. Display is Chinese, for the clerk.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Client(#[from] ClientError),
    /// 401 on push or pull: stop, do not retry.
    #[error("{REVOKED_MESSAGE}（{detail}）")]
    Revoked { detail: String },
    #[error("本机尚未登记到县司法局，请先运行 fengqiao-cli enroll --server 地址 --code 注册码")]
    NotEnrolled,
    #[error("本机数据属于另一个司法所（本机{local}，县司法局登记的是{county}），不能登记到这里；请联系县司法局")]
    OfficeMismatch { local: Uuid, county: Uuid },
    #[error("本机数据库出错：{0}")]
    Store(#[from] StoreError),
    #[error("同步任务意外中止：{0}")]
    Task(String),
}

impl SyncError {
    /// Stops the agent: retrying cannot help until someone acts.
    pub fn is_fatal(&self) -> bool {
        matches!(self, SyncError::Revoked { .. } | SyncError::NotEnrolled | SyncError::OfficeMismatch { .. })
    }
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Client(e) if e.is_offline())
    }
    /// Machine-readable, for `--json` and the app.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Client(ClientError::Network(_)) => "offline",
            SyncError::Client(ClientError::Unavailable { .. }) => "server_unavailable",
            SyncError::Client(ClientError::Unauthorized { .. }) => "unauthorized",
            SyncError::Client(ClientError::Refused { .. }) => "refused",
            SyncError::Client(ClientError::BadResponse(_)) => "bad_response",
            SyncError::Client(ClientError::Address(_)) => "bad_address",
            SyncError::Revoked { .. } => "revoked",
            SyncError::NotEnrolled => "not_enrolled",
            SyncError::OfficeMismatch { .. } => "office_mismatch",
            SyncError::Store(e) => e.code(),
            SyncError::Task(_) => "internal",
        }
    }
}

/// What the sync indicator shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    Syncing {
        pending: i64,
    },
    /// Everything pushed and pulled.
    Synced {
        at: DateTime<Utc>,
        set_aside: i64,
    },
    /// Local changes wait for the next round.
    Pending {
        count: i64,
    },
    /// The county cannot be reached; retrying.
    Offline {
        since: DateTime<Utc>,
        pending: i64,
    },
    /// A round failed; `stopped` when the agent gave up on it (a revoked device).
    Error {
        message: String,
        pending: i64,
        stopped: bool,
    },
}

fn beijing(t: DateTime<Utc>) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    t.with_timezone(&tz).format("%m-%d %H:%M").to_string()
}

impl SyncState {
    /// One line for the indicator, in Chinese (times in Beijing time).
    pub fn label(&self) -> String {
        match self {
            SyncState::Syncing { pending: 0 } => "正在同步".into(),
            SyncState::Syncing { pending } => format!("正在同步（{pending}条待上传）"),
            SyncState::Synced { at, set_aside: 0 } => format!("已同步（{}）", beijing(*at)),
            SyncState::Synced { at, set_aside } => format!("已同步（{}），{set_aside}条被县司法局拒收，请查看", beijing(*at)),
            SyncState::Pending { count } => format!("{count}条修改待同步"),
            SyncState::Offline { since, pending: 0 } => format!("离线（自{}起）", beijing(*since)),
            SyncState::Offline { since, pending } => format!("离线（自{}起），{pending}条修改待同步", beijing(*since)),
            SyncState::Error { message, stopped: true, .. } => format!("同步已停止：{message}"),
            SyncState::Error { message, .. } => format!("同步出错，稍后自动重试：{message}"),
        }
    }
}

/// Where the agent reports its state (the app's indicator, the CLI's stderr).
pub trait StatusSink: Send + Sync {
    fn report(&self, state: &SyncState);
    /// A round ended (for a history of runs): what it did, or why it failed, and how long it
    /// took. Called before the state that follows it is reported.
    fn round_done(&self, _outcome: Result<&RoundReport, &SyncError>, _took: Duration) {}
}

impl<F: Fn(&SyncState) + Send + Sync> StatusSink for F {
    fn report(&self, state: &SyncState) {
        self(state)
    }
}

/// A sink that shows nothing.
pub struct NoStatus;

impl StatusSink for NoStatus {
    fn report(&self, _: &SyncState) {}
}

/// Timing of the agent.
#[derive(Debug, Clone, Copy)]
pub struct AgentConfig {
    /// A round at least this often, even without local changes (to pull).
    pub interval: Duration,
    /// First wait after a failure; doubles up to `backoff_max` (each wait jittered to 50–100 %).
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// While offline, how often to ask `/api/v1/health` whether the network is back.
    pub probe_every: Duration,
    /// Changes per push (at most `MAX_BATCH`).
    pub batch: usize,
    /// Changes per pull page (at most `MAX_BATCH`): a page is merged in one transaction, and
    /// bigger ones write the same hot pages (indexes, clocks) fewer times.
    pub pull_page: usize,
    pub client: ClientOptions,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            interval: Duration::from_secs(300),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            probe_every: Duration::from_secs(15),
            batch: PUSH_BATCH,
            pull_page: MAX_BATCH,
            client: ClientOptions::default(),
        }
    }
}

impl AgentConfig {
    /// The wait after `failures` failures in a row: doubling from `backoff_min` to
    /// `backoff_max`, then a random 50–100 % of it so that offices do not retry in step.
    pub fn backoff(&self, failures: u32) -> Duration {
        let doubled = self.backoff_min.saturating_mul(1u32 << failures.saturating_sub(1).min(20));
        let full = doubled.min(self.backoff_max).max(Duration::from_millis(1));
        let ms = full.as_millis() as u64;
        Duration::from_millis(rand::rng().random_range(ms / 2..=ms))
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundReport {
    /// Local changes the county applied now.
    pub pushed: usize,
    /// Local changes the county already had (an earlier push whose reply was lost).
    pub push_duplicates: usize,
    /// Local changes the county rejected for good, set aside with the reason.
    pub set_aside: Vec<(Uuid, String)>,
    pub push_batches: usize,
    /// Remote changes merged into the store.
    pub pulled: usize,
    /// Remote changes already here.
    pub pull_duplicates: usize,
    /// Remote changes this store could not take, with the reason (left out).
    pub refused: Vec<(Uuid, String)>,
    pub pull_pages: usize,
    pub cursor: i64,
    /// The version of the county's settings put in force by this round, if new ones came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<String>,
    /// Audit log entries the county took this round.
    pub audit_sent: usize,
    /// Why the county refused this PC's audit log (its chain no longer matches the county's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_refused: Option<String>,
}

impl RoundReport {
    fn add(&mut self, other: RoundReport) {
        self.pushed += other.pushed;
        self.push_duplicates += other.push_duplicates;
        self.set_aside.extend(other.set_aside);
        self.push_batches += other.push_batches;
        self.pulled += other.pulled;
        self.pull_duplicates += other.pull_duplicates;
        self.refused.extend(other.refused);
        self.pull_pages += other.pull_pages;
        self.cursor = other.cursor;
        if other.settings.is_some() {
            self.settings = other.settings;
        }
        self.audit_sent += other.audit_sent;
        if other.audit_refused.is_some() {
            self.audit_refused = other.audit_refused;
        }
    }
}

/// A change-log entry on the wire.
pub fn to_wire(e: &ChangeEntry) -> Change {
    into_wire(e.clone())
}

/// A change-log entry on the wire, without copying it.
pub fn into_wire(e: ChangeEntry) -> Change {
    Change {
        change_id: e.change_id,
        kind: e.kind,
        record_id: e.record_id,
        op: e.op,
        version: e.version,
        data: e.data,
        changed_fields: e.changed_fields,
        hlc: e.hlc,
        device_id: e.device_id,
        created_at: e.created_at,
    }
}

/// A pulled change as the store takes it.
pub fn from_wire(c: Change) -> ChangeEntry {
    ChangeEntry {
        seq: 0,
        change_id: c.change_id,
        kind: c.kind,
        record_id: c.record_id,
        op: c.op,
        version: c.version,
        data: c.data,
        changed_fields: c.changed_fields,
        hlc: c.hlc,
        device_id: c.device_id,
        created_at: c.created_at,
        acked_at: None,
    }
}

/// A batch read from the change log, encoded for the wire.
struct Prepared {
    ids: Vec<Uuid>,
    body: Vec<u8>,
    first_seq: i64,
    last_seq: i64,
}

/// The next `limit` pending changes after `after_seq` (those at or before it may still be in
/// flight).
fn prepare(s: &Store, after_seq: i64, limit: usize) -> Result<Prepared, StoreError> {
    let entries: Vec<ChangeEntry> = s.pending_changes_after(after_seq, limit)?;
    let ids = entries.iter().map(|e| e.change_id).collect();
    let first_seq = entries.first().map_or(after_seq + 1, |e| e.seq);
    let last_seq = entries.last().map_or(after_seq, |e| e.seq);
    let req = PushRequest { changes: entries.into_iter().map(into_wire).collect() };
    Ok(Prepared { ids, body: encode_body(&req)?, first_seq, last_seq })
}

/// What the county answered to a batch, to write to the store.
struct Outcome {
    ack: Vec<Uuid>,
    aside: Vec<(Uuid, String)>,
}

impl Outcome {
    /// Applied and duplicate changes are acknowledged, rejected ones set aside; answers for
    /// changes not in the batch are ignored.
    fn of(resp: PushResponse, sent: &[Uuid], report: &mut RoundReport) -> Result<Outcome, SyncError> {
        let sent: std::collections::HashSet<Uuid> = sent.iter().copied().collect();
        let mut o = Outcome { ack: Vec::new(), aside: Vec::new() };
        for r in resp.results.into_iter().filter(|r| sent.contains(&r.change_id)) {
            match r.status {
                PushStatus::Applied => {
                    report.pushed += 1;
                    o.ack.push(r.change_id);
                }
                PushStatus::Duplicate => {
                    report.push_duplicates += 1;
                    o.ack.push(r.change_id);
                }
                PushStatus::Rejected => o.aside.push((r.change_id, r.reason.unwrap_or_default())),
            }
        }
        if o.ack.is_empty() && o.aside.is_empty() {
            return Err(ClientError::BadResponse("回复中没有本批修改的结果".into()).into());
        }
        report.set_aside.extend(o.aside.iter().cloned());
        Ok(o)
    }

    fn record(&self, s: &mut Store) -> Result<(), StoreError> {
        s.acknowledge(&self.ack)?;
        for (id, reason) in &self.aside {
            s.set_aside(*id, reason)?;
        }
        Ok(())
    }
}

/// The sync agent of one office store.
pub struct Agent {
    store: SharedStore,
    client: Client,
    config: AgentConfig,
    sink: Arc<dyn StatusSink>,
    wake: Arc<Notify>,
    nudge: Arc<Notify>,
}

impl Agent {
    /// An agent for an enrolled store: the county's address and the credential are read from
    /// the store's settings.
    pub fn new(store: SharedStore, config: AgentConfig, sink: Arc<dyn StatusSink>) -> Result<Agent, SyncError> {
        let (server, token) = {
            let s = store.lock().unwrap_or_else(|p| p.into_inner());
            (s.sync_setting(keys::SERVER)?, s.sync_setting(keys::TOKEN)?)
        };
        let (Some(server), Some(token)) = (server, token) else { return Err(SyncError::NotEnrolled) };
        let client = Client::new(&server, Some(&token), config.client)?;
        Ok(Agent::with_client(store, client, config, sink))
    }

    pub fn with_client(store: SharedStore, client: Client, config: AgentConfig, sink: Arc<dyn StatusSink>) -> Agent {
        let (batch, pull_page) = (config.batch.clamp(1, MAX_BATCH), config.pull_page.clamp(1, MAX_BATCH));
        let config = AgentConfig { batch, pull_page, ..config };
        Agent { store, client, config, sink, wake: Arc::new(Notify::new()), nudge: Arc::new(Notify::new()) }
    }

    /// Poke this after a local save: the agent syncs soon.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Poke this when the clerk asks for a round now (立即同步): unlike the waker, it also cuts
    /// short the wait after a failure.
    pub fn nudger(&self) -> Arc<Notify> {
        self.nudge.clone()
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs a store call on a blocking thread.
    async fn with_store<T: Send + 'static>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static) -> Result<T, SyncError> {
        let store = self.store.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await;
        Ok(joined.map_err(|e| SyncError::Task(e.to_string()))??)
    }

    async fn counts(&self) -> (i64, i64) {
        self.with_store(|s| s.sync_status().map(|st| (st.pending, st.set_aside))).await.unwrap_or((0, 0))
    }

    /// One round: push everything pending, then pull everything new.
    pub async fn round(&self) -> Result<RoundReport, SyncError> {
        // The audit log travels beside the change batches rather than after them, filling the
        // time a batch spends in the county's writer (the sync benchmark's push: 9,616 → 10,150
        // records/s).
        let mut audit = RoundReport::default();
        let (pushed, audit_sent) = tokio::join!(self.push_all(), self.push_audit(&mut audit));
        let mut report = pushed?;
        audit_sent?;
        report.add(audit);
        report.add(self.pull_all().await?);
        // Again last, so the entries the pull just wrote go too.
        self.push_audit(&mut report).await?;
        Ok(report)
    }

    /// Sends the audit log's entries the county does not hold yet. A county that does not
    /// take audit logs (an older server: 404) or refuses the chain (409: the log was changed
    /// on this PC, or restored from a backup) does not fail the round: the records still sync,
    /// and the refusal is in the report for the 同步 page.
    /// Settings key: why the county last refused this PC's audit log (cleared when it takes it).
    pub const AUDIT_REFUSED_KEY: &'static str = "sync_audit_refused";

    async fn push_audit(&self, report: &mut RoundReport) -> Result<(), SyncError> {
        use fengqiao_store::audit::SENT_TO_COUNTY_KEY;
        let mut limit = MAX_AUDIT_BATCH;
        loop {
            let (after, entries) = self
                .with_store(move |s| {
                    let after = s.sync_setting(SENT_TO_COUNTY_KEY)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
                    Ok((after, s.audit_entries_after(after, limit)?))
                })
                .await?;
            let Some(last) = entries.last().map(|e| e.seq) else { return Ok(()) };
            let held = match self.client.push_audit(&AuditPushRequest { entries }).await {
                Ok(r) => r.held_through,
                Err(ClientError::Unauthorized { message }) => return Err(SyncError::Revoked { detail: message }),
                Err(ClientError::Refused { status: 404, .. }) => return Ok(()),
                // Too large a body (entries with long details): the same entries in smaller sends.
                Err(ClientError::Refused { status: 413, .. }) if limit > 1 => {
                    limit /= 2;
                    continue;
                }
                Err(ClientError::Refused { status: 409, code, message }) if code == "audit_chain_broken" => {
                    self.with_store({
                        let m = message.clone();
                        move |s| s.set_sync_setting(Self::AUDIT_REFUSED_KEY, Some(&m))
                    })
                    .await?;
                    report.audit_refused = Some(message);
                    return Ok(());
                }
                // Another send of this PC's entries was under way: the next round sends again.
                Err(ClientError::Refused { status: 409, .. }) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            self.with_store(move |s| {
                s.set_sync_setting(SENT_TO_COUNTY_KEY, Some(&held.to_string()))?;
                s.set_sync_setting(Self::AUDIT_REFUSED_KEY, None)
            })
            .await?;
            report.audit_sent += (held - after).max(0) as usize;
            if held <= after || held < last {
                return Ok(());
            }
        }
    }

    async fn push_all(&self) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport::default();
        let mut limit = self.config.batch;
        let mut batch = self.with_store(move |s| prepare(s, 0, limit)).await?;
        // The county's answer to the batch before, not yet written to the store.
        let mut answered: Option<Outcome> = None;
        loop {
            if batch.ids.is_empty() {
                if let Some(o) = answered.take() {
                    self.with_store(move |s| o.record(s)).await?;
                }
                return Ok(report);
            }
            // One batch at a time, in change-log order. While it travels, the answer to the
            // one before is written and the next one is read from the change log.
            let after = batch.last_seq;
            let previous = answered.take();
            let send = self.client.push_encoded(std::mem::take(&mut batch.body));
            let work = self.with_store(move |s| {
                if let Some(o) = previous {
                    o.record(s)?;
                }
                prepare(s, after, limit)
            });
            let (sent, next) = tokio::join!(send, work);
            let next = next?;
            let resp = match sent {
                Ok(r) => r,
                Err(ClientError::Unauthorized { message }) => return Err(SyncError::Revoked { detail: message }),
                Err(ClientError::Refused { status: 413, .. }) if batch.ids.len() > 1 => {
                    // Too large as a batch: the same changes again, in smaller ones.
                    limit = (batch.ids.len() / 2).max(1);
                    let from = batch.first_seq - 1;
                    batch = self.with_store(move |s| prepare(s, from, limit)).await?;
                    continue;
                }
                Err(ClientError::Refused { status: 413, message, .. }) => {
                    // One change larger than the county takes: it can never go, like a rejection.
                    let reason = format!("这条修改太大，县级服务器不接收：{message}");
                    report.set_aside.push((batch.ids[0], reason.clone()));
                    let o = Outcome { ack: Vec::new(), aside: vec![(batch.ids[0], reason)] };
                    limit = self.config.batch;
                    batch = self.with_store(move |s| o.record(s).and_then(|_| prepare(s, 0, limit))).await?;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            answered = Some(Outcome::of(resp, &batch.ids, &mut report)?);
            report.push_batches += 1;
            batch = next;
        }
    }

    async fn pull_all(&self) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport::default();
        let limit = self.config.pull_page;
        let (mut cursor, held) = self
            .with_store(|s| {
                let cursor = s.sync_setting(keys::CURSOR)?.and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
                Ok((cursor, s.county_policy()?.map(|p| p.policy.version)))
            })
            .await?;
        let held: Option<Arc<str>> = held.map(Into::into);
        let fetch = |since: i64| {
            let (client, held) = (self.client.clone(), held.clone());
            tokio::spawn(async move { client.pull_with_settings(since, limit, held.as_deref()).await })
        };
        let mut coming = fetch(cursor);
        loop {
            let page = match coming.await.map_err(|e| SyncError::Task(e.to_string()))? {
                Ok(p) => p,
                Err(ClientError::Unauthorized { message }) => return Err(SyncError::Revoked { detail: message }),
                Err(e) => return Err(e.into()),
            };
            let (n, next, more) = (page.changes.len(), page.next_cursor, page.more);
            if !more {
                return self.merge_page(page, &mut report).await.map(|_| report);
            }
            if n == 0 && next <= cursor {
                return Err(ClientError::BadResponse("服务器说还有更多修改，却没有给出".into()).into());
            }
            // The next page travels while this one is merged.
            coming = fetch(next);
            if let Err(e) = self.merge_page(page, &mut report).await {
                coming.abort();
                return Err(e);
            }
            cursor = next;
        }
    }

    /// Merges a pulled page, then moves the cursor past it: a crash between the two
    /// re-applies the page, which is a no-op. The county's settings the last page may carry
    /// are put in force after it (a crash before that fetches them again next round).
    async fn merge_page(&self, page: PullResponse, report: &mut RoundReport) -> Result<(), SyncError> {
        let next = page.next_cursor;
        let settings = page.settings;
        let entries: Vec<ChangeEntry> = page.changes.into_iter().map(from_wire).collect();
        let (applied, new_settings) = self
            .with_store(move |s| {
                let r = s.apply_pulled(&entries, Some(next))?;
                let new_settings = match settings {
                    Some(p) if s.apply_county_settings(&p)? => Some(p.version),
                    _ => None,
                };
                Ok((r, new_settings))
            })
            .await?;
        if new_settings.is_some() {
            report.settings = new_settings;
        }
        report.pulled += applied.applied;
        report.pull_duplicates += applied.duplicates;
        report.refused.extend(applied.refused);
        report.pull_pages += 1;
        report.cursor = next;
        Ok(())
    }

    /// A round with its outcome written to the store (last sync, last error).
    async fn attempt(&self) -> Result<RoundReport, SyncError> {
        let started = Instant::now();
        let result = self.round().await;
        self.sink.round_done(result.as_ref(), started.elapsed());
        let note = result.as_ref().err().map(|e| e.to_string());
        // The outcome note is best effort: a store that cannot write it has said so already.
        let _ = self.with_store(move |s| s.record_sync_result(note.as_deref())).await;
        result
    }

    fn report_error(&self, e: &SyncError, pending: i64, offline_since: Option<DateTime<Utc>>) {
        let state = match offline_since {
            Some(since) if e.is_offline() => SyncState::Offline { since, pending },
            _ => SyncState::Error { message: e.to_string(), pending, stopped: e.is_fatal() },
        };
        self.sink.report(&state);
    }

    async fn report_done(&self) {
        let (pending, set_aside) = self.counts().await;
        self.sink.report(&if pending > 0 { SyncState::Pending { count: pending } } else { SyncState::Synced { at: Utc::now(), set_aside } });
    }

    /// Syncs until a round finishes (`Ok`) or `attempts` rounds failed (the last error), with
    /// the usual backoff between attempts; a fatal error ends it at once. For `sync --once`.
    pub async fn drain(&self, attempts: u32) -> Result<RoundReport, SyncError> {
        let mut failures = 0;
        let mut offline_since = None;
        loop {
            let (pending, _) = self.counts().await;
            self.sink.report(&SyncState::Syncing { pending });
            match self.attempt().await {
                Ok(r) => {
                    self.report_done().await;
                    return Ok(r);
                }
                Err(e) => {
                    failures += 1;
                    if e.is_offline() {
                        offline_since.get_or_insert_with(Utc::now);
                    }
                    let (pending, _) = self.counts().await;
                    self.report_error(&e, pending, offline_since);
                    if e.is_fatal() || failures >= attempts.max(1) {
                        return Err(e);
                    }
                    tokio::time::sleep(self.config.backoff(failures)).await;
                }
            }
        }
    }

    /// Runs until `shutdown` completes (then `None`) or a fatal error stops it (`Some`).
    /// Never gives up on anything else.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Option<SyncError> {
        tokio::pin!(shutdown);
        let mut failures: u32 = 0;
        let mut offline_since: Option<DateTime<Utc>> = None;
        loop {
            let (pending, _) = self.counts().await;
            self.sink.report(&SyncState::Syncing { pending });
            let outcome = tokio::select! {
                r = self.attempt() => r,
                _ = &mut shutdown => return None,
            };
            match outcome {
                Ok(_) => {
                    failures = 0;
                    offline_since = None;
                    self.report_done().await;
                    tokio::select! {
                        _ = self.wake.notified() => {
                            let (count, _) = self.counts().await;
                            if count > 0 {
                                self.sink.report(&SyncState::Pending { count });
                            }
                        }
                        _ = self.nudge.notified() => {}
                        _ = tokio::time::sleep(self.config.interval) => {}
                        _ = &mut shutdown => return None,
                    }
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if e.is_offline() {
                        offline_since.get_or_insert_with(Utc::now);
                    }
                    let (pending, _) = self.counts().await;
                    self.report_error(&e, pending, offline_since);
                    if e.is_fatal() {
                        return Some(e);
                    }
                    let deadline = Instant::now() + self.config.backoff(failures);
                    // Offline: ask the county's health endpoint now and then, and try again as
                    // soon as it answers after not answering (the network is back).
                    let mut seen_down = false;
                    loop {
                        let next = if e.is_offline() { deadline.min(Instant::now() + self.config.probe_every) } else { deadline };
                        tokio::select! {
                            _ = tokio::time::sleep_until(next) => {}
                            _ = self.nudge.notified() => break,
                            _ = &mut shutdown => return None,
                        }
                        if Instant::now() >= deadline {
                            break;
                        }
                        match self.client.health().await {
                            Ok(_) if seen_down => break,
                            Ok(_) => {}
                            Err(_) => seen_down = true,
                        }
                    }
                }
            }
        }
    }
}

/// What an enrollment did.
#[derive(Debug, Clone, Serialize)]
pub struct Enrolled {
    pub server: String,
    pub office_id: Uuid,
    pub office_name: String,
    pub division_code: String,
    pub device_id: Uuid,
    /// The store was created by this enrollment (a new PC): its records come with the first sync.
    pub new_store: bool,
}

/// Enrolls this PC with the county using a one-time code, and remembers the county's address
/// and the device credential in the store. With no store in `data_dir` yet (a new PC of an
/// office already enrolled), the store is created for the office the county names.
pub async fn enroll(
    data_dir: &Path,
    server: &str,
    code: &str,
    device_name: &str,
    clock: Clock,
    options: ClientOptions,
) -> Result<Enrolled, SyncError> {
    let server = normalize_server(server)?;
    let client = Client::new(&server, None, options)?;
    let code = code.trim().to_string();
    let device_name = device_name.trim().to_string();
    let dir = data_dir.to_path_buf();
    let existing = dir.join(DB_FILE).exists();
    let blocking = |f: Box<dyn FnOnce() -> Result<Enrolled, SyncError> + Send>| async move {
        tokio::task::spawn_blocking(f).await.map_err(|e| SyncError::Task(e.to_string()))?
    };
    if existing {
        let store = {
            let (dir, clock) = (dir.clone(), clock.clone());
            tokio::task::spawn_blocking(move || Store::open_with_clock(&dir, clock)).await.map_err(|e| SyncError::Task(e.to_string()))??
        };
        enroll_store(Arc::new(Mutex::new(store)), &client, code, device_name).await
    } else {
        let device_id = fengqiao_model::new_id();
        let request = EnrollRequest { enrollment_code: code, device_id, device_name, office_id: None };
        let resp = client.enroll(&request).await?;
        blocking(Box::new(move || {
            let mut store = Store::init_for_enrollment(&dir, device_id, resp.office_id, clock)?;
            store.set_sync_setting(keys::SERVER, Some(&server))?;
            store.set_sync_setting(keys::TOKEN, Some(&resp.device_token))?;
            Ok(Enrolled {
                server,
                office_id: resp.office_id,
                office_name: resp.office_name,
                division_code: resp.division_code,
                device_id,
                new_store: true,
            })
        }))
        .await
    }
}

/// Enrolls the PC of an opened store (the desktop's, shared with its commands) with the
/// county using a one-time code, and remembers the county's address and the device
/// credential in it. The store is locked only to read and write, never while the county is
/// asked.
pub async fn enroll_shared(store: SharedStore, server: &str, code: &str, device_name: &str, options: ClientOptions) -> Result<Enrolled, SyncError> {
    let client = Client::new(&normalize_server(server)?, None, options)?;
    enroll_store(store, &client, code.trim().to_string(), device_name.trim().to_string()).await
}

async fn enroll_store(store: SharedStore, client: &Client, code: String, device_name: String) -> Result<Enrolled, SyncError> {
    let server = client.server().to_string();
    let (device_id, office_id) = {
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        (s.device_id(), s.office_id())
    };
    let request = EnrollRequest { enrollment_code: code, device_id, device_name, office_id: Some(office_id) };
    let resp = client.enroll(&request).await?;
    if resp.office_id != office_id {
        return Err(SyncError::OfficeMismatch { local: office_id, county: resp.office_id });
    }
    tokio::task::spawn_blocking(move || {
        let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
        let before = store.sync_setting(keys::SERVER)?;
        store.set_sync_setting(keys::SERVER, Some(&server))?;
        store.set_sync_setting(keys::TOKEN, Some(&resp.device_token))?;
        if before.as_deref() != Some(server.as_str()) {
            // Another county server: pull everything it holds (already-held changes are no-ops),
            // and its settings, not the last county's (the same county moved sends them again).
            store.set_sync_setting(keys::CURSOR, None)?;
            store.forget_county_settings()?;
        }
        store.set_sync_setting(keys::LAST_ERROR, None)?;
        Ok(Enrolled {
            server,
            office_id: resp.office_id,
            office_name: resp.office_name,
            division_code: resp.division_code,
            device_id,
            new_store: false,
        })
    })
    .await
    .map_err(|e| SyncError::Task(e.to_string()))?
}

/// Points an enrolled store at another address of the same county server (it moved).
pub fn set_server(store: &mut Store, server: &str) -> Result<String, SyncError> {
    let server = normalize_server(server)?;
    store.set_sync_setting(keys::SERVER, Some(&server))?;
    Ok(server)
}

/// This PC's name for the county's device list.
pub fn device_name() -> String {
    let from_env = ["COMPUTERNAME", "HOSTNAME"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
    let from_file = || std::fs::read_to_string("/etc/hostname").ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    from_env.or_else(from_file).unwrap_or_else(|| "枫桥工作台".into()).chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter() {
        let c = AgentConfig { backoff_min: Duration::from_secs(1), backoff_max: Duration::from_secs(300), ..AgentConfig::default() };
        for failures in 1..=40u32 {
            let full = Duration::from_secs(1 << (failures - 1).min(20)).min(Duration::from_secs(300));
            for _ in 0..20 {
                let d = c.backoff(failures);
                assert!(d >= full / 2 && d <= full, "{failures}: {d:?} not in [{:?}, {full:?}]", full / 2);
            }
        }
    }

    #[test]
    fn states_read_in_chinese() {
        let at = DateTime::parse_from_rfc3339("2026-11-21T01:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(SyncState::Synced { at, set_aside: 0 }.label(), "已同步（11-21 09:30）");
        assert_eq!(SyncState::Pending { count: 3 }.label(), "3条修改待同步");
        assert_eq!(SyncState::Offline { since: at, pending: 2 }.label(), "离线（自11-21 09:30起），2条修改待同步");
        let stopped = SyncState::Error { message: REVOKED_MESSAGE.into(), pending: 1, stopped: true };
        assert_eq!(stopped.label(), format!("同步已停止：{REVOKED_MESSAGE}"));
        assert_eq!(serde_json::to_value(SyncState::Pending { count: 3 }).unwrap(), serde_json::json!({"state": "pending", "count": 3}));
    }

    #[test]
    fn only_a_lost_credential_stops_the_agent() {
        let revoked = SyncError::Revoked { detail: "x".into() };
        assert!(revoked.is_fatal() && revoked.code() == "revoked");
        for e in [
            ClientError::Network("reset".into()),
            ClientError::Unavailable { status: 503, message: "忙".into() },
            ClientError::Refused { status: 400, code: "bad_request".into(), message: "坏".into() },
            ClientError::BadResponse("cut".into()),
        ] {
            assert!(!SyncError::Client(e).is_fatal());
        }
        assert!(SyncError::Client(ClientError::Network("x".into())).is_offline());
    }
}

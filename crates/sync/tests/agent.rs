//! The agent against an in-process stub of the county (axum on loopback): acknowledgement only
//! after the reply, rejected changes set aside, 401 stops at once, 5xx retried with backoff,
//! a batch too large split, pull pages and the cursor, wake-ups on a local change and on the
//! network's return, and enrollment into an empty directory. The real county server is
//! exercised end to end in `tests/` at the repository root.

use std::collections::HashSet;
use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fengqiao_model::{Gender, Person};
use fengqiao_store::sync::keys;
use fengqiao_store::Store;
use fengqiao_sync::agent::{enroll, Agent, AgentConfig, SyncState};
use fengqiao_sync::protocol::*;
use fengqiao_sync::{ClientOptions, NoStatus, StatusSink, SyncError};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Default)]
struct Stub {
    /// Every push body received, in order.
    pushes: Mutex<Vec<Vec<Change>>>,
    applied: Mutex<HashSet<Uuid>>,
    reject: Mutex<HashSet<Uuid>>,
    /// Answer this many pushes with 503 first.
    fail_pushes: AtomicUsize,
    /// 413 for a batch larger than this (0: no limit).
    max_batch: AtomicUsize,
    unauthorized: AtomicBool,
    /// What a pull serves; a change's cursor is its index + 1.
    pull_log: Mutex<Vec<Change>>,
    pulls: AtomicUsize,
    token: Mutex<Option<String>>,
    office: Mutex<Uuid>,
}

type S = Arc<Stub>;

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(ErrorBody { code: "stub".into(), message: message.into() })).into_response()
}

async fn push(State(s): State<S>, headers: HeaderMap, body: Bytes) -> Response {
    if s.unauthorized.load(Ordering::SeqCst) {
        return error(StatusCode::UNAUTHORIZED, "设备凭据无效");
    }
    assert_eq!(headers.get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok()), Some("1"));
    assert_eq!(headers.get("content-encoding").and_then(|v| v.to_str().ok()), Some("gzip"));
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut json).expect("gzip body");
    let req: PushRequest = serde_json::from_slice(&json).expect("push JSON");
    s.pushes.lock().unwrap().push(req.changes.clone());
    if s.fail_pushes.load(Ordering::SeqCst) > 0 {
        s.fail_pushes.fetch_sub(1, Ordering::SeqCst);
        return error(StatusCode::SERVICE_UNAVAILABLE, "数据库暂时不可用");
    }
    let max = s.max_batch.load(Ordering::SeqCst);
    if max > 0 && req.changes.len() > max {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "请求体太大");
    }
    let reject = s.reject.lock().unwrap().clone();
    let mut applied = s.applied.lock().unwrap();
    let results = req
        .changes
        .iter()
        .map(|c| {
            let (status, reason) = if reject.contains(&c.change_id) {
                (PushStatus::Rejected, Some("不属于本所".to_string()))
            } else if applied.insert(c.change_id) {
                (PushStatus::Applied, None)
            } else {
                (PushStatus::Duplicate, None)
            };
            PushResult { change_id: c.change_id, status, reason }
        })
        .collect();
    Json(PushResponse { results }).into_response()
}

#[derive(Deserialize)]
struct PullQuery {
    since: i64,
    limit: usize,
}

async fn pull(State(s): State<S>, Query(q): Query<PullQuery>) -> Response {
    if s.unauthorized.load(Ordering::SeqCst) {
        return error(StatusCode::UNAUTHORIZED, "设备凭据无效");
    }
    s.pulls.fetch_add(1, Ordering::SeqCst);
    let log = s.pull_log.lock().unwrap();
    let start = (q.since.max(0) as usize).min(log.len());
    let end = (start + q.limit).min(log.len());
    Json(PullResponse::page(log[start..end].to_vec(), end as i64, end < log.len())).into_response()
}

async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), protocol: 1, version: "stub".into() })
}

async fn enroll_handler(State(s): State<S>, body: Bytes) -> Response {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut json).expect("gzip body");
    let req: EnrollRequest = serde_json::from_slice(&json).unwrap();
    if req.enrollment_code != "ABCD-EFGH" {
        return error(StatusCode::UNAUTHORIZED, "注册码无效、已使用或已过期，请向县司法局申请新的注册码");
    }
    let office = *s.office.lock().unwrap();
    let office = match req.office_id {
        Some(id) if !office.is_nil() && id != office => return error(StatusCode::CONFLICT, "另一个司法所"),
        Some(id) => id,
        None => office,
    };
    *s.office.lock().unwrap() = office;
    let token = format!("token-{}", req.device_id);
    *s.token.lock().unwrap() = Some(token.clone());
    Json(EnrollResponse { office_id: office, office_name: "城东镇司法所".into(), division_code: "350503101".into(), device_token: token })
        .into_response()
}

async fn serve_on(stub: S, listener: tokio::net::TcpListener) {
    let app = Router::new()
        .route("/api/v1/push", post(push))
        .route("/api/v1/pull", get(pull))
        .route("/api/v1/health", get(health))
        .route("/api/v1/enroll", post(enroll_handler))
        .with_state(stub);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

async fn start(stub: S) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    serve_on(stub, listener).await;
    addr
}

fn fast() -> AgentConfig {
    AgentConfig {
        interval: Duration::from_secs(3600),
        backoff_min: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
        probe_every: Duration::from_millis(20),
        batch: PUSH_BATCH,
        pull_page: MAX_BATCH,
        client: ClientOptions { connect_timeout: Duration::from_secs(2), request_timeout: Duration::from_secs(10) },
    }
}

/// A valid name for the `i`th person (names take no digits).
fn name(family: &str, i: usize) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    family.chars().chain(i.to_string().chars().map(|d| DIGITS[d.to_digit(10).unwrap() as usize])).collect()
}

/// A store with `n` persons, enrolled with the stub at `addr`.
fn office(dir: &Path, n: usize, addr: SocketAddr) -> Store {
    let mut store = Store::init(dir, "城东镇司法所", "350503101").unwrap();
    for i in 0..n {
        store.save(Person { name: Some(name("张", i)), gender: Some(Gender::Male), ..Default::default() }).unwrap();
    }
    store.set_sync_setting(keys::SERVER, Some(&format!("http://{addr}"))).unwrap();
    store.set_sync_setting(keys::TOKEN, Some("secret")).unwrap();
    store
}

/// A stub county, and an office of `n` persons enrolled with it.
async fn setup(n: usize) -> (S, tempfile::TempDir, Store) {
    let stub = S::default();
    let addr = start(stub.clone()).await;
    let tmp = tempfile::tempdir().unwrap();
    let store = office(tmp.path(), n, addr);
    (stub, tmp, store)
}

/// A sink that keeps every state reported.
fn recorder() -> (Arc<Mutex<Vec<SyncState>>>, Arc<dyn StatusSink>) {
    let states = Arc::new(Mutex::new(Vec::<SyncState>::new()));
    let sink = {
        let states = states.clone();
        Arc::new(move |s: &SyncState| states.lock().unwrap().push(s.clone()))
    };
    (states, sink)
}

fn agent(store: Store, config: AgentConfig, sink: Arc<dyn StatusSink>) -> (Agent, Arc<Mutex<Store>>) {
    let shared = Arc::new(Mutex::new(store));
    (Agent::new(shared.clone(), config, sink).unwrap(), shared)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_only_after_the_reply_and_rejected_changes_set_aside() {
    let (stub, _tmp, store) = setup(1200).await;
    let all = store.pending_changes(10_000).unwrap();
    assert_eq!(all.len(), 1201, "the office record and 1200 persons");
    let bad = all[7].change_id;
    stub.reject.lock().unwrap().insert(bad);
    let (agent, shared) = agent(store, fast(), Arc::new(NoStatus));
    let report = agent.drain(1).await.unwrap();
    assert_eq!(report.pushed, 1200);
    assert_eq!(report.push_batches, 3, "batches of at most {MAX_BATCH}");
    assert!(stub.pushes.lock().unwrap().iter().all(|b| b.len() <= MAX_BATCH));
    assert_eq!(report.set_aside.len(), 1);
    let s = shared.lock().unwrap();
    let st = s.sync_status().unwrap();
    assert_eq!((st.pending, st.set_aside), (0, 1));
    assert!(st.last_sync_at.is_some() && st.last_error.is_none());
    let aside = s.set_aside_changes().unwrap();
    assert_eq!(aside[0].0.change_id, bad);
    assert_eq!(aside[0].1, "不属于本所");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_reply_means_the_batch_is_sent_again_and_counted_once() {
    let (stub, _tmp, store) = setup(10).await;
    // The county applied the batch but the answer was a 503 (as when the reply is lost).
    let ids: Vec<Uuid> = store.pending_changes(100).unwrap().iter().map(|c| c.change_id).collect();
    stub.applied.lock().unwrap().extend(ids.iter().take(5));
    stub.fail_pushes.store(2, Ordering::SeqCst);
    let (agent, shared) = agent(store, fast(), Arc::new(NoStatus));
    let report = agent.drain(5).await.unwrap();
    assert_eq!(stub.pushes.lock().unwrap().len(), 3, "two failures, then the batch again");
    assert_eq!((report.pushed, report.push_duplicates), (6, 5));
    assert_eq!(shared.lock().unwrap().sync_status().unwrap().pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorized_stops_at_once_with_the_message() {
    let (stub, _tmp, store) = setup(3).await;
    stub.unauthorized.store(true, Ordering::SeqCst);
    let (states, sink) = recorder();
    let (agent, shared) = agent(store, fast(), sink);
    let e = agent.drain(10).await.unwrap_err();
    assert!(matches!(e, SyncError::Revoked { .. }), "{e:?}");
    assert!(e.to_string().contains("设备已被县司法局注销或凭证无效，请重新登记"), "{e}");
    // And the long-running agent stops too, rather than retrying.
    let stopped = tokio::time::timeout(Duration::from_secs(5), agent.run(std::future::pending())).await.unwrap();
    assert!(matches!(stopped, Some(SyncError::Revoked { .. })));
    let last = states.lock().unwrap().last().cloned().unwrap();
    assert!(matches!(&last, SyncState::Error { stopped: true, .. }), "{last:?}");
    assert!(last.label().contains("请重新登记"));
    let st = shared.lock().unwrap().sync_status().unwrap();
    assert_eq!((st.pending, st.set_aside), (4, 0), "nothing acknowledged, nothing set aside");
    assert!(st.last_error.unwrap().contains("请重新登记"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_too_large_is_split() {
    let (stub, _tmp, store) = setup(300).await;
    stub.max_batch.store(100, Ordering::SeqCst);
    let (agent, shared) = agent(store, fast(), Arc::new(NoStatus));
    let report = agent.drain(1).await.unwrap();
    assert_eq!(report.pushed, 301);
    assert_eq!(shared.lock().unwrap().sync_status().unwrap().pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulls_page_by_page_and_keeps_the_cursor() {
    let (stub, tmp, store) = setup(0).await;
    let office_id = store.office_id();
    // Another PC of the office wrote 25 persons.
    let other = {
        let mut b = Store::init_for_enrollment(&tmp.path().join("b"), Uuid::now_v7(), office_id, fengqiao_store::system_clock()).unwrap();
        for i in 0..25 {
            b.save(Person { name: Some(name("李", i)), gender: Some(Gender::Female), ..Default::default() }).unwrap();
        }
        b.pending_changes(100).unwrap()
    };
    *stub.pull_log.lock().unwrap() = other.iter().map(fengqiao_sync::agent::to_wire).collect();
    let (agent, shared) = agent(store, AgentConfig { batch: 10, pull_page: 10, ..fast() }, Arc::new(NoStatus));
    let report = agent.drain(1).await.unwrap();
    assert_eq!((report.pulled, report.pull_pages, report.cursor), (25, 3, 25));
    assert_eq!(stub.applied.lock().unwrap().len(), 1, "only the office record went up: pulled changes are not pushed back");
    {
        let s = shared.lock().unwrap();
        assert_eq!(s.sync_status().unwrap().cursor, 25);
        assert_eq!(s.all::<Person>().unwrap().len(), 25);
        assert_eq!(s.sync_status().unwrap().pending, 0);
    }
    // A cursor behind what was merged (a store restored from an older copy): the pages come
    // again, harmlessly. (A page and its cursor are one transaction, so a crash cannot part them.)
    shared.lock().unwrap().set_sync_setting(keys::CURSOR, Some("5")).unwrap();
    let report = agent.drain(1).await.unwrap();
    assert_eq!((report.pushed, report.pulled, report.pull_duplicates), (0, 0, 20));
    assert_eq!(shared.lock().unwrap().all::<Person>().unwrap().len(), 25);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wakes_on_a_local_change() {
    let (stub, _tmp, store) = setup(0).await;
    let (agent, shared) = agent(store, fast(), Arc::new(NoStatus));
    let wake = agent.waker();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(agent.run(async move {
        let _ = stop_rx.await;
    }));
    let wait_pending = |want: i64| {
        let shared = shared.clone();
        async move {
            for _ in 0..200 {
                if shared.lock().unwrap().sync_status().unwrap().pending == want {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("pending never became {want}");
        }
    };
    wait_pending(0).await;
    shared.lock().unwrap().save(Person { name: Some("王五".into()), gender: Some(Gender::Male), ..Default::default() }).unwrap();
    wake.notify_one();
    wait_pending(0).await;
    assert_eq!(stub.applied.lock().unwrap().len(), 2);
    stop_tx.send(()).unwrap();
    assert!(task.await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_then_syncs_as_soon_as_the_network_returns() {
    // A port where nothing listens yet.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = office(tmp.path(), 3, addr);
    let (states, sink) = recorder();
    // The backoff alone would wait a minute; the health probe notices the network sooner.
    let config =
        AgentConfig { backoff_min: Duration::from_secs(60), backoff_max: Duration::from_secs(60), probe_every: Duration::from_millis(50), ..fast() };
    let (agent, shared) = agent(store, config, sink);
    let task = tokio::spawn(agent.run(std::future::pending()));
    for _ in 0..200 {
        if states.lock().unwrap().iter().any(|s| matches!(s, SyncState::Offline { pending: 4, .. })) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let offline = states.lock().unwrap().iter().find(|s| matches!(s, SyncState::Offline { .. })).cloned().expect("reported offline");
    assert!(offline.label().starts_with("离线（自"), "{}", offline.label());
    assert!(shared.lock().unwrap().sync_status().unwrap().last_error.is_some());
    tokio::time::sleep(Duration::from_millis(200)).await; // a probe or two fail first
    let stub = S::default();
    serve_on(stub.clone(), tokio::net::TcpListener::bind(addr).await.unwrap()).await;
    let started = std::time::Instant::now();
    loop {
        if shared.lock().unwrap().sync_status().unwrap().pending == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "did not sync after the network returned");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(stub.applied.lock().unwrap().len(), 4);
    assert!(states.lock().unwrap().iter().any(|s| matches!(s, SyncState::Synced { .. })));
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_remembers_the_county_and_a_new_pc_gets_a_store() {
    let stub = S::default();
    let addr = start(stub.clone()).await;
    let server = format!("http://{addr}/");
    let tmp = tempfile::tempdir().unwrap();
    let clock = fengqiao_store::system_clock();
    // The first PC: its store binds the office.
    let first = tmp.path().join("a");
    let office_id = Store::init(&first, "城东镇司法所", "350503101").unwrap().office_id();
    let bad = enroll(&first, &server, "WRONG", "甲机", clock.clone(), ClientOptions::default()).await.unwrap_err();
    assert!(bad.to_string().contains("注册码无效"), "{bad}");
    let done = enroll(&first, &server, "ABCD-EFGH", "甲机", clock.clone(), ClientOptions::default()).await.unwrap();
    assert_eq!((done.office_id, done.new_store), (office_id, false));
    let a = Store::open(&first).unwrap();
    assert_eq!(a.sync_setting(keys::SERVER).unwrap().as_deref(), Some(format!("http://{addr}").as_str()));
    assert_eq!(a.sync_setting(keys::TOKEN).unwrap(), Some(format!("token-{}", a.device_id())));
    // A new PC with an empty data directory.
    let second = tmp.path().join("b");
    let done = enroll(&second, &server, "ABCD-EFGH", "乙机", clock, ClientOptions::default()).await.unwrap();
    assert!(done.new_store);
    let b = Store::open(&second).unwrap();
    assert_eq!((b.office_id(), b.device_id()), (office_id, done.device_id));
    assert_ne!(b.device_id(), a.device_id());
    assert!(b.pending_changes(10).unwrap().is_empty(), "nothing of its own to push");
    assert!(b.sync_status().unwrap().enrolled);
}

//! Sync benchmark, on loopback with the county server in this process (its real router over
//! embedded SQLite) and a byte-counting TCP relay between agent and server:
//!
//! - **push**: an office store of ≈100,000 change-log entries (demo-data) pushed by the agent;
//! - **pull**: the same changes pulled by the agent of a new PC of the office (empty directory);
//! - records per second each way, bytes on the wire per record (both directions, HTTP heads
//!   included), and the ratio to writing the same changes straight into a county store
//!   (`CountyStore::push` in batches, no HTTP) and straight into a fresh office store
//!   (`Store::apply_remote` in batches), measured in the same run;
//! - with `--load`: 500 simulated offices (each ≈200 changes, made unique per office) enroll and
//!   push at once against one server: p95 push latency and records per second. Bounded: every
//!   office's work must end within `FENGQIAO_BENCH_LOAD_SECS` (default 600 s).
//!
//!     cargo bench -p fengqiao-sync --bench sync [-- --load | --load-only]
//!
//! Sizes: `FENGQIAO_BENCH_SYNC_DISPUTES` (default 8,000 cases ≈ 100k records),
//! `FENGQIAO_BENCH_OFFICES` (default 500). The generated office store is kept under
//! target/bench-data and copied for each run (the push acknowledges its change log).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use fengqiao_cli::demo::{generate, DemoOptions};
use fengqiao_county::store::{CountyStore, Office};
use fengqiao_county::{auth, SqliteStore};
use fengqiao_store::{Store, DB_FILE};
use fengqiao_sync::agent::{enroll, to_wire, Agent, AgentConfig};
use fengqiao_sync::protocol::*;
use fengqiao_sync::{Client, ClientOptions, NoStatus};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data")
}

/// A TCP relay that counts the bytes each way.
struct Meter {
    addr: SocketAddr,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
}

impl Meter {
    async fn start(upstream: SocketAddr) -> Meter {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (u, d) = (up.clone(), down.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else { continue };
                let _ = (client.set_nodelay(true), server.set_nodelay(true));
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(relay(cr, sw, u.clone()));
                tokio::spawn(relay(sr, cw, d.clone()));
            }
        });
        Meter { addr, up, down }
    }

    fn take(&self) -> u64 {
        self.up.swap(0, Ordering::SeqCst) + self.down.swap(0, Ordering::SeqCst)
    }
}

async fn relay(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf, count: Arc<AtomicU64>) {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count.fetch_add(n as u64, Ordering::Relaxed);
                if to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

/// The county: its store, served by its router on loopback.
async fn county(dir: &Path) -> (Arc<dyn CountyStore>, SocketAddr) {
    let store: Arc<dyn CountyStore> = Arc::new(SqliteStore::open(dir).await.unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = fengqiao_county::http::router(store.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (store, addr)
}

async fn new_office(store: &dyn CountyStore, name: &str, division: &str, org: Option<Uuid>) -> Office {
    let office = Office {
        id: Uuid::now_v7(),
        org_id: org,
        name: name.into(),
        division_code: division.into(),
        county_device_id: Uuid::now_v7(),
        created_at: Utc::now(),
    };
    store.create_office(&office).await.unwrap();
    office
}

async fn code_for(store: &dyn CountyStore, office: &Office) -> String {
    let code = auth::new_enrollment_code();
    store
        .add_enrollment_code(office.id, &auth::hash_code(&auth::normalize_code(&code)), Utc::now() + chrono::Duration::days(1), Utc::now())
        .await
        .unwrap();
    code
}

/// The office store of the run: generated once (kept), copied fresh for each run.
fn office_store(run_dir: &Path) -> PathBuf {
    let disputes = env_usize("FENGQIAO_BENCH_SYNC_DISPUTES", 8_000);
    let (released, screenings) = (disputes / 5, disputes / 20);
    let kept = bench_dir().join(format!("sync-d{disputes}-r{released}-s{screenings}"));
    if !kept.join(DB_FILE).exists() {
        let _ = std::fs::remove_dir_all(&kept);
        let t = Instant::now();
        let mut store = Store::init(&kept, "东山镇司法所", "350502101").unwrap();
        generate(&mut store, &DemoOptions { disputes, released, screenings, seed: 2026 }, |p| eprint!("\r{}", p.line())).unwrap();
        eprintln!("\ngenerated the office store in {:.1} s", t.elapsed().as_secs_f64());
    }
    // Closing the last connection folds the WAL into the file.
    drop(Store::open(&kept).unwrap());
    let dir = run_dir.join("office");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(kept.join(DB_FILE), dir.join(DB_FILE)).unwrap();
    dir
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:.0}", n as f64 / secs)
}

async fn throughput(run_dir: &Path) {
    let office_dir = office_store(run_dir);
    let (county_store, county_addr) = county(&run_dir.join("county")).await;
    let meter = Meter::start(county_addr).await;
    let url = format!("http://{}", meter.addr);
    let office = new_office(&*county_store, "东山镇司法所", "350502101", None).await;
    let clock = fengqiao_store::system_clock();
    enroll(&office_dir, &url, &code_for(&*county_store, &office).await, "bench-a", clock.clone(), ClientOptions::default()).await.unwrap();
    let all: Vec<Change> = {
        let s = Store::open(&office_dir).unwrap();
        s.pending_changes(usize::MAX >> 1).unwrap().iter().map(to_wire).collect()
    };
    let n = all.len();
    eprintln!("office store: {n} changes");
    meter.take();

    // Push.
    let shared = Arc::new(Mutex::new(Store::open(&office_dir).unwrap()));
    let agent = Agent::new(shared, AgentConfig::default(), Arc::new(NoStatus)).unwrap();
    let t = Instant::now();
    let report = agent.drain(1).await.unwrap();
    let push_secs = t.elapsed().as_secs_f64();
    let push_bytes = meter.take();
    assert_eq!(report.pushed, n);
    drop(agent);

    // Pull into a new PC.
    let b_dir = run_dir.join("office-b");
    enroll(&b_dir, &url, &code_for(&*county_store, &office).await, "bench-b", clock.clone(), ClientOptions::default()).await.unwrap();
    meter.take();
    let agent = Agent::new(Arc::new(Mutex::new(Store::open(&b_dir).unwrap())), AgentConfig::default(), Arc::new(NoStatus)).unwrap();
    let t = Instant::now();
    let report = agent.drain(1).await.unwrap();
    let pull_secs = t.elapsed().as_secs_f64();
    let pull_bytes = meter.take();
    assert_eq!(report.pulled, n);
    drop(agent);
    let same = {
        let (mut ea, mut eb) = (Vec::new(), Vec::new());
        Store::open(&office_dir).unwrap().export(&mut ea).unwrap();
        Store::open(&b_dir).unwrap().export(&mut eb).unwrap();
        ea == eb
    };
    assert!(same, "the new PC's export differs from the office's");

    // Baselines: the same changes written straight into a county store and into an office store.
    let direct_store: Arc<dyn CountyStore> = Arc::new(SqliteStore::open(&run_dir.join("county-direct")).await.unwrap());
    let org = Store::open(&office_dir).unwrap().office_id();
    let direct_office = new_office(&*direct_store, "东山镇司法所", "350502101", Some(org)).await;
    let device = Uuid::now_v7();
    let t = Instant::now();
    for batch in all.chunks(MAX_BATCH) {
        direct_store.push(direct_office.id, device, batch.to_vec(), Utc::now()).await.unwrap();
    }
    let direct_push_secs = t.elapsed().as_secs_f64();
    let entries: Vec<_> = all.iter().cloned().map(fengqiao_sync::agent::from_wire).collect();
    let c_dir = run_dir.join("office-direct");
    let direct_pull_secs = tokio::task::spawn_blocking(move || {
        let mut s = Store::init_for_enrollment(&c_dir, Uuid::now_v7(), org, fengqiao_store::system_clock()).unwrap();
        let t = Instant::now();
        for batch in entries.chunks(MAX_BATCH) {
            s.apply_remote(batch).unwrap();
        }
        t.elapsed().as_secs_f64()
    })
    .await
    .unwrap();

    println!("## sync throughput ({n} records, loopback, county in process on SQLite)");
    println!("| way | time | records/s | bytes on the wire per record | straight into the store | records/s | time ÷ straight |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| push (office → county) | {push_secs:.2} s | {} | {:.0} | CountyStore::push, batches of {MAX_BATCH} | {} | {:.2} |",
        rate(n, push_secs),
        push_bytes as f64 / n as f64,
        rate(n, direct_push_secs),
        push_secs / direct_push_secs
    );
    println!(
        "| pull (county → new PC) | {pull_secs:.2} s | {} | {:.0} | Store::apply_remote, batches of {MAX_BATCH} | {} | {:.2} |",
        rate(n, pull_secs),
        pull_bytes as f64 / n as f64,
        rate(n, direct_pull_secs),
        pull_secs / direct_pull_secs
    );
}

/// The template changes of one simulated office: a small demo office's change log.
fn template(run_dir: &Path, disputes: usize) -> Vec<Change> {
    let dir = run_dir.join("template");
    let mut store = Store::init(&dir, "模板镇司法所", "350502102").unwrap();
    generate(&mut store, &DemoOptions { disputes, released: 2, screenings: 2, seed: 7 }, |_| {}).unwrap();
    store.pending_changes(100_000).unwrap().iter().map(to_wire).collect()
}

/// Every id in the template replaced by a fresh one, consistently, for one office.
fn rewrite(template: &[Change], org: Uuid, template_org: Uuid, device: Uuid) -> Vec<Change> {
    let mut ids: HashMap<String, String> = HashMap::new();
    ids.insert(template_org.to_string(), org.to_string());
    fn walk(v: &mut Value, ids: &mut HashMap<String, String>) {
        match v {
            Value::String(s) if s.len() == 36 && Uuid::parse_str(s).is_ok() => {
                *s = ids.entry(s.clone()).or_insert_with(|| Uuid::now_v7().to_string()).clone();
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, ids)),
            Value::Object(o) => o.values_mut().for_each(|x| walk(x, ids)),
            _ => {}
        }
    }
    template
        .iter()
        .map(|c| {
            let mut c = c.clone();
            walk(&mut c.data, &mut ids);
            c.record_id = Uuid::parse_str(ids.entry(c.record_id.to_string()).or_insert_with(|| Uuid::now_v7().to_string())).unwrap();
            c.change_id = Uuid::now_v7();
            c.device_id = device;
            let mut parts = c.hlc.splitn(3, '-');
            let (ms, counter) = (parts.next().unwrap_or("0").to_string(), parts.next().unwrap_or("0").to_string());
            c.hlc = format!("{ms}-{counter}-{device}");
            c
        })
        .collect()
}

async fn load_run(run_dir: &Path) {
    let offices = env_usize("FENGQIAO_BENCH_OFFICES", 500);
    let limit = Duration::from_secs(env_usize("FENGQIAO_BENCH_LOAD_SECS", 600) as u64);
    let template_dir = run_dir.to_path_buf();
    let template = tokio::task::spawn_blocking(move || template(&template_dir, 15)).await.unwrap();
    let template_org =
        template.iter().find(|c| c.kind == "organization").and_then(|c| c.data["org_id"].as_str()).and_then(|s| Uuid::parse_str(s).ok()).unwrap();
    let (store, addr) = county(&run_dir.join("county-load")).await;
    let url = format!("http://{addr}");
    // Offices registered and their changes made before the clock starts.
    let mut work = Vec::new();
    for i in 0..offices {
        let org = Uuid::now_v7();
        let office = new_office(&*store, &format!("负载{i}号司法所"), &format!("35050{:04}", 2000 + i), None).await;
        let code = code_for(&*store, &office).await;
        let device = Uuid::now_v7();
        work.push((org, device, code, rewrite(&template, org, template_org, device)));
    }
    let records: usize = work.iter().map(|w| w.3.len()).sum();
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (org, device, code, changes) in work {
        let (url, latencies) = (url.clone(), latencies.clone());
        tasks.push(tokio::spawn(async move {
            let anon = Client::new(&url, None, ClientOptions::default()).unwrap();
            let enrolled = anon
                .enroll(&EnrollRequest { enrollment_code: code, device_id: device, device_name: "load".into(), office_id: Some(org) })
                .await
                .unwrap();
            let client = Client::new(&url, Some(&enrolled.device_token), ClientOptions::default()).unwrap();
            for batch in changes.chunks(MAX_BATCH) {
                let t = Instant::now();
                let resp = client.push(&PushRequest { changes: batch.to_vec() }).await.unwrap();
                latencies.lock().unwrap().push(t.elapsed());
                assert!(
                    resp.results.iter().all(|r| r.status == PushStatus::Applied),
                    "{:?}",
                    resp.results.iter().find(|r| r.status != PushStatus::Applied)
                );
            }
            let page = client.pull(0, MAX_BATCH).await.unwrap();
            assert!(page.changes.is_empty() && !page.more);
        }));
    }
    for t in tasks {
        tokio::time::timeout(limit.saturating_sub(started.elapsed()), t).await.expect("the load run took too long").unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let pct = |p: usize| l[((l.len() * p).div_ceil(100)).max(1) - 1].as_secs_f64() * 1000.0;
    println!("## load ({offices} offices at once, {} changes each, {records} in all)", template.len());
    println!("| offices | pushes | median push | p95 push | max push | wall time | records/s |");
    println!("|---|---|---|---|---|---|---|");
    println!("| {offices} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {secs:.1} s | {} |", l.len(), pct(50), pct(95), pct(100), rate(records, secs));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let load_only = args.iter().any(|a| a == "--load-only");
    let load = load_only || args.iter().any(|a| a == "--load");
    let run_dir = bench_dir().join(format!("sync-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&run_dir);
    std::fs::create_dir_all(&run_dir).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        if !load_only {
            throughput(&run_dir).await;
        }
        if load {
            load_run(&run_dir).await;
        }
    });
    drop(rt);
    let _ = std::fs::remove_dir_all(&run_dir);
}

//! The county over HTTP on loopback, bounded in count and time:
//! 1. one office pushes N `person` changes (default 100,000) in gzip batches of MAX_BATCH and
//!    a second device pulls them all: records per second each way and bytes on the wire per
//!    record, against pushing the same changes straight into the store in the same run;
//! 2. many offices (default 500) sync at once, each pushing a batch and pulling its
//!    colleague's: p50/p95/max push latency and records per second.
//!
//!     cargo bench -p fengqiao-county --bench http [-- N OFFICES]
//!
//! The server runs in this process on 127.0.0.1 with an embedded SQLite store in a temporary
//! directory; the clients are reqwest on the same runtime.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use fengqiao_county::store::{CountyStore, Office};
use fengqiao_county::{auth, http, SqliteStore};
use fengqiao_sync::protocol::*;
use serde_json::json;
use uuid::Uuid;

fn changes(org: Uuid, device: Uuid, n: usize) -> Vec<Change> {
    (0..n)
        .map(|i| {
            let id = Uuid::now_v7();
            let data = json!({
                "id": id, "org_id": org, "created_at": "2026-01-05T08:00:00Z", "updated_at": "2026-01-05T08:00:00Z",
                "created_by": "clerk", "version": 1, "deleted": false, "draft": false,
                "name": format!("张{i}"), "phone": "13800000000", "gender": "1", "birth_date": "1980-01-01",
                "hukou_address": "福建省泉州市某县某镇某村某组18号", "occupation": "农民", "note": "邻里纠纷当事人"
            });
            let changed =
                data.as_object().unwrap().keys().filter(|k| !["created_at", "updated_at", "version"].contains(&k.as_str())).cloned().collect();
            Change {
                change_id: Uuid::now_v7(),
                kind: "person".into(),
                record_id: id,
                op: "upsert".into(),
                version: 1,
                data,
                changed_fields: changed,
                hlc: format!("{:015}-{:06}-{device}", 1_700_000_000_000i64 + i as i64, 0),
                device_id: device,
                created_at: "2026-01-05T08:00:00Z".into(),
            }
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

struct Client {
    http: reqwest::Client,
    base: String,
}

struct Dev {
    id: Uuid,
    token: String,
}

impl Client {
    async fn enroll(&self, code: &str, office: Uuid) -> Dev {
        let id = Uuid::now_v7();
        let body =
            serde_json::to_vec(&EnrollRequest { enrollment_code: code.into(), device_id: id, device_name: "bench".into(), office_id: Some(office) })
                .unwrap();
        let r = self.http.post(format!("{}/api/v1/enroll", self.base)).header(PROTOCOL_HEADER, "1").body(body).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let e: EnrollResponse = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        Dev { id, token: e.device_token }
    }

    /// Pushes one batch; returns the bytes sent and received.
    async fn push(&self, d: &Dev, batch: &[Change]) -> (usize, usize) {
        let body = gzip(&serde_json::to_vec(&PushRequest { changes: batch.to_vec() }).unwrap());
        let sent = body.len();
        let r = self
            .http
            .post(format!("{}/api/v1/push", self.base))
            .header(PROTOCOL_HEADER, "1")
            .header("content-encoding", "gzip")
            .header("accept-encoding", "gzip")
            .bearer_auth(&d.token)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let gz = r.headers().get("content-encoding").is_some();
        let bytes = r.bytes().await.unwrap();
        let plain = if gz { gunzip(&bytes) } else { bytes.to_vec() };
        let resp: PushResponse = serde_json::from_slice(&plain).unwrap();
        assert!(resp.results.iter().all(|r| r.status == PushStatus::Applied));
        (sent, bytes.len())
    }

    /// Pulls everything after `since`; returns (changes, bytes received).
    async fn pull_all(&self, d: &Dev) -> (usize, usize) {
        let (mut cursor, mut n, mut bytes_in) = (0i64, 0usize, 0usize);
        for _ in 0..100_000 {
            let r = self
                .http
                .get(format!("{}/api/v1/pull?since={cursor}", self.base))
                .header(PROTOCOL_HEADER, "1")
                .header("accept-encoding", "gzip")
                .bearer_auth(&d.token)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            let gz = r.headers().get("content-encoding").is_some();
            let bytes = r.bytes().await.unwrap();
            bytes_in += bytes.len();
            let page: PullResponse = serde_json::from_slice(&if gz { gunzip(&bytes) } else { bytes.to_vec() }).unwrap();
            n += page.changes.len();
            cursor = page.next_cursor;
            if !page.more {
                break;
            }
        }
        (n, bytes_in)
    }
}

async fn office(s: &dyn CountyStore, i: usize) -> (Office, Vec<String>) {
    let o = Office {
        id: Uuid::now_v7(),
        org_id: None,
        name: format!("第{i}司法所"),
        division_code: "350102001".into(),
        county_device_id: Uuid::now_v7(),
        created_at: Utc::now(),
    };
    s.create_office(&o).await.unwrap();
    let mut codes = Vec::new();
    for _ in 0..2 {
        let code = auth::new_enrollment_code();
        s.add_enrollment_code(o.id, &auth::hash_code(&code), Utc::now() + chrono::Duration::days(1), Utc::now()).await.unwrap();
        codes.push(code);
    }
    (o, codes)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn bench(n: usize, offices: usize) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn CountyStore> = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(http::serve(store.clone(), "127.0.0.1:0", None, None, move |addr, _| {
        let _ = tx.send(addr);
    }));
    let addr = tokio::time::timeout(Duration::from_secs(30), rx).await.unwrap().unwrap();
    let client = Arc::new(Client {
        http: reqwest::Client::builder().no_gzip().pool_max_idle_per_host(offices * 2).timeout(Duration::from_secs(120)).build().unwrap(),
        base: format!("http://{addr}"),
    });

    // 1. One office, n records each way.
    let (o, codes) = office(&*store, 0).await;
    let a = client.enroll(&codes[0], o.id).await;
    let b = client.enroll(&codes[1], o.id).await;
    let all = changes(o.id, a.id, n);
    let started = Instant::now();
    let (mut sent, mut received) = (0, 0);
    for batch in all.chunks(MAX_BATCH) {
        let (s, r) = client.push(&a, batch).await;
        sent += s;
        received += r;
    }
    let push = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let (pulled, pull_bytes) = client.pull_all(&b).await;
    let pull = started.elapsed().as_secs_f64();
    assert_eq!(pulled, n);
    // The same changes straight into the store, for the ratio.
    let id = Uuid::now_v7();
    let o2 = Office {
        id,
        org_id: Some(id),
        name: "直写".into(),
        division_code: "350102001".into(),
        county_device_id: Uuid::now_v7(),
        created_at: Utc::now(),
    };
    store.create_office(&o2).await.unwrap();
    let direct = changes(o2.id, Uuid::now_v7(), n);
    let started = Instant::now();
    for batch in direct.chunks(MAX_BATCH) {
        let results = store.push(o2.id, Uuid::now_v7(), batch.to_vec(), Utc::now()).await.unwrap();
        assert!(results.iter().all(|r| r.status == PushStatus::Applied));
    }
    let direct_s = started.elapsed().as_secs_f64();
    println!(
        "one office, {n} records: push {:.0}/s ({:.1} s; {:.0} B/record up, {:.0} B/record down), pull {:.0}/s ({:.1} s; {:.0} B/record), \
         straight into the store {:.0}/s — HTTP push at {:.0}% of it",
        n as f64 / push,
        push,
        sent as f64 / n as f64,
        received as f64 / n as f64,
        n as f64 / pull,
        pull,
        pull_bytes as f64 / n as f64,
        n as f64 / direct_s,
        100.0 * direct_s / push
    );

    // 2. Many offices at once: each enrolls two PCs, one pushes a batch, the other pulls it.
    let per = 100;
    let mut setups = Vec::new();
    for i in 0..offices {
        setups.push(office(&*store, 10 + i).await);
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (o, codes) in setups {
        let client = client.clone();
        tasks.spawn(async move {
            let a = client.enroll(&codes[0], o.id).await;
            let b = client.enroll(&codes[1], o.id).await;
            let batch = changes(o.id, a.id, per);
            let t = Instant::now();
            client.push(&a, &batch).await;
            let latency = t.elapsed().as_secs_f64();
            let (got, _) = client.pull_all(&b).await;
            assert_eq!(got, per);
            latency
        });
    }
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(600);
    while let Some(r) =
        tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), tasks.join_next()).await.expect("load run exceeded 600 s")
    {
        latencies.push(r.unwrap());
    }
    let wall = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    println!(
        "{offices} offices at once ({per} records each, enroll + push + pull): {:.1} s wall, {:.0} records/s pushed and pulled; \
         push latency p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        wall,
        (offices * per * 2) as f64 / wall,
        1000.0 * percentile(&latencies, 0.5),
        1000.0 * percentile(&latencies, 0.95),
        1000.0 * percentile(&latencies, 1.0)
    );
}

fn main() {
    let nums: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let n = nums.first().copied().unwrap_or(100_000);
    let offices = nums.get(1).copied().unwrap_or(500);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(bench(n, offices));
}

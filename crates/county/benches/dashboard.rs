//! Dashboard queries over many offices: `FENGQIAO_BENCH_DASH_OFFICES` offices (default 20),
//! each a copy (fresh ids) of one demo office of `FENGQIAO_BENCH_DASH_CASES` cases (default
//! 1,000), pushed into the county store (SQLite; PostgreSQL too when `FENGQIAO_TEST_PG_URL` is
//! set). Measured: building every office's mirror (the first query), then each dashboard
//! query answered again and again with nothing new (p50/p95 of `FENGQIAO_BENCH_DASH_RUNS`,
//! default 20), and the same after one office pushed one change.
//!
//! `cargo bench -p fengqiao-county --bench dashboard`

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use fengqiao_cli::demo::{generate, DemoOptions};
use fengqiao_county::dashboard::Dashboard;
use fengqiao_county::store::{CountyStore, Office};
use fengqiao_county::{PgStore, SqliteStore};
use fengqiao_store::Store;
use fengqiao_sync::agent::to_wire;
use fengqiao_sync::protocol::{Change, MAX_BATCH};
use serde_json::Value;
use uuid::Uuid;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Every id in the template replaced by a fresh one, consistently, for one office (as the
/// sync benchmark does).
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

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i].as_secs_f64() * 1000.0
}

async fn load(store: &dyn CountyStore, template: &[Change], template_org: Uuid, offices: usize) -> Vec<Office> {
    let mut out = Vec::new();
    for i in 0..offices {
        let org = Uuid::now_v7();
        let office = Office {
            id: Uuid::now_v7(),
            org_id: Some(org),
            name: format!("第{}司法所", i + 1),
            division_code: format!("{:09}", 350502100 + i),
            county_device_id: Uuid::now_v7(),
            created_at: Utc::now(),
        };
        store.create_office(&office).await.unwrap();
        let device = Uuid::now_v7();
        // Pushed as the office's county device: the bench measures queries, not enrollment.
        for batch in rewrite(template, org, template_org, device).chunks(MAX_BATCH) {
            store.push(office.id, office.county_device_id, batch.to_vec(), Utc::now()).await.unwrap();
        }
        out.push(office);
    }
    out
}

async fn run(label: &str, store: Arc<dyn CountyStore>, template: &[Change], template_org: Uuid) {
    let offices = env_usize("FENGQIAO_BENCH_DASH_OFFICES", 20);
    let runs = env_usize("FENGQIAO_BENCH_DASH_RUNS", 20);
    let t = Instant::now();
    let list = load(&*store, template, template_org, offices).await;
    eprintln!("[{label}] loaded {offices} offices in {:.1} s", t.elapsed().as_secs_f64());
    let dash = Dashboard::new(store.clone()).unwrap();
    let (from, to) = (NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    let t = Instant::now();
    dash.figures(from, to, None).await.unwrap();
    println!("[{label}] first query (every mirror built): {:.1} s", t.elapsed().as_secs_f64());

    type Query<'a> = (&'a str, Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>> + 'a>);
    let queries: Vec<Query> = vec![
        (
            "offices",
            Box::new(|| {
                Box::pin(async {
                    dash.offices().await.unwrap();
                })
            }),
        ),
        (
            "figures (county, year)",
            Box::new(|| {
                Box::pin(async {
                    dash.figures(from, to, None).await.unwrap();
                })
            }),
        ),
        (
            "figures (one office)",
            Box::new(|| {
                Box::pin(async {
                    dash.figures(from, to, Some(list[0].id)).await.unwrap();
                })
            }),
        ),
        (
            "drill (success, county)",
            Box::new(|| {
                Box::pin(async {
                    dash.drill(from, to, None, "success").await.unwrap();
                })
            }),
        ),
        (
            "drill (安置率, county)",
            Box::new(|| {
                Box::pin(async {
                    dash.drill(from, to, None, "rate:resettlement").await.unwrap();
                })
            }),
        ),
        (
            "drill (协议履行率, county)",
            Box::new(|| {
                Box::pin(async {
                    dash.drill(from, to, None, "rate:performance").await.unwrap();
                })
            }),
        ),
        (
            "compliance (3 months)",
            Box::new(|| {
                Box::pin(async {
                    dash.compliance(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(), to, None).await.unwrap();
                })
            }),
        ),
        (
            "late work",
            Box::new(|| {
                Box::pin(async {
                    dash.late(None).await.unwrap();
                })
            }),
        ),
        (
            "roll-up",
            Box::new(|| {
                Box::pin(async {
                    dash.rollup(from, to).await.unwrap();
                })
            }),
        ),
    ];
    // First answers of each (computed), then repeats (unchanged records).
    for (name, q) in &queries {
        let t = Instant::now();
        q().await;
        let first = t.elapsed();
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            q().await;
            times.push(t.elapsed());
        }
        println!(
            "[{label}] {name:<26} first {:>8.1} ms   again p50 {:>7.1} ms  p95 {:>7.1} ms",
            first.as_secs_f64() * 1000.0,
            pct(times.clone(), 0.5),
            pct(times, 0.95)
        );
    }
    // One office changes one record: that office's results are computed again.
    let mut times = Vec::new();
    for i in 0..runs.min(10) {
        let one = rewrite(&template[..1], list[i % list.len()].org_id.unwrap(), template_org, list[i % list.len()].county_device_id);
        store.push(list[i % list.len()].id, list[i % list.len()].county_device_id, one, Utc::now()).await.unwrap();
        let t = Instant::now();
        dash.figures(from, to, None).await.unwrap();
        times.push(t.elapsed());
    }
    println!("[{label}] figures (county) after one office changed: p50 {:.1} ms  p95 {:.1} ms", pct(times.clone(), 0.5), pct(times, 0.95));
}

fn main() {
    let cases = env_usize("FENGQIAO_BENCH_DASH_CASES", 1_000);
    let tmp = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let mut office = Store::init(&tmp.path().join("template"), "模板镇司法所", "350502199").unwrap();
    generate(&mut office, &DemoOptions { disputes: cases, released: cases / 5, screenings: cases / 50, seed: 2026 }, |_| {}).unwrap();
    let template: Vec<Change> = office.pending_changes(10_000_000).unwrap().iter().map(to_wire).collect();
    let template_org = office.office_id();
    eprintln!("template office: {cases} cases, {} changes, in {:.1} s", template.len(), t.elapsed().as_secs_f64());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        // `FENGQIAO_BENCH_DASH_SQLITE=0` skips the SQLite run (at 200 offices its county file
        // and mirrors take ≈ 23 GB, which a machine may not have beside PostgreSQL's).
        if std::env::var("FENGQIAO_BENCH_DASH_SQLITE").as_deref() != Ok("0") {
            let dir = tmp.path().join("county");
            let sqlite: Arc<dyn CountyStore> = Arc::new(SqliteStore::open(&dir).await.unwrap());
            run("SQLite", sqlite, &template, template_org).await;
            std::fs::remove_dir_all(&dir).unwrap();
        }
        if let Ok(url) = std::env::var("FENGQIAO_TEST_PG_URL") {
            let schema = format!("fq_bench_dash_{}", std::process::id());
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
            let pg: Arc<dyn CountyStore> = Arc::new(PgStore::connect(&url, Some(&schema)).await.unwrap());
            run("PostgreSQL", pg, &template, template_org).await;
            client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
        }
    });
}

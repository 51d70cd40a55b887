//! Dashboard queries over many offices: `FENGQIAO_BENCH_DASH_OFFICES` offices (default 20),
//! each a copy (fresh ids) of one demo office of `FENGQIAO_BENCH_DASH_CASES` cases (default
//! 1,000), pushed into the county store (SQLite; PostgreSQL too when `FENGQIAO_TEST_PG_URL` is
//! set). Measured: the warm-up after a start (every office's mirror, statistics by day and late
//! work), then each dashboard query asked `FENGQIAO_BENCH_DASH_RUNS` times (default 20) with a
//! period no earlier run asked for — first answers — and then again with the same one; and
//! figures and late work right after one office pushed one change.
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

/// Runs after the load, before anything is measured (PostgreSQL's `VACUUM ANALYZE` when asked).
type Settle<'a> = Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>>;

async fn run(label: &str, store: Arc<dyn CountyStore>, template: &[Change], template_org: Uuid, settle: Settle<'_>) {
    let offices = env_usize("FENGQIAO_BENCH_DASH_OFFICES", 20);
    let runs = env_usize("FENGQIAO_BENCH_DASH_RUNS", 20);
    let t = Instant::now();
    let list = load(&*store, template, template_org, offices).await;
    eprintln!("[{label}] loaded {offices} offices in {:.1} s", t.elapsed().as_secs_f64());
    if let Some(settle) = settle {
        let t = Instant::now();
        settle.await;
        eprintln!("[{label}] settled after the load in {:.1} s", t.elapsed().as_secs_f64());
    }
    let dash = Dashboard::new(store.clone()).unwrap();
    let t = Instant::now();
    dash.warm().await.unwrap();
    println!("[{label}] warm-up after a start (every mirror built, digests, late work): {:.1} s", t.elapsed().as_secs_f64());

    // Run `i` asks for a period no other run of any query asks for: each answer is a first
    // answer, with nothing another query computed for the same period.
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let period = |i: usize| (day(1, 1) + chrono::Days::new((i % 200) as u64), day(11, 20) - chrono::Days::new((i / 200) as u64));
    let pages = (dash.drill_page(day(1, 1), day(11, 20), None, "success", 1, 50).await.unwrap().total / 50).max(1);

    type Query<'a> = (&'a str, Box<dyn Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>> + 'a>);
    let (dash, list) = (&dash, &list);
    let queries: Vec<Query> = vec![
        ("offices", Box::new(move |_| Box::pin(async move { drop(dash.offices().await.unwrap()) }))),
        (
            "figures, county",
            Box::new(move |i| {
                Box::pin(async move {
                    let (a, b) = period(i);
                    dash.figures(a, b, None).await.unwrap();
                })
            }),
        ),
        (
            "figures, one office",
            Box::new(move |i| {
                Box::pin(async move {
                    let (a, b) = period(i);
                    dash.figures(a, b, Some(list[i % list.len()].id)).await.unwrap();
                })
            }),
        ),
        (
            "drill 调解成功, page 1",
            Box::new(move |i| {
                Box::pin(async move {
                    let (a, b) = period(i);
                    dash.drill_page(a, b, None, "success", 1, 50).await.unwrap();
                })
            }),
        ),
        (
            "drill 调解成功, a later page",
            Box::new(move |i| {
                Box::pin(async move {
                    let (a, b) = period(i);
                    dash.drill_page(a, b, None, "success", 1 + (i * 7919) % pages, 50).await.unwrap();
                })
            }),
        ),
        (
            "drill 安置率, page 1",
            Box::new(move |i| {
                Box::pin(async move {
                    let (a, b) = period(i);
                    dash.drill_page(a, b, None, "rate:resettlement", 1, 50).await.unwrap();
                })
            }),
        ),
        (
            "drill 协议履行率, page 1",
            Box::new(move |i| {
                Box::pin(async move {
                    let (a, b) = period(i);
                    dash.drill_page(a, b, None, "rate:performance", 1, 50).await.unwrap();
                })
            }),
        ),
        (
            "零报告, 3 months",
            Box::new(move |i| {
                Box::pin(async move {
                    let (_, to) = period(i);
                    dash.compliance(day(8, 1) + chrono::Days::new((i % 60) as u64), to, None).await.unwrap();
                })
            }),
        ),
        (
            "late work, a page",
            Box::new(move |i| {
                Box::pin(async move {
                    let group = ["mediation", "return_visit", "help_visit", "notice", "help_period"][i % 5];
                    dash.late_page(None, group, 1 + i % 3, 50).await.unwrap();
                })
            }),
        ),
        (
            "roll-up",
            Box::new(move |i| {
                Box::pin(async move {
                    let (a, b) = period(i);
                    dash.rollup(a, b).await.unwrap();
                })
            }),
        ),
    ];
    // First answers (runs 1…runs, each its own period), then one of them again and again.
    for (k, (name, q)) in queries.iter().enumerate() {
        let mut first = Vec::new();
        for i in 1..=runs {
            let t = Instant::now();
            q(k * runs + i).await;
            first.push(t.elapsed());
        }
        let mut again = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            q(k * runs + 1).await;
            again.push(t.elapsed());
        }
        println!(
            "[{label}] {name:<28} first p50 {:>7.1} ms  p95 {:>7.1} ms   again p50 {:>6.1} ms  p95 {:>6.1} ms",
            pct(first.clone(), 0.5),
            pct(first, 0.95),
            pct(again.clone(), 0.5),
            pct(again, 0.95)
        );
    }
    // One office changes one record: that office's mirror, digest and results are brought up
    // to date by the query that follows (no warm-up in between).
    let mut times: HashMap<&str, Vec<Duration>> = HashMap::new();
    eprintln!("[{label}] changes begin at {}", chrono::Local::now().format("%T"));
    for i in 0..runs.min(10) {
        let o = &list[i % list.len()];
        let one = rewrite(&template[..1], o.org_id.unwrap(), template_org, o.county_device_id);
        store.push(o.id, o.county_device_id, one, Utc::now()).await.unwrap();
        let t = Instant::now();
        dash.figures(day(1, 1), day(11, 20), None).await.unwrap();
        eprintln!("[{label}] figures after change {i}: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
        times.entry("figures, county").or_default().push(t.elapsed());
        let t = Instant::now();
        dash.late_page(None, "mediation", 1, 50).await.unwrap();
        times.entry("late work").or_default().push(t.elapsed());
    }
    for (name, t) in times {
        println!("[{label}] {name} after one office changed: p50 {:.1} ms  p95 {:.1} ms", pct(t.clone(), 0.5), pct(t, 0.95));
    }
}

/// The part of the figures that grows with offices × cases, measured on the template office
/// itself: reading its statistics by day (after each change), and adding a period's figures up
/// from it once per office for `FENGQIAO_BENCH_DASH_SCALE_OFFICES` offices (default 200) —
/// what `Dashboard::figures` and `rollup` do in memory at that scale, without the disk that
/// 200 mirrors of this size would need.
fn digest_at_scale(office: &Store) {
    let n = env_usize("FENGQIAO_BENCH_DASH_SCALE_OFFICES", 200);
    let runs = env_usize("FENGQIAO_BENCH_DASH_RUNS", 20);
    let mut read = Vec::new();
    let mut digest = None;
    for _ in 0..5 {
        let t = Instant::now();
        digest = Some(office.stat_digest_all().unwrap());
        read.push(t.elapsed());
    }
    let d = digest.unwrap();
    println!(
        "statistics by day of one office: read in p50 {:.1} ms, ≈ {} KB held ({n} offices ≈ {:.1} MB)",
        pct(read, 0.5),
        d.approx_bytes() / 1024,
        (n * d.approx_bytes()) as f64 / (1024.0 * 1024.0)
    );
    let targets = fengqiao_store::stats::Targets::default();
    let day = |m, dd| NaiveDate::from_ymd_opt(2026, m, dd).unwrap();
    let (mut figures, mut rollup) = (Vec::new(), Vec::new());
    for i in 1..=runs {
        let (a, b) = (day(1, 1) + chrono::Days::new(i as u64), day(11, 20));
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(d.case_statistics(a, b).unwrap());
            std::hint::black_box(d.metrics(a, b, &targets).unwrap());
            for m in 1..=11 {
                let end = if m == 11 { b } else { day(m + 1, 1) - chrono::Days::new(1) };
                std::hint::black_box(d.cases_and_success(day(m, 1).max(a), end));
            }
        }
        figures.push(t.elapsed());
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(d.case_statistics(a, b).unwrap());
        }
        rollup.push(t.elapsed());
    }
    println!(
        "in memory, {n} offices of this size: figures p50 {:.1} ms p95 {:.1} ms; roll-up p50 {:.1} ms p95 {:.1} ms",
        pct(figures.clone(), 0.5),
        pct(figures, 0.95),
        pct(rollup.clone(), 0.5),
        pct(rollup, 0.95)
    );
}

/// What late work right after an office's change costs beyond the merge: that office's
/// reminders computed on its mirror, here on the template office itself, beside a bare scan of
/// its cases' documents in the same run as the baseline.
fn reminders_of_one_office(office: &Store) {
    let settings = fengqiao_store::reminders::ReminderSettings::default();
    let today = office.ctx().today;
    let time = |f: &mut dyn FnMut()| {
        f(); // the page cache and the statement cache
        let mut v = Vec::new();
        for _ in 0..9 {
            let t = Instant::now();
            f();
            v.push(t.elapsed());
        }
        v
    };
    let mut count = 0;
    let reminders = time(&mut || count = office.compute_reminders(&settings, today).unwrap().len());
    let scan = time(&mut || {
        let _: i64 = office.connection().query_row("SELECT sum(length(data)) FROM dispute_case", [], |r| r.get(0)).unwrap();
    });
    let (r, b) = (pct(reminders.clone(), 0.5), pct(scan, 0.5));
    println!(
        "reminders of one office ({count}): p50 {r:.1} ms  p95 {:.1} ms; baseline, a scan of its dispute_case: p50 {b:.1} ms; ratio {:.2}",
        pct(reminders, 0.95),
        r / b
    );
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
    digest_at_scale(&office);
    reminders_of_one_office(&office);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        // `FENGQIAO_BENCH_DASH_SQLITE=0` skips the SQLite run (at 200 offices its county file
        // and mirrors take ≈ 23 GB, which a machine may not have beside PostgreSQL's).
        if std::env::var("FENGQIAO_BENCH_DASH_SQLITE").as_deref() != Ok("0") {
            let dir = tmp.path().join("county");
            let sqlite: Arc<dyn CountyStore> = Arc::new(SqliteStore::open(&dir).await.unwrap());
            run("SQLite", sqlite, &template, template_org, None).await;
            std::fs::remove_dir_all(&dir).unwrap();
        }
        if let Ok(url) = std::env::var("FENGQIAO_TEST_PG_URL") {
            let schema = format!("fq_bench_dash_{}", std::process::id());
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
            let pg: Arc<dyn CountyStore> = Arc::new(PgStore::connect(&url, Some(&schema)).await.unwrap());
            // `FENGQIAO_BENCH_DASH_VACUUM=1`: vacuum and analyze the freshly loaded tables first,
            // as autovacuum does some time after a bulk load.
            let settle: Settle = (std::env::var("FENGQIAO_BENCH_DASH_VACUUM").as_deref() == Ok("1")).then(|| {
                let (client, schema) = (&client, schema.clone());
                Box::pin(async move {
                    // Two calls: VACUUM refuses to run in the transaction one call of two statements is.
                    client.batch_execute(&format!("SET search_path TO {schema}")).await.unwrap();
                    client.batch_execute("VACUUM ANALYZE").await.unwrap();
                }) as _
            });
            run("PostgreSQL", pg, &template, template_org, settle).await;
            client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
        }
    });
}

//! Store benchmark on a demo-data store (100,000 cases and 20,000 released persons by
//! default): list page with a filter, 2-character name search, single fsync'd save, one
//! year's statistics table — each as median and p95, and as a ratio to a baseline measured
//! in the same run (a bare scan of the same table; for the save, a bare fsync'd insert).
//!
//! `cargo bench -p fengqiao-cli --bench store` (sizes: FENGQIAO_BENCH_DISPUTES,
//! FENGQIAO_BENCH_RELEASED). The generated store is kept under target/bench-data and reused.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use fengqiao_cli::demo::{generate, DemoOptions};
use fengqiao_model::*;
use fengqiao_store::*;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Figure {
    name: &'static str,
    median: Duration,
    p95: Duration,
    target: &'static str,
    baseline: Duration,
    baseline_name: &'static str,
}

fn measure(iterations: usize, mut f: impl FnMut(usize)) -> (Duration, Duration) {
    f(0); // warm the page cache and the statement cache
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed()
        })
        .collect();
    samples.sort();
    (samples[samples.len() / 2], samples[(samples.len() * 95).div_ceil(100) - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let disputes = env_usize("FENGQIAO_BENCH_DISPUTES", 100_000);
    let released = env_usize("FENGQIAO_BENCH_RELEASED", 20_000);
    let screenings = disputes / 20;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../target/bench-data/d{disputes}-r{released}-s{screenings}"));
    if !dir.join(DB_FILE).exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let t = Instant::now();
        let mut store = Store::init(&dir, "东山镇司法所", "350502101").unwrap();
        let options = DemoOptions { disputes, released, screenings, seed: 2026 };
        generate(&mut store, &options, |p| eprint!("\r{}", p.line())).unwrap();
        eprintln!("\ngenerated {disputes} cases, {released} released persons, {screenings} rounds in {:.1} s", t.elapsed().as_secs_f64());
    }
    let mut store = Store::open(&dir).unwrap();
    let plain = figures(&mut store);
    let cases: i64 = store.connection().query_row("SELECT count(*) FROM dispute_case", [], |r| r.get(0)).unwrap();
    let people: i64 = store.connection().query_row("SELECT count(*) FROM released_person", [], |r| r.get(0)).unwrap();
    let year = store.ctx().today.year() - 1;
    drop(store);
    let size = std::fs::metadata(dir.join(DB_FILE)).map(|m| m.len()).unwrap_or(0);
    println!("\n{cases} dispute cases, {people} released persons, database {:.0} MB; statistics year {year}\n", size as f64 / 1e6);
    print_table(&plain);

    // The same operations on the same data encrypted (SQLCipher, the office's data key): a
    // copy of the store, secured once and kept beside it.
    let secured_dir = dir.with_file_name(format!("{}-encrypted", dir.file_name().unwrap().to_string_lossy()));
    if !Store::is_secured(&secured_dir) {
        let _ = std::fs::remove_dir_all(&secured_dir);
        std::fs::create_dir_all(&secured_dir).unwrap();
        std::fs::copy(dir.join(DB_FILE), secured_dir.join(DB_FILE)).unwrap();
        let t = Instant::now();
        let mut copy = Store::open(&secured_dir).unwrap();
        copy.secure_existing(&NewAccount { name: "bench".into(), display_name: "基准".into(), role: None, password: BENCH_PASSWORD.into() }).unwrap();
        eprintln!("encrypted a copy of the store in {:.1} s", t.elapsed().as_secs_f64());
    }
    let mut secured = Store::open_secured(&secured_dir, "bench", BENCH_PASSWORD, fengqiao_store::system_clock()).unwrap();
    let encrypted = figures(&mut secured);
    println!("\nEncrypted (SQLCipher), same data, same run:\n");
    print_table(&encrypted);
    println!("\n| operation | plain median | encrypted median | encrypted ÷ plain |");
    println!("|---|---|---|---|");
    for (p, e) in plain.iter().zip(&encrypted) {
        println!("| {} | {} | {} | {:.2} |", p.name, ms(p.median), ms(e.median), e.median.as_secs_f64() / p.median.as_secs_f64());
    }
    println!(
        "| 基准：{} | {} | {} | {:.2} |",
        plain[0].baseline_name,
        ms(plain[0].baseline),
        ms(encrypted[0].baseline),
        encrypted[0].baseline.as_secs_f64() / plain[0].baseline.as_secs_f64()
    );
}

const BENCH_PASSWORD: &str = "bench-password";

fn print_table(figures: &[Figure]) {
    println!("| operation | median | p95 | target | baseline (same run) | median ÷ baseline |");
    println!("|---|---|---|---|---|---|");
    for f in figures {
        println!(
            "| {} | {} | {} | {} | {}: {} | {:.3} |",
            f.name,
            ms(f.median),
            ms(f.p95),
            f.target,
            f.baseline_name,
            ms(f.baseline),
            f.median.as_secs_f64() / f.baseline.as_secs_f64()
        );
    }
}

/// The benchmark's operations on one store, each with its baseline measured on the same store.
fn figures(store: &mut Store) -> Vec<Figure> {
    let today = store.ctx().today;

    let scan = |store: &Store, table: &str| {
        let sql = format!("SELECT sum(length(data)) FROM {table}");
        let (median, _) = measure(9, |_| {
            let _: i64 = store.connection().query_row(&sql, [], |r| r.get(0)).unwrap();
        });
        median
    };
    let case_scan = scan(store, "dispute_case");
    let released_scan = scan(store, "released_person");
    let mut figures = Vec::new();

    // A ledger page: one status and one type, newest first, paging through the first pages.
    let (median, p95) = measure(200, |i| {
        let filter = DisputeFilter {
            statuses: vec![CaseStatus::Closed, CaseStatus::Archived],
            dispute_type: Some(DisputeType::Neighborhood),
            page: 1 + (i % 5) as u32,
            page_size: 20,
            ..Default::default()
        };
        assert!(!store.list_disputes(&filter).unwrap().rows.is_empty());
    });
    figures.push(Figure {
        name: "纠纷台账一页（状态+类型筛选，20行）",
        median,
        p95,
        target: "p95 ≤ 20 ms",
        baseline: case_scan,
        baseline_name: "扫描 dispute_case",
    });

    // 2-character names that exist in the store.
    let names: Vec<String> = {
        let mut stmt = store.connection().prepare("SELECT DISTINCT name FROM person WHERE length(name) = 2 ORDER BY id LIMIT 200").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(!names.is_empty());
    let (median, p95) = measure(200, |i| {
        let filter = DisputeFilter { query: Some(names[i % names.len()].clone()), page_size: 20, ..Default::default() };
        store.list_disputes(&filter).unwrap();
    });
    figures.push(Figure {
        name: "两字姓名搜索（纠纷台账）",
        median,
        p95,
        target: "p95 ≤ 20 ms",
        baseline: case_scan,
        baseline_name: "扫描 dispute_case",
    });

    let (median, p95) = measure(200, |i| {
        let filter = ReleasedFilter { query: Some(names[(i * 7) % names.len()].clone()), page_size: 20, ..Default::default() };
        store.list_released(&filter).unwrap();
    });
    figures.push(Figure {
        name: "两字姓名搜索（安置帮教）",
        median,
        p95,
        target: "p95 ≤ 20 ms",
        baseline: released_scan,
        baseline_name: "扫描 released_person",
    });

    let (median, p95) = measure(200, |i| {
        let filter = ReleasedFilter {
            assessment_type: Some(AssessmentType::Key),
            help_status: Some(HelpStatus::Active),
            page: 1 + (i % 3) as u32,
            ..Default::default()
        };
        store.list_released(&filter).unwrap();
    });
    figures.push(Figure {
        name: "安置帮教一页（重点+在册筛选）",
        median,
        p95,
        target: "p95 ≤ 20 ms",
        baseline: released_scan,
        baseline_name: "扫描 released_person",
    });

    // One fsync'd save: record + change log + audit + search, in one transaction.
    store.connection().execute_batch("CREATE TABLE IF NOT EXISTS bench_scratch (id INTEGER PRIMARY KEY, data TEXT)").unwrap();
    let (bare, _) = measure(200, |i| {
        store.connection().execute("INSERT INTO bench_scratch (data) VALUES (?1)", [format!("{{\"n\":{i}}}")]).unwrap();
    });
    let (median, p95) = measure(200, |_| {
        store.save(Person { name: Some("测试".into()), gender: Some(Gender::Female), ..Default::default() }).unwrap();
    });
    figures.push(Figure {
        name: "保存一条记录（含变更日志、审计，fsync）",
        median,
        p95,
        target: "median ≤ 5 ms",
        baseline: bare,
        baseline_name: "裸插入一行（fsync）",
    });

    // The statistics table for the last full year.
    let year = today.year() - 1;
    let (from, to) = (NaiveDate::from_ymd_opt(year, 1, 1).unwrap(), NaiveDate::from_ymd_opt(year, 12, 31).unwrap());
    let (median, p95) = measure(20, |_| {
        let s = store.case_statistics(from, to).unwrap();
        std::hint::black_box(s);
    });
    figures.push(Figure {
        name: "一年的人民调解案件情况统计表",
        median,
        p95,
        target: "≤ 200 ms",
        baseline: case_scan,
        baseline_name: "扫描 dispute_case",
    });

    figures
}

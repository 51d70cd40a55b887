//! Renders every form of the catalogue and the bound case file for a sample case:
//! `cargo run --release -p fengqiao-documents --example catalogue_samples -- /tmp/out`
use std::time::Instant;

use fengqiao_documents::catalogue::*;
use fengqiao_documents::{layout, render, FontSet};

#[path = "../tests/common/fixture.rs"]
mod fixture;

fn main() {
    let out = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp".into()));
    std::fs::create_dir_all(&out).unwrap();
    let fonts = FontSet::shared_default();
    let fx = fixture::fixture();
    let refs = fx.refs();
    let f = &fx.file;
    let a = f.agreement.as_ref().unwrap();
    let docs = [
        ("01_cover", cover(f, &refs)),
        ("02_application", application(f, &refs)),
        ("03_intake", intake_register(f, &refs)),
        ("04_rights", rights_notice(f, &refs)),
        ("05_investigation", investigation(f, &f.investigations[0], &refs)),
        ("06_session", session(f, &f.sessions[0], &refs)),
        ("07_agreement", agreement(f, a, &refs)),
        ("08_oral", oral_agreement(f, a, &refs)),
        ("09_visit", return_visit(f, &f.return_visits[0], &refs)),
        ("10_jc", judicial_confirmation_application(f, a, &refs)),
    ];
    let office = fixture::office();
    let refs2 = Refs { office: Some(&office), ..fx.refs() };
    let released = fixture::released();
    let rounds = fixture::rounds();
    let period = Period { from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), to: chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap() };
    let docs: Vec<(&str, fengqiao_documents::Document)> = docs
        .into_iter()
        .chain([
            ("11_dispute_ledger", dispute_ledger(std::slice::from_ref(f), period, &refs2)),
            ("12_statistics", statistics_table(&fixture::statistics())),
            ("13_screening_ledger", screening_ledger(&rounds, period, &refs2)),
            ("14_zero_report", zero_report(&rounds[1], &refs2)),
            ("15_released_register", released_register(&released, &refs2)),
            ("16_help_agreement", help_agreement(&released, &refs2)),
            ("17_help_record", help_record(&released, released.help_visits.first(), &refs2)),
            ("18_handover_sheet", handover_sheet(&released, &refs2)),
        ])
        .collect();
    let mut total_pages = 0;
    let mut total_bytes = 0;
    let t = Instant::now();
    for (name, doc) in &docs {
        let bytes = render(doc, fonts).unwrap();
        let pages = layout(doc, fonts).unwrap().pages.len();
        println!("{name}: {pages} 页, {} 字节", bytes.len());
        total_pages += pages;
        total_bytes += bytes.len();
        std::fs::write(out.join(format!("{name}.pdf")), bytes).unwrap();
    }
    let ms = t.elapsed().as_secs_f64() * 1e3;
    println!("单份文书: {total_pages} 页, {:.1} ms/页 (含一次排版核对), {} 字节/页", ms / total_pages as f64, total_bytes / total_pages);
    let t = Instant::now();
    let bound = case_file(f, &refs, fonts).unwrap();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    println!("卷宗: {} 页, {} 字节, {:.1} ms ({:.1} ms/页)", bound.sheets, bound.pdf.len(), ms, ms / bound.sheets as f64);
    for p in &bound.parts {
        println!("  {:<24} 第{}张 {}页 页号{}", p.name, p.first_sheet, p.pages, p.page_range());
    }
    std::fs::write(out.join("case_file.pdf"), &bound.pdf).unwrap();
}

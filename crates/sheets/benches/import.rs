//! Importing a 50,000-row 调解台账 (`FENGQIAO_BENCH_ROWS` to change): read with calamine,
//! plan (clean, map, check every row), commit in one transaction; then the same workbook
//! again (every row found already imported). Prints each phase and rows per second.
//!
//! cargo bench -p fengqiao-sheets --bench import

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use fengqiao_model::*;
use fengqiao_sheets::{commit, plan, read_file, ImportOptions, Mapping, RowStatus};
use fengqiao_store::Store;
use rust_xlsxwriter::{Format, Workbook};

const TYPES: [&str; 8] = ["邻里", "婚姻家庭", "土地", "合同纠纷", "损害赔偿", "宅基地", "交通事故", "拖欠农民工工资"];
const SURNAMES: &str = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红";

fn name(i: usize) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    let g: Vec<char> = GIVEN.chars().collect();
    format!("{}{}{}", s[i % s.len()], g[(i / 7) % g.len()], if i % 3 == 0 { g[(i / 11) % g.len()].to_string() } else { String::new() })
}

fn make_workbook(path: &std::path::Path, rows: usize) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 6, "某镇矛盾纠纷调解台账", &Format::new()).unwrap();
    for (c, h) in ["序号", "编号", "当事人", "纠纷类型", "受理日期", "调解结果", "纠纷简要情况"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        let r = (i + 2) as u32;
        let year = 2016 + (i % 9);
        let (m, d) = (1 + (i % 12), 1 + (i % 28));
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, format!("（{year}）某镇调字第{}号", i + 1)).unwrap();
        ws.write_string(r, 2, format!("{}、{}", name(i), name(i + 17))).unwrap();
        ws.write_string(r, 3, TYPES[i % TYPES.len()]).unwrap();
        match i % 4 {
            0 => ws.write_string(r, 4, format!("{year}.{m}.{d}")).unwrap(),
            1 => ws.write_string(r, 4, format!("{year}年{m}月{d}日")).unwrap(),
            2 => ws.write_number(r, 4, (year * 10000 + m * 100 + d) as f64).unwrap(),
            _ => ws.write_string(r, 4, format!("{year}/{m}/{d}")).unwrap(),
        };
        ws.write_string(r, 5, if i % 20 == 0 { "调解不成功" } else { "调解成功" }).unwrap();
        ws.write_string(r, 6, "双方因琐事发生争执，经调解达成一致").unwrap();
    }
    wb.save(path).unwrap();
}

fn main() {
    let rows: usize = std::env::var("FENGQIAO_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("ledger-{rows}.xlsx"));
    if !path.exists() {
        let t = Instant::now();
        make_workbook(&path, rows);
        eprintln!("生成工作簿（{rows}行）：{:.1} s", t.elapsed().as_secs_f64());
    }
    let bytes = std::fs::metadata(&path).unwrap().len();

    let tmp = tempfile::tempdir().unwrap();
    let clock: fengqiao_store::Clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap());
    let mut store = Store::init_with_clock(tmp.path(), "某镇司法所", "350502101", clock).unwrap();
    let committee = store
        .save(Organization {
            name: Some("某镇人民调解委员会".into()),
            org_type: Some(OrgType::MediationCommittee),
            committee_type: Some(CommitteeType::Township),
            division_code: Some("350502101".into()),
            number_prefix: Some("某镇".into()),
            ..Default::default()
        })
        .unwrap()
        .record;
    store
        .save(Mediator {
            name: Some("王调解".into()),
            gender: Some(Gender::Female),
            committee_id: Some(committee.meta.id),
            role: Some(MediatorRole::Director),
            ..Default::default()
        })
        .unwrap();

    let total = Instant::now();
    let t = Instant::now();
    let grids = read_file(&path).unwrap();
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let p = plan(&store, &grids, &Mapping::default(), &ImportOptions::default()).unwrap();
    let planned = t.elapsed().as_secs_f64();
    assert_eq!(p.count(RowStatus::New), rows, "{:?}", p.rows.iter().find(|r| r.status != RowStatus::New));
    let t = Instant::now();
    let report = commit(&mut store, &p).unwrap();
    let committed = t.elapsed().as_secs_f64();
    let all = total.elapsed().as_secs_f64();

    let t = Instant::now();
    let grids = read_file(&path).unwrap();
    let again = plan(&store, &grids, &Mapping::default(), &ImportOptions::default()).unwrap();
    let second = t.elapsed().as_secs_f64();
    assert_eq!(again.count(RowStatus::Existing), rows);

    println!("Excel导入：{rows}行，文件{:.1} MB", bytes as f64 / 1048576.0);
    println!("  读取（calamine）   {read:>7.2} s  {:>8.0} 行/秒", rows as f64 / read);
    println!("  预览（清洗、映射、校验）{planned:>7.2} s  {:>8.0} 行/秒", rows as f64 / planned);
    println!(
        "  写入（一个事务，{}条记录）{committed:>7.2} s  {:>8.0} 行/秒，{:.0} 条记录/秒",
        report.records,
        rows as f64 / committed,
        report.records as f64 / committed
    );
    println!("  合计               {all:>7.2} s  {:>8.0} 行/秒", rows as f64 / all);
    println!("  再次导入（全部已存在，读取+预览）{second:>7.2} s  {:>8.0} 行/秒", rows as f64 / second);
}

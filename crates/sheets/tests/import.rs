//! Messy ledgers made here with rust_xlsxwriter, as offices keep them: title rows above the
//! header, two header rows with merged cells, dates and ID numbers written every way, bad
//! rows, totals and blank rows at the bottom. The right rows are imported, the right ones
//! refused with the right reasons, nothing is written by a preview, nothing twice.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use fengqiao_model::*;
use fengqiao_sheets::*;
use fengqiao_store::Store;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

struct Fx {
    _dir: tempfile::TempDir,
    store: Store,
}

fn fx() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let clock: fengqiao_store::Clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap());
    let mut store = Store::init_with_clock(dir.path(), "东山镇司法所", "350502101", clock).unwrap();
    store.set_actor("测试员");
    let committee = store
        .save(Organization {
            name: Some("东山镇人民调解委员会".into()),
            org_type: Some(OrgType::MediationCommittee),
            committee_type: Some(CommitteeType::Township),
            division_code: Some("350502101".into()),
            number_prefix: Some("东山".into()),
            ..Default::default()
        })
        .unwrap()
        .record;
    store
        .save(Organization {
            name: Some("东山村人民调解委员会".into()),
            org_type: Some(OrgType::MediationCommittee),
            committee_type: Some(CommitteeType::Village),
            division_code: Some("350502101001".into()),
            number_prefix: Some("东山村".into()),
            ..Default::default()
        })
        .unwrap();
    store
        .save(Mediator {
            name: Some("王调解".into()),
            gender: Some(Gender::Female),
            committee_id: Some(committee.meta.id),
            role: Some(MediatorRole::Director),
            ..Default::default()
        })
        .unwrap();
    Fx { _dir: dir, store }
}

fn count(store: &Store, table: &str) -> i64 {
    store.connection().query_row(&format!("SELECT count(*) FROM {table} WHERE deleted = 0"), [], |r| r.get(0)).unwrap()
}

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn id(area: &str, birth: &str, seq: &str) -> String {
    let first = format!("{area}{birth}{seq}");
    format!("{first}{}", id_number::check_character(&first).unwrap())
}

fn full_width(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap() } else { c }).collect()
}

/// Writes a row of strings (empty strings are left blank).
fn row(ws: &mut Worksheet, r: u32, cells: &[&str]) {
    for (c, v) in cells.iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(r, c as u16, *v).unwrap();
        }
    }
}

fn date_cell(ws: &mut Worksheet, r: u32, c: u16, day: NaiveDate) {
    use chrono::Datelike;
    let x = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8).unwrap();
    ws.write_datetime_with_format(r, c, x, &Format::new().set_num_format("yyyy年m月d日")).unwrap();
}

fn plan_of(store: &Store, bytes: Vec<u8>, mapping: &Mapping) -> Plan {
    let grids = read_bytes(bytes).unwrap();
    plan(store, &grids, mapping, &ImportOptions::default()).unwrap()
}

fn row_of(p: &Plan, n: usize) -> &RowPlan {
    p.rows.iter().find(|r| r.row == n).unwrap_or_else(|| panic!("no row {n}: {:#?}", p.rows))
}

/// A 调解台账 with a title, a 填报单位 line, and a two-row header with merged cells.
fn dispute_ledger() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("2024年台账").unwrap();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 8, "东山镇人民调解委员会矛盾纠纷调解台账（2024年）", &f).unwrap();
    ws.write_string(1, 0, "填报单位：东山镇司法所").unwrap();
    ws.merge_range(2, 0, 3, 0, "序号", &f).unwrap();
    ws.merge_range(2, 1, 3, 1, "编  号", &f).unwrap();
    ws.merge_range(2, 2, 2, 3, "当事人", &f).unwrap();
    ws.merge_range(2, 4, 3, 4, "纠纷类型", &f).unwrap();
    ws.merge_range(2, 5, 2, 6, "日期", &f).unwrap();
    ws.merge_range(2, 7, 3, 7, "调解结果", &f).unwrap();
    ws.merge_range(2, 8, 3, 8, "纠纷简要情况", &f).unwrap();
    row(ws, 3, &["", "", "申请人", "被申请人", "", "受理", "结案"]);
    // Row 5: dotted dates.
    row(ws, 4, &["1", "（2024）东山调字第1号", "张伟", "李娜", "邻里", "2024.5.6", "2024年5月20日", "调解成功", "因相邻通行发生争执"]);
    // Row 6: a padded name, a yyyymmdd number and an Excel date serial.
    row(ws, 5, &["2", "(2024)东山调字第2号", "王 芳", "赵强", "婚姻家庭", "", "", "达成协议", "离婚后子女抚养费"]);
    ws.write_number(5, 5, 20240612.0).unwrap();
    ws.write_number(5, 6, 45474.0).unwrap();
    // Row 7: still open (no result); the date is a real date cell.
    row(ws, 6, &["3", "（2024）东山调字第3号", "刘洋", "陈静、陈明", "土地", "", "", "", "承包地地界不清"]);
    date_cell(ws, 6, 5, d(2024, 7, 8));
    // Bad rows.
    row(ws, 7, &["4", "（2024）东山调字第4号", "孙丽", "周杰", "吵架", "2024-08-01", "", "", "口角"]);
    row(ws, 8, &["5", "", "钱多", "吴用", "合同", "2024/9/1", "", "", "借款未还"]);
    row(ws, 9, &["6", "（2024）东山调字第6号", "郑一", "冯二", "邻里纠纷", "2024.13.1", "", "", "排水"]);
    row(ws, 10, &["7", "（2024）东山调字第1号", "张伟", "李娜", "邻里", "2024.5.6", "", "", "重复登记"]);
    row(ws, 11, &["8", "（2024）东山调字第8号", "", "", "邻里", "2024.5.6", "", "", "没有当事人"]);
    // Blank rows, a total, formatted blank rows at the bottom.
    row(ws, 14, &["合计：8件"]);
    for r in 15..40 {
        ws.write_blank(r, 1, &Format::new().set_bold()).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_dispute_ledger_with_titles_and_a_two_row_header() {
    let mut fx = fx();
    let bytes = dispute_ledger();
    let p = plan_of(&fx.store, bytes.clone(), &Mapping::default());
    assert_eq!(p.header.kind, LedgerKind::Disputes);
    assert_eq!((p.header.first_row, p.header.last_row), (2, 3), "{:#?}", p.header);
    let field = |letter: &str| p.header.columns.iter().find(|c| c.letter == letter).and_then(|c| c.field);
    assert_eq!(field("B"), Some("case_no"));
    assert_eq!(field("C"), Some("applicant"));
    assert_eq!(field("D"), Some("respondent"));
    assert_eq!(field("F"), Some("accepted_on"));
    assert_eq!(field("G"), Some("closed_on"));
    assert_eq!(field("A"), None);
    assert_eq!(p.skipped_rows, vec![15]);
    assert_eq!(p.rows.len(), 8, "{:#?}", p.rows);
    for n in [5, 6, 7] {
        assert_eq!(row_of(&p, n).status, RowStatus::New, "{:#?}", row_of(&p, n));
    }
    let reasons = |n| row_of(&p, n).problems.join("；");
    assert_eq!(row_of(&p, 8).status, RowStatus::Rejected);
    assert!(reasons(8).contains("纠纷类型“吵架”无法识别"), "{}", reasons(8));
    assert!(reasons(9).contains("编号：必须填写") || reasons(9).contains("编  号”：必须填写"), "{}", reasons(9));
    assert!(reasons(10).contains("“2024.13.1”"), "{}", reasons(10));
    assert!(reasons(11).contains("与第5行编号重复"), "{}", reasons(11));
    assert!(reasons(12).contains("当事人：必须填写"), "{}", reasons(12));
    assert!(p.notes.iter().any(|n| n.contains("依申请调解")), "{:?}", p.notes);

    // A preview writes nothing.
    assert_eq!(count(&fx.store, "dispute_case"), 0);
    let (changes, _) = fx.store.log_counts().unwrap();

    let report = commit(&mut fx.store, &p).unwrap();
    assert_eq!((report.imported, report.existing, report.rejected.len()), (3, 0, 5));
    assert_eq!(count(&fx.store, "dispute_case"), 3);
    assert_eq!(count(&fx.store, "case_party"), 7);
    assert_eq!(count(&fx.store, "person"), 7);
    let cases = fx.store.all::<DisputeCase>().unwrap();
    let by_no = |n: &str| cases.iter().find(|c| c.case_no.as_deref() == Some(n)).unwrap().clone();
    let one = by_no("（2024）东山调字第1号");
    assert_eq!(
        (one.status, one.result, one.accepted_on, one.closed_on),
        (CaseStatus::Closed, Some(MediationResult::Success), Some(d(2024, 5, 6)), Some(d(2024, 5, 20)))
    );
    assert_eq!(one.dispute_type, Some(DisputeType::Neighborhood));
    assert_eq!(one.title.as_deref(), Some("张伟与李娜邻里纠纷"));
    let file = fx.store.case_file(one.meta.id).unwrap();
    assert_eq!(
        file.parties.iter().map(|p| (p.name().to_string(), p.party.role, p.party.side.clone())).collect::<Vec<_>>(),
        vec![
            ("张伟".to_string(), Some(PartyRole::Applicant), Some("甲".to_string())),
            ("李娜".to_string(), Some(PartyRole::Respondent), Some("乙".to_string())),
        ]
    );
    // "(2024)" with ASCII brackets is written as the register writes it; the name padding is gone.
    let two = by_no("（2024）东山调字第2号");
    assert_eq!((two.accepted_on, two.closed_on), (Some(d(2024, 6, 12)), Some(d(2024, 7, 1))));
    assert_eq!(two.dispute_type, Some(DisputeType::MarriageFamily));
    assert_eq!(fx.store.case_file(two.meta.id).unwrap().parties[0].name(), "王芳");
    let three = by_no("（2024）东山调字第3号");
    assert_eq!((three.status, three.accepted_on, three.dispute_type), (CaseStatus::Accepted, Some(d(2024, 7, 8)), Some(DisputeType::ForestLand)));
    assert_eq!(fx.store.case_file(three.meta.id).unwrap().parties.len(), 3);
    // Imported numbers are registered, never issued again.
    assert!(fx.store.case_numbers(three.committee_id.unwrap(), 2024).unwrap().iter().any(|(seq, ..)| *seq == 3));

    // The same sheet again: nothing new.
    let again = plan_of(&fx.store, bytes, &Mapping::default());
    assert_eq!((again.count(RowStatus::New), again.count(RowStatus::Existing), again.count(RowStatus::Rejected)), (0, 3, 5));
    let (changes_before, _) = fx.store.log_counts().unwrap();
    assert!(changes_before > changes);
    let report = commit(&mut fx.store, &again).unwrap();
    assert_eq!((report.imported, report.existing, report.records), (0, 3, 0));
    assert_eq!(count(&fx.store, "dispute_case"), 3);
    assert_eq!(count(&fx.store, "person"), 7);
    assert_eq!(fx.store.log_counts().unwrap().0, changes_before);
}

#[test]
fn commit_is_all_or_nothing() {
    let mut fx = fx();
    let p = plan_of(&fx.store, dispute_ledger(), &Mapping::default());
    // After the preview, someone enters case 3's number by hand: the import must not half-run.
    let committee = fx.store.all::<Organization>().unwrap().into_iter().find(|o| o.committee_type == Some(CommitteeType::Township)).unwrap();
    let mediator = fx.store.all::<Mediator>().unwrap()[0].meta.id;
    fx.store
        .batch(|b| {
            b.save(DisputeCase {
                case_no: Some("（2024）东山调字第3号".into()),
                committee_id: Some(committee.meta.id),
                accepted_on: Some(d(2024, 7, 8)),
                source: Some(CaseSource::Proactive),
                dispute_type: Some(DisputeType::Other),
                title: Some("手工登记".into()),
                summary: Some("手工登记".into()),
                lead_mediator_id: Some(mediator),
                status: CaseStatus::Accepted,
                ..Default::default()
            })
        })
        .unwrap();
    let err = commit(&mut fx.store, &p).unwrap_err();
    assert!(err.to_string().contains("第7行"), "{err}");
    assert_eq!(count(&fx.store, "dispute_case"), 1);
    assert_eq!(count(&fx.store, "person"), 0);
}

#[test]
fn released_persons_with_id_numbers_as_people_type_them() {
    let mut fx = fx();
    let chen = id("350502", "19850310", "011");
    // A number whose check character is X, typed in lower case.
    let lin = (0..1000).map(|s| id("350502", "19900715", &format!("{:03}", s * 2 % 1000))).find(|i| i.ends_with('X')).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("帮教对象").unwrap();
    ws.merge_range(0, 0, 0, 9, "东山镇刑满释放人员安置帮教台账", &Format::new()).unwrap();
    row(ws, 1, &["姓名", "性别", "公民身份号码", "罪名", "刑期", "服刑场所", "刑满释放日期", "帮教类别", "衔接日期", "是否累犯"]);
    row(
        ws,
        2,
        &[
            "陈刚",
            "男",
            &format!("{} {} {}", full_width(&chen[..6]), &chen[6..14], &chen[14..]),
            "盗窃罪",
            "有期徒刑3年6个月",
            "福建省某监狱",
            "2024.3.1",
            "重点",
            "2024年3月1日",
            "否",
        ],
    );
    row(ws, 3, &["林芳", "女", &lin.to_lowercase(), "诈骗罪", "有期徒刑2年", "福建省某女子监狱", "", "一般", "", "否"]);
    date_cell(ws, 3, 6, d(2025, 1, 15));
    row(ws, 4, &["黄海", "男", "350502800101001", "故意伤害罪", "有期徒刑1年", "某看守所", "20230901", "一般", "", ""]);
    // Stored as a number by Excel: the last digits are gone.
    row(ws, 5, &["李四", "男", "", "盗窃罪", "有期徒刑1年", "某监狱", "2024-01-01", "一般", "", ""]);
    ws.write_number(5, 2, 350502198001010016.0).unwrap();
    let bad_check = format!("{}{}", &chen[..17], if chen.ends_with('1') { '2' } else { '1' });
    row(ws, 6, &["王五", "男", &bad_check, "盗窃罪", "有期徒刑1年", "某监狱", "2024-01-01", "一般", "", ""]);
    row(ws, 7, &["赵六", "女", &id("350502", "19800101", "013"), "盗窃罪", "有期徒刑1年", "某监狱", "2024-01-01", "一般", "", ""]);
    row(ws, 8, &["孙七", "男", &id("350502", "19800101", "015"), "盗窃罪", "有期徒刑1年", "某监狱", "", "一般", "", ""]);
    let bytes = wb.save_to_buffer().unwrap();

    let p = plan_of(&fx.store, bytes.clone(), &Mapping::default());
    assert_eq!(p.header.kind, LedgerKind::Released);
    assert_eq!(p.header.last_row, 1);
    for n in [3, 4, 5] {
        assert_eq!(row_of(&p, n).status, RowStatus::New, "{:#?}", row_of(&p, n));
    }
    assert!(row_of(&p, 5).warnings.iter().any(|w| w.contains("15位号码已转换为18位")), "{:?}", row_of(&p, 5).warnings);
    let reasons = |n| row_of(&p, n).problems.join("；");
    assert!(reasons(6).contains("身份证号被Excel存成了数字"), "{}", reasons(6));
    assert!(reasons(7).contains("最后一位应为"), "{}", reasons(7));
    assert!(reasons(8).contains("性别") && reasons(8).contains("与公民身份号码不符"), "{}", reasons(8));
    assert!(reasons(9).contains("刑满释放日期”：必须填写"), "{}", reasons(9));
    let report = commit(&mut fx.store, &p).unwrap();
    assert_eq!((report.imported, report.rejected.len()), (3, 4));

    let people = fx.store.all::<Person>().unwrap();
    let numbers: Vec<&str> = people.iter().filter_map(|p| p.id_number.as_deref()).collect();
    assert!(numbers.contains(&chen.as_str()));
    assert!(numbers.contains(&lin.as_str()), "{numbers:?} {lin}");
    assert!(numbers.contains(&"35050219800101001X") || numbers.iter().any(|n| n.starts_with("35050219800101001")));
    let released = fx.store.all::<ReleasedPerson>().unwrap();
    let r = released.iter().find(|r| r.released_on == Some(d(2024, 3, 1))).unwrap();
    assert_eq!((r.assessment_type, r.handover_status, r.sentence_months), (Some(AssessmentType::Key), Some(HandoverStatus::Done), Some(42)));
    assert_eq!(r.help_period_end, Some(d(2029, 2, 28)));
    assert!(released.iter().any(|r| r.released_on == Some(d(2025, 1, 15))));

    // Again: nothing twice.
    let again = plan_of(&fx.store, bytes, &Mapping::default());
    assert_eq!(again.count(RowStatus::Existing), 3);
    commit(&mut fx.store, &again).unwrap();
    assert_eq!(count(&fx.store, "released_person"), 3);
    assert_eq!(count(&fx.store, "person"), 3);

    // Exported with masked numbers, dates as date cells.
    let (xlsx, n) = export_xlsx(&fx.store, ExportKind::Released, &ExportOptions { mask_ids: true }).unwrap();
    assert_eq!(n, 3);
    let grids = read_bytes(xlsx).unwrap();
    let g = &grids[0];
    assert_eq!(g.name, "安置帮教台账");
    let headers: Vec<String> = g.rows[1].iter().filter_map(fengqiao_sheets::clean::text).collect();
    assert_eq!(&headers[..3], ["姓名", "性别", "公民身份号码"]);
    let masked: Vec<String> = (2..5).filter_map(|r| fengqiao_sheets::clean::text(g.cell(r, 2))).collect();
    assert!(masked.iter().all(|m| m.contains("********")), "{masked:?}");
    assert!((2..5).any(|r| *g.cell(r, 6) == Cell::Date(d(2024, 3, 1))), "{:?}", g.rows);
}

#[test]
fn screening_items_are_grouped_into_rounds_per_unit_and_period() {
    let mut fx = fx();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 6, "2026年矛盾纠纷排查登记台账", &Format::new()).unwrap();
    row(ws, 2, &["排查日期", "村（居）", "当事人", "纠纷类型", "涉及人数", "纠纷简要情况", "化解结果"]);
    row(ws, 3, &["2026.10.3", "东山村", "张三、李四", "宅基地", "2", "宅基地界址争议", "已化解"]);
    row(ws, 4, &["2026.10.12", "东山村", "王五、赵六", "邻里", "2人", "噪音扰民", "化解中"]);
    row(ws, 5, &["2026.10.20", "东山村", "钱七、孙八", "婚姻", "", "家庭矛盾", "未化解"]);
    row(ws, 6, &["2026年10月25日", "东山镇", "某公司、工人", "拖欠工资", "12", "拖欠工资", "移交调委会"]);
    row(ws, 7, &["2026.10.26", "东山村", "周九、吴十", "打架斗殴", "2", "酒后冲突", "未化解"]);
    let bytes = wb.save_to_buffer().unwrap();
    let p = plan_of(&fx.store, bytes.clone(), &Mapping::default());
    assert_eq!(p.header.kind, LedgerKind::Screenings);
    assert_eq!(p.count(RowStatus::New), 4, "{:#?}", p.rows);
    assert!(row_of(&p, 8).problems.join("").contains("纠纷类型“打架斗殴”无法识别"));
    commit(&mut fx.store, &p).unwrap();
    let rounds = fx.store.all::<ScreeningRound>().unwrap();
    let mut periods: Vec<(String, NaiveDate, NaiveDate, i64)> =
        rounds.iter().map(|r| (r.unit_name.clone().unwrap(), r.period_start.unwrap(), r.period_end.unwrap(), r.found_count)).collect();
    periods.sort();
    assert_eq!(
        periods,
        vec![
            ("东山村".to_string(), d(2026, 10, 1), d(2026, 10, 15), 2),
            ("东山村".to_string(), d(2026, 10, 16), d(2026, 10, 31), 1),
            ("东山镇".to_string(), d(2026, 10, 1), d(2026, 10, 31), 1),
        ]
    );
    let village = rounds.iter().find(|r| r.unit_name.as_deref() == Some("东山村")).unwrap();
    assert_eq!(village.period_type, Some(PeriodType::HalfMonth));
    assert_eq!(village.unit_division_code.as_deref(), Some("350502101001"));
    let items = fx.store.all::<ScreeningItem>().unwrap();
    let wage = items.iter().find(|i| i.summary.as_deref() == Some("拖欠工资")).unwrap();
    assert_eq!((wage.dispute_type, wage.status, wage.people_involved), (Some(DisputeType::LaborWageArrears), Some(ItemStatus::Referred), Some(12)));
    assert_eq!(items.iter().find(|i| i.summary.as_deref() == Some("家庭矛盾")).unwrap().people_involved, Some(2));

    let again = plan_of(&fx.store, bytes, &Mapping::default());
    assert_eq!(again.count(RowStatus::Existing), 4);
    commit(&mut fx.store, &again).unwrap();
    assert_eq!(count(&fx.store, "screening_item"), 4);
    assert_eq!(count(&fx.store, "screening_round"), 3);

    // Export: rounds and items, the items sheet with the import's own headers.
    let (xlsx, _) = export_xlsx(&fx.store, ExportKind::Screenings, &ExportOptions::default()).unwrap();
    let grids = read_bytes(xlsx).unwrap();
    assert_eq!(grids.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), vec!["排查记录", "排查登记"]);
    let mut other = self::fx();
    let back = plan(&other.store, &grids, &Mapping { sheet: Some("排查登记".into()), ..Default::default() }, &ImportOptions::default()).unwrap();
    assert_eq!(back.count(RowStatus::New), 4, "{:#?}", back.rows);
    commit(&mut other.store, &back).unwrap();
    assert_eq!(count(&other.store, "screening_item"), 4);
}

#[test]
fn a_mapping_corrects_what_was_guessed() {
    let fx = fx();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    row(ws, 0, &["案卷号", "甲方姓名", "乙方姓名", "收案时间", "纠纷性质", "备注"]);
    row(ws, 1, &["（2025）东山调字第9号", "张伟", "李娜", "2025.3.2", "邻里", "无"]);
    let bytes = wb.save_to_buffer().unwrap();
    let grids = read_bytes(bytes).unwrap();
    let err = plan(&fx.store, &grids, &Mapping { kind: Some(LedgerKind::Disputes), ..Default::default() }, &ImportOptions::default()).unwrap_err();
    assert!(matches!(&err, SheetError::MissingColumns(m) if m.contains(&"纠纷类型")), "{err}");
    let mapping: Mapping = serde_json::from_str(
        r#"{"kind": "disputes", "columns": {"纠纷性质": "dispute_type", "收案时间": "accepted_on", "F": null, "甲方姓名": "applicant"}}"#,
    )
    .unwrap();
    let p = plan(&fx.store, &grids, &mapping, &ImportOptions::default()).unwrap();
    assert_eq!(p.header.column_of("dispute_type"), Some(4));
    assert!(p.header.columns.iter().find(|c| c.letter == "E").unwrap().from_mapping);
    assert_eq!(p.rows[0].status, RowStatus::New, "{:#?}", p.rows);
    assert_eq!(p.rows[0].row, 2);
    let bad: Mapping = serde_json::from_str(r#"{"columns": {"不存在的列": "dispute_type"}}"#).unwrap();
    assert!(plan(&fx.store, &grids, &bad, &ImportOptions::default()).unwrap_err().to_string().contains("“不存在的列”在表头中找不到"));
    let bad: Mapping = serde_json::from_str(r#"{"kind": "disputes", "columns": {"E": "kind_of_thing"}}"#).unwrap();
    assert!(plan(&fx.store, &grids, &bad, &ImportOptions::default()).unwrap_err().to_string().contains("不是纠纷调解台账的字段"));
    // The header row can be named when nothing on it looks like a header.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    row(ws, 0, &["说明：本表自2025年起使用"]);
    row(ws, 1, &["A1", "B1", "C1", "D1", "E1"]);
    row(ws, 2, &["（2025）东山调字第9号", "张伟、李娜", "2025.3.2", "邻里", "通行"]);
    let grids = read_bytes(wb.save_to_buffer().unwrap()).unwrap();
    let mapping: Mapping = serde_json::from_str(
        r#"{"kind": "disputes", "header_row": 2, "columns": {"A": "case_no", "B": "parties", "C": "accepted_on", "D": "dispute_type", "E": "summary"}}"#,
    )
    .unwrap();
    let p = plan(&fx.store, &grids, &mapping, &ImportOptions::default()).unwrap();
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.rows[0].status, RowStatus::New, "{:#?}", p.rows);
}

#[test]
fn disputes_export_to_xlsx_and_import_back() {
    let mut fx = fx();
    let p = plan_of(&fx.store, dispute_ledger(), &Mapping::default());
    commit(&mut fx.store, &p).unwrap();
    let (xlsx, n) = export_xlsx(&fx.store, ExportKind::Disputes, &ExportOptions::default()).unwrap();
    assert_eq!(n, 3);
    let grids = read_bytes(xlsx).unwrap();
    let g = &grids[0];
    assert_eq!(fengqiao_sheets::clean::text(g.cell(0, 0)).unwrap(), "东山镇司法所矛盾纠纷调解台账");
    assert_eq!(fengqiao_sheets::clean::text(g.cell(1, 1)).unwrap(), "受理日期");
    assert_eq!(*g.cell(2, 1), Cell::Date(d(2024, 5, 6)));
    let mut other = self::fx();
    let back = plan(&other.store, &grids, &Mapping::default(), &ImportOptions::default()).unwrap();
    assert_eq!(back.count(RowStatus::New), 3, "{:#?}", back.rows);
    commit(&mut other.store, &back).unwrap();
    let mut a: Vec<_> =
        fx.store.all::<DisputeCase>().unwrap().into_iter().map(|c| (c.case_no, c.accepted_on, c.status, c.dispute_type, c.result)).collect();
    let mut b: Vec<_> =
        other.store.all::<DisputeCase>().unwrap().into_iter().map(|c| (c.case_no, c.accepted_on, c.status, c.dispute_type, c.result)).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

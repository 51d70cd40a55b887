//! 导入Excel and 导出Excel through the app's commands, with a workbook made here: the columns
//! as guessed and as the clerk corrects them, each row's problems, 取消 writing nothing, 导入
//! writing every accepted row at once, and a second import finding them all there.

mod common;

use common::*;
use fengqiao_app::cases::{list_cases, LedgerQuery};
use fengqiao_app::excel::*;
use rust_xlsxwriter::Workbook;

fn row(ws: &mut rust_xlsxwriter::Worksheet, r: u32, cells: &[&str]) {
    for (c, v) in cells.iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(r, c as u16, *v).unwrap();
        }
    }
}

/// An office's ledger: a title, a header whose 纠纷性质 the app does not know, four cases
/// (one with an impossible date) and a 合计 row.
fn ledger(dir: &std::path::Path) -> String {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("2024年台账").unwrap();
    row(ws, 0, &["东山镇矛盾纠纷调解台账"]);
    row(ws, 1, &["序号", "案卷号", "当事人", "受理日期", "纠纷性质", "调解结果", "备注"]);
    row(ws, 2, &["1", "（2024）东山调字第1号", "张伟、李娜", "2024.5.6", "邻里", "调解成功", ""]);
    row(ws, 3, &["2", "（2024）东山调字第2号", "王芳、赵强", "2024年6月3日", "婚姻家庭", "调解成功", ""]);
    row(ws, 4, &["3", "（2024）东山调字第3号", "刘洋、陈静", "2024.13.1", "土地", "", "日期写错"]);
    row(ws, 5, &["4", "（2024）东山调字第4号", "孙丽、周杰", "20240801", "合同", "调解成功", ""]);
    row(ws, 7, &["合计：4件"]);
    let path = dir.join("台账.xlsx");
    wb.save(&path).unwrap();
    path.display().to_string()
}

fn input(path: &str, columns: Vec<ColumnChoice>) -> ImportInput {
    ImportInput { ledger: Ledger::Disputes, path: path.into(), sheet: None, columns }
}

fn cases(app: &App) -> i64 {
    list_cases(&app.state, LedgerQuery::default()).unwrap().total
}

#[test]
fn preview_corrected_mapping_cancel_and_import() {
    let app = ready();
    let path = ledger(app.dir.path());

    // As guessed: 纠纷性质 is not known, so 纠纷类型 is missing and nothing can be imported.
    let p = import_preview(&app.state, input(&path, vec![])).unwrap();
    assert_eq!(p.token, None);
    assert_eq!(p.missing, ["纠纷类型"]);
    assert_eq!((p.sheet.as_str(), p.header_rows.as_str()), ("2024年台账", "第2行"));
    let col = |p: &ImportPreview, letter: &str| p.columns.iter().find(|c| c.letter == letter).cloned().unwrap();
    assert_eq!(col(&p, "B").field.as_deref(), Some("case_no"));
    assert_eq!(col(&p, "D").field_label.as_deref(), Some("受理日期"));
    assert_eq!(col(&p, "E").field, None);
    assert!(p.rows.is_empty());
    assert!(p.fields.iter().any(|f| f.code == "dispute_type" && f.label == "纠纷类型" && f.required));

    // The clerk maps E to 纠纷类型: every row with its problems.
    let fix = vec![ColumnChoice { letter: "E".into(), field: Some("dispute_type".into()) }];
    let p = import_preview(&app.state, input(&path, fix.clone())).unwrap();
    assert!(p.missing.is_empty());
    assert!(col(&p, "E").from_mapping);
    let token = p.token.expect("importable");
    let status: Vec<(usize, &str)> = p.rows.iter().map(|r| (r.row, r.status.as_str())).collect();
    assert_eq!(status, [(3, "new"), (4, "new"), (5, "rejected"), (6, "new")]);
    assert_eq!(p.rows[2].problems, ["D列“受理日期”：“2024.13.1”这一天不存在"]);
    assert_eq!(p.rows[2].status_label, "不导入");
    assert_eq!((p.new_rows, p.existing_rows, p.rejected_rows), (3, 0, 1));
    assert_eq!(p.skipped_rows, [8]);

    // 取消: nothing written, and the preview cannot be imported afterwards.
    import_cancel(&app.state, token).unwrap();
    assert_eq!(cases(&app), 0);
    let err = import_commit(&app.state, token).unwrap_err();
    assert!(err.message.contains("预览已失效"), "{}", err.message);
    assert_eq!(cases(&app), 0);

    // A new preview replaces the one before: only the latest can be imported.
    let older = import_preview(&app.state, input(&path, fix.clone())).unwrap().token.unwrap();
    let latest = import_preview(&app.state, input(&path, fix.clone())).unwrap().token.unwrap();
    assert!(import_commit(&app.state, older).is_err());
    assert_eq!(cases(&app), 0);
    let report = import_commit(&app.state, latest).unwrap();
    assert_eq!((report.imported, report.existing), (3, 0));
    assert!(report.records >= 3);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].row, 5);
    assert_eq!(report.skipped_rows, [8]);
    assert_eq!(cases(&app), 3);
    let imported = list_cases(&app.state, LedgerQuery { query: Some("王芳".into()), ..Default::default() }).unwrap();
    assert_eq!(imported.rows[0].accepted_on, Some(date(2024, 6, 3)));

    // The same sheet again: all there already, nothing to import.
    let again = import_preview(&app.state, input(&path, fix)).unwrap();
    assert_eq!((again.new_rows, again.existing_rows, again.rejected_rows), (0, 3, 1));
    let err = import_commit(&app.state, again.token.unwrap()).unwrap_err();
    assert!(err.message.contains("没有可导入的行"), "{}", err.message);
    assert_eq!(cases(&app), 3);
}

#[test]
fn a_wrong_file_is_refused_on_the_path_field() {
    let app = ready();
    let err = import_preview(&app.state, input("  ", vec![])).unwrap_err();
    assert_eq!((err.issues[0].field.as_str(), err.issues[0].message.as_str()), ("path", "请选择要导入的Excel文件"));
    let txt = app.dir.path().join("台账.txt");
    std::fs::write(&txt, "x").unwrap();
    let err = import_preview(&app.state, input(&txt.display().to_string(), vec![])).unwrap_err();
    assert_eq!(err.issues[0].message, "只能导入Excel文件（.xlsx、.xls）");
    let missing = app.dir.path().join("没有.xlsx").display().to_string();
    let err = import_preview(&app.state, input(&format!("\"{missing}\""), vec![])).unwrap_err();
    assert!(err.issues[0].message.starts_with("找不到文件"), "{}", err.message);
    // A column mapped to a field the ledger does not have.
    let path = ledger(app.dir.path());
    let err = import_preview(&app.state, input(&path, vec![ColumnChoice { letter: "E".into(), field: Some("crime_name".into()) }])).unwrap_err();
    assert!(err.message.contains("不是纠纷调解台账的字段"), "{}", err.message);
}

#[test]
fn export_writes_the_list_and_it_imports_back() {
    let app = ready();
    let path = ledger(app.dir.path());
    let fix = vec![ColumnChoice { letter: "E".into(), field: Some("dispute_type".into()) }];
    let token = import_preview(&app.state, input(&path, fix)).unwrap().token.unwrap();
    import_commit(&app.state, token).unwrap();

    let out = app.dir.path().join("导出").join("纠纷台账");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let r = export_xlsx(&app.state, ExportInput { ledger: Ledger::Disputes, path: out.display().to_string(), mask_ids: false }).unwrap();
    assert!(r.path.ends_with("纠纷台账.xlsx"), "{}", r.path);
    assert_eq!(r.rows, 3);
    let written = std::fs::read(&r.path).unwrap();
    assert_eq!(written.len(), r.bytes);
    assert!(written.starts_with(b"PK"));
    // Nothing else left beside it.
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 1);
    // The export reads back as the same ledger: every row already there.
    let back = import_preview(&app.state, ImportInput { ledger: Ledger::Disputes, path: r.path.clone(), sheet: None, columns: vec![] }).unwrap();
    assert_eq!((back.new_rows, back.existing_rows), (0, 3), "{:#?}", back.rows);

    let err = export_xlsx(&app.state, ExportInput { ledger: Ledger::Released, path: "".into(), mask_ids: true }).unwrap_err();
    assert_eq!(err.issues[0].message, "请选择保存位置");
    let err = export_xlsx(
        &app.state,
        ExportInput { ledger: Ledger::Released, path: app.dir.path().join("没有这个目录/x.xlsx").display().to_string(), mask_ids: true },
    )
    .unwrap_err();
    assert!(err.issues[0].message.starts_with("无法写入"), "{}", err.message);
}

//! 打印 from the app: real PDFs from a temporary store, read back with `pdftotext`.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use fengqiao_app::cases::*;
use fengqiao_app::print::{self, BatchInput, BatchStatus, PrintInput};
use fengqiao_app::released::{save_released, ReleasedInput};
use fengqiao_app::screening::{zero_report, ZeroReportInput};
use fengqiao_app::{settings, AppState};
use fengqiao_model::*;
use uuid::Uuid;

/// A character that no font of the set has (CJK Extension H; Noto and HanaMin stop before it).
const NO_FONT: char = '\u{31350}';

fn text(path: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout"]).arg(path).arg("-").output().expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext failed on {}", path.display());
    String::from_utf8(out.stdout).unwrap()
}

fn new_case(state: &AppState, a: &str, b: &str, seq: u32) -> Uuid {
    let s = settings::settings(state).unwrap();
    let (committee, mediator) = (s.committees[0].committee.meta.id, s.committees[0].mediators[0].meta.id);
    let input = IntakeInput {
        case: DisputeCase {
            committee_id: Some(committee),
            source: Some(CaseSource::PartyApplication),
            dispute_type: Some(DisputeType::Neighborhood),
            title: Some(format!("{a}与{b}相邻通行纠纷")),
            summary: Some(format!("{a}与{b}因相邻通行发生争执，{a}要求拆除围墙。")),
            lead_mediator_id: Some(mediator),
            accepted_on: Some(date(2026, 11, 2)),
            ..Default::default()
        },
        parties: [(a, seq), (b, seq + 1)]
            .into_iter()
            .map(|(name, n)| PartyInput {
                party: CaseParty { rights_notice_given_on: Some(date(2026, 11, 2)), id_copy_attached: true, ..Default::default() },
                person: Some(person(name, Some(id_number("19800101", &format!("{:03}", n))))),
                entity: None,
            })
            .collect(),
    };
    create_case(state, input).unwrap().view.file.case.meta.id
}

fn case_input(document: &str, id: Uuid) -> PrintInput {
    PrintInput { document: document.into(), record_id: Some(id), from: None, to: None }
}

fn period_input(document: &str) -> PrintInput {
    PrintInput { document: document.into(), record_id: None, from: Some(date(2026, 11, 1)), to: Some(date(2026, 11, 30)) }
}

#[test]
fn a_case_document_is_written_to_the_print_folder_under_its_name_with_the_values_and_a_preview() {
    let app = ready();
    let id = new_case(&app.state, "张伟", "李娜", 11);
    let case_no = get_case(&app.state, id).unwrap().file.case.case_no.unwrap_or_else(|| "未编号".into());

    let p = print::print(&app.state, case_input("intake-register", id)).unwrap();
    assert_eq!(p.title, format!("人民调解受理登记表{case_no} 张伟、李娜"));
    assert_eq!(p.file_name, format!("{}.pdf", p.title));
    let path = app.dir.path().join("prints").join(&p.file_name);
    assert_eq!(Path::new(&p.path), path);
    assert_eq!(std::fs::metadata(&path).unwrap().len() as u32, p.bytes);
    let t = text(&path);
    for want in ["人民调解受理登记表", "张伟", "李娜", "邻里纠纷", "张伟与李娜因相邻通行发生争执", "东山镇人民调解委员会", "2026年11月2日"]
    {
        assert!(t.contains(want), "{want} missing from:\n{t}");
    }
    // Page one drawn from the same layout: an A4 page with the glyphs of its text.
    assert!(p.preview.starts_with("<svg ") && p.preview.ends_with("</svg>"));
    assert!((p.page_width - 595.28).abs() < 0.01 && p.page_height > p.page_width);
    assert!(p.preview.matches("<use ").count() > 100, "page one's characters are drawn");

    // The same document again replaces the file; the whole 卷宗 is another.
    let again = print::print(&app.state, case_input("intake-register", id)).unwrap();
    assert_eq!(again.file_name, p.file_name);
    let whole = print::print(&app.state, case_input("case-file", id)).unwrap();
    assert!(whole.file_name.starts_with("人民调解卷宗"), "{}", whole.file_name);
    assert!(whole.pages >= 5, "cover, contents, forms, notes, back cover: {}", whole.pages);
    let t = text(&app.dir.path().join("prints").join(&whole.file_name));
    for want in ["卷内目录", "人民调解申请书", "当事人权利义务告知书", "张伟"] {
        assert!(t.contains(want), "{want} missing from the 卷宗");
    }
    let files: Vec<_> = std::fs::read_dir(app.dir.path().join("prints")).unwrap().collect();
    assert_eq!(files.len(), 2, "no temporary files left behind");

    // A document the case has nothing for is refused with the reason.
    let err = print::print(&app.state, case_input("agreement", id)).unwrap_err();
    assert_eq!(err.code, "render.not_applicable");
    assert!(err.message.contains("没有调解协议"), "{}", err.message);
}

#[test]
fn lists_and_the_report_print_for_a_period() {
    let app = ready();
    new_case(&app.state, "张伟", "李娜", 11);
    new_case(&app.state, "赵敏", "钱进", 21);
    zero_report(
        &app.state,
        ZeroReportInput {
            unit_name: Some("东山村".into()),
            unit_division_code: Some("350502101001".into()),
            period_type: Some(PeriodType::HalfMonth),
            period_start: Some(date(2026, 11, 1)),
            period_end: Some(date(2026, 11, 15)),
            screener_names: vec!["林海".into()],
            approved_by: Some("陈书记".into()),
            ..Default::default()
        },
    )
    .unwrap();

    let ledger = print::print(&app.state, period_input("dispute-ledger")).unwrap();
    assert_eq!(ledger.file_name, "人民调解纠纷台账（2026-11-01至2026-11-30）.pdf");
    assert!(ledger.page_width > ledger.page_height, "the ledger is landscape");
    let t = text(Path::new(&ledger.path));
    for want in ["张伟、李娜", "赵敏、钱进", "王秀英", "2026.11.2", "本期受理纠纷2件"] {
        assert!(t.contains(want), "{want} missing from the ledger:\n{t}");
    }
    let screening = print::print(&app.state, period_input("screening-ledger")).unwrap();
    let t = text(Path::new(&screening.path));
    assert!(t.contains("矛盾纠纷排查登记台账") && t.contains("共排查1次，其中零报告1次"), "{t}");
    let stats = print::print(&app.state, period_input("statistics")).unwrap();
    let t = text(Path::new(&stats.path));
    assert!(t.contains("人民调解案件情况统计表") && t.contains("东山镇"), "{t}");

    // A period needs both dates, in order.
    let mut bad = period_input("dispute-ledger");
    bad.to = None;
    assert_eq!(print::print(&app.state, bad).unwrap_err().code, "bad_input");
    let mut bad = period_input("dispute-ledger");
    bad.from = Some(date(2026, 12, 1));
    assert!(print::print(&app.state, bad).unwrap_err().message.contains("晚于"));
}

#[test]
fn a_released_persons_form_and_a_zero_report_print() {
    let app = ready();
    let released = ReleasedPerson {
        is_recidivist: Some(false),
        crime_name: Some("盗窃罪".into()),
        crime_category: Some(CrimeCategory::Property),
        sentence_term: Some("有期徒刑2年".into()),
        prison_name: Some("福建省某监狱".into()),
        released_on: Some(date(2026, 11, 10)),
        release_type: Some(ReleaseType::SentenceServed),
        assessment_type: Some(AssessmentType::Key),
        notice_received_on: Some(date(2026, 10, 9)),
        ..Default::default()
    };
    let v = save_released(&app.state, ReleasedInput { released, person: person("孙强", Some(id_number("19900315", "031"))) }).unwrap();
    let p = print::print(&app.state, case_input("released-register", v.file.released.meta.id)).unwrap();
    assert_eq!(p.file_name, "刑满释放人员基本情况登记表（孙强）.pdf");
    let t = text(Path::new(&p.path));
    for want in ["孙强", "盗窃罪", "福建省某监狱", &id_number("19900315", "031")] {
        assert!(t.contains(want), "{want} missing:\n{t}");
    }

    let zero = zero_report(
        &app.state,
        ZeroReportInput {
            unit_name: Some("西山村".into()),
            unit_division_code: Some("350502101002".into()),
            period_type: Some(PeriodType::HalfMonth),
            period_start: Some(date(2026, 11, 1)),
            period_end: Some(date(2026, 11, 15)),
            screener_names: vec!["林海".into()],
            approved_by: Some("陈书记".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let p = print::print(&app.state, case_input("zero-report", zero.file.round.meta.id)).unwrap();
    assert!(p.file_name.contains("西山村"), "{}", p.file_name);
    let t = text(Path::new(&p.path));
    assert!(t.contains("零报告") && t.contains("西山村") && t.contains("陈书记"), "{t}");
}

#[test]
fn a_character_no_font_has_stops_the_print_and_is_named() {
    let app = ready();
    let id = new_case(&app.state, &format!("王{NO_FONT}"), "李娜", 31);
    let err = print::print(&app.state, case_input("application", id)).unwrap_err();
    assert_eq!(err.code, "documents.missing_glyph");
    assert!(err.message.contains(NO_FONT) && err.message.contains("U+31350"), "{}", err.message);
    assert!(!app.dir.path().join("prints").exists() || std::fs::read_dir(app.dir.path().join("prints")).unwrap().count() == 0);
}

#[test]
fn only_a_pdf_of_the_print_folder_is_opened() {
    let app = ready();
    let id = new_case(&app.state, "张伟", "李娜", 11);
    let p = print::print(&app.state, case_input("cover", id)).unwrap();
    assert_eq!(print::open_path(&app.state, p.file_name.clone()).unwrap(), Path::new(&p.path));
    for bad in ["../fengqiao.db", "/etc/passwd", "x/../../a.pdf", "没有这个文件.pdf"] {
        assert!(print::open_path(&app.state, bad.into()).is_err(), "{bad}");
    }
}

fn wait(app: &App, id: u64) -> BatchStatus {
    loop {
        let s = print::batch_status(&app.state, id).unwrap();
        if s.finished {
            return s;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn several_cases_print_as_one_file_and_a_failing_case_is_reported_while_the_others_print() {
    let app = ready();
    let a = new_case(&app.state, "张伟", "李娜", 11);
    let bad = new_case(&app.state, &format!("王{NO_FONT}"), "周强", 21);
    let c = new_case(&app.state, "赵敏", "钱进", 31);
    let started = print::start_batch(&app.state, BatchInput { case_ids: vec![a, bad, c] }).unwrap();
    assert_eq!(started.total, 3);
    let s = wait(&app, started.id);
    assert_eq!(s.done, 3);
    assert!(!s.cancelled && s.error.is_none());
    assert_eq!(s.items.iter().map(|i| i.case_id).collect::<Vec<_>>(), vec![a, bad, c]);
    assert!(s.items[0].error.is_none() && s.items[2].error.is_none());
    let why = s.items[1].error.as_deref().unwrap();
    assert!(why.contains(NO_FONT) && why.contains("无法打印"), "{why}");
    assert!(s.items[1].label.contains("周强"));

    let out = s.output.expect("the two good cases are written");
    assert_eq!(out.title, "人民调解卷宗（2件）");
    assert_eq!(out.pages, s.items[0].pages + s.items[2].pages);
    let t = text(Path::new(&out.path));
    assert!(t.contains("张伟") && t.contains("赵敏"));
    assert!(!t.contains("周强"), "the failing case is not in the file");
    assert!(out.preview.starts_with("<svg "));

    // Nothing selected: said so.
    assert!(print::start_batch(&app.state, BatchInput { case_ids: vec![] }).is_err());
}

#[test]
fn a_cancelled_batch_writes_nothing() {
    let app = ready();
    let ids: Vec<Uuid> = (0..30).map(|k| new_case(&app.state, "张伟", "李娜", 100 + 2 * k)).collect();
    let started = print::start_batch(&app.state, BatchInput { case_ids: ids }).unwrap();
    print::cancel_batch(&app.state, started.id).unwrap();
    let s = wait(&app, started.id);
    assert!(s.cancelled);
    assert!(s.done < 30, "stopped before the end: {}", s.done);
    assert!(s.output.is_none());
    assert!(!app.dir.path().join("prints").exists());
    // The app's own commands went on meanwhile, and still do.
    assert!(list_cases(&app.state, LedgerQuery::default()).unwrap().total >= 30);
}

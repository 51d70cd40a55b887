//! 个人信息保护: ID and phone numbers masked in the lists for everyone and in a 只读 account's
//! detail views; the full numbers of a released person, where shown, printed or exported,
//! recorded in the audit log (opening a file once an hour per person and account); a masked
//! value never saved back.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use fengqiao_app::accounts::{self, NewAccountInput};
use fengqiao_app::cases::{self, IntakeInput, PartyInput};
use fengqiao_app::excel::{self, ExportInput, Ledger};
use fengqiao_app::print::{self, PrintInput};
use fengqiao_app::privacy::{self, RevealInput};
use fengqiao_app::released::{self, ReleasedInput};
use fengqiao_app::{settings, setup, AppState};
use fengqiao_model::*;
use fengqiao_store::{AuditEntry, Store};
use uuid::Uuid;

const RO_PASSWORD: &str = "readonly-pass";

/// A clock the test moves on: 2026-11-20 10:00 at the office, plus `minutes`.
struct TestClock {
    minutes: Arc<AtomicI64>,
}

impl TestClock {
    fn new() -> TestClock {
        TestClock { minutes: Arc::new(AtomicI64::new(0)) }
    }
    fn clock(&self) -> fengqiao_store::Clock {
        let minutes = self.minutes.clone();
        Arc::new(move || Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap() + Duration::minutes(minutes.load(Ordering::SeqCst)))
    }
    fn advance(&self, minutes: i64) {
        self.minutes.fetch_add(minutes, Ordering::SeqCst);
    }
}

struct Office {
    dir: tempfile::TempDir,
    clock: TestClock,
    released_id: Uuid,
    case_id: Uuid,
    released_number: String,
}

const PHONE: &str = "13805912345";
const MEMBER_PHONE: &str = "0591-87654321";

/// An office with a released person (with a phone and a 帮教小组) and a case whose parties
/// have phones, all entered by the 所长, and a 只读 account 查看员.
fn office() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let state = AppState::open(dir.path(), clock.clock());
    setup::first_run(&state, answers()).unwrap();
    let released_number = id_number("19900315", "031");
    let mut p = person("孙强", Some(released_number.clone()));
    p.phone = Some(PHONE.into());
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
    let v = released::save_released(&state, ReleasedInput { released, person: p }).unwrap();
    let released_id = v.file.released.meta.id;
    released::save_help_group(
        &state,
        HelpGroup {
            released_person_id: Some(released_id),
            formed_on: Some(date(2026, 11, 12)),
            members: vec![HelpGroupMember {
                name: Some("林海".into()),
                role: Some(HelpGroupRole::JudicialStaff),
                phone: Some(MEMBER_PHONE.into()),
                is_leader: true,
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .unwrap();

    let s = settings::settings(&state).unwrap();
    let committee = s.committees[0].committee.meta.id;
    let parties = [("张伟", "001"), ("李娜", "002")]
        .into_iter()
        .map(|(name, seq)| {
            let mut p = person(name, Some(id_number("19800101", seq)));
            p.phone = Some(PHONE.into());
            PartyInput { party: CaseParty::default(), person: Some(p), entity: None }
        })
        .collect();
    let case = DisputeCase {
        committee_id: Some(committee),
        source: Some(CaseSource::PartyApplication),
        dispute_type: Some(DisputeType::Neighborhood),
        title: Some("张伟与李娜相邻通行纠纷".into()),
        ..Default::default()
    };
    let case_id = cases::create_case(&state, IntakeInput { case, parties }).unwrap().view.file.case.meta.id;

    let ro = NewAccountInput { name: "chakan".into(), display_name: "查看员".into(), role: "readonly".into(), password: RO_PASSWORD.into() };
    accounts::add_account(&state, ro).unwrap();
    drop(state);
    Office { dir, clock, released_id, case_id, released_number }
}

/// The audit log's entries with `action`, oldest first, read after the app is closed.
fn audit(dir: &Path, clock: fengqiao_store::Clock, action: &str) -> Vec<AuditEntry> {
    let store = Store::open_secured(dir, "liming", PASSWORD, clock).unwrap();
    let mut all = store.audit_entries(10_000).unwrap();
    all.reverse();
    all.retain(|e| e.action == action);
    all
}

fn masked_id(full: &str) -> String {
    format!("{}********{}", &full[..6], &full[14..])
}

#[test]
fn lists_are_masked_for_everyone_and_search_by_the_full_number_still_finds() {
    let o = office();
    let state = reopen_as(o.dir.path(), o.clock.clock(), "liming", PASSWORD);
    let page = released::list_released(&state, Default::default()).unwrap();
    assert_eq!(page.rows[0].id_number.as_deref(), Some(masked_id(&o.released_number).as_str()));
    let found = released::list_released(&state, released::ReleasedQuery { query: Some(o.released_number.clone()), ..Default::default() }).unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.rows[0].id_number.as_deref(), Some(masked_id(&o.released_number).as_str()));
    // The ledger rows carry no number at all.
    let ledger = serde_json::to_string(&cases::list_cases(&state, Default::default()).unwrap()).unwrap();
    assert!(!ledger.contains("350502") && !ledger.contains(PHONE), "{ledger}");
}

#[test]
fn a_readonly_account_sees_masked_files_and_nothing_is_recorded() {
    let o = office();
    let before = audit(o.dir.path(), o.clock.clock(), "unmask").len();
    let state = reopen_as(o.dir.path(), o.clock.clock(), "chakan", RO_PASSWORD);

    let v = released::get_released(&state, o.released_id).unwrap();
    assert!(v.masked);
    let p = v.file.person.as_ref().unwrap();
    assert_eq!(p.id_number.as_deref(), Some(masked_id(&o.released_number).as_str()));
    assert_eq!(p.phone.as_deref(), Some("138****2345"));
    assert_eq!(v.file.help_group.as_ref().unwrap().members[0].phone.as_deref(), Some("0591-****4321"));

    let c = cases::get_case(&state, o.case_id).unwrap();
    assert!(c.masked);
    for party in &c.file.parties {
        let p = party.person.as_ref().unwrap();
        assert!(privacy::is_masked(p.id_number.as_deref().unwrap()), "{p:?}");
        assert_eq!(p.phone.as_deref(), Some("138****2345"));
    }

    // 显示 and the whole-number export and the 安置帮教 forms are refused.
    let e = privacy::reveal_personal(&state, RevealInput { kind: Kind::ReleasedPerson, id: o.released_id }).unwrap_err();
    assert_eq!(e.code, "forbidden");
    assert!(e.message.contains("只读"), "{}", e.message);
    let out = o.dir.path().join("安置帮教.xlsx");
    let e = excel::export_xlsx(&state, ExportInput { ledger: Ledger::Released, path: out.display().to_string(), mask_ids: false }).unwrap_err();
    assert_eq!(e.code, "forbidden");
    assert!(!out.exists());
    let e =
        print::print(&state, PrintInput { document: "released-register".into(), record_id: Some(o.released_id), from: None, to: None }).unwrap_err();
    assert_eq!(e.code, "forbidden");
    assert!(e.message.contains("不能打印《刑满释放人员基本情况登记表》"), "{}", e.message);
    drop(state);

    assert_eq!(audit(o.dir.path(), o.clock.clock(), "unmask").len(), before, "nothing recorded for 只读");
    assert!(audit(o.dir.path(), o.clock.clock(), "print").is_empty());
    assert!(audit(o.dir.path(), o.clock.clock(), "export").is_empty());
}

#[test]
fn the_director_sees_full_files_and_each_opening_is_recorded_once_an_hour() {
    let o = office();
    // The 所长 saw the file whole when saving it: that is the one entry so far.
    let saved = audit(o.dir.path(), o.clock.clock(), "unmask");
    assert_eq!(saved.len(), 1, "{saved:#?}");

    // An hour later: opening it records again, once however often it is shown.
    o.clock.advance(61);
    let state = reopen_as(o.dir.path(), o.clock.clock(), "liming", PASSWORD);
    for _ in 0..3 {
        let v = released::get_released(&state, o.released_id).unwrap();
        assert!(!v.masked);
        let p = v.file.person.as_ref().unwrap();
        assert_eq!(p.id_number.as_deref(), Some(o.released_number.as_str()));
        assert_eq!(p.phone.as_deref(), Some(PHONE));
        assert_eq!(v.file.help_group.as_ref().unwrap().members[0].phone.as_deref(), Some(MEMBER_PHONE));
    }
    let c = cases::get_case(&state, o.case_id).unwrap();
    assert!(!c.masked);
    assert_eq!(c.file.parties[0].person.as_ref().unwrap().phone.as_deref(), Some(PHONE));
    drop(state);

    let entries = audit(o.dir.path(), o.clock.clock(), "unmask");
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let e = entries.last().unwrap();
    assert_eq!(e.summary, "查看安置帮教档案（含完整身份证号、电话）：孙强");
    assert_eq!(e.actor, "李明");
    assert_eq!(e.kind.as_deref(), Some("released_person"));
    assert_eq!(e.record_id, Some(o.released_id.to_string()));
}

#[test]
fn reveal_shows_one_number_and_records_it() {
    let o = office();
    let state = reopen_as(o.dir.path(), o.clock.clock(), "liming", PASSWORD);
    let n = privacy::reveal_personal(&state, RevealInput { kind: Kind::ReleasedPerson, id: o.released_id }).unwrap();
    assert_eq!((n.name.as_deref(), n.id_number.as_deref(), n.phone.as_deref()), (Some("孙强"), Some(o.released_number.as_str()), Some(PHONE)));
    let e = privacy::reveal_personal(&state, RevealInput { kind: Kind::Agreement, id: o.released_id }).unwrap_err();
    assert_eq!(e.code, "bad_input");
    drop(state);
    let entries = audit(o.dir.path(), o.clock.clock(), "unmask");
    assert_eq!(entries.last().unwrap().summary, "显示安置帮教对象完整身份证号、电话：孙强");
}

#[test]
fn a_masked_value_is_refused_on_its_field_and_never_saved() {
    let o = office();
    let state = reopen_as(o.dir.path(), o.clock.clock(), "liming", PASSWORD);
    let v = released::get_released(&state, o.released_id).unwrap();
    let mut person = v.file.person.clone().unwrap();
    person.id_number = Some(masked_id(&o.released_number));
    let e = released::save_released(&state, ReleasedInput { released: v.file.released.clone(), person }).unwrap_err();
    assert_eq!(e.code, "invalid");
    let fields: Vec<_> = e.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["person.id_number"]);
    assert!(e.message.contains("含“*”"), "{}", e.message);

    let mut group = v.file.help_group.clone().unwrap();
    group.members[0].phone = Some("0591-****4321".into());
    let e = released::save_help_group(&state, group).unwrap_err();
    assert_eq!(e.issues[0].field, "members[0].phone");

    let c = cases::get_case(&state, o.case_id).unwrap();
    let entry = &c.file.parties[0];
    let mut p = entry.person.clone().unwrap();
    p.phone = Some("138****2345".into());
    let e = cases::save_party(&state, PartyInput { party: entry.party.clone(), person: Some(p), entity: None }).unwrap_err();
    assert_eq!(e.issues[0].field, "person.phone");

    // Nothing changed.
    let again = released::get_released(&state, o.released_id).unwrap();
    assert_eq!(again.file.person.unwrap().id_number.as_deref(), Some(o.released_number.as_str()));
}

#[test]
fn prints_of_a_released_persons_forms_are_recorded() {
    let o = office();
    let state = reopen_as(o.dir.path(), o.clock.clock(), "liming", PASSWORD);
    let p = print::print(&state, PrintInput { document: "released-register".into(), record_id: Some(o.released_id), from: None, to: None }).unwrap();
    assert!(Path::new(&p.path).is_file());
    drop(state);
    let entries = audit(o.dir.path(), o.clock.clock(), "print");
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(entries[0].summary, "打印《刑满释放人员基本情况登记表》：孙强");
    assert_eq!(entries[0].record_id, Some(o.released_id.to_string()));
}

#[test]
fn exports_are_masked_by_default_and_the_released_ledger_and_whole_numbers_are_recorded() {
    let o = office();
    let state = reopen_as(o.dir.path(), o.clock.clock(), "liming", PASSWORD);
    let masked = o.dir.path().join("安置帮教-遮挡.xlsx");
    let input: ExportInput = serde_json::from_value(serde_json::json!({"ledger": "released", "path": masked})).unwrap();
    assert!(input.mask_ids, "masked unless asked otherwise");
    let r = excel::export_xlsx(&state, input).unwrap();
    assert_eq!(r.rows, 1);
    let grids = format!("{:?}", fengqiao_sheets::read_file(&masked).unwrap());
    assert!(grids.contains(&masked_id(&o.released_number)) && !grids.contains(&o.released_number), "{grids}");

    let whole = o.dir.path().join("安置帮教-完整.xlsx");
    excel::export_xlsx(&state, ExportInput { ledger: Ledger::Released, path: whole.display().to_string(), mask_ids: false }).unwrap();
    let grids = format!("{:?}", fengqiao_sheets::read_file(&whole).unwrap());
    assert!(grids.contains(&o.released_number));

    // The dispute ledger: recorded only when exported with whole numbers.
    let disputes = o.dir.path().join("纠纷台账.xlsx");
    excel::export_xlsx(&state, ExportInput { ledger: Ledger::Disputes, path: disputes.display().to_string(), mask_ids: true }).unwrap();
    excel::export_xlsx(&state, ExportInput { ledger: Ledger::Disputes, path: disputes.display().to_string(), mask_ids: false }).unwrap();
    drop(state);

    let summaries: Vec<String> = audit(o.dir.path(), o.clock.clock(), "export").into_iter().map(|e| e.summary).collect();
    assert_eq!(summaries.len(), 3, "{summaries:#?}");
    assert!(summaries[0].starts_with("导出Excel《安置帮教台账》：1行，身份证号已隐去中间位，保存为 "), "{}", summaries[0]);
    assert!(summaries[1].starts_with("导出Excel《安置帮教台账》：1行，含完整身份证号，保存为 "), "{}", summaries[1]);
    assert!(summaries[2].starts_with("导出Excel《纠纷调解台账》：1行，含完整身份证号"), "{}", summaries[2]);
}

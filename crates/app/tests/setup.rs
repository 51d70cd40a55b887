//! First run, settings and the ID-number check.

mod common;

use common::*;
use fengqiao_app::{idcheck, settings, setup, validate};
use fengqiao_model::*;

#[test]
fn first_run_refuses_bad_answers_field_by_field_and_makes_nothing() {
    let app = empty();
    assert!(!setup::status(&app.state).unwrap().initialized);
    let mut bad = answers();
    bad.office_name = " ".into();
    bad.division_code = "3505".into();
    bad.mediators[0].id_number = Some("350502198001010011".into());
    bad.county_server = Some("sfj.example.cn".into());
    let err = setup::first_run(&app.state, bad).unwrap_err();
    assert_eq!(err.code, "invalid");
    let fields: Vec<&str> = err.issues.iter().map(|i| i.field.as_str()).collect();
    for f in ["office.name", "office.division_code", "mediators[0].id_number", "county_server"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert!(!fields.contains(&"committee.division_code"), "the office's code is wrong once, on its own field: {fields:?}");
    let id = err.issues.iter().find(|i| i.field == "mediators[0].id_number").unwrap();
    assert!(id.message.contains("最后一位应为"), "{}", id.message);
    assert!(!app.dir.path().join(fengqiao_store::DB_FILE).exists(), "nothing is written on refusal");
    assert_eq!(settings::settings(&app.state).unwrap_err().code, "not_initialized");
}

#[test]
fn first_run_makes_office_committee_mediators_and_staff() {
    let app = empty();
    let mut a = answers();
    a.county_server = Some("https://sfj.example.gov.cn".into());
    let status = setup::first_run(&app.state, a.clone()).unwrap();
    assert!(status.initialized);
    assert_eq!(status.office.unwrap().name.as_deref(), Some("东山镇司法所"));
    assert_eq!(status.current_staff.as_deref(), Some("李明"));
    assert_eq!(status.today, date(2026, 11, 20));

    let s = settings::settings(&app.state).unwrap();
    assert_eq!(s.committees.len(), 1);
    let c = &s.committees[0];
    assert_eq!(c.committee.division_code.as_deref(), Some("350502101"), "the office's 区划 by default");
    assert_eq!(c.mediators.len(), 1);
    assert!(c.warnings.iter().any(|w| w.contains("三至九人")), "{:?}", c.warnings);
    assert_eq!(s.county_server.as_deref(), Some("https://sfj.example.gov.cn"));
    assert_eq!(s.staff[0].name, "李明");

    assert_eq!(setup::first_run(&app.state, a).unwrap_err().code, "already_initialized");
    // A second window on the same data directory opens the same store, once signed in.
    let again = reopen(app.dir.path(), clock());
    assert!(setup::status(&again).unwrap().initialized);
    assert_eq!(setup::status(&again).unwrap().current_staff.as_deref(), Some("李明"));
}

#[test]
fn settings_add_mediators_staff_and_server() {
    let app = ready();
    let s = settings::settings(&app.state).unwrap();
    let committee = s.committees[0].committee.meta.id;
    for (name, g) in [("张建国", Gender::Male), ("陈丽", Gender::Female)] {
        settings::save_mediator(
            &app.state,
            Mediator {
                name: Some(name.into()),
                gender: Some(g),
                committee_id: Some(committee),
                role: Some(MediatorRole::Member),
                ..Default::default()
            },
        )
        .unwrap();
    }
    let s = settings::settings(&app.state).unwrap();
    assert_eq!(s.committees[0].mediators.len(), 3);
    assert!(s.committees[0].warnings.is_empty(), "{:?}", s.committees[0].warnings);

    let err = settings::save_mediator(&app.state, Mediator { name: Some("赵".into()), ..Default::default() }).unwrap_err();
    assert!(err.issues.iter().any(|i| i.field == "committee_id"), "{err:?}");

    let err = settings::set_county_server(&app.state, Some("ftp://x".into())).unwrap_err();
    assert_eq!(err.issues[0].field, "county_server");
    assert_eq!(settings::set_county_server(&app.state, Some("".into())).unwrap().county_server, None);

    let staff = settings::StaffInput {
        staff: vec![
            settings::StaffMember { name: "李明".into(), title: Some("所长".into()) },
            settings::StaffMember { name: "周芳".into(), title: None },
        ],
        current_staff: "周芳".into(),
    };
    let s = settings::save_staff(&app.state, staff).unwrap();
    assert_eq!(s.current_staff.as_deref(), Some("周芳"));
    let err = settings::save_staff(&app.state, settings::StaffInput { staff: vec![], current_staff: "x".into() }).unwrap_err();
    assert!(err.issues.iter().any(|i| i.field == "staff"));
}

#[test]
fn id_number_gives_gender_birth_date_and_age() {
    let app = ready();
    let ok = idcheck::check_id_number(&app.state, "34052419800101001x".into());
    assert!(ok.valid);
    assert_eq!(ok.number.as_deref(), Some("34052419800101001X"));
    assert_eq!(ok.gender, Some(Gender::Male));
    assert_eq!(ok.birth_date, Some(date(1980, 1, 1)));
    assert_eq!(ok.age, Some(46));
    let bad = idcheck::check_id_number(&app.state, "340524198001010011".into());
    assert!(!bad.valid);
    assert!(bad.error.unwrap().contains("最后一位应为X"));
    assert!(idcheck::check_id_number(&app.state, "1234".into()).error.unwrap().contains("18位"));
}

#[test]
fn forms_validate_with_the_models_messages() {
    let app = ready();
    let case = serde_json::to_value(DisputeCase { title: Some("张三\u{7}".into()), ..Default::default() }).unwrap();
    let typed =
        validate::validate_record(&app.state, validate::ValidateInput { kind: Kind::DisputeCase, record: case.clone(), as_final: false }).unwrap();
    assert_eq!(typed.errors.len(), 1, "a draft is judged only on what was typed: {:?}", typed.errors);
    assert_eq!(typed.errors[0].field, "title");
    let fin = validate::validate_record(&app.state, validate::ValidateInput { kind: Kind::DisputeCase, record: case, as_final: true }).unwrap();
    let fields: Vec<&str> = fin.errors.iter().map(|e| e.field.as_str()).collect();
    for f in ["committee_id", "source", "dispute_type", "summary", "lead_mediator_id", "accepted_on"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert!(!fields.contains(&"case_no"), "the number is issued on acceptance");
    let person = serde_json::json!({ "name": "李四", "id_number": "350502198001010011", "gender": "2" });
    let issues = validate::validate_record(&app.state, validate::ValidateInput { kind: Kind::Person, record: person, as_final: false }).unwrap();
    assert!(issues.errors.iter().any(|e| e.field == "id_number" && e.message.contains("最后一位应为")), "{issues:?}");
    let err = validate::validate_record(
        &app.state,
        validate::ValidateInput { kind: Kind::Person, record: serde_json::json!({ "gender": "男" }), as_final: false },
    )
    .unwrap_err();
    assert_eq!(err.code, "bad_input");
}

#[test]
fn the_desktop_and_the_cli_choose_the_same_data_directory() {
    assert_eq!(fengqiao_app::env::default_data_dir(), fengqiao_cli::default_data_dir().ok());
}

//! 备份与恢复 in the window: the 所长 writes a backup encrypted with a 备份密码 typed twice, reads
//! what a backup holds before restoring it, and restores it; every refusal is beside its field
//! and changes nothing; 工作人员 and 只读 are refused.

mod common;

use common::*;
use fengqiao_app::accounts::{self, NewAccountInput};
use fengqiao_app::backup::{self, BackupFileInput, BackupInput};
use fengqiao_app::cases::{self, IntakeInput, PartyInput};
use fengqiao_app::{settings, AppError, AppState};
use fengqiao_model::*;

const PASSPHRASE: &str = "东山 O'Brien 2026";
const NAMES: [&str; 2] = ["欧阳明辉", "司马秀英"];

fn ids() -> [String; 2] {
    [id_number("19800101", "011"), id_number("19800101", "012")]
}

/// A case with two parties whose names and ID numbers are looked for in the backup's bytes.
fn a_case(state: &AppState) -> uuid::Uuid {
    let s = settings::settings(state).unwrap();
    let (committee, mediator) = (s.committees[0].committee.meta.id, s.committees[0].mediators[0].meta.id);
    let input = IntakeInput {
        case: DisputeCase {
            committee_id: Some(committee),
            source: Some(CaseSource::PartyApplication),
            dispute_type: Some(DisputeType::Neighborhood),
            title: Some(format!("{}与{}相邻通行纠纷", NAMES[0], NAMES[1])),
            summary: Some("因相邻通行发生争执。".into()),
            lead_mediator_id: Some(mediator),
            accepted_on: Some(date(2026, 11, 2)),
            ..Default::default()
        },
        parties: NAMES
            .iter()
            .zip(ids())
            .map(|(name, id)| PartyInput {
                party: CaseParty { rights_notice_given_on: Some(date(2026, 11, 2)), id_copy_attached: true, ..Default::default() },
                person: Some(person(name, Some(id))),
                entity: None,
            })
            .collect(),
    };
    cases::create_case(state, input).unwrap().view.file.case.meta.id
}

fn backup_input(path: &std::path::Path, passphrase: &str, confirm: &str) -> BackupInput {
    BackupInput { path: path.display().to_string(), passphrase: passphrase.into(), passphrase_confirm: confirm.into() }
}

fn file_input(path: &std::path::Path, passphrase: &str) -> BackupFileInput {
    BackupFileInput { path: path.display().to_string(), passphrase: passphrase.into() }
}

fn fields(e: &AppError) -> Vec<(&str, &str)> {
    e.issues.iter().map(|i| (i.field.as_str(), i.message.as_str())).collect()
}

fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn the_director_backs_up_sees_what_a_backup_holds_and_restores_it() {
    let app = ready();
    let case = a_case(&app.state);
    let usb = tempfile::tempdir().unwrap();

    // Refusals beside their fields, nothing written.
    let e = backup::backup_office(&app.state, backup_input(std::path::Path::new(""), "short", "other")).unwrap_err();
    assert_eq!(
        fields(&e),
        [("path", "请选择备份文件的保存位置"), ("passphrase", "备份密码至少8位"), ("passphrase_confirm", "两次输入的备份密码不一致")]
    );
    let e = backup::backup_office(&app.state, backup_input(&usb.path().join("东山备份"), PASSPHRASE, "")).unwrap_err();
    assert_eq!(fields(&e), [("passphrase_confirm", "请再输入一次备份密码")]);
    let e = backup::backup_office(&app.state, backup_input(&usb.path().join("没有").join("b"), PASSPHRASE, PASSPHRASE)).unwrap_err();
    assert_eq!(e.issues[0].field, "path");
    assert!(std::fs::read_dir(usb.path()).unwrap().next().is_none(), "nothing written");

    // A name without an extension gets .fqbak.
    let done = backup::backup_office(&app.state, backup_input(&usb.path().join("东山备份"), PASSPHRASE, PASSPHRASE)).unwrap();
    let out = usb.path().join("东山备份.fqbak");
    assert_eq!(done.path, out.display().to_string());
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(done.bytes, bytes.len() as u64);
    for needle in NAMES.iter().map(|s| s.to_string()).chain(ids()) {
        assert!(!contains(&bytes, &needle), "the backup holds {needle}");
    }
    let e = backup::backup_office(&app.state, backup_input(&out, PASSPHRASE, PASSPHRASE)).unwrap_err();
    assert_eq!(e.issues[0].field, "path");
    assert!(e.issues[0].message.contains("已存在"), "{e:?}");

    // What the backup holds, before restoring.
    let e = backup::backup_info(&app.state, file_input(&out, "not the passphrase")).unwrap_err();
    assert_eq!(fields(&e), [("passphrase", "备份密码不正确，或文件不是枫桥的备份")]);
    let e = backup::backup_info(&app.state, file_input(&usb.path().join("nope.fqbak"), "")).unwrap_err();
    assert_eq!(fields(&e).iter().map(|f| f.0).collect::<Vec<_>>(), ["path", "passphrase"]);
    let info = backup::backup_info(&app.state, file_input(&out, PASSPHRASE)).unwrap();
    assert_eq!((info.office_name.as_str(), info.same_office, info.supported), ("东山镇司法所", true, true));
    assert_eq!((info.cases, info.released, info.persons), (1, 0, 2));
    assert_eq!(info.made_at_label.as_deref(), Some("2026-11-20 10:00"));
    assert_eq!(info.made_by.as_deref(), Some("李明"));

    // Deleted, then restored.
    cases::delete_case(&app.state, case).unwrap();
    assert!(cases::get_case(&app.state, case).is_err());
    let e = backup::restore_office(&app.state, file_input(&out, "not the passphrase")).unwrap_err();
    assert_eq!(e.issues[0].field, "passphrase");
    assert!(cases::get_case(&app.state, case).is_err(), "a refused restore changes nothing");
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2 + 777;
    damaged[middle] ^= 0x10;
    let broken = usb.path().join("broken.fqbak");
    std::fs::write(&broken, &damaged).unwrap();
    let e = backup::restore_office(&app.state, file_input(&broken, PASSPHRASE)).unwrap_err();
    assert_eq!((e.code.as_str(), e.issues[0].field.as_str()), ("corrupt", "path"));
    assert!(e.message.contains("备份文件已损坏"), "{}", e.message);
    assert!(cases::get_case(&app.state, case).is_err());

    let restored = backup::restore_office(&app.state, file_input(&out, PASSPHRASE)).unwrap();
    assert_eq!(restored.cases, 1);
    assert_eq!(cases::get_case(&app.state, case).unwrap().file.case.meta.id, case);

    // The app started again signs in with the same account and finds the case.
    let dir = app.dir.path().to_path_buf();
    drop(app.state);
    let state = reopen(&dir, clock());
    assert_eq!(cases::get_case(&state, case).unwrap().file.case.meta.id, case);
}

#[test]
fn another_offices_backup_is_refused_beside_the_file() {
    let app = ready();
    let other = ready();
    let usb = tempfile::tempdir().unwrap();
    let theirs = usb.path().join("西岭.fqbak");
    backup::backup_office(&other.state, backup_input(&theirs, PASSPHRASE, PASSPHRASE)).unwrap();
    let info = backup::backup_info(&app.state, file_input(&theirs, PASSPHRASE)).unwrap();
    assert!(!info.same_office);
    let e = backup::restore_office(&app.state, file_input(&theirs, PASSPHRASE)).unwrap_err();
    assert_eq!(e.issues[0].field, "path");
    assert!(e.message.contains("另一个司法所"), "{}", e.message);
}

#[test]
fn staff_and_readonly_accounts_are_refused() {
    let app = ready();
    let usb = tempfile::tempdir().unwrap();
    let out = usb.path().join("b.fqbak");
    backup::backup_office(&app.state, backup_input(&out, PASSPHRASE, PASSPHRASE)).unwrap();
    for (name, role) in [("gongzuo", "staff"), ("chakan", "readonly")] {
        let input = NewAccountInput { name: name.into(), display_name: name.into(), role: role.into(), password: "account-pass".into() };
        accounts::add_account(&app.state, input).unwrap();
    }
    let dir = app.dir.path().to_path_buf();
    drop(app.state);
    for (name, label) in [("gongzuo", "工作人员"), ("chakan", "只读")] {
        let state = reopen_as(&dir, clock(), name, "account-pass");
        let mine = usb.path().join(format!("{name}.fqbak"));
        let refused = [
            backup::backup_office(&state, backup_input(&mine, "x", "y")).map(drop),
            backup::backup_info(&state, file_input(&out, PASSPHRASE)).map(drop),
            backup::restore_office(&state, file_input(&out, PASSPHRASE)).map(drop),
        ];
        for r in refused {
            let e = r.unwrap_err();
            assert_eq!(e.code, "forbidden", "{name}: {e:?}");
            assert!(e.message.contains(label), "{}", e.message);
        }
        assert!(!mine.exists());
    }
}

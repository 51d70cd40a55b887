//! Backups encrypted with a passphrase (issue: "a backup can be lost on a USB stick"): the
//! file holds nothing readable without the passphrase, the passphrase alone restores it (on
//! this PC, or on a new one set up for the same office), and a restore refuses a wrong
//! passphrase, a damaged file and another office's backup, leaving the store as it was.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use fengqiao_model::*;
use fengqiao_store::{NewAccount, Role, Store, StoreError};

/// Contains a quote, a space and Chinese: all must survive SQL quoting and key derivation.
const PASSPHRASE: &str = "东山 O'Brien 2026";
const PASSWORD: &str = "Dongshan#2026";

const NAMES: [&str; 2] = ["欧阳明辉", "司马秀英"];

/// The ID numbers `Fixture::case_with_parties` gives the two parties.
fn ids() -> [String; 2] {
    [id_number("350502", "19800101", "011"), id_number("350502", "19800101", "012")]
}

fn needles() -> Vec<String> {
    let mut v: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    v.extend(ids());
    v.push("东山镇东山村3组".into());
    v
}

/// The people of a case with the two parties, found by their ID numbers.
fn party(store: &Store, n: usize) -> Person {
    let id: String = store.connection().query_row("SELECT id FROM person WHERE id_number = ?1", [&ids()[n]], |r| r.get(0)).unwrap();
    store.get::<Person>(id.parse().unwrap()).unwrap().unwrap()
}

/// What "the store is unchanged" is checked against: the live people, the audit log's length,
/// every record's version.
fn snapshot(store: &Store) -> (i64, i64, i64) {
    let c = store.connection();
    let q = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        q("SELECT count(*) FROM person WHERE deleted = 0"),
        q("SELECT count(*) FROM audit_log"),
        q("SELECT coalesce(sum(version), 0) FROM person") + q("SELECT coalesce(sum(version), 0) FROM dispute_case"),
    )
}

/// Files in `dir` other than the given ones (temporary files a backup left behind).
fn leftovers(dir: &Path, except: &[&Path]) -> Vec<PathBuf> {
    std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).filter(|p| !except.contains(&p.as_path())).collect()
}

fn director() -> NewAccount {
    NewAccount { name: "wangsz".into(), display_name: "王所长".into(), role: None, password: PASSWORD.into() }
}

#[test]
fn a_passphrase_backup_holds_nothing_readable_and_brings_a_deleted_record_back() {
    let mut f = fixture();
    f.case_with_parties(&format!("{}与{}相邻通行纠纷", NAMES[0], NAMES[1]), NAMES[0], NAMES[1]);
    let usb = tempfile::tempdir().unwrap();
    let out = usb.path().join("东山镇司法所备份.fqbak");
    f.store.backup_with_passphrase(&out, PASSPHRASE).unwrap();
    assert_eq!(leftovers(usb.path(), &[&out]), Vec::<PathBuf>::new(), "no temporary or WAL file beside the backup");
    assert_eq!(clear_text_hits(&out, &needles()), Vec::<String>::new());
    // The plain store itself holds them, so the search would find them.
    f.store.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    assert!(!clear_text_hits(&f.dir.path().join(fengqiao_store::DB_FILE), &needles()).is_empty());
    // Not a plain SQLite file, and not one a blank or a similar passphrase opens.
    let plain = rusqlite::Connection::open(&out).unwrap();
    assert!(plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err());
    drop(plain);
    assert_eq!(f.store.backup_with_passphrase(&out, PASSPHRASE).unwrap_err().code(), "rule", "an existing file is never overwritten");

    let info = fengqiao_store::backup_info(&out, PASSPHRASE).unwrap();
    assert_eq!(info.office_id, f.store.office_id());
    assert_eq!(info.office_name, "东山镇司法所");
    assert_eq!(info.division_code, "350502101");
    assert_eq!((info.cases, info.released, info.persons), (1, 0, 2));
    assert_eq!(info.made_at.as_deref(), Some("2026-11-20T02:00:00.000000Z"));
    assert_eq!(info.made_by.as_deref(), Some("测试员"));
    assert!(info.supported && info.bytes > 0);

    let gone = party(&f.store, 0);
    f.store.delete::<Person>(gone.meta.id).unwrap();
    let later = f.store.save(person("李娜", None)).unwrap().record;
    f.store.restore_with_passphrase(&out, PASSPHRASE).unwrap();
    assert!(!f.store.get::<Person>(gone.meta.id).unwrap().unwrap().meta.deleted, "the deleted record is back");
    assert!(f.store.get::<Person>(later.meta.id).unwrap().is_none(), "what came after the backup is gone");
    f.store.integrity_check().unwrap();
    assert!(f.store.verify_audit().unwrap().is_ok());
    let actions: Vec<String> = f.store.audit_entries(3).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions[0], "restore");
    assert!(f.store.audit_entries(3).unwrap()[0].summary.contains("备份密码"));
    // The backup's own stamps do not come along; the search still finds the restored people.
    assert_eq!(f.store.sync_setting("backup_made_at").unwrap(), None);
    assert_eq!(
        leftovers(f.dir.path(), &[&f.dir.path().join("fengqiao.db"), &f.dir.path().join("fengqiao.db-wal"), &f.dir.path().join("fengqiao.db-shm")]),
        Vec::<PathBuf>::new()
    );
    f.store.save(person("王五", None)).unwrap();
    drop(f.store);
    let reopened = Store::open_with_clock(f.dir.path(), fixed_clock()).unwrap();
    assert!(!reopened.get::<Person>(gone.meta.id).unwrap().unwrap().meta.deleted);
}

#[test]
fn a_short_passphrase_or_an_existing_file_writes_nothing() {
    let mut f = fixture();
    let usb = tempfile::tempdir().unwrap();
    let out = usb.path().join("b.fqbak");
    for bad in ["", "1234567", " 12345678", "12345678 "] {
        let err = f.store.backup_with_passphrase(&out, bad).unwrap_err();
        assert!(matches!(err, StoreError::Rule(_)), "{bad:?}: {err}");
        assert!(err.to_string().starts_with("备份密码"), "{err}");
    }
    assert!(f.store.backup_with_passphrase(&out, "一二三四五六七").is_err(), "7 characters");
    assert_eq!(leftovers(usb.path(), &[]), Vec::<PathBuf>::new());
    // 8 Chinese characters are 8 characters.
    f.store.backup_with_passphrase(&out, "一二三四五六七八").unwrap();
    let before = std::fs::read(&out).unwrap();
    let err = f.store.backup_with_passphrase(&out, PASSPHRASE).unwrap_err();
    assert!(err.to_string().contains("已存在"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    // A folder that does not exist: refused, nothing anywhere.
    assert!(f.store.backup_with_passphrase(&usb.path().join("没有的文件夹").join("b.fqbak"), PASSPHRASE).is_err());
    assert_eq!(leftovers(usb.path(), &[&out]), Vec::<PathBuf>::new());
}

#[test]
fn wrong_passphrase_damaged_files_and_other_offices_are_refused_and_change_nothing() {
    let mut f = fixture();
    f.case_with_parties("相邻通行纠纷", NAMES[0], NAMES[1]);
    let usb = tempfile::tempdir().unwrap();
    let out = usb.path().join("b.fqbak");
    f.store.backup_with_passphrase(&out, PASSPHRASE).unwrap();
    let gone = party(&f.store, 0);
    f.store.delete::<Person>(gone.meta.id).unwrap();
    let before = snapshot(&f.store);
    let unchanged = |store: &Store| {
        assert_eq!(snapshot(store), before);
        assert!(store.get::<Person>(gone.meta.id).unwrap().unwrap().meta.deleted);
        store.integrity_check().unwrap();
    };

    for wrong in ["东山 O'Brien 2025", "东山 O''Brien 2026", "", "' OR ''='"] {
        let err = f.store.restore_with_passphrase(&out, wrong).unwrap_err();
        assert_eq!(err.code(), "rule", "{wrong:?}: {err}");
        if !wrong.is_empty() {
            assert_eq!(err.to_string(), "备份密码不正确，或文件不是枫桥的备份");
            assert_eq!(fengqiao_store::backup_info(&out, wrong).unwrap_err().to_string(), "备份密码不正确，或文件不是枫桥的备份");
        }
        unchanged(&f.store);
    }

    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.len() >= 8 * 4096, "enough pages to damage one in the middle: {}", bytes.len());
    let truncated = usb.path().join("truncated.fqbak");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2 + 100]).unwrap();
    let flipped = usb.path().join("flipped.fqbak");
    let mut changed = bytes.clone();
    changed[bytes.len() / 2 + 1234] ^= 0x01;
    std::fs::write(&flipped, &changed).unwrap();
    let empty = usb.path().join("empty.fqbak");
    std::fs::write(&empty, b"").unwrap();
    let text = usb.path().join("text.fqbak");
    std::fs::write(&text, "这不是备份文件".repeat(500)).unwrap();
    for damaged in [&truncated, &flipped] {
        let err = f.store.restore_with_passphrase(damaged, PASSPHRASE).unwrap_err();
        assert_eq!(err.code(), "corrupt", "{}: {err}", damaged.display());
        assert!(err.to_string().contains("备份文件已损坏"), "{err}");
        assert_eq!(fengqiao_store::backup_info(damaged, PASSPHRASE).unwrap_err().code(), "corrupt");
        unchanged(&f.store);
    }
    for junk in [&empty, &text] {
        let err = f.store.restore_with_passphrase(junk, PASSPHRASE).unwrap_err();
        assert!(err.to_string().contains("不是") || err.code() == "corrupt", "{}: {err}", junk.display());
        unchanged(&f.store);
    }
    let err = f.store.restore_with_passphrase(&usb.path().join("没有.fqbak"), PASSPHRASE).unwrap_err();
    assert!(err.to_string().contains("找不到"), "{err}");

    let other_dir = tempfile::tempdir().unwrap();
    let mut other = Store::init_with_clock(other_dir.path(), "西岭镇司法所", "350502102", fixed_clock()).unwrap();
    let other_backup = usb.path().join("西岭.fqbak");
    other.backup_with_passphrase(&other_backup, PASSPHRASE).unwrap();
    let err = f.store.restore_with_passphrase(&other_backup, PASSPHRASE).unwrap_err();
    assert!(err.to_string().contains("另一个司法所"), "{err}");
    assert_eq!(fengqiao_store::backup_info(&other_backup, PASSPHRASE).unwrap().office_name, "西岭镇司法所");
    unchanged(&f.store);

    // After all that, the right file and passphrase still restore.
    f.store.restore_with_passphrase(&out, PASSPHRASE).unwrap();
    assert!(!f.store.get::<Person>(gone.meta.id).unwrap().unwrap().meta.deleted);
}

/// An encrypted office: its passphrase backup holds nothing readable; it restores on this PC
/// (the accounts and their passwords keep working), and on a new PC joined to the same office
/// after the old one died, with the passphrase alone.
#[test]
fn a_secured_office_restores_with_the_passphrase_here_and_on_a_new_pc() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _recovery) = Store::init_secured(dir.path(), "东山镇司法所", "350502101", &director(), fixed_clock()).unwrap();
    let (committee, _) = committee_and_mediator(&mut store);
    let people: Vec<Person> = NAMES.iter().zip(ids()).map(|(n, id)| store.save(person(n, Some(id))).unwrap().record).collect();
    let usb = tempfile::tempdir().unwrap();
    let out = usb.path().join("东山.fqbak");
    store.backup_with_passphrase(&out, PASSPHRASE).unwrap();
    assert_eq!(clear_text_hits(usb.path(), &needles()), Vec::<String>::new());
    assert_eq!(fengqiao_store::backup_info(&out, PASSPHRASE).unwrap().made_by.as_deref(), Some("王所长"));

    // The same PC: a staff account added after the backup keeps its sign-in; the deleted
    // person comes back.
    let clerk = store
        .add_account(&NewAccount { name: "lim".into(), display_name: "李明".into(), role: Some(Role::Staff), password: PASSWORD.into() })
        .unwrap();
    store.delete::<Person>(people[0].meta.id).unwrap();
    store.restore_with_passphrase(&out, PASSPHRASE).unwrap();
    assert!(!store.get::<Person>(people[0].meta.id).unwrap().unwrap().meta.deleted);
    assert!(store.accounts().unwrap().iter().any(|a| a.id == clerk.id), "this PC's accounts stay");
    drop(store);
    assert_eq!(clear_text_hits(dir.path(), &needles()), Vec::<String>::new(), "the restore left nothing in clear");
    let again = Store::open_secured(dir.path(), "lim", PASSWORD, fixed_clock()).unwrap();
    assert!(!again.get::<Person>(people[0].meta.id).unwrap().unwrap().meta.deleted);
    let office_id = again.office_id();
    drop(again);

    // The old PC died: a new one joins the office (same office id, its own device and
    // 所长 account), then restores the stick's backup with the passphrase alone.
    std::fs::remove_dir_all(dir.path()).unwrap();
    let new_pc = tempfile::tempdir().unwrap();
    let device = fengqiao_model::new_id();
    let mut fresh = Store::init_for_enrollment(new_pc.path(), device, office_id, fixed_clock()).unwrap();
    let new_director = NewAccount { name: "zhaosz".into(), display_name: "赵所长".into(), role: None, password: "Xinji#2027a".into() };
    fresh.secure_existing(&new_director).unwrap();
    fresh.restore_with_passphrase(&out, PASSPHRASE).unwrap();
    assert_eq!(fresh.device_id(), device);
    assert_eq!(fresh.all::<Person>().unwrap().len(), 2);
    assert_eq!(fresh.office().unwrap().name.as_deref(), Some("东山镇司法所"));
    assert_eq!(fresh.get::<Organization>(committee).unwrap().unwrap().name.as_deref(), Some("东山镇人民调解委员会"));
    drop(fresh);
    let reopened = Store::open_secured(new_pc.path(), "zhaosz", "Xinji#2027a", fixed_clock()).unwrap();
    assert_eq!(reopened.device_id(), device, "the new PC keeps its own identity towards the county");
    assert_eq!(reopened.all::<Person>().unwrap().len(), 2);
    assert!(reopened.verify_audit().unwrap().is_ok());
    assert!(Store::open_secured(new_pc.path(), "wangsz", PASSWORD, fixed_clock()).is_err(), "the old PC's passwords open nothing here");
    drop(reopened);
    assert_eq!(clear_text_hits(new_pc.path(), &needles()), Vec::<String>::new());
}

/// The backups made without a passphrase keep working on an encrypted store: `backup` is keyed
/// with the office's data key, and a plain backup made before the store was encrypted restores
/// into it.
#[test]
fn backups_keyed_like_the_store_restore_on_a_secured_store() {
    let mut f = fixture();
    f.case_with_parties("相邻通行纠纷", NAMES[0], NAMES[1]);
    let usb = tempfile::tempdir().unwrap();
    let plain_backup = usb.path().join("plain.db");
    f.store.backup(&plain_backup).unwrap();
    f.store.secure_existing(&director()).unwrap();
    let keyed_backup = usb.path().join("keyed.db");
    f.store.backup(&keyed_backup).unwrap();
    assert_eq!(clear_text_hits(&keyed_backup, &needles()), Vec::<String>::new());
    let gone = party(&f.store, 1);
    f.store.delete::<Person>(gone.meta.id).unwrap();
    f.store.restore(&keyed_backup).unwrap();
    assert!(!f.store.get::<Person>(gone.meta.id).unwrap().unwrap().meta.deleted);
    f.store.delete::<Person>(gone.meta.id).unwrap();
    f.store.restore(&plain_backup).unwrap();
    assert!(!f.store.get::<Person>(gone.meta.id).unwrap().unwrap().meta.deleted);
    assert_eq!(f.store.accounts().unwrap().len(), 1, "the 所长 made after the plain backup stays");
    drop(f.store);
    let store = Store::open_secured(f.dir.path(), "wangsz", PASSWORD, fixed_clock()).unwrap();
    assert!(!store.get::<Person>(gone.meta.id).unwrap().unwrap().meta.deleted);
    drop(store);
    assert_eq!(clear_text_hits(&f.dir.path().join(fengqiao_store::DB_FILE), &needles()), Vec::<String>::new());
}

#[test]
fn staff_and_readonly_accounts_may_not_back_up_or_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = Store::init_secured(dir.path(), "东山镇司法所", "350502101", &director(), fixed_clock()).unwrap();
    store.save(person(NAMES[0], Some(ids()[0].clone()))).unwrap();
    for (name, role) in [("lim", Role::Staff), ("zhaoro", Role::Readonly)] {
        store.add_account(&NewAccount { name: name.into(), display_name: name.into(), role: Some(role), password: PASSWORD.into() }).unwrap();
    }
    let usb = tempfile::tempdir().unwrap();
    let out = usb.path().join("b.fqbak");
    store.backup_with_passphrase(&out, PASSPHRASE).unwrap();
    drop(store);
    for (name, label) in [("lim", "工作人员"), ("zhaoro", "只读")] {
        let mut s = Store::open_secured(dir.path(), name, PASSWORD, fixed_clock()).unwrap();
        let mine = usb.path().join(format!("{name}.fqbak"));
        for err in [s.backup_with_passphrase(&mine, PASSPHRASE).unwrap_err(), s.restore_with_passphrase(&out, PASSPHRASE).unwrap_err()] {
            assert_eq!(err.code(), "forbidden", "{name}: {err}");
            assert!(err.to_string().contains(label), "{err}");
        }
        // Even a short passphrase is refused for the role first.
        assert_eq!(s.backup_with_passphrase(&mine, "1").unwrap_err().code(), "forbidden");
        assert!(!mine.exists());
    }
    assert_eq!(leftovers(usb.path(), &[&out]), Vec::<PathBuf>::new());
}

//! Accounts, roles and encryption at rest (issue 7): the data directory holds nothing readable
//! of the people in the records, a wrong password opens nothing, a 只读 account edits nothing,
//! the recovery key resets a password, and a store made before accounts is encrypted in place.

mod common;

use common::*;
use fengqiao_model::*;
use fengqiao_store::{AccountChange, NewAccount, Permission, Role, Store, StoreError};

const PASSWORD: &str = "Dongshan#2026";

fn director() -> NewAccount {
    NewAccount { name: "wangsz".into(), display_name: "王所长".into(), role: None, password: PASSWORD.into() }
}

/// A secured office with a committee, a mediator and a case whose parties have names and
/// ID numbers to look for in the raw bytes.
struct Secured {
    dir: tempfile::TempDir,
    store: Store,
    committee: uuid::Uuid,
    mediator: uuid::Uuid,
}

const NAMES: [&str; 2] = ["欧阳明辉", "司马秀英"];

fn ids() -> [String; 2] {
    [id_number("350502", "19800101", "011"), id_number("350502", "19800101", "012")]
}

fn secured() -> Secured {
    let dir = tempfile::tempdir().unwrap();
    let (store, _recovery) = Store::init_secured(dir.path(), "东山镇司法所", "350502101", &director(), fixed_clock()).unwrap();
    let mut s = Secured { dir, store, committee: uuid::Uuid::nil(), mediator: uuid::Uuid::nil() };
    fill(&mut s.store, &mut s.committee, &mut s.mediator);
    s
}

fn fill(store: &mut Store, committee: &mut uuid::Uuid, mediator: &mut uuid::Uuid) {
    (*committee, *mediator) = committee_and_mediator(store);
    let case = store
        .save(DisputeCase {
            committee_id: Some(*committee),
            source: Some(CaseSource::PartyApplication),
            dispute_type: Some(DisputeType::Neighborhood),
            title: Some(format!("{}与{}相邻通行纠纷", NAMES[0], NAMES[1])),
            summary: Some(format!("{}与{}因相邻通行发生争执。", NAMES[0], NAMES[1])),
            lead_mediator_id: Some(*mediator),
            accepted_on: Some(date(2026, 11, 2)),
            ..Default::default()
        })
        .unwrap()
        .record;
    for (n, (name, id)) in NAMES.iter().zip(ids()).enumerate() {
        let p = store.save(person(name, Some(id))).unwrap().record;
        store
            .save(CaseParty {
                case_id: Some(case.meta.id),
                person_id: Some(p.meta.id),
                role: Some(if n == 0 { PartyRole::Applicant } else { PartyRole::Respondent }),
                side: Some(if n == 0 { "甲" } else { "乙" }.into()),
                rights_notice_given_on: Some(date(2026, 11, 2)),
                id_copy_attached: true,
                ..Default::default()
            })
            .unwrap();
    }
}

fn needles() -> Vec<String> {
    let mut v: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    v.extend(ids());
    v.push("东山镇东山村3组".into());
    v
}

#[test]
fn the_data_directory_holds_no_name_or_id_number_in_clear() {
    let mut s = secured();
    // The WAL holds the latest pages before a checkpoint: look while it is full, then again
    // after a backup and a close.
    assert!(s.dir.path().join("fengqiao.db-wal").exists());
    assert_eq!(clear_text_hits(s.dir.path(), &needles()), Vec::<String>::new());
    let backup = s.dir.path().join("backups").join("manual.db");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    s.store.backup(&backup).unwrap();
    drop(s.store);
    assert_eq!(clear_text_hits(s.dir.path(), &needles()), Vec::<String>::new());

    // The same records in a store without encryption are found, so the search would see them.
    let plain = tempfile::tempdir().unwrap();
    let mut store = Store::init_with_clock(plain.path(), "东山镇司法所", "350502101", fixed_clock()).unwrap();
    let (mut c, mut m) = (uuid::Uuid::nil(), uuid::Uuid::nil());
    fill(&mut store, &mut c, &mut m);
    drop(store);
    assert!(!clear_text_hits(plain.path(), &needles()).is_empty());
}

#[test]
fn without_the_password_the_store_does_not_open() {
    let s = secured();
    let dir = s.dir.path().to_path_buf();
    drop(s.store);
    let e = Store::open_with_clock(&dir, fixed_clock()).err().unwrap();
    assert!(matches!(e, StoreError::Locked), "{e}");
    assert_eq!(e.to_string(), "数据已加密，请用账号和密码登录后再打开");
    let e = Store::open_secured(&dir, "wangsz", "not-the-password", fixed_clock()).err().unwrap();
    assert_eq!(e.to_string(), "登录名或密码不正确");
    let e = Store::open_secured(&dir, "nobody", PASSWORD, fixed_clock()).err().unwrap();
    assert_eq!(e.to_string(), "登录名或密码不正确");
    // A plain SQLite connection reads nothing either.
    let raw = rusqlite::Connection::open(dir.join("fengqiao.db")).unwrap();
    assert!(raw.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err());
    drop(raw);

    // The right password opens it; the failed tries are now in the audit log.
    let store = Store::open_secured(&dir, "WANGSZ", PASSWORD, fixed_clock()).unwrap();
    assert_eq!(store.account().unwrap().role, Role::Director);
    let entries = store.audit_entries(50).unwrap();
    let failed: Vec<_> = entries.iter().filter(|e| e.action == "sign_in_failed").collect();
    assert_eq!(failed.len(), 2, "{entries:#?}");
    assert!(failed.iter().any(|e| e.summary.contains("nobody")));
    assert!(entries.iter().any(|e| e.action == "sign_in" && e.actor == "王所长"));
    assert!(store.verify_audit().unwrap().is_ok());
}

#[test]
fn a_readonly_account_is_refused_by_every_editing_command() {
    let mut s = secured();
    let dir = s.dir.path().to_path_buf();
    s.store
        .add_account(&NewAccount {
            name: "li".into(), display_name: "李查看".into(), role: Some(Role::Readonly), password: "readonly-pass".into()
        })
        .unwrap();
    let case_id = s.store.all::<DisputeCase>().unwrap()[0].meta.id;
    let person_id = s.store.all::<Person>().unwrap()[0].meta.id;
    let committee = s.committee;
    drop(s.store);

    let mut ro = Store::open_secured(&dir, "li", "readonly-pass", fixed_clock()).unwrap();
    let before = ro.connection().query_row("SELECT count(*) FROM change_log", [], |r| r.get::<_, i64>(0)).unwrap();
    let forbidden = |r: Result<(), StoreError>, what: &str| assert!(refusal(r, what).contains("（只读）"), "{what}");
    let mut p = ro.require::<Person>(person_id).unwrap();
    p.name = Some("改名".into());
    forbidden(ro.save(p).map(|_| ()), "save");
    forbidden(ro.save(person("新人", None)).map(|_| ()), "create");
    forbidden(ro.delete::<Person>(person_id).map(|_| ()), "delete");
    forbidden(ro.transition_case(case_id, CaseStatus::Accepted).map(|_| ()), "transition");
    forbidden(ro.void_case_number("（2026）东山调字第1号", "错号").map(|_| ()), "void number");
    forbidden(ro.batch(|b| b.save(person("批量", None)).map(|_| ())), "batch");
    forbidden(ro.import(&mut std::io::Cursor::new(b"".to_vec())).map(|_| ()), "import");
    forbidden(ro.set_reminder_settings(&ro.reminder_settings().unwrap()).map(|_| ()), "reminder settings");
    forbidden(ro.acknowledge_reminder("x", "已处理").map(|_| ()), "acknowledge reminder");
    forbidden(ro.set_idle_lock_minutes(5), "idle lock");
    forbidden(
        ro.add_account(&NewAccount { name: "x".into(), display_name: "某".into(), role: Some(Role::Director), password: "12345678".into() })
            .map(|_| ()),
        "add account",
    );
    forbidden(ro.backup(&dir.join("ro-backup.db")), "backup");
    forbidden(ro.require_permission(Permission::SeePersonal), "unmask");
    forbidden(ro.require_permission(Permission::Export), "export");
    let after = ro.connection().query_row("SELECT count(*) FROM change_log", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(before, after, "nothing was written");
    // Reading works.
    assert_eq!(ro.require::<Organization>(committee).unwrap().name.as_deref(), Some("东山镇人民调解委员会"));
    assert!(!dir.join("ro-backup.db").exists());

    // A 工作人员 edits records but not accounts.
    drop(ro);
    let mut d = Store::open_secured(&dir, "wangsz", PASSWORD, fixed_clock()).unwrap();
    d.add_account(&NewAccount { name: "zhao".into(), display_name: "赵工作".into(), role: Some(Role::Staff), password: "staff-pass-1".into() })
        .unwrap();
    drop(d);
    let mut staff = Store::open_secured(&dir, "zhao", "staff-pass-1", fixed_clock()).unwrap();
    let saved = staff.save(person("赵新增", None)).unwrap();
    assert_eq!(saved.record.meta.created_by, "赵工作");
    assert_eq!(refusal(staff.set_idle_lock_minutes(5), "staff idle lock"), "当前账号（工作人员）没有权限管理账号和本所设置");
}

fn refusal(r: Result<(), StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Forbidden(m)) => m,
        other => panic!("{what}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_recovery_key_resets_a_password_and_the_old_one_stops_working() {
    let dir = tempfile::tempdir().unwrap();
    let (store, recovery) = Store::init_secured(dir.path(), "东山镇司法所", "350502101", &director(), fixed_clock()).unwrap();
    drop(store);
    let e =
        Store::reset_with_recovery(dir.path(), "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "wangsz", "brand-new-pass", fixed_clock()).err().unwrap();
    assert_eq!(e.to_string(), "恢复密钥不正确");
    assert!(Store::reset_with_recovery(dir.path(), "ABC", "wangsz", "brand-new-pass", fixed_clock()).is_err());
    let typed = recovery.as_str().to_lowercase().replace('-', " ");
    let e = Store::reset_with_recovery(dir.path(), &typed, "wangsz", "short", fixed_clock()).err().unwrap();
    assert_eq!(e.to_string(), "密码至少8位");
    let store = Store::reset_with_recovery(dir.path(), &typed, "wangsz", "brand-new-pass", fixed_clock()).unwrap();
    assert!(store.audit_entries(10).unwrap().iter().any(|e| e.action == "password_reset_recovery"));
    drop(store);
    assert!(Store::open_secured(dir.path(), "wangsz", PASSWORD, fixed_clock()).is_err());
    Store::open_secured(dir.path(), "wangsz", "brand-new-pass", fixed_clock()).unwrap();
}

#[test]
fn accounts_are_managed_by_the_director_and_one_director_always_remains() {
    let mut s = secured();
    let me = s.store.account().unwrap().id;
    let e = s.store.change_account(me, &AccountChange { role: Some(Role::Staff), ..Default::default() }).err().unwrap();
    assert_eq!(e.to_string(), "本所至少要有一个启用的所长账号");
    let e = s
        .store
        .add_account(&NewAccount { name: "WANGSZ".into(), display_name: "重名".into(), role: Some(Role::Staff), password: "12345678".into() })
        .err()
        .unwrap();
    assert_eq!(e.to_string(), "登录名“WANGSZ”已被使用");
    let li = s
        .store
        .add_account(&NewAccount { name: "li".into(), display_name: "李".into(), role: Some(Role::Staff), password: "li-password".into() })
        .unwrap();
    s.store.change_account(li.id, &AccountChange { disabled: Some(true), ..Default::default() }).unwrap();
    let dir = s.dir.path().to_path_buf();
    let e = Store::open_secured(&dir, "li", "li-password", fixed_clock()).err().unwrap();
    assert!(e.to_string().contains("已停用"), "{e}");
    s.store.change_account(li.id, &AccountChange { disabled: Some(false), ..Default::default() }).unwrap();
    s.store.set_account_password(li.id, "li-second-pass").unwrap();
    assert!(Store::open_secured(&dir, "li", "li-password", fixed_clock()).is_err());
    Store::open_secured(&dir, "li", "li-second-pass", fixed_clock()).unwrap();
    // Own password.
    assert_eq!(s.store.change_own_password("wrong-old-one", "whatever-new").err().unwrap().to_string(), "原密码不正确");
    s.store.change_own_password(PASSWORD, "director-new-pass").unwrap();
    s.store.verify_password("director-new-pass").unwrap();
    assert!(s.store.verify_password(PASSWORD).is_err());
    assert_eq!(s.store.idle_lock_minutes().unwrap(), 10);
    s.store.set_idle_lock_minutes(15).unwrap();
    assert_eq!(s.store.idle_lock_minutes().unwrap(), 15);
    assert!(s.store.set_idle_lock_minutes(0).is_err());
    assert!(s.store.verify_audit().unwrap().is_ok());
}

#[test]
fn a_store_made_before_accounts_is_encrypted_in_place() {
    let mut f = fixture();
    f.case_with_parties("欧阳明辉与司马秀英相邻通行纠纷", NAMES[0], NAMES[1]);
    let dir = f.dir.path().to_path_buf();
    assert!(!clear_text_hits(&dir, &needles()).is_empty());
    let before = f.store.all::<Person>().unwrap();
    let recovery = f.store.secure_existing(&director()).unwrap();
    assert_eq!(f.store.all::<Person>().unwrap(), before);
    f.store.save(person("加密后新增", None)).unwrap();
    drop(f.store);
    assert_eq!(clear_text_hits(&dir, &needles()), Vec::<String>::new());
    assert!(matches!(Store::open_with_clock(&dir, fixed_clock()), Err(StoreError::Locked)));
    let store = Store::open_secured(&dir, "wangsz", PASSWORD, fixed_clock()).unwrap();
    assert_eq!(store.all::<Person>().unwrap().len(), before.len() + 1);
    assert!(store.verify_audit().unwrap().is_ok());
    drop(store);
    Store::reset_with_recovery(&dir, recovery.as_str(), "wangsz", "after-recovery", fixed_clock()).unwrap();
}

/// Power lost while a store made before accounts is encrypted, after the key ring was written
/// and before the encrypted copy replaced the plain file: the next sign-in finishes the job,
/// with every record and the new account. An attempt cut short before its key ring can simply
/// be made again.
#[test]
fn an_encryption_cut_short_is_finished_at_the_next_sign_in() {
    let mut f = fixture();
    f.case_with_parties("欧阳明辉与司马秀英相邻通行纠纷", NAMES[0], NAMES[1]);
    let persons = f.store.all::<Person>().unwrap().len();
    let dir = f.dir.path().to_path_buf();
    drop(f.store);
    // The same office copied, to encrypt there and bring back the pieces a crash would leave.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("fengqiao.db"), other.path().join("fengqiao.db")).unwrap();
    let mut copy = Store::open_with_clock(other.path(), fixed_clock()).unwrap();
    copy.secure_existing(&director()).unwrap();
    drop(copy);
    // Here: the plain file still in place, the encrypted copy beside it, the key ring written.
    std::fs::copy(other.path().join("fengqiao.db"), dir.join("fengqiao.db.encrypting")).unwrap();
    std::fs::copy(other.path().join("keyring.json"), dir.join("keyring.json")).unwrap();
    let store = Store::open_secured(&dir, "wangsz", PASSWORD, fixed_clock()).unwrap();
    assert_eq!(store.all::<Person>().unwrap().len(), persons);
    assert_eq!(store.account().unwrap().role, Role::Director);
    drop(store);
    assert!(!dir.join("fengqiao.db.encrypting").exists());
    assert_eq!(clear_text_hits(&dir, &needles()), Vec::<String>::new());

    // Cut short before the key ring: the store is still plain, and securing it again works.
    let mut g = fixture();
    g.store
        .connection()
        .execute("INSERT INTO account (id, name, display_name, role, created_at, updated_at) VALUES ('x', 'wangsz', '旧', 'director', '', '')", [])
        .unwrap();
    g.store.secure_existing(&director()).unwrap();
    assert_eq!(g.store.accounts().unwrap().len(), 1);
}

//! The audit log is append-only and hash-chained: the program's own work verifies; the
//! database refuses UPDATE and DELETE; and whoever drops the triggers and changes, removes,
//! cuts off or puts in an entry is found, at the entry.

mod common;
#[path = "common/old_schema.rs"]
mod old_schema;

use common::*;
use fengqiao_model::*;
use fengqiao_store::audit::{entry_hash, NewEntry, GENESIS, REFUSAL};
use fengqiao_store::{schema, AuditBreak, AuditCheck, Store, DB_FILE};
use rusqlite::Connection;

/// A store with real work in it (records saved, edited, deleted, a case accepted, a backup),
/// closed; returns its directory.
fn worked_store() -> tempfile::TempDir {
    let Fixture { dir, mut store, committee, mediator } = fixture();
    let zhang = store.save(person("张三", Some(id_number("350502", "19800101", "123")))).unwrap().record;
    let li = store.save(person("李四", None)).unwrap().record;
    let mut edited = li.clone();
    edited.phone = Some("13800000000".into());
    store.save(edited).unwrap();
    let case = store
        .save(DisputeCase {
            committee_id: Some(committee),
            lead_mediator_id: Some(mediator),
            title: Some("张三与李四宅基地纠纷".into()),
            summary: Some("宅基地界址不清".into()),
            ..Default::default()
        })
        .unwrap()
        .record;
    let _ = case;
    store.delete::<Person>(zhang.meta.id).unwrap();
    store.backup(&dir.path().join("copy.db")).unwrap();
    drop(store);
    dir
}

fn raw(dir: &tempfile::TempDir) -> Connection {
    Connection::open(dir.path().join(DB_FILE)).unwrap()
}

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open_with_clock(dir.path(), fixed_clock()).unwrap()
}

fn verify(dir: &tempfile::TempDir) -> AuditCheck {
    open(dir).verify_audit().unwrap()
}

fn count(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap()
}

/// What an intruder does first: the triggers go.
fn without_triggers(dir: &tempfile::TempDir) -> Connection {
    let conn = raw(dir);
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    conn
}

#[test]
fn the_programs_own_work_verifies_and_is_chained_from_the_genesis() {
    let dir = worked_store();
    let conn = raw(&dir);
    let n = count(&conn);
    assert!(n >= 7, "{n}");
    let mut stmt = conn.prepare("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq").unwrap();
    let rows: Vec<(i64, String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows[0].1, GENESIS);
    for w in rows.windows(2) {
        assert_eq!(w[1].0, w[0].0 + 1);
        assert_eq!(w[1].1, w[0].2, "entry {} chains from {}", w[1].0, w[0].0);
    }
    assert!(rows.iter().all(|(_, _, h)| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit())));
    let actions: Vec<String> =
        conn.prepare("SELECT action FROM audit_log ORDER BY seq").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    for a in ["create", "update", "delete", "backup"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }

    let check = verify(&dir);
    assert!(check.is_ok(), "{check}");
    assert_eq!(check.checked, n);
    assert_eq!(check.to_string(), format!("审计日志完整（共{n}条）"));
    // The listing: newest first, with the hashes.
    let store = open(&dir);
    let last = store.audit_entries(2).unwrap();
    assert_eq!(last.len(), 2);
    assert_eq!(last[0].seq, n);
    assert_eq!(last[0].action, "backup");
    assert_eq!(last[0].prev_hash, last[1].hash);
}

#[test]
fn the_database_refuses_update_and_delete_with_the_chinese_message() {
    let dir = worked_store();
    let conn = raw(&dir);
    for sql in [
        "UPDATE audit_log SET summary = '什么也没发生' WHERE seq = 3",
        "UPDATE audit_log SET actor = 'someone'",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ] {
        let err = conn.execute(sql, []).expect_err(sql).to_string();
        assert!(err.contains(REFUSAL), "{sql}: {err}");
    }
    assert_eq!(REFUSAL, "审计日志只能追加，不能修改或删除");
    drop(conn);
    assert!(verify(&dir).is_ok());
}

#[test]
fn an_edited_entry_is_detected_at_that_entry() {
    let dir = worked_store();
    let conn = without_triggers(&dir);
    let n = count(&conn);
    conn.execute("UPDATE audit_log SET summary = '新建人员“王五”' WHERE seq = 3", []).unwrap();
    drop(conn);
    let check = verify(&dir);
    let p = check.problem.as_ref().expect("detected");
    assert_eq!((p.seq, p.kind), (3, AuditBreak::Changed), "{check}");
    assert_eq!(check.checked, 3);
    assert!(p.message.contains("第3条") && p.message.contains("已被修改"), "{}", p.message);
    assert!(check.to_string().starts_with("审计日志被改动"), "{check}");
    let _ = n;
}

#[test]
fn every_field_is_covered_and_text_moved_between_fields_changes_the_hash() {
    for (column, value) in [
        ("at", "'2020-01-01T00:00:00.000000Z'"),
        ("actor", "'别人'"),
        ("device_id", "'00000000-0000-0000-0000-000000000000'"),
        ("action", "'read'"),
        ("kind", "NULL"),
        ("record_id", "NULL"),
        ("detail", "'[\"x\"]'"),
        ("seq", "100"),
    ] {
        let dir = worked_store();
        let conn = without_triggers(&dir);
        conn.execute(&format!("UPDATE audit_log SET {column} = {value} WHERE seq = 4"), []).unwrap();
        drop(conn);
        let check = verify(&dir);
        let p = check.problem.expect(column);
        // A changed seq moves the entry to the end: the gap it left is found at the next one.
        let expected = if column == "seq" { (5, AuditBreak::Removed) } else { (4, AuditBreak::Changed) };
        assert_eq!((p.seq, p.kind), expected, "{column}: {}", p.message);
    }
    let entry = |actor, summary| NewEntry {
        at: "2026-11-20T02:00:00.000000Z",
        actor,
        device_id: "d",
        action: "create",
        kind: None,
        record_id: None,
        summary,
        detail: None,
    };
    assert_ne!(entry_hash(GENESIS, 1, &entry("王", "五新建")), entry_hash(GENESIS, 1, &entry("王五", "新建")));
    assert_ne!(entry_hash(GENESIS, 1, &entry("王", "")), entry_hash(GENESIS, 2, &entry("王", "")));
}

#[test]
fn an_edit_with_its_hash_recomputed_is_detected_at_the_next_entry() {
    let dir = worked_store();
    let conn = without_triggers(&dir);
    let (prev, at, actor, device, action, kind, record, detail): (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = conn
        .query_row("SELECT prev_hash, at, actor, device_id, action, kind, record_id, detail FROM audit_log WHERE seq = 3", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })
        .unwrap();
    let forged = NewEntry {
        at: &at,
        actor: &actor,
        device_id: &device,
        action: &action,
        kind: kind.as_deref(),
        record_id: record.as_deref(),
        summary: "新建人员“王五”",
        detail: detail.as_deref(),
    };
    conn.execute("UPDATE audit_log SET summary = ?1, hash = ?2 WHERE seq = 3", [forged.summary, &entry_hash(&prev, 3, &forged)]).unwrap();
    drop(conn);
    let p = verify(&dir).problem.expect("detected");
    assert_eq!((p.seq, p.kind), (4, AuditBreak::Changed), "{}", p.message);
    assert!(p.message.contains("第3条"), "{}", p.message);
}

#[test]
fn a_deleted_entry_in_the_middle_is_detected() {
    let dir = worked_store();
    let conn = without_triggers(&dir);
    conn.execute("DELETE FROM audit_log WHERE seq = 4", []).unwrap();
    drop(conn);
    let check = verify(&dir);
    let p = check.problem.as_ref().expect("detected");
    assert_eq!((p.seq, p.kind), (5, AuditBreak::Removed), "{check}");
    assert!(p.message.contains("第4条已被删除"), "{}", p.message);

    // Two in a row, and the very first one.
    let dir = worked_store();
    let conn = without_triggers(&dir);
    conn.execute("DELETE FROM audit_log WHERE seq IN (2, 3)", []).unwrap();
    drop(conn);
    let p = verify(&dir).problem.expect("detected");
    assert_eq!((p.seq, p.kind), (4, AuditBreak::Removed));
    assert!(p.message.contains("第2至3条"), "{}", p.message);

    let dir = worked_store();
    let conn = without_triggers(&dir);
    conn.execute("DELETE FROM audit_log WHERE seq = 1", []).unwrap();
    drop(conn);
    let p = verify(&dir).problem.expect("detected");
    assert_eq!((p.seq, p.kind), (2, AuditBreak::Removed), "{}", p.message);
}

/// The chain alone cannot see the last entries cut off: what is left is a valid shorter
/// chain. The count and last hash kept in `settings` (moved in the same transaction as every
/// append) can — also after the program has appended more since.
#[test]
fn entries_cut_off_the_end_are_detected_by_the_head_in_settings() {
    let dir = worked_store();
    let conn = without_triggers(&dir);
    let n = count(&conn);
    conn.execute("DELETE FROM audit_log WHERE seq > ?1", [n - 2]).unwrap();
    drop(conn);
    let check = verify(&dir);
    let p = check.problem.as_ref().expect("detected");
    assert_eq!((p.seq, p.kind), (n - 2, AuditBreak::Removed), "{check}");
    assert!(p.message.contains("有2条记录已被删除"), "{}", p.message);
    assert_eq!(check.checked, n - 2);

    // The program keeps working and appends after the cut; the cut stays visible.
    let mut store = open(&dir);
    store.save(person("赵六", None)).unwrap();
    let p = store.verify_audit().unwrap().problem.expect("still detected");
    assert_eq!(p.kind, AuditBreak::Removed, "{}", p.message);
    assert!(p.message.contains("有2条记录已被删除"), "{}", p.message);
    drop(store);

    // The last entry only, with nothing after.
    let dir = worked_store();
    let conn = without_triggers(&dir);
    conn.execute("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)", []).unwrap();
    drop(conn);
    let p = verify(&dir).problem.expect("detected");
    assert!(p.message.contains("有1条记录已被删除"), "{}", p.message);
}

#[test]
fn an_entry_put_in_is_detected() {
    // At the end, correctly chained: only the count tells.
    let dir = worked_store();
    let conn = without_triggers(&dir);
    let (seq, prev): (i64, String) =
        conn.query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    let e = NewEntry {
        at: "2026-11-20T02:00:00.000000Z",
        actor: "测试员",
        device_id: "x",
        action: "export",
        kind: None,
        record_id: None,
        summary: "导出全部记录",
        detail: None,
    };
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, device_id, action, summary, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![seq + 1, e.at, e.actor, e.device_id, e.action, e.summary, prev, entry_hash(&prev, seq + 1, &e)],
    )
    .unwrap();
    drop(conn);
    let p = verify(&dir).problem.expect("detected");
    assert_eq!((p.seq, p.kind), (seq + 1, AuditBreak::Inserted), "{}", p.message);

    // In a gap of the numbering, chained to the entry before it: the next one skips it.
    let dir = worked_store();
    let conn = without_triggers(&dir);
    let prev: String = conn.query_row("SELECT hash FROM audit_log WHERE seq = 3", [], |r| r.get(0)).unwrap();
    conn.execute_batch("CREATE TEMP TABLE keep AS SELECT * FROM audit_log WHERE seq > 3; DELETE FROM audit_log WHERE seq > 3;").unwrap();
    conn.execute(
        "INSERT INTO audit_log SELECT seq + 1, at, actor, device_id, action, kind, record_id, summary, detail, prev_hash, hash FROM keep",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, device_id, action, summary, prev_hash, hash) VALUES (4, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![e.at, e.actor, e.device_id, e.action, e.summary, prev, entry_hash(&prev, 4, &e)],
    )
    .unwrap();
    drop(conn);
    let p = verify(&dir).problem.expect("detected");
    // The entries moved up to make room no longer match their hashes: found at the first.
    assert_eq!((p.seq, p.kind), (5, AuditBreak::Changed), "{}", p.message);
}

#[test]
fn a_store_of_the_previous_schema_with_audit_entries_migrates_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    // The schema just before the chain step (the ninth; accounts, compact clocks and the
    // reminders' indexes came after it).
    let previous = 8;
    old_schema::make_at(dir.path(), previous);
    let before = {
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        let n = count(&conn);
        let has_hash: i64 = conn.query_row("SELECT count(*) FROM pragma_table_info('audit_log') WHERE name = 'hash'", [], |r| r.get(0)).unwrap();
        assert_eq!(has_hash, 0, "the previous schema has no chain");
        n
    };
    assert!(before >= 7, "{before}");

    let mut store = Store::open_with_clock(dir.path(), fixed_clock()).unwrap();
    let check = store.verify_audit().unwrap();
    assert!(check.is_ok(), "{check}");
    assert_eq!(check.checked, before);
    let first = store.audit_entries(usize::MAX).unwrap().pop().unwrap();
    assert_eq!((first.seq, first.prev_hash.as_str()), (1, GENESIS));
    // New work chains on, and the triggers are there.
    store.save(person("钱七", None)).unwrap();
    assert_eq!(store.verify_audit().unwrap().checked, before + 1);
    let err = store.connection().execute("DELETE FROM audit_log WHERE seq = 1", []).unwrap_err().to_string();
    assert!(err.contains(REFUSAL), "{err}");
    drop(store);

    // And the backfilled chain detects an edit like any other.
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = '新版' WHERE seq = 2;").unwrap();
    drop(conn);
    let p = Store::open_with_clock(dir.path(), fixed_clock()).unwrap().verify_audit().unwrap().problem.expect("detected");
    assert_eq!((p.seq, p.kind), (2, AuditBreak::Changed));
}

#[test]
fn a_pc_joining_an_enrolled_office_starts_an_empty_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init_for_enrollment(dir.path(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), fixed_clock()).unwrap();
    let check = store.verify_audit().unwrap();
    assert!(check.is_ok(), "{check}");
    assert_eq!(check.checked, 0);
    store.save(person("孙八", None)).unwrap();
    let entries = store.audit_entries(10).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].seq, entries[0].prev_hash.as_str()), (1, GENESIS));
    assert!(store.verify_audit().unwrap().is_ok());
    let err = store.connection().execute("UPDATE audit_log SET summary = ''", []).unwrap_err().to_string();
    assert!(err.contains(REFUSAL), "{err}");
}

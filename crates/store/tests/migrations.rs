//! Forward-only migrations: a database made by each earlier schema version, with records,
//! is backed up, opens, upgrades, and finds its records; a newer one is refused; a migration
//! that fails (also midway through a step) leaves the database as it was, still usable by the
//! program that wrote it, and the next start migrates it.

#[path = "common/old_schema.rs"]
mod old_schema;

use fengqiao_model::*;
use fengqiao_store::{schema, DisputeFilter, Store, DB_FILE};
use old_schema::make_at;
use rusqlite::Connection;

fn make_v1(dir: &std::path::Path) -> (uuid::Uuid, uuid::Uuid) {
    let (office, case, _) = make_at(dir, 1);
    (office, case)
}

/// The automatic backups in the data directory.
fn backups(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join(schema::BACKUP_DIR)) else { return vec![] };
    let mut all: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    all.sort();
    all
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn every_earlier_schema_version_upgrades_with_its_records_after_a_backup() {
    for version in 1..schema::current_version() {
        let dir = tempfile::tempdir().unwrap();
        let (office, first, second) = make_at(dir.path(), version);
        let cases_before = count(&Connection::open(dir.path().join(DB_FILE)).unwrap(), "SELECT count(*) FROM dispute_case");
        let changes_before = count(&Connection::open(dir.path().join(DB_FILE)).unwrap(), "SELECT count(*) FROM change_log");

        let mut store = Store::open(dir.path()).unwrap_or_else(|e| panic!("version {version}: {e}"));
        assert_eq!(schema::version_of(store.connection()).unwrap(), schema::current_version(), "version {version}");
        assert_eq!(store.office_id(), office);
        assert_eq!(store.office().unwrap().name.as_deref(), Some("西岭镇司法所"));

        // The backup holds the database as it was, named with its schema version.
        let made = backups(dir.path());
        assert_eq!(made.len(), 1, "version {version}: {made:?}");
        let name = made[0].file_name().unwrap().to_string_lossy().to_string();
        assert!(name.starts_with(&format!("fengqiao-schema{version}-")), "{name}");
        let old = Connection::open_with_flags(&made[0], rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        assert_eq!(schema::version_of(&old).unwrap(), version);
        assert_eq!(count(&old, "SELECT count(*) FROM dispute_case"), cases_before);

        // Every record is there, found by the search index (backfilled or kept), and editable.
        for (case, name) in [(first, "张伟"), (second, if version > 1 { "李秀英" } else { "张伟" })] {
            let found = store.list_disputes(&DisputeFilter { query: Some(name.into()), ..Default::default() }).unwrap();
            assert_eq!(found.total, 1, "version {version}: {name}");
            assert_eq!(found.rows[0].case.meta.id, case);
            assert_eq!(found.rows[0].party_names, name);
        }
        let c = store.connection();
        assert_eq!(count(c, "SELECT count(*) FROM dispute_case"), cases_before);
        assert_eq!(count(c, "SELECT count(*) FROM change_log"), changes_before);
        assert_eq!(count(c, "SELECT count(*) FROM reminder_state"), if version >= 6 { 1 } else { 0 });
        assert_eq!(count(c, "SELECT count(*) FROM change_log WHERE origin = 'county'"), if version >= 7 { 1 } else { 0 });
        assert_eq!(count(c, "SELECT count(*) FROM field_clock"), count(c, "SELECT count(DISTINCT record_id) FROM change_log"));
        let mut edited = store.require::<DisputeCase>(second).unwrap();
        edited.occurred_place = Some("西岭村".into());
        assert_eq!(store.save(edited).unwrap().record.meta.version, 2);
        store.integrity_check().unwrap();
        // The audit entries the old version wrote are chained, and the edit above after them.
        let audits = count(&old, "SELECT count(*) FROM audit_log");
        assert!(audits >= 4, "version {version}: {audits}");
        let check = store.verify_audit().unwrap();
        assert!(check.is_ok(), "version {version}: {check}");
        assert_eq!(check.checked, audits + 1, "version {version}");
        drop(store);

        // Opening again neither migrates nor backs up.
        drop(Store::open(dir.path()).unwrap());
        assert_eq!(backups(dir.path()).len(), 1);
    }
}

/// A step that does part of its work and then fails, as a migration interrupted midway.
fn fails_midway(tx: &rusqlite::Transaction) -> Result<(), fengqiao_store::StoreError> {
    tx.execute_batch("CREATE TABLE half_done (x INTEGER); UPDATE dispute_case SET data = json_set(data, '$.title', '改了一半');")?;
    Err(fengqiao_store::StoreError::Corrupt("模拟升级中途失败".into()))
}

#[test]
fn an_interrupted_migration_rolls_back_whole_and_the_next_start_succeeds() {
    for version in [1, 3, schema::current_version() - 1] {
        let dir = tempfile::tempdir().unwrap();
        let (_, first, second) = make_at(dir.path(), version);
        // This program's steps with one more that fails midway, after the real ones ran in
        // the same transaction.
        let mut steps = schema::migrations();
        steps.push(schema::Step::Code(fails_midway));
        steps.push(schema::Step::Sql("CREATE TABLE never_reached (x INTEGER);"));
        let err = Store::open_with_migrations(dir.path(), fengqiao_store::system_clock(), &steps).err().expect("the upgrade must fail");
        assert_eq!(err.code(), "upgrade_failed");
        let message = err.to_string();
        assert!(message.contains("模拟升级中途失败") && message.contains("已全部撤销") && message.contains("记录没有丢失"), "{message}");
        assert!(message.contains("县司法局"), "{message}");
        let made = backups(dir.path());
        assert_eq!(made.len(), 1);
        assert!(message.contains(&made[0].display().to_string()), "the message names the backup: {message}");

        // Nothing of the run stayed: the old version, no table of any step, the old data.
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        assert_eq!(schema::version_of(&conn).unwrap(), version);
        assert_eq!(
            count(&conn, "SELECT count(*) FROM sqlite_master WHERE name IN ('half_done', 'never_reached', 'field_clock')"),
            if version >= 7 { 1 } else { 0 }
        );
        assert_eq!(count(&conn, "SELECT count(*) FROM dispute_case WHERE json_extract(data, '$.title') = '改了一半'"), 0);
        drop(conn);

        // The program of the old version still opens it, as it was.
        let mut old_steps = schema::migrations();
        old_steps.truncate(version as usize);
        let old = Store::open_with_migrations(dir.path(), fengqiao_store::system_clock(), &old_steps).unwrap();
        assert_eq!(old.require::<DisputeCase>(first).unwrap().title.as_deref(), Some("张伟与邻居排水纠纷"));
        drop(old);

        // And the next start of this program (the faulty step fixed) migrates it.
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(schema::version_of(store.connection()).unwrap(), schema::current_version());
        assert!(store.require::<DisputeCase>(second).is_ok());
        store.integrity_check().unwrap();
    }
}

#[test]
fn without_a_backup_nothing_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    make_v1(dir.path());
    // A file where the backup folder should be: the backup cannot be written.
    std::fs::write(dir.path().join(schema::BACKUP_DIR), "").unwrap();
    let err = Store::open(dir.path()).err().expect("no upgrade without a backup");
    assert_eq!(err.code(), "upgrade_backup_failed");
    assert!(err.to_string().contains("没有做任何改动"), "{err}");
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    assert_eq!(schema::version_of(&conn).unwrap(), 1);
}

#[test]
fn a_v1_database_upgrades_and_keeps_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let (office, case) = make_v1(dir.path());
    let mut store = Store::open(dir.path()).unwrap();
    let v: i64 = store.connection().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, schema::current_version());
    assert_eq!(store.office_id(), office);
    assert_eq!(store.office().unwrap().name.as_deref(), Some("西岭镇司法所"));
    // The search index was backfilled from the old records: the 2-character name is found.
    let found = store.list_disputes(&DisputeFilter { query: Some("张伟".into()), ..Default::default() }).unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.rows[0].case.meta.id, case);
    assert_eq!(found.rows[0].party_names, "张伟");
    // And the upgraded store keeps working: an edit is a new version with its change entry.
    let mut c = store.require::<DisputeCase>(case).unwrap();
    c.occurred_place = Some("西岭村".into());
    let saved = store.save(c).unwrap().record;
    assert_eq!(saved.meta.version, 2);
    assert_eq!(store.history(Kind::DisputeCase, case).unwrap().len(), 2);
    store.integrity_check().unwrap();
}

#[test]
fn a_newer_database_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::init(dir.path(), "东山镇司法所", "350502101").unwrap());
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(dir.path()).err().expect("a newer schema must be refused");
    assert_eq!(err.code(), "newer_schema");
    assert!(err.to_string().contains("请升级程序"), "{err}");
    // Refused untouched: still version 99, no backup made.
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    assert_eq!(schema::version_of(&conn).unwrap(), 99);
    assert!(backups(dir.path()).is_empty());
}

#[test]
fn a_failing_migration_rolls_back_and_leaves_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let (_, case) = make_v1(dir.path());
    // Sabotage: a table in the way of migration 2.
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute_batch("CREATE TABLE search_doc (x INTEGER);").unwrap();
    drop(conn);
    let err = Store::open(dir.path()).err().expect("the migration must fail");
    assert_eq!(err.code(), "upgrade_failed");
    assert!(err.to_string().contains("请重新安装原来版本的程序"), "{err}");
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 1, "the failed step is not recorded as applied");
    let title: String =
        conn.query_row("SELECT json_extract(data, '$.title') FROM dispute_case WHERE id = ?1", [case.to_string()], |r| r.get(0)).unwrap();
    assert_eq!(title, "张伟与邻居排水纠纷");
    // Once the obstacle is gone, the upgrade goes through.
    conn.execute_batch("DROP TABLE search_doc;").unwrap();
    drop(conn);
    Store::open(dir.path()).unwrap();
}

#[test]
fn clocks_of_the_older_layout_are_rewritten_once_per_stamp_and_keep_their_stamps() {
    use fengqiao_model::merge::FieldClocks;
    let dir = tempfile::tempdir().unwrap();
    // The schema just before the compact clocks step (the eleventh).
    make_at(dir.path(), 10);
    // The clocks as the program before wrote them: a stamp per field.
    let before: Vec<(String, String, FieldClocks)> = {
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        let rows: Vec<(String, String, String)> = conn
            .prepare("SELECT kind, record_id, clocks FROM field_clock ORDER BY kind, record_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut out = Vec::new();
        for (kind, id, text) in rows {
            let clocks: FieldClocks = serde_json::from_str(&text).unwrap();
            let older = serde_json::to_string(&clocks.0).unwrap();
            conn.execute("UPDATE field_clock SET clocks = ?3 WHERE kind = ?1 AND record_id = ?2", [&kind, &id, &older]).unwrap();
            out.push((kind, id, clocks));
        }
        out
    };
    assert!(before.len() >= 4, "{}", before.len());

    let store = Store::open(dir.path()).unwrap();
    let mut stmt = store.connection().prepare("SELECT kind, record_id, clocks FROM field_clock ORDER BY kind, record_id").unwrap();
    let after: Vec<(String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(after.len(), before.len());
    for ((kind, id, text), (k0, id0, clocks)) in after.iter().zip(&before) {
        assert_eq!((kind, id), (k0, id0));
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        assert!(v.as_object().unwrap().values().all(|s| s.is_array()), "{kind} {id}: {text}");
        assert_eq!(&serde_json::from_str::<FieldClocks>(text).unwrap(), clocks, "{kind} {id}");
    }
}

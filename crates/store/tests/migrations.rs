//! Forward-only migrations: a database made by the previous schema (v1: records without the
//! search index) opens, upgrades, and finds its records; a newer one is refused; a migration
//! that fails leaves the database as it was.

use fengqiao_model::*;
use fengqiao_store::{schema, DisputeFilter, Store, DB_FILE};
use rusqlite::Connection;

/// Writes a v1 database the way the v1 code did: settings, an office, a person, a case with
/// a party, and their change-log entries.
fn make_v1(dir: &std::path::Path) -> (uuid::Uuid, uuid::Uuid) {
    let mut conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    schema::migrate_to(&mut conn, 1).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 1);
    let office = uuid::Uuid::now_v7();
    let person = uuid::Uuid::now_v7();
    let case = uuid::Uuid::now_v7();
    let party = uuid::Uuid::now_v7();
    let device = uuid::Uuid::now_v7();
    let t = "2025-03-01T02:00:00.000000Z";
    let meta = |id: uuid::Uuid| format!(r#""id":"{id}","org_id":"{office}","created_at":"{t}","updated_at":"{t}","created_by":"旧版","version":1,"deleted":false,"draft":false"#);
    let rows = [
        ("organization", office, None, format!(r#"{{{},"name":"西岭镇司法所","org_type":"judicial_office","division_code":"350502102"}}"#, meta(office))),
        ("person", person, None, format!(r#"{{{},"name":"张伟","gender":"1"}}"#, meta(person))),
        ("dispute_case", case, None, format!(r#"{{{},"title":"张伟与邻居排水纠纷","summary":"排水沟堵塞","status":"draft","requests":[]}}"#, meta(case).replace(r#""draft":false"#, r#""draft":true"#))),
        ("case_party", party, Some(case), format!(r#"{{{},"case_id":"{case}","person_id":"{person}","role":"applicant"}}"#, meta(party))),
    ];
    conn.execute("INSERT INTO settings VALUES ('device_id', ?1), ('office_id', ?2)", [device.to_string(), office.to_string()]).unwrap();
    for (n, (table, id, parent, data)) in rows.iter().enumerate() {
        conn.execute(
            &format!("INSERT INTO {table} (id, org_id, parent_id, data, version, deleted, created_at, updated_at, created_by) VALUES (?1, ?2, ?3, ?4, 1, 0, ?5, ?5, '旧版')"),
            rusqlite::params![id.to_string(), office.to_string(), parent.map(|p| p.to_string()), data, t],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO change_log (change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, created_at) VALUES (?1, ?2, ?3, 'upsert', 1, ?4, '[]', ?5, ?6, ?7)",
            rusqlite::params![uuid::Uuid::now_v7().to_string(), table, id.to_string(), data, format!("{:015}-{n:06}-{device}", 1740794400000i64), device.to_string(), t],
        )
        .unwrap();
    }
    (office, case)
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
    assert_eq!(err.code(), "database");
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 1, "the failed step is not recorded as applied");
    let title: String = conn
        .query_row("SELECT json_extract(data, '$.title') FROM dispute_case WHERE id = ?1", [case.to_string()], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "张伟与邻居排水纠纷");
    // Once the obstacle is gone, the upgrade goes through.
    conn.execute_batch("DROP TABLE search_doc;").unwrap();
    drop(conn);
    Store::open(dir.path()).unwrap();
}

//! Stores of an earlier schema version with records in them, written the way the code of that
//! version wrote them. Shared by the migration tests and the `old-store` example (which the
//! package test uses to make an office's data directory of the previous schema).

use fengqiao_model::Kind;
use fengqiao_store::{schema, search, sync, DB_FILE};
use rusqlite::Connection;

/// Writes records into a database of schema version `version` the way the code of that
/// version did: the rows with their change-log entries, the search index from version 2 on,
/// the field clocks from version 8 on; from version 6 a snoozed reminder, from version 7 a
/// change that came from the county; an audit entry for each row (hash-chained from version 9
/// on).
pub fn write_records(conn: &mut Connection, version: i64, office: uuid::Uuid, device: uuid::Uuid, person_name: &str, title: &str) -> uuid::Uuid {
    let person = uuid::Uuid::now_v7();
    let case = uuid::Uuid::now_v7();
    let party = uuid::Uuid::now_v7();
    let t = "2025-03-01T02:00:00.000000Z";
    let meta = |id: uuid::Uuid| {
        format!(
            r#""id":"{id}","org_id":"{office}","created_at":"{t}","updated_at":"{t}","created_by":"旧版","version":1,"deleted":false,"draft":false"#
        )
    };
    let mut rows = vec![
        ("person", person, None, format!(r#"{{{},"name":"{person_name}","gender":"1"}}"#, meta(person))),
        (
            "dispute_case",
            case,
            None,
            format!(
                r#"{{{},"title":"{title}","summary":"排水沟堵塞","status":"draft","requests":[]}}"#,
                meta(case).replace(r#""draft":false"#, r#""draft":true"#)
            ),
        ),
        ("case_party", party, Some(case), format!(r#"{{{},"case_id":"{case}","person_id":"{person}","role":"applicant"}}"#, meta(party))),
    ];
    if version == 1 {
        conn.execute("INSERT INTO settings VALUES ('device_id', ?1), ('office_id', ?2)", [device.to_string(), office.to_string()]).unwrap();
        rows.insert(
            0,
            (
                "organization",
                office,
                None,
                format!(r#"{{{},"name":"西岭镇司法所","org_type":"judicial_office","division_code":"350502102"}}"#, meta(office)),
            ),
        );
    }
    let tx = conn.transaction().unwrap();
    for (table, id, parent, data) in &rows {
        tx.execute(
            &format!("INSERT INTO {table} (id, org_id, parent_id, data, version, deleted, created_at, updated_at, created_by) VALUES (?1, ?2, ?3, ?4, 1, 0, ?5, ?5, '旧版')"),
            rusqlite::params![id.to_string(), office.to_string(), parent.map(|p| p.to_string()), data, t],
        )
        .unwrap();
        let seq: i64 = tx.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).unwrap();
        let fields = r#"["name","title","summary","status"]"#;
        tx.execute(
            "INSERT INTO change_log (change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, created_at) VALUES (?1, ?2, ?3, 'upsert', 1, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![uuid::Uuid::now_v7().to_string(), table, id.to_string(), data, fields, format!("{:015}-{seq:06}-{device}", 1740794400000i64), device.to_string(), t],
        )
        .unwrap();
        let summary = format!("新建{table}");
        if version >= 9 {
            let (device, record) = (device.to_string(), id.to_string());
            let entry = fengqiao_store::audit::NewEntry {
                at: t,
                actor: "旧版",
                device_id: &device,
                action: "create",
                kind: Some(table),
                record_id: Some(&record),
                summary: &summary,
                detail: None,
            };
            fengqiao_store::audit::append(&tx, &entry).unwrap();
        } else {
            tx.execute(
                "INSERT INTO audit_log (at, actor, device_id, action, kind, record_id, summary, detail) VALUES (?1, '旧版', ?2, 'create', ?3, ?4, ?5, NULL)",
                rusqlite::params![t, device.to_string(), table, id.to_string(), summary],
            )
            .unwrap();
        }
    }
    if version >= 2 {
        search::reindex(&tx, Kind::DisputeCase, case).unwrap();
    }
    if version >= 6 {
        tx.execute(
            "INSERT INTO reminder_state (reminder_id, action, due_on, until, reason, actor, at) VALUES (?1, 'snoozed', '2025-03-10', '2025-03-20', '当事人外出', '旧版', ?2)",
            [format!("case_deadline:{case}"), t.to_string()],
        )
        .unwrap();
    }
    if version >= 7 {
        tx.execute("UPDATE change_log SET origin = 'county', acked_at = ?2 WHERE record_id = ?1", [person.to_string(), t.to_string()]).unwrap();
    }
    if version >= 8 {
        sync::backfill_clocks(&tx).unwrap();
    }
    tx.commit().unwrap();
    case
}

/// A database of schema version `version` with records written at version 1 (an office, a
/// person, a case with its party) and more written at `version` itself. Returns the office id
/// and the two cases.
pub fn make_at(dir: &std::path::Path, version: i64) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let mut conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    schema::migrate_to(&mut conn, 1).unwrap();
    let office = uuid::Uuid::now_v7();
    let device = uuid::Uuid::now_v7();
    let first = write_records(&mut conn, 1, office, device, "张伟", "张伟与邻居排水纠纷");
    schema::migrate_to(&mut conn, version).unwrap();
    assert_eq!(schema::version_of(&conn).unwrap(), version);
    let second = if version > 1 { write_records(&mut conn, version, office, device, "李秀英", "李秀英与物业费纠纷") } else { first };
    (office, first, second)
}

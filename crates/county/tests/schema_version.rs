//! A database written by a newer fengqiao-county is refused untouched, on SQLite and on
//! PostgreSQL.

mod common;

use common::PG_ENV;
use fengqiao_county::store::SCHEMA_VERSION;
use fengqiao_county::{PgStore, SqliteStore};

#[tokio::test]
async fn sqlite_refuses_a_newer_database() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).await.unwrap());
    let db = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|e| e == "db")).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("INSERT INTO schema_version (version) VALUES (?1)", [SCHEMA_VERSION + 1]).unwrap();
    drop(conn);
    let err = SqliteStore::open(dir.path()).await.err().expect("a newer database must be refused");
    assert_eq!(err.code(), "too_new");
    assert!(err.to_string().contains("请升级fengqiao-county"), "{err}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let v: i64 = conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, SCHEMA_VERSION + 1);
}

#[tokio::test]
async fn postgres_refuses_a_newer_database() {
    let Ok(url) = std::env::var(PG_ENV) else {
        eprintln!("skipped: {PG_ENV} is not set");
        return;
    };
    let schema = format!("fq_test_newer_{}_{}", std::process::id(), rand::random::<u32>());
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
    let result = async {
        drop(PgStore::connect(&url, Some(&schema)).await.unwrap());
        client.batch_execute(&format!("INSERT INTO {schema}.schema_version (version) VALUES ({})", SCHEMA_VERSION + 1)).await.unwrap();
        PgStore::connect(&url, Some(&schema)).await.err()
    }
    .await;
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
    let err = result.expect("a newer database must be refused");
    assert_eq!(err.code(), "too_new");
    assert!(err.to_string().contains("请升级fengqiao-county"), "{err}");
}

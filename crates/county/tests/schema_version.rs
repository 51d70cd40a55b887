//! Upgrades of the county database: one of every earlier schema version with records in it
//! is backed up and migrated (SQLite), a failing migration is undone whole and the next start
//! succeeds; a database written by a newer fengqiao-county is refused untouched, on SQLite and
//! on PostgreSQL.

mod common;

use common::*;
use fengqiao_county::store::CountyStore;
use fengqiao_county::store::SCHEMA_VERSION;
use fengqiao_county::{PgStore, SqliteStore};
use fengqiao_sync::protocol::{PushStatus, MAX_BATCH};

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

fn backups(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join("backups")) else { return vec![] };
    entries.map(|e| e.unwrap().path()).collect()
}

fn version_of(dir: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("county.db")).unwrap();
    conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0)).unwrap()
}

/// An office with two devices and a record pushed by one, written by the program of schema
/// `version`; returns what to look for after the upgrade.
async fn old_county(dir: &std::path::Path, version: i64) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let store = SqliteStore::open_at_schema(dir, version).await.unwrap();
    let s: &dyn CountyStore = &store;
    let o = office(s, "城关镇司法所").await;
    let (a, _) = device(s, &o).await;
    let (b, _) = device(s, &o).await;
    let person = uuid::Uuid::now_v7();
    let r = s.push(o.id, a.id, vec![person_created(o.id, a.id, person, 1_000)], chrono::Utc::now()).await.unwrap();
    assert_eq!(r[0].status, PushStatus::Applied);
    drop(store);
    assert_eq!(version_of(dir), version);
    (o.id, b.id, person)
}

#[tokio::test]
async fn sqlite_every_earlier_schema_version_upgrades_with_its_records_after_a_backup() {
    for version in 1..SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let (office, other_device, person) = old_county(dir.path(), version).await;
        let store = SqliteStore::open(dir.path()).await.unwrap();
        assert_eq!(version_of(dir.path()), SCHEMA_VERSION);
        let made = backups(dir.path());
        assert_eq!(made.len(), 1, "{made:?}");
        assert!(made[0].file_name().unwrap().to_string_lossy().starts_with(&format!("county-schema{version}-")), "{made:?}");
        let copy = rusqlite::Connection::open(&made[0]).unwrap();
        assert_eq!(copy.query_row("SELECT max(version) FROM schema_version", [], |r| r.get::<_, i64>(0)).unwrap(), version);
        // The record and the change are still there: the other PC pulls it.
        assert!(store.record(office, "person", person).await.unwrap().is_some());
        let page = store.pull(office, other_device, 0, MAX_BATCH, chrono::Utc::now()).await.unwrap();
        assert_eq!(page.changes.iter().map(|c| c.record_id).collect::<Vec<_>>(), vec![person]);
        // The office's count of changes (version 5) takes in the change made before it.
        let count = || async { store.offices().await.unwrap().into_iter().find(|o| o.office.id == office).unwrap().changes };
        assert_eq!(count().await, 1, "version {version}");
        store.push(office, other_device, vec![person_created(office, other_device, uuid::Uuid::now_v7(), 2_000)], chrono::Utc::now()).await.unwrap();
        assert_eq!(count().await, 2, "version {version}");
        drop(store);
        // Opening again neither migrates nor backs up.
        drop(SqliteStore::open(dir.path()).await.unwrap());
        assert_eq!(backups(dir.path()).len(), 1);
    }
}

#[tokio::test]
async fn sqlite_a_failing_migration_is_undone_whole_and_the_next_start_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let (office, _, person) = old_county(dir.path(), 1).await;
    // Something in the way of version 2, as a step that fails midway.
    let conn = rusqlite::Connection::open(dir.path().join("county.db")).unwrap();
    conn.execute_batch("CREATE TABLE county_users (x INTEGER);").unwrap();
    drop(conn);
    let err = SqliteStore::open(dir.path()).await.err().expect("the upgrade must fail");
    assert_eq!(err.code(), "upgrade_failed");
    let message = err.to_string();
    assert!(message.contains("已全部撤销") && message.contains("请重新安装原来版本的fengqiao-county"), "{message}");
    assert!(message.contains(&backups(dir.path())[0].display().to_string()), "{message}");
    assert_eq!(version_of(dir.path()), 1);
    // The program of version 1 still opens it, with its record.
    let old = SqliteStore::open_at_schema(dir.path(), 1).await.unwrap();
    assert!(old.record(office, "person", person).await.unwrap().is_some());
    drop(old);
    let conn = rusqlite::Connection::open(dir.path().join("county.db")).unwrap();
    conn.execute_batch("DROP TABLE county_users;").unwrap();
    drop(conn);
    let store = SqliteStore::open(dir.path()).await.unwrap();
    assert_eq!(version_of(dir.path()), SCHEMA_VERSION);
    assert!(store.record(office, "person", person).await.unwrap().is_some());
}

/// A fresh schema in the PostgreSQL of `FENGQIAO_TEST_PG_URL` for `body`, dropped after.
async fn with_pg_schema<F, Fut>(body: F)
where
    F: FnOnce(String, String, tokio_postgres::Client) -> Fut,
    Fut: std::future::Future<Output = tokio_postgres::Client>,
{
    let Ok(url) = std::env::var(PG_ENV) else {
        eprintln!("skipped: {PG_ENV} is not set");
        return;
    };
    let schema = format!("fq_test_upgrade_{}_{}", std::process::id(), rand::random::<u32>());
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
    let guard = scopeguard_drop(url.clone(), schema.clone());
    let client = body(url, schema.clone(), client).await;
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
    std::mem::forget(guard);
}

/// Drops the schema if the test panicked before its own cleanup.
fn scopeguard_drop(url: String, schema: String) -> impl Drop {
    struct G(String, String);
    impl Drop for G {
        fn drop(&mut self) {
            let (url, schema) = (self.0.clone(), self.1.clone());
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok((c, conn)) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                        tokio::spawn(conn);
                        let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
                    }
                });
            })
            .join();
        }
    }
    G(url, schema)
}

async fn pg_version(client: &tokio_postgres::Client, schema: &str) -> i64 {
    client.query_one(&format!("SELECT max(version)::BIGINT FROM {schema}.schema_version"), &[]).await.unwrap().get(0)
}

#[tokio::test]
async fn postgres_every_earlier_schema_version_upgrades_with_its_records() {
    with_pg_schema(|url, schema, client| async move {
        for version in 1..SCHEMA_VERSION {
            client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE; CREATE SCHEMA {schema}")).await.unwrap();
            let old = PgStore::connect_at_schema(&url, Some(&schema), version).await.unwrap();
            let s: &dyn CountyStore = &old;
            let o = office(s, "城关镇司法所").await;
            let (a, _) = device(s, &o).await;
            let (b, _) = device(s, &o).await;
            let person = uuid::Uuid::now_v7();
            s.push(o.id, a.id, vec![person_created(o.id, a.id, person, 1_000)], chrono::Utc::now()).await.unwrap();
            drop(old);
            assert_eq!(pg_version(&client, &schema).await, version);
            let store = PgStore::connect(&url, Some(&schema)).await.unwrap();
            assert_eq!(pg_version(&client, &schema).await, SCHEMA_VERSION);
            assert!(store.record(o.id, "person", person).await.unwrap().is_some());
            let page = store.pull(o.id, b.id, 0, MAX_BATCH, chrono::Utc::now()).await.unwrap();
            assert_eq!(page.changes.iter().map(|c| c.record_id).collect::<Vec<_>>(), vec![person]);
            // The office's count of changes (version 5) takes in the change made before it.
            let count = || async { store.offices().await.unwrap().into_iter().find(|x| x.office.id == o.id).unwrap().changes };
            assert_eq!(count().await, 1, "version {version}");
            store.push(o.id, b.id, vec![person_created(o.id, b.id, uuid::Uuid::now_v7(), 2_000)], chrono::Utc::now()).await.unwrap();
            assert_eq!(count().await, 2, "version {version}");
        }
        client
    })
    .await;
}

#[tokio::test]
async fn postgres_a_failing_migration_is_undone_whole_and_the_next_start_succeeds() {
    with_pg_schema(|url, schema, client| async move {
        let old = PgStore::connect_at_schema(&url, Some(&schema), 1).await.unwrap();
        let s: &dyn CountyStore = &old;
        let o = office(s, "城关镇司法所").await;
        drop(old);
        client.batch_execute(&format!("CREATE TABLE {schema}.county_users (x INTEGER)")).await.unwrap();
        let err = PgStore::connect(&url, Some(&schema)).await.err().expect("the upgrade must fail");
        assert_eq!(err.code(), "upgrade_failed");
        assert!(err.to_string().contains("已全部撤销") && err.to_string().contains("pg_dump"), "{err}");
        assert_eq!(pg_version(&client, &schema).await, 1);
        client.batch_execute(&format!("DROP TABLE {schema}.county_users")).await.unwrap();
        let store = PgStore::connect(&url, Some(&schema)).await.unwrap();
        assert_eq!(pg_version(&client, &schema).await, SCHEMA_VERSION);
        assert!(store.offices().await.unwrap().iter().any(|x| x.office.id == o.id));
        client
    })
    .await;
}

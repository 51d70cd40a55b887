//! Stores for the tests: a fresh SQLite directory, or a fresh schema in the PostgreSQL named by
//! `FENGQIAO_TEST_PG_URL` (dropped again when the test ends, even when it fails).

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use chrono::Utc;
use fengqiao_county::store::{AuthDevice, CountyStore, EnrollOutcome, Enrollment, Office};
use fengqiao_county::{auth, PgStore, SqliteStore};
use fengqiao_sync::protocol::Change;
use serde_json::{json, Value};
use uuid::Uuid;

pub const PG_ENV: &str = "FENGQIAO_TEST_PG_URL";

pub struct Fixture {
    pub store: Arc<dyn CountyStore>,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<SchemaGuard>,
}

pub async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).await.expect("open sqlite store");
    Fixture { store: Arc::new(store), _dir: Some(dir), _schema: None }
}

/// A store on its own schema, or None (and a note) when no PostgreSQL is configured.
pub async fn postgres() -> Option<Fixture> {
    let Ok(url) = std::env::var(PG_ENV) else {
        eprintln!("skipped: {PG_ENV} is not set");
        return None;
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let schema = format!("fq_test_{}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst), rand::random::<u32>());
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect to FENGQIAO_TEST_PG_URL");
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.expect("create test schema");
    drop(client);
    let guard = SchemaGuard { url: url.clone(), schema: schema.clone() };
    let store = PgStore::connect(&url, Some(&schema)).await.expect("open postgres store");
    Some(Fixture { store: Arc::new(store), _dir: None, _schema: Some(guard) })
}

/// Drops the test's schema on a thread of its own (Drop cannot await).
struct SchemaGuard {
    url: String,
    schema: String,
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok((client, conn)) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                    tokio::spawn(conn);
                    if let Err(e) = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await {
                        eprintln!("could not drop test schema {schema}: {e}");
                    }
                }
            });
        })
        .join();
    }
}

pub async fn office(store: &dyn CountyStore, name: &str) -> Office {
    let o = Office {
        id: Uuid::now_v7(),
        org_id: None,
        name: name.into(),
        division_code: "350102001".into(),
        county_device_id: Uuid::now_v7(),
        created_at: Utc::now(),
    };
    store.create_office(&o).await.expect("create office");
    o
}

/// Issues a code and returns it (plain).
pub async fn code(store: &dyn CountyStore, office: &Office, valid_for: chrono::Duration) -> String {
    let code = auth::new_enrollment_code();
    store.add_enrollment_code(office.id, &auth::hash_code(&code), Utc::now() + valid_for, Utc::now()).await.expect("add code");
    code
}

/// Enrolls with plain code and token.
pub async fn enroll(store: &dyn CountyStore, code: &str, device: Uuid, token: &str, claimed_org: Option<Uuid>) -> EnrollOutcome {
    let (code_hash, token_hash) = (auth::hash_code(code), auth::hash_token(token));
    let e = Enrollment { code_hash: &code_hash, device_id: device, device_name: "测试机", token_hash: &token_hash, claimed_org };
    store.enroll(e, Utc::now()).await.expect("enroll")
}

/// Enrolls a new device of `office` (claiming no org id: the office's first enrollment binds
/// it to the office's own id); returns it and its token.
pub async fn device(store: &dyn CountyStore, office: &Office) -> (AuthDevice, String) {
    let c = code(store, office, chrono::Duration::days(1)).await;
    let id = Uuid::now_v7();
    let token = auth::new_token();
    let outcome = enroll(store, &c, id, &token, None).await;
    assert!(matches!(outcome, EnrollOutcome::Enrolled(ref o) if o.id == office.id), "{outcome:?}");
    let d = store.authenticate(&auth::hash_token(&token), Utc::now()).await.expect("auth").expect("enrolled device authenticates");
    (d, token)
}

pub fn stamp(ms: i64, counter: i64, device: Uuid) -> String {
    format!("{ms:015}-{counter:06}-{device}")
}

/// A `person` record's full data.
pub fn person_data(org: Uuid, id: Uuid, version: i64, fields: Value) -> Value {
    let mut data = json!({
        "id": id, "org_id": org, "created_at": "2026-01-05T08:00:00Z", "updated_at": format!("2026-01-05T08:00:{:02}Z", version.min(59)),
        "created_by": "clerk", "version": version, "deleted": false, "draft": false,
        "name": "张三", "phone": "13800000000", "hukou_address": "甲村"
    });
    for (k, v) in fields.as_object().expect("fields object") {
        data[k] = v.clone();
    }
    data
}

/// A change of a person made on `device` at `ms`.
pub fn person_change(org: Uuid, device: Uuid, id: Uuid, version: i64, ms: i64, fields: Value, changed: &[&str]) -> Change {
    Change {
        change_id: Uuid::now_v7(),
        kind: "person".into(),
        record_id: id,
        op: "upsert".into(),
        version,
        data: person_data(org, id, version, fields),
        changed_fields: changed.iter().map(|s| s.to_string()).collect(),
        hlc: stamp(ms, 0, device),
        device_id: device,
        created_at: "2026-01-05T08:00:00Z".into(),
    }
}

/// The first change of a new person: every field changed.
pub fn person_created(org: Uuid, device: Uuid, id: Uuid, ms: i64) -> Change {
    let data = person_data(org, id, 1, json!({}));
    let changed: Vec<String> =
        data.as_object().unwrap().keys().filter(|k| !["updated_at", "version", "created_at"].contains(&k.as_str())).cloned().collect();
    let mut c = person_change(org, device, id, 1, ms, json!({}), &[]);
    c.changed_fields = changed;
    c
}

//! The county store's own speed, without HTTP: 100,000 `person` changes of one office pushed
//! in batches of MAX_BATCH, then pulled by another device of the office, on SQLite (and on
//! PostgreSQL when `FENGQIAO_TEST_PG_URL` is set, in a schema of its own, dropped after).
//!
//!     cargo bench -p fengqiao-county --bench store [-- N]

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use fengqiao_county::store::{CountyStore, Enrollment, Office};
use fengqiao_county::{auth, PgStore, SqliteStore};
use fengqiao_sync::protocol::{Change, MAX_BATCH};
use serde_json::json;
use uuid::Uuid;

fn changes(org: Uuid, device: Uuid, n: usize) -> Vec<Change> {
    (0..n)
        .map(|i| {
            let id = Uuid::now_v7();
            let data = json!({
                "id": id, "org_id": org, "created_at": "2026-01-05T08:00:00Z", "updated_at": "2026-01-05T08:00:00Z",
                "created_by": "clerk", "version": 1, "deleted": false, "draft": false,
                "name": format!("张{i}"), "phone": "13800000000", "gender": "1", "birth_date": "1980-01-01",
                "hukou_address": "福建省泉州市某县某镇某村某组18号", "occupation": "农民", "note": "邻里纠纷当事人"
            });
            let changed =
                data.as_object().unwrap().keys().filter(|k| !["created_at", "updated_at", "version"].contains(&k.as_str())).cloned().collect();
            Change {
                change_id: Uuid::now_v7(),
                kind: "person".into(),
                record_id: id,
                op: "upsert".into(),
                version: 1,
                data,
                changed_fields: changed,
                hlc: format!("{:015}-{:06}-{device}", 1_700_000_000_000i64 + i as i64, 0),
                device_id: device,
                created_at: "2026-01-05T08:00:00Z".into(),
            }
        })
        .collect()
}

async fn run(name: &str, s: Arc<dyn CountyStore>, n: usize) {
    let o = Office {
        id: Uuid::now_v7(),
        org_id: None,
        name: "城关镇司法所".into(),
        division_code: "350102001".into(),
        county_device_id: Uuid::now_v7(),
        created_at: Utc::now(),
    };
    s.create_office(&o).await.unwrap();
    let mut devices = Vec::new();
    for _ in 0..2 {
        let code = auth::new_enrollment_code();
        s.add_enrollment_code(o.id, &auth::hash_code(&code), Utc::now() + chrono::Duration::days(1), Utc::now()).await.unwrap();
        let (ch, th, d) = (auth::hash_code(&code), auth::hash_token(&auth::new_token()), Uuid::now_v7());
        s.enroll(Enrollment { code_hash: &ch, device_id: d, device_name: "bench", token_hash: &th, claimed_org: Some(o.id) }, Utc::now())
            .await
            .unwrap();
        devices.push(d);
    }
    let all = changes(o.id, devices[0], n);
    let started = Instant::now();
    for batch in all.chunks(MAX_BATCH) {
        s.push(o.id, devices[0], batch.to_vec(), Utc::now()).await.unwrap();
    }
    let push = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let (mut cursor, mut got) = (0, 0);
    for _ in 0..(n / MAX_BATCH + 10) {
        let page = s.pull(o.id, devices[1], cursor, MAX_BATCH, Utc::now()).await.unwrap();
        got += page.changes.len();
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    let pull = started.elapsed().as_secs_f64();
    assert_eq!(got, n);
    println!("{name}: push {n} records in {push:.2} s ({:.0}/s), pull in {pull:.2} s ({:.0}/s)", n as f64 / push, n as f64 / pull);
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        run("sqlite", Arc::new(SqliteStore::open(dir.path()).await.unwrap()), n).await;
        if let Ok(url) = std::env::var("FENGQIAO_TEST_PG_URL") {
            let schema = format!("fq_bench_{}", std::process::id());
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
            let store = PgStore::connect(&url, Some(&schema)).await.unwrap();
            run("postgres", Arc::new(store), n).await;
            client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
        }
    });
}

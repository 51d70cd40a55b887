//! The real county server for the sync tests: its SQLite store and router on loopback in this
//! process, with one registered office and a one-time enrollment code for it.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::Utc;
use fengqiao_county::store::Office;
use fengqiao_county::{auth, CountyStore, SqliteStore};
use uuid::Uuid;

pub struct County {
    pub store: Arc<dyn CountyStore>,
    pub url: String,
    pub office: Office,
    /// A one-time code enrolling a PC into `office`.
    pub code: String,
    _dir: tempfile::TempDir,
}

impl County {
    /// Another one-time code for the office (its next PC).
    pub async fn another_code(&self) -> String {
        let code = auth::new_enrollment_code();
        let hash = auth::hash_code(&auth::normalize_code(&code));
        self.store.add_enrollment_code(self.office.id, &hash, Utc::now() + chrono::Duration::days(1), Utc::now()).await.unwrap();
        code
    }
}

pub async fn county() -> County {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn CountyStore> = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = fengqiao_county::http::router(store.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let office = Office {
        id: Uuid::now_v7(),
        org_id: None,
        name: "东山镇司法所".into(),
        division_code: "350502101".into(),
        county_device_id: Uuid::now_v7(),
        created_at: Utc::now(),
    };
    store.create_office(&office).await.unwrap();
    let mut county = County { store, url, office, code: String::new(), _dir: dir };
    county.code = county.another_code().await;
    county
}

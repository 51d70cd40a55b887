//! The real county server for the app's tests: its SQLite store and router served on loopback
//! in this process, on a runtime of its own. Included by the tests that need it
//! (`#[path = "common/county.rs"] mod county;`), so the others do not link the county.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use fengqiao_county::store::Office;
use fengqiao_county::{auth, CountyStore, SqliteStore};
use uuid::Uuid;

pub struct County {
    _dir: tempfile::TempDir,
    pub addr: SocketAddr,
    rt: Option<tokio::runtime::Runtime>,
    store: Option<Arc<dyn CountyStore>>,
}

impl County {
    pub fn start() -> County {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let (store, addr) = rt.block_on(async {
            let store: Arc<dyn CountyStore> = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = fengqiao_county::http::router(store.clone());
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            (store, addr)
        });
        County { _dir: dir, addr, rt: Some(rt), store: Some(store) }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn block_on<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.as_ref().expect("the county is running").block_on(f)
    }

    pub fn store(&self) -> Arc<dyn CountyStore> {
        self.store.clone().expect("the county is running")
    }

    /// `office add`: the office and its one-time code.
    pub fn add_office(&self) -> (Office, String) {
        let office = Office {
            id: Uuid::now_v7(),
            org_id: None,
            name: "东山镇司法所".into(),
            division_code: "350502101".into(),
            county_device_id: Uuid::now_v7(),
            created_at: Utc::now(),
        };
        let store = self.store();
        self.block_on(store.create_office(&office)).unwrap();
        let code = self.new_code(&office, chrono::Duration::days(1));
        (office, code)
    }

    /// `office code`: another one-time code of the office, valid for `valid_for` (a code
    /// already expired when it is negative).
    pub fn new_code(&self, office: &Office, valid_for: chrono::Duration) -> String {
        let code = auth::new_enrollment_code();
        let hash = auth::hash_code(&auth::normalize_code(&code));
        let store = self.store();
        self.block_on(store.add_enrollment_code(office.id, &hash, Utc::now() + valid_for, Utc::now())).unwrap();
        code
    }

    /// The ids of the office's records the county holds.
    pub fn record_ids(&self, office: &Office) -> Vec<Uuid> {
        let store = self.store();
        self.block_on(store.records(office.id)).unwrap().into_iter().map(|r| r.record_id).collect()
    }

    /// The names of the office's devices, as the county lists them.
    pub fn device_names(&self, office: &Office) -> Vec<String> {
        let store = self.store();
        self.block_on(store.devices(Some(office.id))).unwrap().into_iter().map(|d| d.name).collect()
    }
}

impl Drop for County {
    fn drop(&mut self) {
        // The store goes first, then every task and connection of the server.
        self.store = None;
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

//! The real county server for the app's tests: its SQLite store and router served on loopback
//! in this process, on a runtime of its own (so that stopping it cuts every connection at once,
//! as a server that went away), and the waits of tests that sync with it. Included by the tests
//! that need it (`#[path = "common/county.rs"] mod county;`), so the others do not link the
//! county.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use fengqiao_app::cases::{self, IntakeInput, PartyInput};
use fengqiao_app::sync::{self, SyncPhase};
use fengqiao_app::{settings, AppState};
use fengqiao_county::store::Office;
use fengqiao_county::{auth, CountyStore, SqliteStore};
use fengqiao_model::*;
use fengqiao_sync::{AgentConfig, ClientOptions};
use uuid::Uuid;

use crate::common::{date, id_number, person};

pub struct County {
    dir: tempfile::TempDir,
    pub addr: SocketAddr,
    rt: Option<tokio::runtime::Runtime>,
    store: Option<Arc<dyn CountyStore>>,
}

impl County {
    pub fn start() -> County {
        let mut c = County { dir: tempfile::tempdir().unwrap(), addr: "127.0.0.1:0".parse().unwrap(), rt: None, store: None };
        c.serve();
        c
    }

    /// Serves (again, after `stop`, at the same address and over the same database).
    pub fn serve(&mut self) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let (store, addr) = rt.block_on(async {
            let store: Arc<dyn CountyStore> = Arc::new(SqliteStore::open(self.dir.path()).await.unwrap());
            let started = Instant::now();
            let listener = loop {
                match tokio::net::TcpListener::bind(self.addr).await {
                    Ok(l) => break l,
                    Err(e) if started.elapsed() < Duration::from_secs(20) => {
                        eprintln!("binding {} again: {e}", self.addr);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(e) => panic!("cannot bind {}: {e}", self.addr),
                }
            };
            let addr = listener.local_addr().unwrap();
            let app = fengqiao_county::http::router(store.clone());
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            (store, addr)
        });
        self.addr = addr;
        self.store = Some(store);
        self.rt = Some(rt);
    }

    /// Gone at once: every task and connection of the server dropped.
    pub fn stop(&mut self) {
        self.store = None;
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
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
        self.stop();
    }
}

/// Short waits, so that a test does not sit through the office's real backoff.
pub fn quick() -> AgentConfig {
    AgentConfig {
        interval: Duration::from_secs(120),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
        probe_every: Duration::from_millis(100),
        client: ClientOptions { connect_timeout: Duration::from_secs(3), request_timeout: Duration::from_secs(10) },
        ..AgentConfig::default()
    }
}

pub fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < Duration::from_secs(60), "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The indicator says 已同步 with nothing pending.
pub fn synced(state: &AppState) -> bool {
    let shown = sync::sync_status(state).unwrap();
    shown.phase == SyncPhase::Synced && shown.pending == 0
}

/// A case of two parties saved through the app (its ID numbers made unique by `seq`).
pub fn new_case(state: &AppState, title: &str, seq: u32) -> Uuid {
    let s = settings::settings(state).unwrap();
    let (committee, mediator) = (s.committees[0].committee.meta.id, s.committees[0].mediators[0].meta.id);
    let input = IntakeInput {
        case: DisputeCase {
            committee_id: Some(committee),
            source: Some(CaseSource::PartyApplication),
            dispute_type: Some(DisputeType::Neighborhood),
            title: Some(title.into()),
            summary: Some("两家因共用通道堆放柴草发生争执。".into()),
            lead_mediator_id: Some(mediator),
            accepted_on: Some(date(2026, 11, 2)),
            ..Default::default()
        },
        parties: ["张伟", "李娜"]
            .into_iter()
            .enumerate()
            .map(|(n, name)| PartyInput {
                party: CaseParty { rights_notice_given_on: Some(date(2026, 11, 2)), ..Default::default() },
                person: Some(person(name, Some(id_number("19800101", &format!("{:03}", seq + n as u32))))),
                entity: None,
            })
            .collect(),
    };
    cases::create_case(state, input).unwrap().view.file.case.meta.id
}

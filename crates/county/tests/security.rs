//! Issue 7 on the county side, on SQLite and PostgreSQL: the brute-force sign-in limits (per
//! account name and per client address; the clock moved forward instead of waiting 15
//! minutes), an expired session refused, an oversized push refused with nothing written, and
//! the county's audit log (sign-ins, an export, an office registration; admins only; the
//! command line's `audit list`).

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, Utc};
use common::*;
use fengqiao_county::accounts;
use fengqiao_county::auth::hash_token;
use fengqiao_county::dashboard::Dashboard;
use fengqiao_county::limits::{SignInLimiter, LOCKED_MESSAGE};
use fengqiao_county::store::{CountyStore, Role, User};
use fengqiao_sync::protocol::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// A server with connection info (as `serve` runs it) and a sign-in clock the test moves.
async fn serve(store: Arc<dyn CountyStore>) -> (SocketAddr, Arc<AtomicI64>) {
    let offset = Arc::new(AtomicI64::new(0));
    let o = offset.clone();
    let mut dashboard = Dashboard::new(store.clone()).unwrap();
    dashboard.sign_in_limits = Arc::new(SignInLimiter::with_clock(Arc::new(move || Utc::now() + Duration::seconds(o.load(Ordering::SeqCst)))));
    let app = fengqiao_county::http::router_for(store, dashboard, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    (addr, offset)
}

struct Client {
    base: String,
    http: reqwest::Client,
    cookie: Option<String>,
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client { base: format!("http://{addr}"), http: reqwest::Client::new(), cookie: None }
    }
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        req.send().await.unwrap()
    }
    async fn sign_in(&mut self, name: &str, password: &str) -> (u16, Value) {
        let r = self.send(reqwest::Method::POST, "/api/v1/dashboard/session", Some(json!({"name": name, "password": password}))).await;
        if let Some(c) = r.headers().get("set-cookie") {
            self.cookie = Some(c.to_str().unwrap().split(';').next().unwrap().to_string());
        }
        let status = r.status().as_u16();
        (status, serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or(Value::Null))
    }
}

async fn add_user(store: &dyn CountyStore, name: &str, role: Role, password: &str) -> User {
    let u = User { id: Uuid::now_v7(), name: name.into(), role, created_at: Utc::now() };
    assert!(store.create_user(&u, &accounts::hash_password(password).unwrap()).await.unwrap());
    u
}

fn minutes(offset: &AtomicI64, m: i64) {
    offset.fetch_add(m * 60, Ordering::SeqCst);
}

async fn brute_force_sign_in_is_limited(store: Arc<dyn CountyStore>) {
    add_user(&*store, "张科长", Role::Admin, "admin-pass-1").await;
    add_user(&*store, "李干事", Role::Viewer, "viewer-pass-1").await;
    let (addr, clock) = serve(store.clone()).await;
    let mut c = Client::new(addr);

    // Five wrong passwords are refused as wrong; the sixth, and then the right one, as locked.
    for i in 1..=5 {
        let (status, body) = c.sign_in("张科长", &format!("wrong-{i}")).await;
        assert_eq!((status, body["message"].as_str().unwrap()), (401, "账号或密码不正确"), "attempt {i}");
    }
    for password in ["wrong-6", "admin-pass-1"] {
        let (status, body) = c.sign_in("张科长", password).await;
        assert_eq!(status, 429, "{password}: {body}");
        assert_eq!(body["message"], LOCKED_MESSAGE);
        assert_eq!(body["code"], "too_many_attempts");
    }
    assert!(c.cookie.is_none());
    // Another account from the same place is not locked by it.
    assert_eq!(c.sign_in("李干事", "viewer-pass-1").await.0, 200);
    // Still locked a minute before the end, allowed after 15 minutes.
    minutes(&clock, 14);
    assert_eq!(c.sign_in("张科长", "admin-pass-1").await.0, 429);
    minutes(&clock, 1);
    let (status, body) = c.sign_in("张科长", "admin-pass-1").await;
    assert_eq!((status, body["name"].as_str()), (200, Some("张科长")), "{body}");

    // A success starts the count again: four failures, a success, four more — never locked.
    for round in 0..2 {
        for i in 0..4 {
            assert_eq!(c.sign_in("张科长", "wrong").await.0, 401, "round {round}, attempt {i}");
        }
        assert_eq!(c.sign_in("张科长", "admin-pass-1").await.0, 200, "round {round}");
    }

    // Many names from one address: after 20 failures (counted over 15 minutes, the 8 above
    // included) the address is refused, whatever the name, the right password included.
    minutes(&clock, 16);
    for i in 0..20 {
        let (status, body) = c.sign_in(&format!("猜测{i}"), "guess-pass").await;
        assert_eq!(status, 401, "guess {i}: {body}");
    }
    let (status, body) = c.sign_in("李干事", "viewer-pass-1").await;
    assert_eq!((status, body["message"].as_str()), (429, Some(LOCKED_MESSAGE)));
    minutes(&clock, 15);
    assert_eq!(c.sign_in("李干事", "viewer-pass-1").await.0, 200);

    // The audit log has the failures and the locks, with the client's address.
    let log = store.audit_log(1000).await.unwrap();
    let count = |action: &str, target: &str| log.iter().filter(|l| l.action == action && l.target.as_deref() == Some(target)).count();
    assert_eq!(count("sign_in_failed", "张科长"), 5 + 8);
    assert_eq!(count("sign_in_locked", "张科长"), 1);
    assert!(log.iter().any(|l| l.action == "sign_in_locked" && l.detail.as_deref().is_some_and(|d| d.contains("该地址"))));
    assert!(log.iter().all(|l| l.client.as_deref() == Some("127.0.0.1")), "{log:?}");
}

async fn an_expired_session_is_refused(store: Arc<dyn CountyStore>) {
    let u = add_user(&*store, "张科长", Role::Admin, "admin-pass-1").await;
    let now = Utc::now();
    store.create_session(&hash_token("live-token"), u.id, now, now + Duration::hours(8)).await.unwrap();
    store.create_session(&hash_token("old-token"), u.id, now - Duration::hours(9), now - Duration::seconds(1)).await.unwrap();
    let (addr, _) = serve(store.clone()).await;
    let mut c = Client::new(addr);
    c.cookie = Some(format!("{}=live-token", accounts::COOKIE));
    assert_eq!(c.send(reqwest::Method::GET, "/api/v1/dashboard/session", None).await.status(), 200);
    c.cookie = Some(format!("{}=old-token", accounts::COOKIE));
    for path in ["/api/v1/dashboard/session", "/api/v1/dashboard/offices", "/api/v1/dashboard/audit"] {
        let r = c.send(reqwest::Method::GET, path, None).await;
        assert_eq!(r.status(), 401, "{path}");
        let body: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(body["message"], "登录已过期，请重新登录", "{path}");
    }
}

async fn an_oversized_push_is_refused_and_writes_nothing(store: Arc<dyn CountyStore>) {
    let o = office(&*store, "城关镇司法所").await;
    let (d, token) = device(&*store, &o).await;
    let (addr, _) = serve(store.clone()).await;
    let http = reqwest::Client::new();
    let push = || http.post(format!("http://{addr}/api/v1/push")).header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string()).bearer_auth(&token);
    // A well-formed batch whose last change carries a field that takes it over the limit.
    let first = Uuid::now_v7();
    let mut changes = vec![person_created(o.id, d.id, first, 1_000)];
    let mut big = person_created(o.id, d.id, Uuid::now_v7(), 1_001);
    big.data["hukou_address"] = json!("甲".repeat(MAX_BODY_BYTES / 3 + 1));
    changes.push(big);
    let body = serde_json::to_vec(&PushRequest { changes }).unwrap();
    assert!(body.len() > MAX_BODY_BYTES);
    let r = push().header("content-type", "application/json").body(body.clone()).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let e: ErrorBody = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(e.code, "too_large");
    // The same gzip-compressed: small on the wire, over the limit unpacked.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &body).unwrap();
    let gz = gz.finish().unwrap();
    assert!(gz.len() < MAX_BODY_BYTES);
    let r = push().header("content-type", "application/json").header("content-encoding", "gzip").body(gz).send().await.unwrap();
    assert_eq!(r.status(), 413);
    // Not even the first, small change of the batch was written.
    assert!(store.records(o.id).await.unwrap().is_empty());
    assert!(store.record(o.id, "person", first).await.unwrap().is_none());
    let (other, _) = device(&*store, &o).await;
    assert!(store.pull(o.id, other.id, 0, MAX_BATCH, Utc::now()).await.unwrap().changes.is_empty());
}

async fn the_audit_log_records_sign_ins_exports_and_offices(store: Arc<dyn CountyStore>) {
    add_user(&*store, "张科长", Role::Admin, "admin-pass-1").await;
    add_user(&*store, "李干事", Role::Viewer, "viewer-pass-1").await;
    let (addr, _) = serve(store.clone()).await;
    let mut admin = Client::new(addr);
    assert_eq!(admin.sign_in("张科长", "wrong-password").await.0, 401);
    assert_eq!(admin.sign_in("张科长", "admin-pass-1").await.0, 200);
    let r = admin.send(reqwest::Method::POST, "/api/v1/dashboard/offices", Some(json!({"name": "城关镇司法所", "division_code": "350102001"}))).await;
    assert_eq!(r.status(), 200);
    let added: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    let r = admin.send(reqwest::Method::GET, "/api/v1/dashboard/rollup.xlsx?from=2026-01-01&to=2026-03-31", None).await;
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap();

    // A viewer is refused by the server.
    let mut viewer = Client::new(addr);
    assert_eq!(viewer.sign_in("李干事", "viewer-pass-1").await.0, 200);
    assert_eq!(viewer.send(reqwest::Method::GET, "/api/v1/dashboard/audit", None).await.status(), 403);
    // The viewer's sign-out is audited too.
    assert_eq!(viewer.send(reqwest::Method::DELETE, "/api/v1/dashboard/session", None).await.status(), 204);

    let r = admin.send(reqwest::Method::GET, "/api/v1/dashboard/audit?limit=50", None).await;
    assert_eq!(r.status(), 200);
    let log: Vec<Value> = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    let actions: Vec<&str> = log.iter().map(|l| l["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["sign_out", "sign_in", "export_rollup_xlsx", "office_add", "sign_in", "sign_in_failed"], "newest first: {log:#?}");
    let line = |action: &str| log.iter().find(|l| l["action"] == action).unwrap();
    assert_eq!(line("sign_in_failed")["actor"], "张科长");
    assert_eq!(line("sign_in_failed")["detail"], "密码不正确");
    assert_eq!(line("sign_in_failed")["action_label"], "登录失败");
    assert_eq!(line("export_rollup_xlsx")["target"], "2026-01-01至2026-03-31");
    assert_eq!(line("office_add")["actor"], "张科长");
    assert_eq!(line("office_add")["target"], "城关镇司法所（350102001）");
    assert!(line("office_add")["detail"].as_str().unwrap().contains(added["office_id"].as_str().unwrap()));
    assert_eq!(log[0]["actor"], "李干事");
    assert!(log.iter().all(|l| l["client"] == "127.0.0.1" && l["at"].is_string()), "{log:#?}");
    // The enrollment code itself is never written to the log.
    let code = added["enrollment_code"].as_str().unwrap();
    assert!(!serde_json::to_string(&log).unwrap().contains(code));
    // limit is respected; a bad one is a 400.
    let r = admin.send(reqwest::Method::GET, "/api/v1/dashboard/audit?limit=2", None).await;
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&r.bytes().await.unwrap()).unwrap().len(), 2);
    assert_eq!(admin.send(reqwest::Method::GET, "/api/v1/dashboard/audit?limit=x", None).await.status(), 400);
    // It is in the OpenAPI document, admin only.
    let r = admin.send(reqwest::Method::GET, "/api/v1/openapi.json", None).await;
    let doc: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert!(doc["paths"]["/api/v1/dashboard/audit"]["get"]["responses"]["403"].is_object());
    assert!(doc["paths"]["/api/v1/dashboard/session"]["post"]["responses"]["429"].is_object());
}

/// An office's audit log, as its PCs sent it: admins read it per office, a viewer is refused,
/// and one office's entries never show under another.
async fn an_offices_audit_log_is_for_admins_and_stays_with_its_office(store: Arc<dyn CountyStore>) {
    add_user(&*store, "张科长", Role::Admin, "admin-pass-1").await;
    add_user(&*store, "李干事", Role::Viewer, "viewer-pass-1").await;
    let (addr, _) = serve(store.clone()).await;
    let mut admin = Client::new(addr);
    assert_eq!(admin.sign_in("张科长", "admin-pass-1").await.0, 200);
    let mut ids = vec![];
    for (name, code) in [("城关镇司法所", "350102001"), ("东山镇司法所", "350102002")] {
        let r = admin.send(reqwest::Method::POST, "/api/v1/dashboard/offices", Some(json!({"name": name, "division_code": code}))).await;
        let added: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        ids.push(added["office_id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
    }
    let device = uuid::Uuid::now_v7();
    let mut e = fengqiao_store::AuditEntry {
        seq: 1,
        at: "2026-11-20T02:00:00.000000Z".into(),
        actor: "李明".into(),
        device_id: device.to_string(),
        action: "unmask".into(),
        kind: Some("released_person".into()),
        record_id: None,
        summary: "查看安置帮教档案（含完整身份证号、电话）：某某".into(),
        detail: None,
        prev_hash: fengqiao_store::audit::GENESIS.into(),
        hash: String::new(),
    };
    e.hash = e.computed_hash();
    assert_eq!(fengqiao_county::office_audit::accept(&*store, ids[0], device, vec![e.clone()], chrono::Utc::now()).await.unwrap(), Ok(1));

    let r = admin.send(reqwest::Method::GET, &format!("/api/v1/dashboard/offices/{}/audit", ids[0]), None).await;
    assert_eq!(r.status(), 200);
    let log: Vec<fengqiao_store::AuditEntry> = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(log, [e]);
    let r = admin.send(reqwest::Method::GET, &format!("/api/v1/dashboard/offices/{}/audit", ids[1]), None).await;
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&r.bytes().await.unwrap()).unwrap(), Vec::<Value>::new());
    let r = admin.send(reqwest::Method::GET, &format!("/api/v1/dashboard/offices/{}/audit", uuid::Uuid::now_v7()), None).await;
    assert_eq!(r.status(), 404);
    let mut viewer = Client::new(addr);
    assert_eq!(viewer.sign_in("李干事", "viewer-pass-1").await.0, 200);
    assert_eq!(viewer.send(reqwest::Method::GET, &format!("/api/v1/dashboard/offices/{}/audit", ids[0]), None).await.status(), 403);
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let f = crate::common::sqlite().await;
                    super::$name(f.store.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(f) = crate::common::postgres().await else { return };
                    super::$name(f.store.clone()).await;
                }
            )*
        }
    };
}

both!(
    brute_force_sign_in_is_limited,
    an_expired_session_is_refused,
    an_oversized_push_is_refused_and_writes_nothing,
    the_audit_log_records_sign_ins_exports_and_offices,
    an_offices_audit_log_is_for_admins_and_stays_with_its_office,
);

/// The command line writes its administrative actions to the same log, and `audit list` shows it.
#[test]
fn the_command_line_audits_and_lists() {
    let bin = env!("CARGO_BIN_EXE_fengqiao-county");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin).args(args).env("USER", "operator").output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["office", "add", "--data", &data, "--name", "城关镇司法所", "--division-code", "350102001", "--json"]);
    run(&["office", "code", "--data", &data, "--office", "城关镇司法所", "--json"]);
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "a-long-password\n").unwrap();
    run(&["user", "add", "--data", &data, "--name", "张科长", "--role", "admin", "--password-file", &pw.display().to_string()]);
    run(&["office", "revoke", "--data", &data, "--office", "城关镇司法所"]);
    let lines: Vec<Value> = serde_json::from_str(&run(&["audit", "list", "--data", &data, "--json"])).unwrap();
    let actions: Vec<&str> = lines.iter().map(|l| l["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["office_revoke", "user_add", "office_code", "office_add"]);
    assert!(lines.iter().all(|l| l["actor"] == "命令行（operator）" && l["client"].is_null()), "{lines:#?}");
    assert_eq!(lines[1]["target"], "张科长");
    let limited: Vec<Value> = serde_json::from_str(&run(&["audit", "list", "--data", &data, "--json", "--limit", "1"])).unwrap();
    assert_eq!(limited.len(), 1);
    let text = run(&["audit", "list", "--data", &data]);
    assert!(text.contains("登记司法所") && text.contains("添加账号") && text.contains("命令行（operator）"), "{text}");
}

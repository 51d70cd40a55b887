//! The HTTP API against a real `fengqiao-county serve` process on 127.0.0.1 (ephemeral port):
//! health, OpenAPI, the sync round trip, and bad requests answered with a 4xx and a clear
//! Chinese message — never a 5xx, a panic or a partial write.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use fengqiao_sync::protocol::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_fengqiao-county");

/// Runs the binary to completion (bounded in time); returns (exit ok, stdout, stderr).
fn cli(args: &[&str]) -> (bool, String, String) {
    let mut child = Command::new(BIN).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run fengqiao-county");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "fengqiao-county {args:?} did not finish in 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn data_arg(dir: &Path) -> String {
    dir.display().to_string()
}

/// `office add --json`: (office id, enrollment code).
fn add_office(dir: &Path, name: &str) -> (Uuid, String) {
    let (ok, out, err) = cli(&["office", "add", "--data", &data_arg(dir), "--name", name, "--division-code", "350102001", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("office add --json prints JSON");
    (v["office_id"].as_str().unwrap().parse().unwrap(), v["enrollment_code"].as_str().unwrap().to_string())
}

fn new_code(dir: &Path, office: Uuid) -> String {
    let (ok, out, err) = cli(&["office", "code", "--data", &data_arg(dir), "--office", &office.to_string(), "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    v["enrollment_code"].as_str().unwrap().to_string()
}

/// A running server, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &Path, tls: bool) -> Server {
        Server::start_with(&["--data".into(), data_arg(dir)], tls)
    }

    fn start_with(store: &[String], tls: bool) -> Server {
        let mut args = vec!["serve".to_string(), "--listen".into(), "127.0.0.1:0".into()];
        args.extend(store.iter().cloned());
        if tls {
            let f = fixtures();
            args.extend([
                "--tls-cert".into(),
                f.join("server.pem").display().to_string(),
                "--tls-key".into(),
                f.join("server.key").display().to_string(),
            ]);
        }
        let mut child = Command::new(BIN).args(&args).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("start server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!("server did not start in 30 s");
            }
        };
        let base = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
        assert!(base.starts_with("http://127.0.0.1:") || base.starts_with("https://127.0.0.1:"), "unexpected first line: {line:?}");
        Server { child, base }
    }
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap()
}

fn proto(rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    rb.header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
}

async fn enroll(c: &reqwest::Client, s: &Server, code: &str) -> (Uuid, String) {
    let device = Uuid::now_v7();
    let r = proto(c.post(s.url("/api/v1/enroll")))
        .body(
            serde_json::to_vec(&EnrollRequest { enrollment_code: code.into(), device_id: device, device_name: "测试机".into(), office_id: None })
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let e: EnrollResponse = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    (device, e.device_token)
}

/// Asserts a 4xx with an ErrorBody whose message is Chinese; returns the body.
async fn expect_error(r: reqwest::Response, status: StatusCode, code: &str) -> ErrorBody {
    assert_eq!(r.status(), status, "status");
    assert_eq!(r.headers().get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok()), Some("1"));
    let bytes = r.bytes().await.unwrap();
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not an ErrorBody ({e}): {}", String::from_utf8_lossy(&bytes)));
    assert_eq!(body.code, code, "{body:?}");
    assert!(body.message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "message is not Chinese: {body:?}");
    body
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[tokio::test]
async fn health_and_openapi() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), false);
    let c = client();
    let r = c.get(s.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers().get(PROTOCOL_HEADER).unwrap(), "1");
    let h: Health = r.json_body().await;
    assert_eq!((h.status.as_str(), h.protocol), ("ok", PROTOCOL_VERSION));

    let doc: Value = c.get(s.url("/api/v1/openapi.json")).send().await.unwrap().json_body().await;
    assert_eq!(doc["openapi"], "3.0.3");
    for path in ["/api/v1/health", "/api/v1/openapi.json", "/api/v1/enroll", "/api/v1/push", "/api/v1/pull"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    // Every schema names exactly the fields its protocol type serializes, and requires those
    // that are always present.
    let id = Uuid::now_v7();
    let change = Change {
        change_id: id,
        kind: "person".into(),
        record_id: id,
        op: "upsert".into(),
        version: 1,
        data: json!({}),
        changed_fields: vec![],
        hlc: stamp(1, 0, id),
        device_id: id,
        created_at: "2026-01-01T00:00:00Z".into(),
    };
    let policy = CountyPolicy::new("东山县司法局", Default::default(), Default::default());
    let samples: Vec<(&str, Value, &[&str])> = vec![
        (
            "EnrollRequest",
            serde_json::to_value(EnrollRequest { enrollment_code: "x".into(), device_id: id, device_name: "n".into(), office_id: Some(id) }).unwrap(),
            &["office_id"],
        ),
        (
            "EnrollResponse",
            serde_json::to_value(EnrollResponse { office_id: id, office_name: "o".into(), division_code: "1".into(), device_token: "t".into() })
                .unwrap(),
            &[],
        ),
        ("Change", serde_json::to_value(&change).unwrap(), &[]),
        ("PushRequest", serde_json::to_value(PushRequest { changes: vec![] }).unwrap(), &[]),
        (
            "PushResult",
            serde_json::to_value(PushResult { change_id: id, status: PushStatus::Rejected, reason: Some("r".into()) }).unwrap(),
            &["reason"],
        ),
        ("PushResponse", serde_json::to_value(PushResponse { results: vec![] }).unwrap(), &[]),
        (
            "PullResponse",
            serde_json::to_value(PullResponse { settings: Some(policy.clone()), ..PullResponse::page(vec![], 0, false) }).unwrap(),
            &["settings"],
        ),
        ("CountyPolicy", serde_json::to_value(&policy).unwrap(), &[]),
        ("ReminderSettings", serde_json::to_value(&policy.reminders).unwrap(), &[]),
        ("ReportDeadline", serde_json::to_value(&policy.reminders.reports[0]).unwrap(), &[]),
        ("Targets", serde_json::to_value(&policy.targets).unwrap(), &[]),
        ("AuditPushRequest", serde_json::to_value(AuditPushRequest { entries: vec![] }).unwrap(), &[]),
        ("AuditEntry", serde_json::to_value(audit_sample()).unwrap(), &[]),
        ("AuditPushResponse", serde_json::to_value(AuditPushResponse { held_through: 0 }).unwrap(), &[]),
        ("Health", serde_json::to_value(Health { status: "ok".into(), protocol: 1, version: "v".into() }).unwrap(), &[]),
        ("ErrorBody", serde_json::to_value(ErrorBody { code: "c".into(), message: "m".into() }).unwrap(), &[]),
    ];
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas.as_object().unwrap().len(), samples.len(), "a schema without a protocol type, or the reverse");
    for (name, sample, optional) in samples {
        let schema = &schemas[name];
        let mut props: Vec<&String> = schema["properties"].as_object().unwrap_or_else(|| panic!("{name}")).keys().collect();
        let mut fields: Vec<&String> = sample.as_object().unwrap().keys().collect();
        props.sort();
        fields.sort();
        assert_eq!(props, fields, "{name}: schema properties differ from the type's fields");
        let mut required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let mut always: Vec<&str> = fields.iter().map(|s| s.as_str()).filter(|f| !optional.contains(f)).collect();
        required.sort();
        always.sort();
        assert_eq!(required, always, "{name}: required fields");
    }
    // Statuses and ops are the protocol's.
    assert_eq!(schemas["PushResult"]["properties"]["status"]["enum"], json!(["applied", "duplicate", "rejected"]));
}

#[tokio::test]
async fn a_sync_round_trip_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let (office, code) = add_office(dir.path(), "城关镇司法所");
    let s = Server::start(dir.path(), false);
    let c = client();
    let (a, ta) = enroll(&c, &s, &code).await;
    let (b, tb) = enroll(&c, &s, &new_code(dir.path(), office)).await;
    // A PC whose data belongs to another office is refused; its code stays usable.
    let code = new_code(dir.path(), office);
    let other =
        EnrollRequest { enrollment_code: code.clone(), device_id: Uuid::now_v7(), device_name: "别所".into(), office_id: Some(Uuid::now_v7()) };
    let r = proto(c.post(s.url("/api/v1/enroll"))).json_bytes(&other).send().await.unwrap();
    expect_error(r, StatusCode::CONFLICT, "office_conflict").await;
    let same = EnrollRequest { office_id: Some(office), ..other };
    let r = proto(c.post(s.url("/api/v1/enroll"))).json_bytes(&same).send().await.unwrap();
    let e: EnrollResponse = r.json_body().await;
    assert_eq!(e.office_id, office, "the first enrollment bound the office to its own id");
    let id = Uuid::now_v7();
    let change = person_created(office, a, id, 1_000);
    // Gzip-compressed push; the same again is a duplicate.
    let body = gzip(&serde_json::to_vec(&PushRequest { changes: vec![change.clone()] }).unwrap());
    for expected in [PushStatus::Applied, PushStatus::Duplicate] {
        let r = proto(c.post(s.url("/api/v1/push"))).bearer_auth(&ta).header("content-encoding", "gzip").body(body.clone()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let p: PushResponse = r.json_body().await;
        assert_eq!(p.results[0].status, expected);
    }
    // The other device pulls it, exactly as pushed; the pusher does not.
    let r = proto(c.get(s.url("/api/v1/pull?since=0&limit=10"))).bearer_auth(&tb).send().await.unwrap();
    let page: PullResponse = r.json_body().await;
    assert_eq!(page.changes, vec![change.clone()]);
    assert!(!page.more);
    assert_eq!(page.settings, None, "no county settings before an administrator saved any");
    let page: PullResponse = proto(c.get(s.url("/api/v1/pull"))).bearer_auth(&ta).send().await.unwrap().json_body().await;
    assert!(page.changes.is_empty());
    // Responses are compressed for clients that ask.
    let raw = reqwest::Client::builder().no_gzip().timeout(Duration::from_secs(60)).build().unwrap();
    let r = proto(raw.get(s.url("/api/v1/pull?since=0"))).bearer_auth(&tb).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"), "{:?}", r.headers());
    // Another office's record is refused per change, with the reason.
    let foreign = person_created(Uuid::now_v7(), a, Uuid::now_v7(), 2_000);
    let p: PushResponse = proto(c.post(s.url("/api/v1/push")))
        .bearer_auth(&ta)
        .body(serde_json::to_vec(&PushRequest { changes: vec![foreign] }).unwrap())
        .send()
        .await
        .unwrap()
        .json_body()
        .await;
    assert_eq!(p.results[0].status, PushStatus::Rejected);
    assert!(p.results[0].reason.as_deref().unwrap().contains("不属于本所"));

    // The CLI sees the sync, exports the office, and sends a notice the office pulls.
    let (ok, out, _) = cli(&["office", "list", "--data", &data_arg(dir.path()), "--json"]);
    assert!(ok);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["devices"], 3);
    assert!(list[0]["last_sync_at"].is_string());
    let (ok, out, err) = cli(&["office", "list", "--data", &data_arg(dir.path())]);
    assert!(ok && out.contains("城关镇司法所"), "{err}");
    let (ok, _, err) = cli(&[
        "notice",
        "add",
        "--data",
        &data_arg(dir.path()),
        "--office",
        "350102001",
        "--name",
        "王五",
        "--id-number",
        "11010519491231002X",
        "--released-on",
        "2026-12-01",
        "--prison",
        "福建省某监狱",
        "--crime",
        "盗窃罪",
        "--assessment",
        "01",
    ]);
    assert!(ok, "{err}");
    let page: PullResponse =
        proto(c.get(s.url(&format!("/api/v1/pull?since={}", page.next_cursor)))).bearer_auth(&ta).send().await.unwrap().json_body().await;
    assert_eq!(page.changes.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["person", "released_person"]);
    let out_file = dir.path().join("office.jsonl");
    let (ok, _, err) = cli(&["export", "--data", &data_arg(dir.path()), "--office", &office.to_string(), "--out", &out_file.display().to_string()]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&out_file).unwrap();
    let kinds: Vec<String> = text.lines().map(|l| fengqiao_model::parse_line(l).unwrap().kind_code().to_string()).collect();
    assert_eq!(kinds, ["person", "released_person"]);
    let _ = b;
}

#[tokio::test]
async fn bad_requests_get_a_4xx_and_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let (office, code) = add_office(dir.path(), "城关镇司法所");
    let s = Server::start(dir.path(), false);
    let c = client();
    let (a, token) = enroll(&c, &s, &code).await;
    let push = || proto(c.post(s.url("/api/v1/push"))).bearer_auth(&token);

    let e = expect_error(push().body("{\"changes\": [").send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(e.message.contains("JSON"), "{e:?}");
    let e = expect_error(push().body("{\"changes\": ] }").send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(e.message.contains("第1行"), "{e:?}");
    expect_error(push().body("").send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;
    let e = expect_error(push().body("{\"changes\": \"all\"}").send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(e.message.contains("changes") && e.message.contains("类型不对"), "{e:?}");
    let e = expect_error(push().body("{}").send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(e.message.contains("缺少字段changes"), "{e:?}");
    let mut bad = serde_json::to_value(PushRequest { changes: vec![person_created(office, a, Uuid::now_v7(), 1)] }).unwrap();
    bad["changes"][0]["version"] = json!("two");
    let e = expect_error(push().json_bytes(&bad).send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(e.message.contains("changes[0].version"), "{e:?}");
    bad["changes"][0]["version"] = json!(1);
    bad["changes"][0]["record_id"] = json!("not-a-uuid");
    let e = expect_error(push().json_bytes(&bad).send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(e.message.contains("record_id"), "{e:?}");
    expect_error(push().body("{\"changes\": []} trailing").send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;

    // Sizes: a body over the limit, plain or as a small gzip bomb; a batch over MAX_BATCH.
    let huge = vec![b' '; MAX_BODY_BYTES + 1];
    expect_error(push().body(huge.clone()).send().await.unwrap(), StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    let bomb = gzip(&huge);
    assert!(bomb.len() < 1_000_000, "{}", bomb.len());
    expect_error(push().header("content-encoding", "gzip").body(bomb).send().await.unwrap(), StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    expect_error(push().header("content-encoding", "gzip").body("not gzip").send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request").await;
    expect_error(
        push().header("content-encoding", "br").body("{}").send().await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_encoding",
    )
    .await;
    let many: Vec<Change> = (0..MAX_BATCH + 1).map(|i| person_created(office, a, Uuid::now_v7(), i as i64)).collect();
    let e = expect_error(push().json_bytes(&PushRequest { changes: many }).send().await.unwrap(), StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    assert!(e.message.contains(&MAX_BATCH.to_string()), "{e:?}");

    // Credentials.
    let bare = || proto(c.post(s.url("/api/v1/push"))).body("{\"changes\": []}");
    expect_error(bare().send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect_error(bare().bearer_auth("0".repeat(64)).send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect_error(bare().header("authorization", "Basic eDp5").send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    let r = proto(c.get(s.url("/api/v1/pull"))).send().await.unwrap();
    assert_eq!(r.headers().get("www-authenticate").unwrap(), "Bearer");
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect_error(proto(c.get(s.url("/api/v1/pull?since=abc"))).bearer_auth(&token).send().await.unwrap(), StatusCode::BAD_REQUEST, "bad_request")
        .await;

    // Protocol version: missing, or none in common (see protocol_versions_are_negotiated).
    let r = c.post(s.url("/api/v1/push")).bearer_auth(&token).body("{\"changes\": []}").send().await.unwrap();
    expect_error(r, StatusCode::UPGRADE_REQUIRED, "unsupported_protocol").await;
    let r = c.post(s.url("/api/v1/push")).header(PROTOCOL_HEADER, "x").bearer_auth(&token).body("{\"changes\": []}").send().await.unwrap();
    expect_error(r, StatusCode::UPGRADE_REQUIRED, "unsupported_protocol").await;

    // Enrollment: a used code, a malformed request.
    let enroll_body = |code: &str| {
        serde_json::to_vec(&EnrollRequest { enrollment_code: code.into(), device_id: Uuid::now_v7(), device_name: "x".into(), office_id: None })
            .unwrap()
    };
    let r = proto(c.post(s.url("/api/v1/enroll"))).body(enroll_body(&code)).send().await.unwrap();
    expect_error(r, StatusCode::UNAUTHORIZED, "invalid_enrollment_code").await;
    let r = proto(c.post(s.url("/api/v1/enroll"))).body("{\"enrollment_code\": 1}").send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, "bad_request").await;
    let r = proto(c.post(s.url("/api/v1/enroll")))
        .json_bytes(&json!({"enrollment_code": "x", "device_id": Uuid::now_v7(), "device_name": " "}))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, "bad_request").await;

    // Unknown paths and methods.
    expect_error(c.get(s.url("/api/v2/push")).send().await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
    expect_error(c.delete(s.url("/api/v1/health")).send().await.unwrap(), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;

    // None of it wrote anything.
    let (ok, out, _) = cli(&["office", "list", "--data", &data_arg(dir.path()), "--json"]);
    assert!(ok);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["changes"], 0);

    // Revoked: the next request is refused, at once.
    let ok_pull = proto(c.get(s.url("/api/v1/pull"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(ok_pull.status(), StatusCode::OK);
    let (ok, _, err) = cli(&["office", "revoke", "--data", &data_arg(dir.path()), "--device", &a.to_string()]);
    assert!(ok, "{err}");
    let e =
        expect_error(proto(c.get(s.url("/api/v1/pull"))).bearer_auth(&token).send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert!(e.message.contains("停用"), "{e:?}");

    // The server is still well.
    assert_eq!(c.get(s.url("/api/v1/health")).send().await.unwrap().status(), StatusCode::OK);
}

/// The office on the previous release (0.1, which sends `fengqiao-protocol: 1`) syncs with
/// this county; an office on a later release offering a newer version too is answered in
/// the newest version the county speaks; one speaking only versions the county does not is
/// told, with a 426, which side to upgrade — and this build's sync client works throughout.
#[tokio::test]
async fn protocol_versions_are_negotiated() {
    let dir = tempfile::tempdir().unwrap();
    let (office, code) = add_office(dir.path(), "城关镇司法所");
    let code_b = new_code(dir.path(), office);
    let s = Server::start(dir.path(), false);
    let c = client();
    let as_release = |rb: reqwest::RequestBuilder, offered: &str| rb.header(PROTOCOL_HEADER, offered.to_string());
    let spoken = |r: &reqwest::Response| r.headers().get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);

    // The previous release: the header as 0.1 sent it, every endpoint.
    let device = Uuid::now_v7();
    let body =
        serde_json::to_vec(&EnrollRequest { enrollment_code: code, device_id: device, device_name: "旧版本机".into(), office_id: None }).unwrap();
    let r = as_release(c.post(s.url("/api/v1/enroll")), "1").body(body).send().await.unwrap();
    assert_eq!((r.status(), spoken(&r)), (StatusCode::OK, Some("1".into())));
    let old: EnrollResponse = r.json_body().await;
    let change = person_created(office, device, Uuid::now_v7(), 1_000);
    let r = as_release(c.post(s.url("/api/v1/push")), "1")
        .bearer_auth(&old.device_token)
        .json_bytes(&PushRequest { changes: vec![change.clone()] })
        .send()
        .await
        .unwrap();
    assert_eq!((r.status(), spoken(&r)), (StatusCode::OK, Some("1".into())));
    assert_eq!(r.json_body::<PushResponse>().await.results[0].status, PushStatus::Applied);

    // This build's client (what the agent uses) on a second PC pulls it, and pushes back.
    let new_device = Uuid::now_v7();
    let anon = fengqiao_sync::client::Client::new(&s.base, None, Default::default()).unwrap();
    let enrolled = anon
        .enroll(&EnrollRequest { enrollment_code: code_b, device_id: new_device, device_name: "新版本机".into(), office_id: Some(office) })
        .await
        .unwrap();
    let current = fengqiao_sync::client::Client::new(&s.base, Some(&enrolled.device_token), Default::default()).unwrap();
    assert_eq!(current.pull(0, 100).await.unwrap().changes, vec![change.clone()]);
    let back = person_created(office, new_device, Uuid::now_v7(), 2_000);
    assert_eq!(current.push(&PushRequest { changes: vec![back.clone()] }).await.unwrap().results[0].status, PushStatus::Applied);
    let r = as_release(c.get(s.url("/api/v1/pull?since=0")), "1").bearer_auth(&old.device_token).send().await.unwrap();
    assert_eq!(r.json_body::<PullResponse>().await.changes, vec![back]);

    // A later release offering a newer version first is answered in this county's newest.
    let r = as_release(c.get(s.url("/api/v1/pull?since=0")), &format!("{}, {}", PROTOCOL_VERSION + 1, PROTOCOL_VERSION))
        .bearer_auth(&old.device_token)
        .send()
        .await
        .unwrap();
    assert_eq!((r.status(), spoken(&r)), (StatusCode::OK, Some(PROTOCOL_VERSION.to_string())));

    // Nothing in common: 426, saying which side to upgrade; nothing written.
    let r = as_release(c.post(s.url("/api/v1/push")), &(PROTOCOL_VERSION + 1).to_string())
        .bearer_auth(&old.device_token)
        .json_bytes(&PushRequest { changes: vec![person_created(office, device, Uuid::now_v7(), 3_000)] })
        .send()
        .await
        .unwrap();
    let e = expect_error(r, StatusCode::UPGRADE_REQUIRED, "unsupported_protocol").await;
    assert!(e.message.contains("升级县服务器"), "{e:?}");
    let r = as_release(c.post(s.url("/api/v1/push")), "0")
        .bearer_auth(&old.device_token)
        .json_bytes(&PushRequest { changes: vec![] })
        .send()
        .await
        .unwrap();
    let e = expect_error(r, StatusCode::UPGRADE_REQUIRED, "unsupported_protocol").await;
    assert!(e.message.contains("请升级本机的枫桥司法所工作台"), "{e:?}");
    assert_eq!(current.pull(0, 100).await.unwrap().changes, vec![change]);
}

#[tokio::test]
async fn tls_with_a_certificate_and_key_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), true);
    assert!(s.base.starts_with("https://"));
    let ca = reqwest::Certificate::from_pem(&std::fs::read(fixtures().join("ca.pem")).unwrap()).unwrap();
    let c = reqwest::Client::builder().tls_certs_only([ca]).timeout(Duration::from_secs(30)).build().unwrap();
    let h: Health = c.get(s.url("/api/v1/health")).send().await.unwrap().json_body().await;
    assert_eq!(h.status, "ok");
    // Plain HTTP to the TLS port gets nothing.
    let plain = client().get(s.url("/api/v1/health").replace("https://", "http://")).send().await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
}

/// `serve --database` and the administrative commands on PostgreSQL (when configured).
#[tokio::test]
async fn a_server_on_postgres() {
    let Ok(url) = std::env::var(PG_ENV) else {
        eprintln!("skipped: {PG_ENV} is not set");
        return;
    };
    // A schema of its own, named in the URL's options and dropped at the end.
    let schema = format!("fq_http_{}_{}", std::process::id(), rand::random::<u32>());
    let (admin, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    admin.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let db = format!("{url}{sep}options=-csearch_path%3D{schema}");
    let run = async move {
        let (ok, out, err) = cli(&["office", "add", "--database", &db, "--name", "城关镇司法所", "--division-code", "350102001", "--json"]);
        assert!(ok, "{err}");
        let v: Value = serde_json::from_str(out.trim()).unwrap();
        let office: Uuid = v["office_id"].as_str().unwrap().parse().unwrap();
        let s = Server::start_with(&["--database".into(), db.clone()], false);
        let c = client();
        let (a, ta) = enroll(&c, &s, v["enrollment_code"].as_str().unwrap()).await;
        let change = person_created(office, a, Uuid::now_v7(), 1_000);
        let p: PushResponse = proto(c.post(s.url("/api/v1/push")))
            .bearer_auth(&ta)
            .json_bytes(&PushRequest { changes: vec![change.clone()] })
            .send()
            .await
            .unwrap()
            .json_body()
            .await;
        assert_eq!(p.results[0].status, PushStatus::Applied);
        let (ok, out, err) = cli(&["export", "--database", &db, "--office", &office.to_string()]);
        assert!(ok, "{err}");
        assert_eq!(out.lines().count(), 1);
        let (ok, _, err) = cli(&["office", "revoke", "--database", &db, "--office", "城关镇司法所"]);
        assert!(ok, "{err}");
        let r = proto(c.get(s.url("/api/v1/pull"))).bearer_auth(&ta).send().await.unwrap();
        expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    };
    // The schema goes whatever happened.
    let outcome = tokio::spawn(run).await;
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

#[test]
fn cli_refuses_bad_input_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let d = data_arg(dir.path());
    let (ok, _, err) = cli(&["office", "add", "--data", &d, "--name", "某所", "--division-code", "12ab"]);
    assert!(!ok && err.contains("行政区划代码"), "{err}");
    let (ok, _, err) = cli(&["export", "--data", &d, "--office", "no-such-office"]);
    assert!(!ok && err.contains("司法所"), "{err}");
    add_office(dir.path(), "城关镇司法所");
    let (ok, _, err) = cli(&[
        "notice",
        "add",
        "--data",
        &d,
        "--office",
        "城关镇司法所",
        "--name",
        "王五",
        "--id-number",
        "110105194912310021",
        "--released-on",
        "2026-12-01",
        "--prison",
        "某监狱",
        "--crime",
        "盗窃罪",
    ]);
    assert!(!ok && err.contains("公民身份号码"), "{err}");
    let (ok, _, err) = cli(&["office", "revoke", "--data", &d, "--device", &Uuid::now_v7().to_string()]);
    assert!(!ok && err.contains("没有编号为"), "{err}");
    let (ok, _, _) = cli(&["serve", "--listen", "127.0.0.1:0"]);
    assert!(!ok, "serve needs --data or --database");
}

/// Small helpers on reqwest without its `json` feature.
trait JsonBody {
    async fn json_body<T: serde::de::DeserializeOwned>(self) -> T;
}

impl JsonBody for reqwest::Response {
    async fn json_body<T: serde::de::DeserializeOwned>(self) -> T {
        let status = self.status();
        let bytes = self.bytes().await.unwrap();
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{status}: {e}: {}", String::from_utf8_lossy(&bytes)))
    }
}

trait JsonBytes {
    fn json_bytes<T: serde::Serialize>(self, v: &T) -> Self;
}

impl JsonBytes for reqwest::RequestBuilder {
    fn json_bytes<T: serde::Serialize>(self, v: &T) -> Self {
        self.header("content-type", "application/json").body(serde_json::to_vec(v).unwrap())
    }
}

fn audit_sample() -> fengqiao_store::AuditEntry {
    fengqiao_store::AuditEntry {
        seq: 1,
        at: "2026-11-20T02:00:00.000000Z".into(),
        actor: "李明".into(),
        device_id: uuid::Uuid::nil().to_string(),
        action: "create".into(),
        kind: None,
        record_id: None,
        summary: "新建".into(),
        detail: None,
        prev_hash: fengqiao_store::audit::GENESIS.into(),
        hash: String::new(),
    }
}

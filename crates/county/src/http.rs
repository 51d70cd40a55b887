//! The HTTP API, protocol v1 (`fengqiao_sync::protocol`): health, OpenAPI, enrollment, push
//! and pull under `/api/v1/`. Every error is an `ErrorBody` with a Chinese message; bad input
//! is a 4xx, never a 5xx or a partial write (a push batch is one transaction).

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, UPGRADE, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use fengqiao_sync::protocol::*;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::auth;
use crate::error::CountyError;
use crate::store::{AuthDevice, CountyStore, EnrollOutcome, Enrollment};

/// An oversized body is read and discarded up to this size before the 413, so the client can
/// finish sending and read the answer; a larger one is cut off.
const DRAIN_MAX_BYTES: u64 = 4 * MAX_BODY_BYTES as u64;

/// How long a client may take to send a body.
const BODY_TIMEOUT: Duration = Duration::from_secs(120);

/// The paths that speak the protocol and so must carry its header.
const PROTOCOL_PATHS: [&str; 3] = ["/api/v1/enroll", "/api/v1/push", "/api/v1/pull"];

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn CountyStore>,
    pub dashboard: Arc<crate::dashboard::Dashboard>,
}

/// An error response: status, machine-readable code, Chinese message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }
    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut resp = (status, Json(ErrorBody { code: self.code.into(), message: self.message })).into_response();
        let headers = resp.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::UPGRADE_REQUIRED {
            headers.insert(UPGRADE, HeaderValue::from_static("fengqiao-protocol/1"));
        }
        resp
    }
}

impl From<CountyError> for ApiError {
    fn from(e: CountyError) -> ApiError {
        // The detail is for the county's log, not for the device.
        eprintln!("fengqiao-county: {e}");
        match e {
            CountyError::Pool(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "数据库暂时不可用，请稍后重试"),
            _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误，请稍后重试"),
        }
    }
}

/// The router with every layer, ready to serve.
pub fn router(store: Arc<dyn CountyStore>) -> Router {
    router_with(store, false)
}

/// The router, its dashboard's session cookies marked `Secure` when served over TLS; the
/// dashboard's per-office mirrors in a temporary directory (built again at each start).
pub fn router_with(store: Arc<dyn CountyStore>, secure_cookies: bool) -> Router {
    let dashboard = crate::dashboard::Dashboard::new(store.clone()).expect("a temporary directory for the dashboard");
    router_for(store, dashboard, secure_cookies)
}

/// The router over a dashboard made by the caller (e.g. with its mirrors kept on disk).
pub fn router_for(store: Arc<dyn CountyStore>, mut dashboard: crate::dashboard::Dashboard, secure_cookies: bool) -> Router {
    dashboard.secure_cookies = secure_cookies;
    router_sharing(store, Arc::new(dashboard))
}

/// The router around a dashboard something else holds too (the background warm-up).
fn router_sharing(store: Arc<dyn CountyStore>, dashboard: Arc<crate::dashboard::Dashboard>) -> Router {
    Router::new()
        .merge(crate::dashboard::routes::router())
        .route("/api/v1/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/enroll", post(enroll))
        .route("/api/v1/push", post(push))
        .route("/api/v1/audit", post(push_audit))
        .route("/api/v1/pull", get(pull))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(AppState { store, dashboard })
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(middleware::from_fn(protocol_header))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误，请稍后重试").into_response()
        }))
}

/// Agrees on the protocol version with the client on the protocol's endpoints (426 when
/// there is none in common) and names the version spoken on every response.
async fn protocol_header(req: Request, next: Next) -> Response {
    let mut speak = PROTOCOL_VERSION;
    if PROTOCOL_PATHS.contains(&req.uri().path()) {
        let sent = req.headers().get(PROTOCOL_HEADER).map(|v| v.to_str().unwrap_or("?"));
        match negotiate(sent, OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION) {
            Ok(v) => speak = v,
            Err(why) => {
                let message = why.message(OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION);
                let mut resp = ApiError::new(StatusCode::UPGRADE_REQUIRED, "unsupported_protocol", message).into_response();
                resp.headers_mut().insert(PROTOCOL_HEADER, HeaderValue::from(PROTOCOL_VERSION));
                return resp;
            }
        }
    }
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(PROTOCOL_HEADER, HeaderValue::from(speak));
    resp
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("没有这个接口：{}（接口说明见 /api/v1/openapi.json）", uri.path()))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "该接口不支持这种请求方法（接口说明见 /api/v1/openapi.json）")
}

async fn health(State(s): State<AppState>) -> Result<Json<Health>, ApiError> {
    s.store.ping().await.map_err(|e| {
        eprintln!("fengqiao-county: {e}");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "数据库暂时不可用")
    })?;
    Ok(Json(Health { status: "ok".into(), protocol: PROTOCOL_VERSION, version: env!("CARGO_PKG_VERSION").into() }))
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

/// A JSON request body: gzip or plain, at most `MAX_BODY_BYTES` after decompression, parsed
/// with the path of the first wrong field in the message.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send + 'static> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let (gzip, raw) = read_body(req).await?;
        let parsed = tokio::task::spawn_blocking(move || -> Result<T, ApiError> {
            let bytes = if gzip { gunzip(&raw)? } else { raw.to_vec() };
            parse_json(&bytes)
        })
        .await
        .map_err(|e| CountyError::Task(e.to_string()))??;
        Ok(JsonBody(parsed))
    }
}

fn too_large_message() -> String {
    format!("请求体超过{} MB（解压后），请分批发送（每批最多{}条变更）", MAX_BODY_BYTES / (1024 * 1024), MAX_BATCH)
}

async fn read_body(req: Request) -> Result<(bool, Bytes), ApiError> {
    let (parts, body) = req.into_parts();
    let gzip = match parts.headers.get(CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase()) {
        None => false,
        Some(e) if e.is_empty() || e == "identity" => false,
        Some(e) if e == "gzip" || e == "x-gzip" => true,
        Some(e) => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_encoding",
                format!("不支持的压缩方式“{}”（只支持gzip）", e.chars().take(20).collect::<String>()),
            ))
        }
    };
    let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_MAX_BYTES) {
        return Err(ApiError::too_large(too_large_message()));
    }
    // Read up to the limit; past it, read on and discard (up to DRAIN_MAX_BYTES) so that the
    // client gets to read the 413 instead of a broken pipe.
    let mut body = body;
    let mut data = Vec::with_capacity(declared.unwrap_or(0).min(MAX_BODY_BYTES as u64) as usize);
    let mut total: u64 = 0;
    let read = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| ApiError::bad_request("读取请求体时连接中断"))?;
            let Ok(chunk) = frame.into_data() else { continue };
            total += chunk.len() as u64;
            if total > DRAIN_MAX_BYTES {
                break;
            }
            if total <= MAX_BODY_BYTES as u64 {
                data.extend_from_slice(&chunk);
            }
        }
        Ok::<_, ApiError>(())
    };
    tokio::time::timeout(BODY_TIMEOUT, read)
        .await
        .map_err(|_| ApiError::new(StatusCode::REQUEST_TIMEOUT, "timeout", "请求体发送太慢，已超时，请稍后重试"))??;
    if total > MAX_BODY_BYTES as u64 {
        return Err(ApiError::too_large(too_large_message()));
    }
    Ok((gzip, Bytes::from(data)))
}

fn gunzip(raw: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(raw)
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| ApiError::bad_request("请求体声明为gzip压缩，但不是有效的gzip数据"))?;
    if out.len() > MAX_BODY_BYTES {
        return Err(ApiError::too_large(too_large_message()));
    }
    Ok(out)
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    use serde_json::error::Category;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("请求体为空，应为JSON"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let syntax = |inner: &serde_json::Error| match inner.classify() {
        Category::Eof => ApiError::bad_request("请求体不是有效的JSON（内容不完整）"),
        _ => ApiError::bad_request(format!("请求体不是有效的JSON（第{}行第{}列附近语法错误）", inner.line(), inner.column())),
    };
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            Category::Data => {
                let what = crate::apply::serde_message_cn(&inner.to_string());
                if path.is_empty() || path == "." {
                    ApiError::bad_request(format!("请求内容不正确：{what}"))
                } else {
                    ApiError::bad_request(format!("字段{path}不正确：{what}"))
                }
            }
            _ => syntax(&inner),
        }
    })?;
    de.end().map_err(|e| syntax(&e))?;
    Ok(value)
}

/// The client's IP address, when the server was started with connection info (`serve` is;
/// a router served without it sees none). Not taken from `X-Forwarded-For`: a header the client
/// writes must not choose the address its failed sign-ins are counted under.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl ClientAddr {
    pub fn text(&self) -> Option<String> {
        self.0.map(|a| a.to_string())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// The device a request's bearer token belongs to; 401 when missing, unknown or revoked.
pub struct Device(pub AuthDevice);

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Err(ApiError::unauthorized("缺少设备凭据（Authorization: Bearer 令牌），请先用注册码注册本机"));
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or_else(|| ApiError::unauthorized("设备凭据格式不对，应为“Authorization: Bearer 令牌”"))?;
        match state.store.authenticate(&auth::hash_token(token), Utc::now()).await? {
            Some(d) => Ok(Device(d)),
            None => Err(ApiError::unauthorized("设备凭据无效或已被县司法局停用，请联系县司法局重新注册本机")),
        }
    }
}

fn check_text(field: &str, label: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::bad_request(format!("{label}（{field}）不能为空")));
    }
    if v.chars().count() > max {
        return Err(ApiError::bad_request(format!("{label}（{field}）不能超过{max}个字符")));
    }
    if v.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!("{label}（{field}）含有控制字符")));
    }
    Ok(v.to_string())
}

async fn enroll(State(s): State<AppState>, JsonBody(req): JsonBody<EnrollRequest>) -> Result<Json<EnrollResponse>, ApiError> {
    let name = check_text("device_name", "设备名称", &req.device_name, 100)?;
    if req.device_id.is_nil() {
        return Err(ApiError::bad_request("设备编号（device_id）不能为空"));
    }
    let code = auth::normalize_code(&req.enrollment_code);
    if code.is_empty() || code.len() > 64 {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_enrollment_code", "注册码无效，请核对县司法局提供的注册码"));
    }
    let token = auth::new_token();
    let (code_hash, token_hash) = (auth::hash_code(&code), auth::hash_token(&token));
    let request =
        Enrollment { code_hash: &code_hash, device_id: req.device_id, device_name: &name, token_hash: &token_hash, claimed_org: req.office_id };
    match s.store.enroll(request, Utc::now()).await? {
        EnrollOutcome::Enrolled(o) => {
            Ok(Json(EnrollResponse { office_id: o.org_id.unwrap_or(o.id), office_name: o.name, division_code: o.division_code, device_token: token }))
        }
        EnrollOutcome::InvalidCode => {
            Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_enrollment_code", "注册码无效、已使用或已过期，请向县司法局申请新的注册码"))
        }
        EnrollOutcome::DeviceTaken => {
            Err(ApiError::new(StatusCode::CONFLICT, "device_conflict", "本机的设备编号已登记在其他司法所，不能注册到这里；请联系县司法局"))
        }
        EnrollOutcome::OfficeMismatch { bound } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "office_conflict",
            match bound {
                Some(b) => format!("本机数据所属的司法所与注册码的司法所不一致（该所已绑定编号{b}），请核对注册码或联系县司法局"),
                None => "本机数据所属的司法所已绑定到县司法局登记的另一个司法所，请核对注册码或联系县司法局".to_string(),
            },
        )),
    }
}

async fn push(State(s): State<AppState>, Device(d): Device, JsonBody(req): JsonBody<PushRequest>) -> Result<Json<PushResponse>, ApiError> {
    if req.changes.len() > MAX_BATCH {
        return Err(ApiError::too_large(format!("一次最多推送{MAX_BATCH}条变更（本次{}条），请分批发送", req.changes.len())));
    }
    let now = Utc::now();
    let sent: std::collections::HashMap<uuid::Uuid, (String, uuid::Uuid)> =
        req.changes.iter().map(|c| (c.change_id, (c.kind.clone(), c.record_id))).collect();
    let results = s.store.push(d.office_id, d.id, req.changes, now).await?;
    crate::dashboard::note_rejections(&*s.store, d, &sent, &results, now).await?;
    Ok(Json(PushResponse { results }))
}

/// A device's audit log entries: kept when they continue the chain the county holds.
async fn push_audit(
    State(s): State<AppState>,
    Device(d): Device,
    JsonBody(req): JsonBody<fengqiao_sync::protocol::AuditPushRequest>,
) -> Result<Json<fengqiao_sync::protocol::AuditPushResponse>, ApiError> {
    let most = fengqiao_sync::protocol::MAX_AUDIT_BATCH;
    if req.entries.len() > most {
        return Err(ApiError::too_large(format!("一次最多发送{most}条审计记录（本次{}条），请分批发送", req.entries.len())));
    }
    match crate::office_audit::accept(&*s.store, d.office_id, d.id, req.entries, Utc::now()).await? {
        Ok(held_through) => Ok(Json(fengqiao_sync::protocol::AuditPushResponse { held_through })),
        Err(crate::office_audit::Refusal::Broken(why)) => Err(ApiError::new(StatusCode::CONFLICT, "audit_chain_broken", why)),
        Err(crate::office_audit::Refusal::Raced) => {
            Err(ApiError::new(StatusCode::CONFLICT, "audit_busy", "本机的审计记录正由另一个请求写入，请稍后重试"))
        }
    }
}

#[derive(Debug, Deserialize)]
struct PullQuery {
    since: Option<i64>,
    limit: Option<usize>,
    /// The version of the county's settings the device holds.
    settings: Option<String>,
}

async fn pull(State(s): State<AppState>, Device(d): Device, query: Result<Query<PullQuery>, QueryRejection>) -> Result<Json<PullResponse>, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::bad_request(format!("查询参数不正确：since应为整数游标，limit应为1到{MAX_BATCH}的整数")))?;
    let since = q.since.unwrap_or(0).max(0);
    let limit = q.limit.unwrap_or(MAX_BATCH);
    let mut page = s.store.pull(d.office_id, d.id, since, limit, Utc::now()).await?;
    // The county's settings ride on the last page, when the device does not hold them yet.
    if !page.more {
        let held = q.settings.as_deref().map(str::trim).filter(|v| !v.is_empty());
        page.settings = s.dashboard.policy().await?.filter(|p| held != Some(p.version.as_str()));
    }
    Ok(Json(page))
}

/// TLS material for `serve`.
#[derive(Debug, Clone)]
pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight (10 s at most).
/// `ready` is told the bound address (useful with port 0).
/// Serves until SIGINT/SIGTERM. `mirrors`: where the dashboard keeps each office's mirror
/// between runs (none: a temporary directory, rebuilt at every start).
pub async fn serve(
    store: Arc<dyn CountyStore>,
    listen: &str,
    tls: Option<Tls>,
    mirrors: Option<&std::path::Path>,
    ready: impl FnOnce(SocketAddr, bool),
) -> crate::Result<()> {
    let listener = std::net::TcpListener::bind(listen).map_err(|e| CountyError::Invalid(format!("无法监听{listen}：{e}")))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let mut dashboard = match mirrors {
        Some(dir) => crate::dashboard::Dashboard::kept_in(store.clone(), dir)?,
        None => crate::dashboard::Dashboard::new(store.clone())?,
    };
    dashboard.secure_cookies = tls.is_some();
    let dashboard = Arc::new(dashboard);
    tokio::spawn(keep_warm(dashboard.clone()));
    let app = router_sharing(store, dashboard);
    let handle = axum_server::Handle::new();
    tokio::spawn({
        let handle = handle.clone();
        async move {
            shutdown_signal().await;
            handle.graceful_shutdown(Some(Duration::from_secs(10)));
        }
    });
    match tls {
        Some(tls) => {
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
                .await
                .map_err(|e| CountyError::Invalid(format!("无法读取TLS证书{}或私钥{}：{e}", tls.cert.display(), tls.key.display())))?;
            let server = axum_server::from_tcp_rustls(listener, config)?.handle(handle);
            ready(addr, true);
            server.serve(app.into_make_service_with_connect_info::<SocketAddr>()).await?;
        }
        None => {
            let server = axum_server::from_tcp(listener)?.handle(handle);
            ready(addr, false);
            server.serve(app.into_make_service_with_connect_info::<SocketAddr>()).await?;
        }
    }
    Ok(())
}

/// How often the dashboard's costly answers are brought up to date in the background.
const WARM_EVERY: Duration = Duration::from_secs(10);

/// Keeps the dashboard's costly answers ready ([`Dashboard::warm`]): after a start, and soon
/// after each office syncs, so an administrator's query finds them computed. A failure is
/// said once (not every round) and the next round tries again.
async fn keep_warm(dashboard: Arc<crate::dashboard::Dashboard>) {
    let mut said = String::new();
    loop {
        match dashboard.warm().await {
            Ok(()) => said.clear(),
            Err(e) => {
                let msg = e.to_string();
                if msg != said {
                    eprintln!("fengqiao-county: 统计预先计算失败（稍后重试）：{msg}");
                    said = msg;
                }
            }
        }
        tokio::time::sleep(WARM_EVERY).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

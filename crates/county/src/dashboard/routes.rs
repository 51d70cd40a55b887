//! The dashboard's HTTP API under `/api/v1/dashboard/` (JSON, Chinese messages) and the web
//! front end at `/`. Every endpoint but sign-in needs a session cookie; the admin-only ones
//! answer a viewer 403 — the server refuses, whatever the page shows.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate, Utc};
use fengqiao_model::AssessmentType;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{today, CountySettings};
use crate::accounts;
use crate::audit;
use crate::auth::hash_token;
use crate::error::CountyError;
use crate::http::{ApiError, AppState, ClientAddr, JsonBody};
use crate::limits;
use crate::notice;
use crate::store::{Role, User};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dashboard/session", post(sign_in).get(me).delete(sign_out))
        .route("/api/v1/dashboard/offices", get(offices).post(add_office))
        .route("/api/v1/dashboard/offices/{id}/rejections", get(rejections))
        .route("/api/v1/dashboard/figures", get(figures))
        .route("/api/v1/dashboard/drill", get(drill))
        .route("/api/v1/dashboard/drill/released", get(drill_released))
        .route("/api/v1/dashboard/compliance", get(compliance))
        .route("/api/v1/dashboard/late", get(late))
        .route("/api/v1/dashboard/rollup", get(rollup))
        .route("/api/v1/dashboard/rollup.xlsx", get(rollup_xlsx))
        .route("/api/v1/dashboard/rollup.pdf", get(rollup_pdf))
        .route("/api/v1/dashboard/calendar", get(calendar))
        .route("/api/v1/dashboard/settings", get(settings).put(put_settings))
        .route("/api/v1/dashboard/notices", post(add_notice))
        .route("/api/v1/dashboard/audit", get(audit_log))
        .route("/api/v1/dashboard/offices/{id}/audit", get(office_audit_log))
        .route("/", get(super::ui::index))
        .route("/assets/{*path}", get(super::ui::asset))
}

fn county(e: CountyError) -> ApiError {
    match e {
        CountyError::Invalid(m) => ApiError::new(StatusCode::BAD_REQUEST, "invalid", m),
        CountyError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
        other => other.into(),
    }
}

/// The signed-in account; 401 without a live session.
pub struct Session(pub User);

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .find_map(accounts::token_from_cookie_header)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "not_signed_in", "请先登录"))?;
        match state.store.session(&hash_token(token), Utc::now()).await? {
            Some(u) => Ok(Session(u)),
            None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "not_signed_in", "登录已过期，请重新登录")),
        }
    }
}

/// An admin's session; a viewer gets 403.
pub struct Admin(pub User);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Session(u) = Session::from_request_parts(parts, state).await?;
        if u.role != Role::Admin {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("账号“{}”是查看账号，没有权限进行此操作，请联系管理员", u.name)));
        }
        Ok(Admin(u))
    }
}

#[derive(Debug, Deserialize)]
struct SignIn {
    name: String,
    password: String,
}

#[derive(Debug, Serialize)]
struct Me {
    name: String,
    role: Role,
    role_label: &'static str,
}

fn me_of(u: &User) -> Me {
    Me { name: u.name.clone(), role: u.role, role_label: u.role.label() }
}

/// Signs in, within the limits of `crate::limits`: a locked name or address is refused with 429
/// before its password is checked (the right one included). Every checked attempt is audited.
async fn sign_in(State(s): State<AppState>, client: ClientAddr, JsonBody(req): JsonBody<SignIn>) -> Result<Response, ApiError> {
    if req.name.trim().is_empty() || req.password.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid", "请输入账号和密码"));
    }
    // The name as audited and counted: at most 50 characters (the longest account name).
    let name: String = req.name.trim().chars().take(50).collect();
    let limiter = s.dashboard.sign_in_limits.clone();
    if limiter.check(&name, client.0).is_err() {
        return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", limits::LOCKED_MESSAGE));
    }
    let found = s.store.user_by_name(req.name.trim()).await?;
    let password = req.password.clone();
    let (user, ok) = tokio::task::spawn_blocking(move || match found {
        Some((u, hash)) => {
            let ok = accounts::verify_password(&password, &hash);
            (Some(u), ok)
        }
        None => {
            let _ = accounts::verify_password(&password, accounts::dummy_hash());
            (None, false)
        }
    })
    .await
    .map_err(CountyError::from)?;
    let known = user.is_some();
    let Some(user) = user.filter(|_| ok) else {
        let failure = limiter.failed(&name, client.0);
        let detail = if known { "密码不正确" } else { "没有这个账号" };
        audit::record(&*s.store, &name, audit::SIGN_IN_FAILED, Some(name.clone()), Some(detail.into()), client.text()).await;
        for (locked, what) in [(failure.locked_name, "该账号"), (failure.locked_address, "该地址")] {
            if locked {
                let detail = format!("{what}15分钟内登录失败次数过多，锁定15分钟");
                audit::record(&*s.store, &name, audit::SIGN_IN_LOCKED, Some(name.clone()), Some(detail), client.text()).await;
            }
        }
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "账号或密码不正确"));
    };
    limiter.succeeded(&name);
    let token = crate::auth::new_token();
    let now = Utc::now();
    s.store.create_session(&hash_token(&token), user.id, now, now + accounts::session_lifetime()).await?;
    audit::record(&*s.store, &user.name, audit::SIGN_IN, Some(user.name.clone()), Some(user.role.label().into()), client.text()).await;
    let mut resp = Json(me_of(&user)).into_response();
    let cookie = accounts::session_cookie(&token, s.dashboard.secure_cookies);
    resp.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误"))?,
    );
    Ok(resp)
}

async fn me(Session(u): Session) -> Json<Me> {
    Json(me_of(&u))
}

async fn sign_out(State(s): State<AppState>, client: ClientAddr, headers: axum::http::HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = headers.get_all(COOKIE).iter().filter_map(|h| h.to_str().ok()).find_map(accounts::token_from_cookie_header) {
        let now = Utc::now();
        let who = s.store.session(&hash_token(token), now).await?;
        if s.store.delete_session(&hash_token(token), now).await? {
            if let Some(u) = who {
                audit::record(&*s.store, &u.name, audit::SIGN_OUT, Some(u.name.clone()), None, client.text()).await;
            }
        }
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(SET_COOKIE, HeaderValue::from_str(&accounts::clear_cookie(s.dashboard.secure_cookies)).expect("ascii cookie"));
    Ok(resp)
}

#[derive(Debug, Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    office: Option<String>,
    figure: Option<String>,
    /// A group of late work (`mediation` by default).
    group: Option<String>,
    /// A drill-down's or late work's page (from 1) and rows per page.
    page: Option<usize>,
    page_size: Option<usize>,
}

fn date(field: &str, label: &str, v: Option<&str>, default: NaiveDate) -> Result<NaiveDate, ApiError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("{label}（{field}）应为“年-月-日”，如2026-01-31"))),
    }
}

impl PeriodQuery {
    /// The period asked for; by default this year up to today.
    fn period(&self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        let t = today();
        let from = date("from", "开始日期", self.from.as_deref(), NaiveDate::from_ymd_opt(t.year(), 1, 1).unwrap_or(t))?;
        let to = date("to", "结束日期", self.to.as_deref(), t)?;
        Ok((from, to))
    }
    fn office(&self) -> Result<Option<Uuid>, ApiError> {
        self.office
            .as_deref()
            .filter(|o| !o.is_empty())
            .map(|o| Uuid::parse_str(o).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid", "司法所编号（office）无效")))
            .transpose()
    }
}

fn period_query(q: Result<Query<PeriodQuery>, axum::extract::rejection::QueryRejection>) -> Result<PeriodQuery, ApiError> {
    q.map(|Query(q)| q).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid", "查询参数不正确"))
}

type Q = Result<Query<PeriodQuery>, axum::extract::rejection::QueryRejection>;

async fn offices(State(s): State<AppState>, _: Session) -> Result<Json<super::OfficesView>, ApiError> {
    Ok(Json(s.dashboard.offices().await.map_err(county)?))
}

async fn rejections(State(s): State<AppState>, _: Session, Path(id): Path<Uuid>) -> Result<Json<Vec<crate::store::dashboard::Rejection>>, ApiError> {
    Ok(Json(s.store.rejections(id).await?))
}

async fn figures(State(s): State<AppState>, _: Session, q: Q) -> Result<Json<super::Figures>, ApiError> {
    let q = period_query(q)?;
    let (from, to) = q.period()?;
    Ok(Json(s.dashboard.figures(from, to, q.office()?).await.map_err(county)?))
}

async fn drill(State(s): State<AppState>, _: Session, q: Q) -> Result<Json<super::DrillPage>, ApiError> {
    let q = period_query(q)?;
    let (from, to) = q.period()?;
    let figure = q.figure.clone().unwrap_or_else(|| "cases".into());
    let (page, size) = (q.page.unwrap_or(1), q.page_size.unwrap_or(50));
    Ok(Json(s.dashboard.drill_page(from, to, q.office()?, &figure, page, size).await.map_err(county)?))
}

async fn drill_released(State(s): State<AppState>, _: Session, q: Q) -> Result<Json<Vec<super::ReleasedDrillRow>>, ApiError> {
    let q = period_query(q)?;
    let (from, to) = q.period()?;
    Ok(Json(s.dashboard.drill_released(from, to, q.office()?).await.map_err(county)?))
}

async fn compliance(State(s): State<AppState>, _: Session, q: Q) -> Result<Json<super::Compliance>, ApiError> {
    let q = period_query(q)?;
    let t = today();
    // By default the last three months.
    let default_from = t.checked_sub_months(chrono::Months::new(3)).unwrap_or(t);
    let from = date("from", "开始日期", q.from.as_deref(), default_from)?;
    let to = date("to", "结束日期", q.to.as_deref(), t)?;
    Ok(Json(s.dashboard.compliance(from, to, q.office()?).await.map_err(county)?))
}

async fn late(State(s): State<AppState>, _: Session, q: Q) -> Result<Json<super::LatePage>, ApiError> {
    let q = period_query(q)?;
    let group = q.group.as_deref().unwrap_or("mediation");
    let (page, size) = (q.page.unwrap_or(1), q.page_size.unwrap_or(50));
    Ok(Json(s.dashboard.late_page(q.office()?, group, page, size).await.map_err(county)?))
}

#[derive(Serialize)]
struct RollupView {
    table: fengqiao_store::stats::CaseStatistics,
    all_consistent: bool,
}

async fn rollup(State(s): State<AppState>, _: Session, q: Q) -> Result<Json<RollupView>, ApiError> {
    let (from, to) = period_query(q)?.period()?;
    let table = s.dashboard.rollup(from, to).await.map_err(county)?;
    Ok(Json(RollupView { all_consistent: table.all_consistent(), table }))
}

fn download(bytes: Vec<u8>, mime: &'static str, name: String) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(mime));
    // RFC 6266: an ASCII fallback and the Chinese name percent-encoded.
    let encoded: String =
        name.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let value = format!("attachment; filename=\"rollup.{}\"; filename*=UTF-8''{encoded}", name.rsplit('.').next().unwrap_or("bin"));
    if let Ok(v) = HeaderValue::from_str(&value) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn rollup_xlsx(State(s): State<AppState>, Session(u): Session, client: ClientAddr, q: Q) -> Result<Response, ApiError> {
    let (from, to) = period_query(q)?.period()?;
    let table = s.dashboard.rollup(from, to).await.map_err(county)?;
    let bytes = tokio::task::spawn_blocking(move || super::xlsx::rollup_xlsx(&table)).await.map_err(CountyError::from)?.map_err(county)?;
    audit::record(&*s.store, &u.name, audit::EXPORT_ROLLUP_XLSX, Some(format!("{from}至{to}")), None, client.text()).await;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("人民调解案件情况统计表（汇总）{from}至{to}.xlsx"),
    ))
}

async fn rollup_pdf(State(s): State<AppState>, Session(u): Session, client: ClientAddr, q: Q) -> Result<Response, ApiError> {
    let (from, to) = period_query(q)?.period()?;
    let bytes = s.dashboard.rollup_pdf(from, to).await.map_err(county)?;
    audit::record(&*s.store, &u.name, audit::EXPORT_ROLLUP_PDF, Some(format!("{from}至{to}")), None, client.text()).await;
    Ok(download(bytes, "application/pdf", format!("人民调解案件情况统计表（汇总）{from}至{to}.pdf")))
}

async fn calendar(State(s): State<AppState>, _: Session) -> Result<Json<Vec<super::Deadline>>, ApiError> {
    Ok(Json(s.dashboard.calendar().await.map_err(county)?))
}

#[derive(Serialize)]
struct SettingsView {
    settings: CountySettings,
    /// Whether the offices receive them through sync: once an administrator saved them (until
    /// then every office keeps its own reminder settings).
    delivered_to_offices: bool,
    /// The version the offices receive (they hold it after their next sync), when delivered.
    version: Option<String>,
}

async fn settings(State(s): State<AppState>, _: Session) -> Result<Json<SettingsView>, ApiError> {
    let policy = s.dashboard.policy().await.map_err(county)?;
    Ok(Json(SettingsView {
        settings: s.dashboard.settings().await.map_err(county)?,
        delivered_to_offices: policy.is_some(),
        version: policy.map(|p| p.version),
    }))
}

async fn put_settings(
    State(s): State<AppState>,
    Admin(u): Admin,
    client: ClientAddr,
    JsonBody(new): JsonBody<CountySettings>,
) -> Result<Json<SettingsView>, ApiError> {
    s.dashboard.set_settings(&new).await.map_err(county)?;
    let version = Some(new.policy().version);
    audit::record(&*s.store, &u.name, audit::SETTINGS_CHANGE, None, version.clone().map(|v| format!("版本{v}")), client.text()).await;
    Ok(Json(SettingsView { settings: new, delivered_to_offices: true, version }))
}

#[derive(Debug, Deserialize)]
struct NoticeForm {
    office_id: Uuid,
    name: String,
    id_number: String,
    released_on: NaiveDate,
    prison: String,
    crime: String,
    assessment: Option<AssessmentType>,
    sentence_term: Option<String>,
    hukou_address: Option<String>,
}

async fn add_notice(
    State(s): State<AppState>,
    Admin(u): Admin,
    client: ClientAddr,
    JsonBody(f): JsonBody<NoticeForm>,
) -> Result<Json<notice::NoticeOutcome>, ApiError> {
    for (label, v) in [("姓名", &f.name), ("服刑场所", &f.prison), ("原罪名", &f.crime)] {
        if v.trim().is_empty() {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("{label}不能为空")));
        }
    }
    let office = s.store.office(f.office_id).await?.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "没有这个司法所"))?;
    let blank = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let input = notice::NoticeInput {
        name: f.name,
        id_number: f.id_number,
        released_on: f.released_on,
        prison: f.prison,
        crime: f.crime,
        assessment: f.assessment,
        sentence_term: blank(f.sentence_term),
        hukou_address: blank(f.hukou_address),
    };
    let done = notice::issue(&*s.store, &office, input, Utc::now()).await.map_err(county)?;
    // The released person's record id, not their name or ID number: the log names no one.
    let detail = format!("安置帮教档案{}", done.released_person_id);
    audit::record(&*s.store, &u.name, audit::NOTICE_ADD, Some(office.name.clone()), Some(detail), client.text()).await;
    Ok(Json(done))
}

#[derive(Debug, Deserialize)]
struct OfficeForm {
    name: String,
    division_code: String,
}

#[derive(Debug, Serialize)]
struct OfficeAdded {
    office_id: Uuid,
    enrollment_code: String,
    expires_at: chrono::DateTime<Utc>,
}

/// `office add` as a form: the office and its one-time enrollment code (valid 14 days).
async fn add_office(
    State(s): State<AppState>,
    Admin(u): Admin,
    client: ClientAddr,
    JsonBody(f): JsonBody<OfficeForm>,
) -> Result<Json<OfficeAdded>, ApiError> {
    let (name, division_code) = (f.name.trim().to_string(), f.division_code.trim().to_string());
    let mut issues = fengqiao_model::Issues::new();
    issues.name("name", "司法所名称", &Some(name.clone()), true);
    issues.required_text("name", "司法所名称", &Some(name.clone()));
    issues.division_code("division_code", "行政区划代码", &Some(division_code.clone()));
    issues.required_text("division_code", "行政区划代码", &Some(division_code.clone()));
    issues.into_result().map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid", e.to_string()))?;
    if s.store.offices().await?.iter().any(|o| o.office.division_code == division_code && o.office.name == name) {
        return Err(ApiError::new(StatusCode::CONFLICT, "exists", format!("{name}（{division_code}）已登记")));
    }
    let now = Utc::now();
    let office = crate::store::Office {
        id: fengqiao_model::new_id(),
        org_id: None,
        name,
        division_code,
        county_device_id: fengqiao_model::new_id(),
        created_at: now,
    };
    s.store.create_office(&office).await?;
    let code = crate::auth::new_enrollment_code();
    let expires_at = now + chrono::Duration::days(14);
    s.store.add_enrollment_code(office.id, &crate::auth::hash_code(&code), expires_at, now).await?;
    let target = format!("{}（{}）", office.name, office.division_code);
    audit::record(&*s.store, &u.name, audit::OFFICE_ADD, Some(target), Some(format!("司法所编号{}", office.id)), client.text()).await;
    Ok(Json(OfficeAdded { office_id: office.id, enrollment_code: code, expires_at }))
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    limit: Option<usize>,
}

/// An office's audit log as its devices sent it (admins only: it names who looked at whose
/// file), newest first.
async fn office_audit_log(
    State(s): State<AppState>,
    _: Admin,
    Path(id): Path<Uuid>,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<fengqiao_store::AuditEntry>>, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("limit应为1到{AUDIT_MAX}的整数")))?;
    if s.store.office(id).await?.is_none() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "没有这个司法所"));
    }
    Ok(Json(s.store.office_audit(id, q.limit.unwrap_or(100).clamp(1, AUDIT_MAX)).await?))
}

/// Most lines `GET /api/v1/dashboard/audit` returns at once.
const AUDIT_MAX: usize = 1000;

#[derive(Serialize)]
struct AuditLine {
    #[serde(flatten)]
    entry: crate::store::AuditEntry,
    action_label: &'static str,
}

/// The county's audit log, newest first (admins only).
async fn audit_log(
    State(s): State<AppState>,
    _: Admin,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<AuditLine>>, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("limit应为1到{AUDIT_MAX}的整数")))?;
    let limit = q.limit.unwrap_or(100).clamp(1, AUDIT_MAX);
    let lines = s.store.audit_log(limit).await?;
    Ok(Json(lines.into_iter().map(|entry| AuditLine { action_label: audit::label(&entry.action), entry }).collect()))
}

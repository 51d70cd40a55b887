//! The HTTP client of protocol v1: enroll, push, pull, health. Request bodies are gzip'd JSON,
//! responses may be gzip'd; every failure is sorted into what the agent does about it
//! ([`ClientError::is_transient`]: back off and try again, or stop and tell the clerk).

use std::io::Write;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::protocol::*;

/// What a request to the county can fail with. Display is Chinese, for the clerk.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// No answer: connection refused, reset or cut, timeout, DNS.
    #[error("无法连接县级服务器（{0}）")]
    Network(String),
    /// The county could not handle the request now (5xx, 429, 408).
    #[error("县级服务器暂时无法处理请求（HTTP {status}）：{message}")]
    Unavailable { status: u16, message: String },
    /// 401: the credential is unknown or revoked (or, at enrollment, the code).
    #[error("{message}")]
    Unauthorized { message: String },
    /// Another 4xx: the county refuses the request as a whole.
    #[error("县级服务器拒绝了请求（HTTP {status}）：{message}")]
    Refused { status: u16, code: String, message: String },
    /// An answer that is not what the protocol says (e.g. cut short, or not JSON).
    #[error("县级服务器的回复无法识别：{0}")]
    BadResponse(String),
    #[error("县级服务器地址“{0}”无效，应为 http(s)://主机名[:端口]")]
    Address(String),
}

impl ClientError {
    /// Worth trying again later: the network, or the county for a while.
    pub fn is_transient(&self) -> bool {
        matches!(self, ClientError::Network(_) | ClientError::Unavailable { .. } | ClientError::BadResponse(_))
    }
    /// The county could not be reached at all.
    pub fn is_offline(&self) -> bool {
        matches!(self, ClientError::Network(_))
    }
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Unavailable { status, .. } | ClientError::Refused { status, .. } => Some(*status),
            ClientError::Unauthorized { .. } => Some(401),
            _ => None,
        }
    }
}

/// Timeouts of one client.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// The whole request, body and answer included.
    pub request_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions { connect_timeout: Duration::from_secs(15), request_timeout: Duration::from_secs(120) }
    }
}

/// A client for one county server, with or without a device credential.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    token: Option<String>,
}

/// Checks and normalizes a server address: `http(s)://host[:port][/prefix]`, no query.
pub fn normalize_server(server: &str) -> Result<String, ClientError> {
    let s = server.trim();
    let url = Url::parse(s).map_err(|_| ClientError::Address(s.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) || url.query().is_some() || url.fragment().is_some() {
        return Err(ClientError::Address(s.to_string()));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Client {
    pub fn new(server: &str, token: Option<&str>, options: ClientOptions) -> Result<Client, ClientError> {
        let base = Url::parse(&format!("{}/", normalize_server(server)?)).map_err(|_| ClientError::Address(server.to_string()))?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("fengqiao-sync/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(30));
        if is_loopback(&base) {
            // A proxy from the environment has no business with the machine itself.
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(Client { http, base, token: token.map(str::to_string) })
    }

    pub fn server(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path.trim_start_matches('/')).expect("a relative path joins")
    }

    /// `GET /api/v1/health`: is the county there (and speaking protocol v1)?
    pub async fn health(&self) -> Result<Health, ClientError> {
        let req = self.http.get(self.url("api/v1/health"));
        self.send(req).await
    }

    /// `POST /api/v1/enroll` with a one-time code.
    pub async fn enroll(&self, request: &EnrollRequest) -> Result<EnrollResponse, ClientError> {
        let req = self.http.post(self.url("api/v1/enroll"));
        self.send(self.json_body(req, request)?).await
    }

    /// `POST /api/v1/push`: one batch (at most [`MAX_BATCH`]).
    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, ClientError> {
        let req = self.authorized(self.http.post(self.url("api/v1/push")))?;
        self.send(self.json_body(req, request)?).await
    }

    /// `POST /api/v1/audit`: audit log entries after the last the county holds.
    pub async fn push_audit(&self, request: &AuditPushRequest) -> Result<AuditPushResponse, ClientError> {
        let req = self.authorized(self.http.post(self.url("api/v1/audit")))?;
        self.send(self.json_body(req, request)?).await
    }

    /// `POST /api/v1/push` with a body already encoded by [`encode_body`].
    pub async fn push_encoded(&self, gzip_json: Vec<u8>) -> Result<PushResponse, ClientError> {
        let req = self.authorized(self.http.post(self.url("api/v1/push")))?;
        let req = req.header(CONTENT_TYPE, "application/json").header(CONTENT_ENCODING, "gzip").body(gzip_json);
        self.send(req).await
    }

    /// `GET /api/v1/pull?since=…&limit=…`, naming no version of the county's settings (the
    /// last page carries them whenever the county has some).
    pub async fn pull(&self, since: i64, limit: usize) -> Result<PullResponse, ClientError> {
        self.pull_with_settings(since, limit, None).await
    }

    /// `GET /api/v1/pull?since=…&limit=…&settings=…`: `settings` is the version of the county's
    /// settings this office holds, so that the county sends them only when they changed.
    pub async fn pull_with_settings(&self, since: i64, limit: usize, settings: Option<&str>) -> Result<PullResponse, ClientError> {
        let mut url = self.url("api/v1/pull");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("since", &since.to_string()).append_pair("limit", &limit.to_string());
            if let Some(v) = settings.filter(|v| !v.is_empty()) {
                q.append_pair(SETTINGS_PARAM, v);
            }
        }
        let req = self.authorized(self.http.get(url))?;
        self.send(req).await
    }

    fn authorized(&self, req: reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, ClientError> {
        let token = self
            .token
            .as_deref()
            .ok_or_else(|| ClientError::Unauthorized { message: "本机尚未登记到县司法局（没有设备凭据）".into() })?;
        let value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| ClientError::Unauthorized { message: "本机保存的设备凭据已损坏".into() })?;
        Ok(req.header(AUTHORIZATION, value))
    }

    fn json_body<T: Serialize>(&self, req: reqwest::RequestBuilder, body: &T) -> Result<reqwest::RequestBuilder, ClientError> {
        let body = encode_body(body).map_err(|e| ClientError::BadResponse(format!("请求无法编码：{e}")))?;
        Ok(req.header(CONTENT_TYPE, "application/json").header(CONTENT_ENCODING, "gzip").body(body))
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T, ClientError> {
        let resp = req.header(PROTOCOL_HEADER, offered_versions()).send().await.map_err(network)?;
        let status = resp.status();
        if status.is_success() {
            check_spoken(resp.headers().get(PROTOCOL_HEADER))?;
        }
        let bytes = resp.bytes().await.map_err(network)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| ClientError::BadResponse(format!("不是预期的JSON：{e}")));
        }
        let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
        let message = body.as_ref().map(|b| b.message.clone()).unwrap_or_else(|| {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.trim().chars().take(200).collect();
            if text.is_empty() {
                status.canonical_reason().unwrap_or("").to_string()
            } else {
                text
            }
        });
        let code = body.map(|b| b.code).unwrap_or_default();
        Err(match status {
            StatusCode::UNAUTHORIZED => ClientError::Unauthorized { message },
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => ClientError::Unavailable { status: status.as_u16(), message },
            s if s.is_server_error() => ClientError::Unavailable { status: s.as_u16(), message },
            s if s.is_client_error() => ClientError::Refused { status: s.as_u16(), code, message },
            s => ClientError::BadResponse(format!("意外的HTTP状态{s}")),
        })
    }
}

/// The server names the version it answers in; one this build does not speak (a server that
/// ignored the offer) is refused rather than misread. A server that names none (a plain HTTP
/// proxy's answer, or the health check of an old server) is taken as version 1.
fn check_spoken(header: Option<&HeaderValue>) -> Result<(), ClientError> {
    let Some(value) = header else { return Ok(()) };
    let text = value.to_str().unwrap_or("?").trim();
    match text.parse::<u32>() {
        Ok(v) if (OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&v) => Ok(()),
        _ => Err(ClientError::Refused {
            status: 426,
            code: "unsupported_protocol".into(),
            message: format!(
                "县服务器用同步协议版本“{}”回复，本机程序只支持版本{OLDEST_PROTOCOL_VERSION}至{PROTOCOL_VERSION}，请升级本机的枫桥司法所工作台",
                text.chars().take(20).collect::<String>()
            ),
        }),
    }
}

/// JSON, gzip'd (fast level: the body is mostly repeated keys, which compress well anyway).
pub fn encode_body<T: Serialize>(body: &T) -> std::io::Result<Vec<u8>> {
    let json = serde_json::to_vec(body)?;
    let mut gz = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::fast());
    gz.write_all(&json)?;
    gz.finish()
}

/// A transport error in a few Chinese words (the detail after them, for IT staff).
fn network(e: reqwest::Error) -> ClientError {
    let what = if e.is_timeout() {
        "等待超时"
    } else if e.is_connect() {
        "连接失败"
    } else if e.is_body() || e.is_decode() {
        "回复传输中断"
    } else {
        "网络错误"
    };
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    ClientError::Network(format!("{what}：{detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses() {
        assert_eq!(normalize_server(" https://sfj.example.gov.cn:8443/ ").unwrap(), "https://sfj.example.gov.cn:8443");
        assert_eq!(normalize_server("http://127.0.0.1:9000/county").unwrap(), "http://127.0.0.1:9000/county");
        for bad in ["ftp://x", "sfj.example.gov.cn", "http://", "http://x/?a=1", ""] {
            assert!(matches!(normalize_server(bad), Err(ClientError::Address(_))), "{bad}");
        }
        let c = Client::new("http://127.0.0.1:9000/county/", None, ClientOptions::default()).unwrap();
        assert_eq!(c.url("api/v1/push").as_str(), "http://127.0.0.1:9000/county/api/v1/push");
        assert!(is_loopback(&Url::parse("http://[::1]:80/").unwrap()) && is_loopback(&Url::parse("http://localhost/").unwrap()));
        assert!(!is_loopback(&Url::parse("http://10.0.0.1/").unwrap()));
    }

    #[test]
    fn the_version_the_server_answers_in_is_checked() {
        assert!(check_spoken(None).is_ok());
        assert!(check_spoken(Some(&HeaderValue::from(PROTOCOL_VERSION))).is_ok());
        let err = check_spoken(Some(&HeaderValue::from(PROTOCOL_VERSION + 1))).unwrap_err();
        assert!(matches!(&err, ClientError::Refused { status: 426, .. }), "{err:?}");
        assert!(err.to_string().contains("请升级本机"), "{err}");
    }

    #[test]
    fn what_is_worth_retrying() {
        assert!(ClientError::Network("x".into()).is_transient());
        assert!(ClientError::Unavailable { status: 503, message: String::new() }.is_transient());
        assert!(!ClientError::Unauthorized { message: String::new() }.is_transient());
        assert!(!ClientError::Refused { status: 413, code: "too_large".into(), message: String::new() }.is_transient());
    }
}

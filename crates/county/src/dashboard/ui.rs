//! The dashboard's web front end, built from ui/ (the `county.html` entry) and embedded at
//! compile time (build.rs): `/` is the page, `/assets/…` its scripts, styles and fonts.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::ApiError;

include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "json" => "application/json",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn serve(path: &str, cache: &'static str) -> Option<Response> {
    let (_, bytes) = ASSETS.iter().find(|(p, _)| *p == path)?;
    let mut resp = bytes.to_vec().into_response();
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(mime(path)));
    resp.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    resp.headers_mut().insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    Some(resp)
}

pub async fn index() -> Response {
    serve("county.html", "no-cache").unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}

/// Built assets carry a content hash in their names: cached for a year.
pub async fn asset(Path(path): Path<String>) -> Result<Response, ApiError> {
    serve(&format!("assets/{path}"), "public, max-age=31536000, immutable")
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("没有这个文件：/assets/{path}")))
}

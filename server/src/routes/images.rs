//! Uploaded badge images and logos, by content hash: `GET /images/{sha256}`. The bytes
//! never change under a name, so they are cached for a year. SVGs are served with a
//! CSP that forbids every script and external load, and in a sandbox, even though they
//! were cleaned on upload.

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use app::{
    error::AppError,
    server::{
        AppState,
        authz::{self, Action, Actor},
        catalog::images,
    },
};

use crate::api_error::ApiError;

/// The route pattern.
pub const IMAGE: &str = "/images/{sha256}";

/// The routes, to merge into the main router.
pub fn router() -> Router<AppState> {
    Router::new().route(IMAGE, get(image))
}

async fn image(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authz::authorize(&Actor::Anonymous, Action::ReadCatalog).map_err(ApiError)?;
    if sha.len() != 64
        || !sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(ApiError(AppError::NotFound));
    }
    let etag = format!("\"{sha}\"");
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, cache);
        return Ok(res);
    }
    let img = images::by_sha256(&state.db, &sha).await?;
    let content_type = if img.content_type == images::SVG {
        images::SVG
    } else {
        images::PNG
    };
    let mut res = img.bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, cache);
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(res)
}

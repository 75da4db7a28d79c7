//! The edge where server-function errors become HTTP statuses.
//!
//! Leptos answers every failed server function with a 500 and the error as JSON. This
//! layer reads that `AppError` and gives the response the status it stands for (409 for
//! a taken email, 429 with `Retry-After` for too many attempts, 503 with `Retry-After`
//! when the database is out of reach, 400 for a malformed request…), so user mistakes
//! are never reported as server failures.

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::Response,
};

use app::error::AppError;

/// Largest error body read back (errors are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Maps server-function error responses to their real status.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let is_fn_error = res
        .headers()
        .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER);
    // Leptos answers 500 unless the server function set a status itself (an unavailable
    // database sets 503 on its own); either way the body says what it really is. Other
    // statuses (a plain form post's redirect back) are left alone.
    if !is_fn_error || !res.status().is_server_error() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(secs) = err.retry_after_secs() {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

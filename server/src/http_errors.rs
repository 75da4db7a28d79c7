//! The edge where server-function errors become HTTP statuses.
//!
//! Leptos answers every failed server function with a 500 and the error as JSON. This
//! layer reads that `AppError` and gives the response the status it stands for (409 for
//! a taken email, 429 with `Retry-After` for too many attempts, 400 for a malformed
//! request…), so user mistakes are never reported as server failures.

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
    if !is_fn_error || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::RateLimited { retry_after_secs } = err
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            parts.headers.insert(header::RETRY_AFTER, v);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

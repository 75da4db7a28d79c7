//! `GET /healthz`: is this server able to serve (can it reach its database)?

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use app::server::{AppState, error::DB_RETRY_AFTER_SECS};

use crate::db::ACQUIRE_TIMEOUT;

/// 200 when the database answers, 503 with `Retry-After` otherwise, within about
/// [`ACQUIRE_TIMEOUT`] even when the database hangs rather than refuses.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(ACQUIRE_TIMEOUT, state.db.ping()).await;
    let problem = match ping {
        Ok(Ok(())) => {
            return (
                StatusCode::OK,
                Json(json!({ "status": "ok", "database": "ok" })),
            )
                .into_response();
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer within {} s", ACQUIRE_TIMEOUT.as_secs()),
    };
    tracing::warn!(error = %problem, "health check: database unreachable");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, HeaderValue::from(DB_RETRY_AFTER_SECS))],
        Json(json!({
            "status": "unavailable",
            "code": "unavailable",
            "database": "unreachable",
        })),
    )
        .into_response()
}

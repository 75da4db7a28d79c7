//! The one conversion from errors to HTTP responses for routes outside Leptos.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use app::{error::AppError, server::ServerError};

/// An error answered as JSON with its status (`{"code": …, "message": …}`), and
/// `Retry-After` when waiting helps (rate limits, the database out of reach).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        Self(e.into())
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // The error itself (its `code` and fields, as server functions send it) plus a
        // sentence for people.
        let mut body = serde_json::to_value(&self.0).unwrap_or_default();
        if let Some(obj) = body.as_object_mut() {
            obj.insert("message".into(), self.0.to_string().into());
        }
        let mut res = (status, Json(body)).into_response();
        if let Some(secs) = self.0.retry_after_secs() {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

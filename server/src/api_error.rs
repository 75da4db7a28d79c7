//! The one conversion from errors to HTTP responses for routes outside Leptos.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use app::{error::AppError, server::ServerError};

/// An error answered as JSON with its status (`{"code": …, "message": …}`).
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
        let body = serde_json::json!({ "code": self.0.code(), "message": self.0.to_string() });
        (status, Json(body)).into_response()
    }
}

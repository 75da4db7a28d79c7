//! `GET /account/export.zip`: everything the signed-in learner holds, as one zip (see
//! `app::server::account_data::export`).
//!
//! Only for the signed-in user (by the session cookie: anonymous gets 401), never for a
//! request another site started (`Sec-Fetch-Site` other than same-origin or none, or an
//! `Origin` that is not ours: 403), and at most [`CONCURRENT_EXPORTS`] at once per
//! server (the rest are told to retry: 503 with `Retry-After`).

use axum::{
    Extension, Router,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};

use app::{
    error::AppError,
    model::account_data::EXPORT_URL,
    server::{
        AppState,
        account_data::export,
        authz::{self, Action, ActorCell},
    },
};

use crate::api_error::ApiError;

/// Exports built at the same time by one server (each is disk and CPU work).
pub const CONCURRENT_EXPORTS: usize = 2;

static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_EXPORTS);

/// The routes, to merge into the main router.
pub fn router() -> Router<AppState> {
    Router::new().route(EXPORT_URL, get(export_zip))
}

async fn export_zip(
    State(state): State<AppState>,
    Extension(cell): Extension<ActorCell>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !crate::security::is_same_origin(&headers, &state.settings.public_url) {
        return Err(ApiError(AppError::Forbidden));
    }
    let actor = cell.get(&state, &headers).await?;
    authz::authorize(&actor, Action::DeleteOwnAccount)?;
    let user = actor.user().ok_or(AppError::Unauthenticated)?;
    let _turn = EXPORTS.try_acquire().map_err(|_| AppError::Unavailable {
        retry_after_secs: 10,
    })?;
    let built = export::build(
        &state.db,
        &state.settings.evidence,
        &state.settings.public_url,
        user.id,
        chrono::Utc::now(),
    )
    .await?;
    let len = built.len;
    let name = built.file_name.clone();
    let mut res = Body::from_stream(built.into_stream()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

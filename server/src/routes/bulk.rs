//! A bulk award run's report as a CSV download, for the issuer admins of the run's
//! institution: `GET /manage/{inst}/bulk/{run}/report.csv`.

use axum::{
    Extension, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};

use app::{
    error::AppError,
    server::{
        AppState,
        authz::{self, Action, ActorCell},
        awards::bulk,
        catalog::institutions,
    },
};

use crate::api_error::ApiError;

/// The route pattern.
pub const REPORT: &str = "/manage/{inst}/bulk/{run}/report.csv";

/// The routes, to merge into the main router.
pub fn router() -> Router<AppState> {
    Router::new().route(REPORT, get(report))
}

async fn report(
    State(state): State<AppState>,
    Extension(cell): Extension<ActorCell>,
    Path((inst, run)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let actor = cell.get(&state, &headers).await?;
    if !actor.is_signed_in() {
        return Err(ApiError(AppError::Unauthenticated));
    }
    let inst = institutions::by_slug(&state.db, &inst).await?;
    authz::authorize(
        &actor,
        Action::ManageInstitution {
            institution_id: inst.id,
        },
    )
    .map_err(ApiError)?;
    let (name, bytes) = bulk::report_csv(&state.db, &inst, &run).await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
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

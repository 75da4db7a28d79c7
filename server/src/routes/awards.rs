//! Downloads around awards: the registrar's CSV of an institution's transcript
//! notations (its admins only), and a learner's own signed credential, exactly the bytes
//! that were signed.

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
        awards::listing,
        catalog::institutions,
    },
};

use crate::api_error::ApiError;

/// The registrar's CSV (see `app::model::awards::transcripts_csv_url`).
pub const TRANSCRIPTS_CSV: &str = "/manage/{inst}/transcripts.csv";
/// A learner's credential JSON (see `app::model::awards::credential_download_url`).
pub const CREDENTIAL_JSON: &str = "/portfolio/credentials/{file}";

/// The routes, to merge into the main router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(TRANSCRIPTS_CSV, get(transcripts_csv))
        .route(CREDENTIAL_JSON, get(credential_json))
}

fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

async fn transcripts_csv(
    State(state): State<AppState>,
    Extension(cell): Extension<ActorCell>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let actor = cell.get(&state, &headers).await?;
    if !actor.is_signed_in() {
        return Err(ApiError(AppError::Unauthenticated));
    }
    let inst = institutions::by_slug(&state.db, &slug).await?;
    authz::authorize(
        &actor,
        Action::ManageInstitution {
            institution_id: inst.id,
        },
    )?;
    let list = listing::transcripts(&state.db, &inst).await?;
    let bytes = listing::transcripts_csv(&list.notations)?;
    let name = format!(
        "transcript-notations-{}-{}.csv",
        inst.slug,
        chrono::Utc::now().format("%Y-%m-%d")
    );
    Ok(download(bytes, "text/csv; charset=utf-8", &name))
}

async fn credential_json(
    State(state): State<AppState>,
    Extension(cell): Extension<ActorCell>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let actor = cell.get(&state, &headers).await?;
    authz::authorize(&actor, Action::ReadOwnAccount)?;
    let user = actor.user().ok_or(AppError::Unauthenticated)?;
    let id = file.strip_suffix(".json").ok_or(AppError::NotFound)?;
    let (json, name) = listing::credential_json(&state.db, user.id, id).await?;
    Ok(download(json.into_bytes(), "application/ld+json", &name))
}

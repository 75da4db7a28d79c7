//! What verifiers fetch about an institution: its DID document (every key it ever used),
//! its Profile, and its revocation status lists (never cached: a revocation shows at
//! once). Paths come from `app::server::urls`; serving only reads.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::Value;

use app::{
    error::AppError,
    server::{
        AppState,
        authz::{self, Action, Actor},
        issuing,
        urls::{self, routes},
    },
};

use crate::api_error::ApiError;

/// The routes, to merge into the main router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(routes::ISSUER_PROFILE, get(profile))
        .route(routes::ISSUER_DID_DOCUMENT, get(did_document))
        .route(routes::STATUS_LIST_FIRST, get(first_status_list))
        .route(routes::STATUS_LIST_NUMBERED, get(numbered_status_list))
}

/// Issuer documents are public: anyone may read them.
fn public() -> Result<(), ApiError> {
    authz::authorize(&Actor::Anonymous, Action::ReadIssuerDocuments).map_err(ApiError)
}

fn json_with_cache(value: Value, content_type: &'static str, cache: &'static str) -> Response {
    let mut res = Json(value).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

async fn did_document(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    public()?;
    let doc = issuing::did_document(&state.db, &state.settings, &slug).await?;
    Ok(json_with_cache(
        doc,
        "application/did+json",
        "public, max-age=300",
    ))
}

async fn profile(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    public()?;
    let inst = issuing::institution(&state.db, &slug).await?;
    let mut profile = issuing::profile(&state.settings, &inst);
    profile["@context"] = serde_json::json!([
        openbadges::model::CONTEXT_VC_V2,
        openbadges::model::CONTEXT_OB_V3
    ]);
    Ok(json_with_cache(
        profile,
        "application/ld+json",
        "public, max-age=300",
    ))
}

async fn status_list(
    state: &AppState,
    slug: &str,
    purpose: &str,
    n: u32,
) -> Result<Response, ApiError> {
    public()?;
    // Only the spellings we issue (list 0 has no number).
    let url = urls::status_list(&state.settings.public_url, slug, purpose, n);
    if urls::PublicUrl::parse(&state.settings.public_url, &url).is_none() {
        return Err(ApiError(AppError::NotFound));
    }
    let list = issuing::signed_list(&state.db, slug, purpose, n).await?;
    Ok(json_with_cache(list, "application/vc+ld+json", "no-store"))
}

async fn first_status_list(
    State(state): State<AppState>,
    Path((slug, purpose)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    status_list(&state, &slug, &purpose, 0).await
}

async fn numbered_status_list(
    State(state): State<AppState>,
    Path((slug, purpose, n)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let n: u32 = n
        .parse()
        .ok()
        .filter(|v: &u32| *v >= 1 && v.to_string() == n)
        .ok_or(ApiError(AppError::NotFound))?;
    status_list(&state, &slug, &purpose, n).await
}

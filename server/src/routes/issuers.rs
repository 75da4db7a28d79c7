//! What verifiers fetch about an institution: its DID document (every key it ever used),
//! its Profile, and its revocation status list (never cached: a revocation shows at once).

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::Value;

use app::server::{AppState, issuing};

use crate::api_error::ApiError;

/// The routes, to merge into the main router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/issuers/{slug}", get(profile))
        .route("/issuers/{slug}/did.json", get(did_document))
        .route("/issuers/{slug}/status/revocation", get(status_list))
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
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let list = issuing::signed_status_list(&state.db, &state.settings, &slug).await?;
    Ok(json_with_cache(list, "application/vc+ld+json", "no-store"))
}

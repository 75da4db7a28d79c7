//! The whole HTTP surface in one place: Leptos pages and server functions, routes
//! outside Leptos, static files, and the layers around them.

use axum::{
    Router,
    body::Body,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use tower_http::{
    compression::{CompressionLayer, DefaultPredicate, Predicate as _},
    limit::RequestBodyLimitLayer,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

use app::{App, server::AppState, shell};

use crate::{access, health, http_errors, routes, routes::assets, security};

/// Largest request body accepted anywhere but the upload endpoints.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Largest body of a form with an image (the image cap plus the form's text).
pub const MAX_UPLOAD_BODY_BYTES: usize = app::server::catalog::images::MAX_IMAGE_BYTES
    + app::server::uploads::MAX_TEXT_BYTES
    + 16 * 1024;
/// Endpoints that take an image upload.
pub const UPLOAD_PATHS: &[&str] = &["/api/save_badge", "/api/save_profile"];
/// Largest body of an evidence upload (the file cap plus the form's text).
pub const MAX_EVIDENCE_BODY_BYTES: usize = app::server::evidence::upload::MAX_FILE_BYTES
    + app::server::uploads::MAX_TEXT_BYTES
    + 16 * 1024;
/// The endpoint that takes an evidence file.
pub const EVIDENCE_UPLOAD_PATH: &str = "/api/upload_evidence";
/// Largest body of a bulk award upload (the CSV cap plus the form's text).
pub const MAX_BULK_BODY_BYTES: usize =
    app::model::bulk::MAX_FILE_BYTES + app::server::uploads::MAX_TEXT_BYTES + 16 * 1024;
/// The endpoint that takes a bulk award file.
pub const BULK_UPLOAD_PATH: &str = "/api/bulk_preview";

/// The endpoint that imports a badge (a baked image, JSON or a JWT): `/verify`'s cap.
pub const IMPORT_UPLOAD_PATH: &str = "/api/import_badge";

/// The body limit of a request to `path`.
fn body_limit_for(path: &str) -> usize {
    if routes::verify::takes_upload(path) || path == IMPORT_UPLOAD_PATH {
        routes::verify::MAX_VERIFY_BODY_BYTES
    } else if path == EVIDENCE_UPLOAD_PATH {
        MAX_EVIDENCE_BODY_BYTES
    } else if path == BULK_UPLOAD_PATH {
        MAX_BULK_BODY_BYTES
    } else if UPLOAD_PATHS.contains(&path) {
        MAX_UPLOAD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// Every request gets the body limit of its endpoint (small but for the upload
/// endpoints): refused up front by its `Content-Length`, or cut off while read when it
/// is not given.
async fn body_limit(req: Request, next: middleware::Next) -> Response {
    let limit = body_limit_for(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // The verify page and API refuse it themselves, with a message in their own form.
    if declared.is_some_and(|len| len > limit) && !routes::verify::takes_upload(req.uri().path()) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let (parts, body) = req.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// Builds the router for a state.
pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let assets = assets::Assets::load(std::path::Path::new(&*state.leptos_options.site_root));
    let pages = routes::pages::PageCache::default();
    let documents = routes::issuers::DocumentCache::default();
    let public = routes::public::cache::PublicCache::default();
    let fast = crate::fast::FastPath::new(
        crate::fast::Ready {
            assets: assets.clone(),
            pages: pages.clone(),
            documents: documents.clone(),
            public: public.clone(),
            views: state.views.clone(),
        },
        state.settings.secure_cookies,
    );

    Router::new()
        .route("/healthz", get(health::healthz))
        .merge(routes::issuers::router(documents))
        .merge(routes::images::router())
        .merge(routes::awards::router())
        .merge(routes::evidence::router())
        .merge(routes::export::router())
        .merge(routes::bulk::router())
        .merge(routes::verify::router(&state))
        .merge(routes::public::router(&state, public))
        .leptos_routes_with_context(&state, routes, security::provide_csp_nonce, move || {
            shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            security::provide_csp_nonce,
            shell,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access::actor_and_api_guard,
        ))
        .layer(middleware::from_fn(http_errors::server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::origin_check,
        ))
        .layer(middleware::from_fn(body_limit))
        .layer(RequestBodyLimitLayer::new(
            MAX_UPLOAD_BODY_BYTES
                .max(MAX_EVIDENCE_BODY_BYTES)
                .max(MAX_BULK_BODY_BYTES)
                .max(routes::verify::MAX_VERIFY_BODY_BYTES),
        ))
        .layer(middleware::from_fn_with_state(pages, routes::pages::serve))
        .layer(middleware::from_fn_with_state(assets, assets::serve))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(middleware::from_fn(routes::pages::compress_pages))
        // The verification API may be read from any origin (its 413s included).
        .layer(middleware::from_fn(routes::verify::cors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(assets::NotPrecompressed)),
        )
        .layer(TraceLayer::new_for_http())
        // Outermost: what is ready goes out at once (see `fast`).
        .layer(fast)
        .with_state(state)
}

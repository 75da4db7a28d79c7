//! The whole HTTP surface in one place: Leptos pages and server functions, routes
//! outside Leptos, static files, and the layers around them.

use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
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

/// Largest request body accepted anywhere (uploads will get their own, larger limits).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Builds the router for a state.
pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let assets = assets::Assets::load(std::path::Path::new(&*state.leptos_options.site_root));
    let pages = routes::pages::PageCache::default();
    let documents = routes::issuers::DocumentCache::default();
    let fast = crate::fast::FastPath::new(
        assets.clone(),
        pages.clone(),
        documents.clone(),
        state.settings.secure_cookies,
    );

    Router::new()
        .route("/healthz", get(health::healthz))
        .merge(routes::issuers::router(documents))
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
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(pages, routes::pages::serve))
        .layer(middleware::from_fn_with_state(assets, assets::serve))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(middleware::from_fn(routes::pages::compress_pages))
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

//! Gives every request its [`ActorCell`] (so the actor is built at most once per
//! request, by whoever asks first) and guards server functions before their handlers:
//! each must be listed in `app::server::authz::SERVER_FUNCTIONS`, and those for
//! signed-in users refuse anonymous callers here.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::{
    error::AppError,
    server::{
        AppState,
        authz::{self, ActorCell, FnAccess},
    },
};

use crate::api_error::ApiError;

/// Where server functions are mounted.
pub const API_PREFIX: &str = "/api/";

/// The actor layer and the server-function guard.
pub async fn actor_and_api_guard(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let cell = ActorCell::default();
    req.extensions_mut().insert(cell.clone());
    // The public verification API is a route of its own, not a server function.
    let path = req.uri().path();
    if let Some(endpoint) = path
        .strip_prefix(API_PREFIX)
        .filter(|_| path != crate::routes::verify::API)
    {
        match authz::server_fn_access(endpoint) {
            None => return ApiError(AppError::NotFound).into_response(),
            Some(FnAccess::Anyone) => {}
            Some(FnAccess::SignedIn) => match cell.get(&state, req.headers()).await {
                Ok(actor) if actor.is_signed_in() => {}
                Ok(_) => return ApiError(AppError::Unauthenticated).into_response(),
                Err(e) => return ApiError::from(e).into_response(),
            },
        }
    }
    next.run(req).await
}

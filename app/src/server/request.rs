//! What a server function can learn about the request it serves, and what it can set
//! on the response. Leptos provides the request `Parts`, the `ResponseOptions` and our
//! [`AppState`] as context, both when rendering pages and when answering `/api` calls.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::extract::{ConnectInfo, connect_info::MockConnectInfo};
use http::{HeaderValue, header::SET_COOKIE, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::actor_cache::Resolved;
use super::authz::{self, Action, Actor, ActorCell};
use super::entities::user;
use super::error::{ServerError, ServerResult};
use super::{AppState, client_addr, sessions};

/// The shared state.
///
/// # Errors
/// Only when the server was wired without it (a bug, answered as a 500).
pub fn state() -> ServerResult<AppState> {
    use_context::<AppState>().ok_or(ServerError::Context("AppState"))
}

fn parts() -> ServerResult<Parts> {
    use_context::<Parts>().ok_or(ServerError::Context("request parts"))
}

/// The session token sent by the browser, if any (under the cookie name of the
/// configured scheme).
pub fn session_token() -> Option<String> {
    let secure = state().ok()?.settings.secure_cookies;
    parts()
        .ok()
        .and_then(|p| sessions::token_from_headers(&p.headers, secure))
}

/// Who is asking, with their profile: built once per request (the router puts an
/// [`ActorCell`] on every request) and shared by everything that asks during it
/// (the header's `current_user` and the page's own resources alike).
///
/// # Errors
/// Database errors.
pub async fn resolved(state: &AppState) -> ServerResult<Arc<Resolved>> {
    let parts = parts()?;
    match parts.extensions.get::<ActorCell>() {
        Some(cell) => cell.resolved(state, &parts.headers).await,
        None => authz::resolve(state, &parts.headers).await,
    }
}

/// Who is asking (see [`resolved`]).
///
/// # Errors
/// Database errors.
pub async fn actor(state: &AppState) -> ServerResult<Actor> {
    Ok(resolved(state).await?.actor.clone())
}

/// The actor, if allowed to do `action`.
///
/// # Errors
/// `Unauthenticated`/`Forbidden` from [`authz::authorize`]; database errors.
pub async fn authorize(state: &AppState, action: Action) -> ServerResult<Actor> {
    let actor = actor(state).await?;
    authz::authorize(&actor, action)?;
    Ok(actor)
}

/// The signed-in user, if the session cookie is valid.
///
/// # Errors
/// Database errors.
pub async fn current_user(state: &AppState) -> ServerResult<Option<user::Model>> {
    Ok(actor(state).await?.user().cloned())
}

/// The TCP peer of a request, as axum's `ConnectInfo` extractor finds it: the real
/// peer, or the one a test router mocks.
pub fn peer_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .or_else(|| {
            parts
                .extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|MockConnectInfo(addr)| addr.ip())
        })
}

/// The address of the client: the TCP peer, or when that peer is a trusted proxy
/// (`Settings::trusted_proxies`), the client it forwarded for.
pub fn client_ip() -> Option<IpAddr> {
    let parts = parts().ok()?;
    let peer = peer_ip(&parts)?;
    let state = state().ok();
    let trusted = state
        .as_ref()
        .map_or(&[][..], |s| s.settings.trusted_proxies.as_slice());
    let header = state
        .as_ref()
        .map(|s| s.settings.forwarding_header)
        .unwrap_or_default();
    Some(client_addr::resolve_with(
        peer,
        &parts.headers,
        trusted,
        header,
    ))
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}

/// The institution with this slug, if the actor may manage it (its admins and platform
/// admins).
///
/// # Errors
/// `NotFound`; `Unauthenticated`/`Forbidden`; database errors.
pub async fn managed_institution(
    state: &AppState,
    slug: &str,
) -> ServerResult<crate::server::entities::institution::Model> {
    let actor = actor(state).await?;
    if !actor.is_signed_in() {
        return Err(crate::error::AppError::Unauthenticated.into());
    }
    let inst = crate::server::catalog::institutions::by_slug(&state.db, slug).await?;
    authz::authorize(
        &actor,
        Action::ManageInstitution {
            institution_id: inst.id,
        },
    )?;
    Ok(inst)
}

/// Sets the status of the response being built (a page rendered on the server, or a
/// server function's answer).
pub fn set_status(status: http::StatusCode) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(status);
    }
}

/// Refuses anyone who is neither a platform admin nor an admin of some institution
/// (checked before an upload is read, so others cannot make us buffer one).
///
/// # Errors
/// `Unauthenticated`/`Forbidden`; database errors.
pub async fn require_institution_admin(state: &AppState) -> ServerResult<()> {
    let actor = actor(state).await?;
    let allowed = match &actor {
        Actor::Anonymous => return Err(crate::error::AppError::Unauthenticated.into()),
        Actor::User { memberships, .. } => {
            actor.is_platform_admin()
                || memberships
                    .iter()
                    .any(|m| m.role == authz::StaffRole::Admin)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(crate::error::AppError::Forbidden.into())
    }
}

//! The learner's portfolio: the badge wall, stacks and competencies, one badge verified
//! on view, per-badge visibility and the handle; and the public profile anyone may read.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::portfolio::{BadgeDetail, Overview, PublicProfile, Wall, WallQuery};

/// The signed-in learner's badge wall for a query (`default`: no query set).
#[server(endpoint = "portfolio_wall")]
pub async fn portfolio_wall(#[server(default)] query: WallQuery) -> Result<Wall, AppError> {
    use crate::server::{authz::Action, portfolio::wall, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        wall::wall(
            &state.db,
            &state.settings,
            user.id,
            &query,
            chrono::Utc::now(),
        )
        .await
    };
    run.await.map_err(AppError::from)
}

/// The signed-in learner's stacks, competencies, notations and handle.
#[server(endpoint = "portfolio_overview")]
pub async fn portfolio_overview() -> Result<Overview, AppError> {
    use crate::server::{authz::Action, portfolio::overview, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        overview::overview(&state.db, &state.settings, user.id, chrono::Utc::now()).await
    };
    run.await.map_err(AppError::from)
}

/// One of the signed-in learner's badges, verified now (another's is not found).
#[server(endpoint = "portfolio_badge")]
pub async fn portfolio_badge(award: String) -> Result<BadgeDetail, AppError> {
    use crate::server::{authz::Action, portfolio::detail, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        detail::badge_detail(
            &state.db,
            &state.settings,
            user.id,
            &award,
            chrono::Utc::now(),
        )
        .await
    };
    let out = run.await.map_err(AppError::from);
    if matches!(out, Err(AppError::NotFound)) {
        request::set_status(http::StatusCode::NOT_FOUND);
    }
    out
}

/// Shows one of the learner's badges on their public profile (`public` = `yes`) or
/// hides it (`no`).
#[server(endpoint = "set_badge_visibility")]
pub async fn set_badge_visibility(award: String, public: String) -> Result<bool, AppError> {
    use crate::server::{authz::Action, portfolio::profile, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let public = match public.trim() {
            "yes" => true,
            "no" => false,
            _ => return Err(AppError::invalid("Answer yes or no.").into()),
        };
        profile::set_visibility(&state.db, user.id, &award, public).await
    };
    run.await.map_err(AppError::from)
}

/// Chooses (or with an empty one, clears) the learner's public handle.
#[server(endpoint = "set_handle")]
pub async fn set_handle(handle: String) -> Result<Option<String>, AppError> {
    use crate::server::{authz::Action, portfolio::profile, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        profile::set_handle(&state.db, user.id, &handle).await
    };
    run.await.map_err(AppError::from)
}

/// The public profile at `/p/{handle}`: only the badges its learner made public.
#[server(endpoint = "public_profile")]
pub async fn read_public_profile(handle: String) -> Result<PublicProfile, AppError> {
    use crate::server::{authz::Action, portfolio::profile, request};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::ReadPublicProfiles).await?;
        profile::public_profile(&state.db, &state.settings, &handle, chrono::Utc::now()).await
    };
    let out = run.await.map_err(AppError::from);
    if matches!(out, Err(AppError::NotFound)) {
        request::set_status(http::StatusCode::NOT_FOUND);
    }
    out
}

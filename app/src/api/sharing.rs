//! Sharing, the learner's side: the share panel of a badge, share links (create, list,
//! rename, revoke), the allow-indexing choice and the e-mail signature for chosen
//! badges. Every function acts on the signed-in learner's own things only.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::sharing::{LinksPage, ShareLinkInfo, SharePanel, Snippet};

/// The share panel of one of the signed-in learner's badges (another's is not found).
#[server(endpoint = "share_panel")]
pub async fn read_share_panel(award: String) -> Result<SharePanel, AppError> {
    use crate::server::{authz::Action, request, sharing::panel};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        panel::share_panel(
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

/// Every share link of the signed-in learner, newest first, with view counts.
#[server(endpoint = "list_share_links")]
pub async fn list_share_links() -> Result<Vec<ShareLinkInfo>, AppError> {
    use crate::server::{authz::Action, request, sharing::links};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        links::list(
            &state.db,
            &state.settings.public_url,
            user.id,
            None,
            chrono::Utc::now(),
        )
        .await
    };
    run.await.map_err(AppError::from)
}

/// Creates a share link: `kind` is `badge`, `collection` or `stack`; `target` the
/// badge's, collection's or program's public id; `expires_on` the last day it works
/// (`YYYY-MM-DD`, empty for none); `show_evidence` present (`on`) to show evidence.
#[server(endpoint = "create_share_link")]
pub async fn create_share_link(
    kind: String,
    target: String,
    name: String,
    #[server(default)] expires_on: String,
    #[server(default)] show_evidence: Option<String>,
) -> Result<ShareLinkInfo, AppError> {
    use crate::server::{
        authz::Action,
        request,
        sharing::links::{self, NewLink},
    };
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let show_evidence = matches!(
            show_evidence.as_deref().map(str::trim),
            Some("on" | "yes" | "true")
        );
        links::create(
            &state.db,
            &state.settings.public_url,
            user.id,
            NewLink {
                kind,
                target,
                name,
                expires_on,
                show_evidence,
            },
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

/// Renames one of the signed-in learner's share links.
#[server(endpoint = "rename_share_link")]
pub async fn rename_share_link(link: i32, name: String) -> Result<String, AppError> {
    use crate::server::{authz::Action, request, sharing::links};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        links::rename(&state.db, user.id, link, &name).await
    };
    let out = run.await.map_err(AppError::from);
    if matches!(out, Err(AppError::NotFound)) {
        request::set_status(http::StatusCode::NOT_FOUND);
    }
    out
}

/// Revokes one of the signed-in learner's share links at once.
#[server(endpoint = "revoke_share_link")]
pub async fn revoke_share_link(link: i32) -> Result<(), AppError> {
    use crate::server::{authz::Action, request, sharing::links};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        links::revoke(&state.db, user.id, link, chrono::Utc::now()).await
    };
    let out = run.await.map_err(AppError::from);
    if matches!(out, Err(AppError::NotFound)) {
        request::set_status(http::StatusCode::NOT_FOUND);
    }
    out
}

/// Lets search engines list a badge's public page (`allow` = `yes`) or not (`no`).
#[server(endpoint = "set_allow_indexing")]
pub async fn set_allow_indexing(award: String, allow: String) -> Result<bool, AppError> {
    use crate::server::{authz::Action, request, sharing::panel};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let allow = match allow.trim() {
            "yes" => true,
            "no" => false,
            _ => return Err(AppError::invalid("Answer yes or no.").into()),
        };
        panel::set_allow_indexing(&state.db, user.id, &award, allow).await
    };
    let out = run.await.map_err(AppError::from);
    if matches!(out, Err(AppError::NotFound)) {
        request::set_status(http::StatusCode::NOT_FOUND);
    }
    out
}

/// The e-mail signature for up to four of the learner's public badges, by public id
/// (comma-separated, in order).
#[server(endpoint = "email_signature")]
pub async fn email_signature(awards: String) -> Result<Snippet, AppError> {
    use crate::server::{authz::Action, request, sharing::panel};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let ids: Vec<String> = awards
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        panel::chosen_signature(&state.db, &state.settings, user.id, &ids).await
    };
    let out = run.await.map_err(AppError::from);
    if matches!(out, Err(AppError::NotFound)) {
        request::set_status(http::StatusCode::NOT_FOUND);
    }
    out
}

/// The signed-in learner's share links page: every link with its views, and what they
/// may share.
#[server(endpoint = "share_links_page")]
pub async fn share_links_page() -> Result<LinksPage, AppError> {
    use crate::server::{authz::Action, request, sharing::links};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        links::page(
            &state.db,
            &state.settings.public_url,
            user.id,
            chrono::Utc::now(),
        )
        .await
    };
    run.await.map_err(AppError::from)
}

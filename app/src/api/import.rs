//! Extra e-mail addresses and importing badges earned elsewhere: the signed-in
//! learner's own, nobody else's.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::error::AppError;
use crate::model::import::{Addresses, ExtraAddress};

/// The learner's addresses.
#[server(endpoint = "my_addresses")]
pub async fn my_addresses() -> Result<Addresses, AppError> {
    use crate::server::{addresses, authz::Action, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        addresses::list(&state.db, user).await
    };
    run.await.map_err(AppError::from)
}

/// Adds an address and mails it a confirmation link.
#[server(endpoint = "add_address")]
pub async fn add_address(email: String) -> Result<ExtraAddress, AppError> {
    use crate::server::{ServerError, addresses, authz::Action, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ChangeOwnEmail).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?.clone();
        // Counted against the address: nobody can bomb an address with links.
        state
            .login_limiter
            .check_mail(&email, request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        addresses::add(&state.db, &state.settings.public_url, &user, &email).await
    };
    run.await.map_err(AppError::from)
}

/// Mails a new confirmation link to one of the learner's unconfirmed addresses.
#[server(endpoint = "resend_address")]
pub async fn resend_address(id: i32) -> Result<(), AppError> {
    use crate::server::{ServerError, addresses, authz::Action, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ChangeOwnEmail).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?.clone();
        // Limited per address (the address itself, as for every mail we send).
        let row = addresses::own_row(&state.db, user.id, id).await?;
        state
            .login_limiter
            .check_mail(&row.email, request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        addresses::resend(&state.db, &state.settings.public_url, &user, id).await
    };
    run.await.map_err(AppError::from)
}

/// Removes one of the learner's extra addresses.
#[server(endpoint = "remove_address")]
pub async fn remove_address(id: i32) -> Result<(), AppError> {
    use crate::server::{addresses, authz::Action, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ChangeOwnEmail).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        addresses::remove(&state.db, user.id, id).await
    };
    run.await.map_err(AppError::from)
}

/// Imports a badge. Multipart fields: `file` (a baked PNG/SVG, JSON or JWT file),
/// `text` (pasted JSON or JWT) or `url`; the first given is used. Returns the new
/// badge's public id.
#[server(endpoint = "import_badge", input = MultipartFormData)]
pub async fn import_badge(data: MultipartData) -> Result<String, AppError> {
    use crate::server::{
        ServerError,
        authz::Action,
        portfolio::import::{self, Documents, Upload},
        request, uploads,
    };
    let run = async {
        let state = request::state()?;
        // Only a signed-in learner makes us read an upload at all.
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user_id = actor.user().ok_or(AppError::Unauthenticated)?.id;
        // An import runs a verification (which may fetch): `/verify`'s allowance.
        state
            .login_limiter
            .check_verify(request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        let form = uploads::read_form_with_cap(data, "file", import::MAX_FILE_BYTES, || {
            AppError::invalid(format!(
                "That file is too large to be a badge: the limit is {} MiB.",
                import::MAX_FILE_BYTES / (1024 * 1024)
            ))
        })
        .await?;
        let upload = if let Some(bytes) = form.file.clone() {
            Upload::File(bytes)
        } else if !form.text("text").trim().is_empty() {
            Upload::Pasted(form.text("text"))
        } else {
            Upload::Url(form.text("url"))
        };
        import::import(
            &state.db,
            &state.settings,
            user_id,
            upload,
            &Documents::Network,
        )
        .await
        .map(|i: crate::model::import::Imported| i.public_id)
    };
    run.await.map_err(AppError::from)
}

/// Deletes one of the learner's imported badges.
#[server(endpoint = "delete_import")]
pub async fn delete_import(badge: String) -> Result<(), AppError> {
    use crate::server::{authz::Action, portfolio::import, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        import::delete(&state.db, user.id, &badge).await?;
        leptos_axum::redirect("/portfolio?deleted=1");
        Ok::<_, crate::server::ServerError>(())
    };
    run.await.map_err(AppError::from)
}

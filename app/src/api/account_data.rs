//! The learner's own data: what the export holds, and deleting the account.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::account_data::ExportSummary;

/// What the signed-in learner's export holds.
#[server(endpoint = "export_contents")]
pub async fn export_contents() -> Result<ExportSummary, AppError> {
    use crate::server::{account_data::export, authz::Action, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        export::summary(&state.db, user.id).await
    };
    run.await.map_err(AppError::from)
}

/// Deletes the signed-in user's account, after checking their password and the
/// confirmation box (`confirm` = `yes`), and signs them out everywhere.
#[server(endpoint = "delete_account")]
pub async fn delete_account(
    password: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    use crate::server::{ServerError, account_data::deletion, authz::Action, request, sessions};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::DeleteOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        if confirm.trim() != "yes" {
            return Err(AppError::invalid(
                "Tick the box to confirm that you want to delete your account.",
            )
            .into());
        }
        // The password is as strong a proof as signing in again: as rate-limited.
        state
            .login_limiter
            .check(&user.email, request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        deletion::check_confirmation(&state.db, user.id, &password, confirm.trim() == "yes")
            .await?;
        deletion::delete_account(&state.db, &state.settings.evidence, user.id).await?;
        request::set_cookie(&sessions::clear_cookie(state.settings.secure_cookies));
        leptos_axum::redirect("/");
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

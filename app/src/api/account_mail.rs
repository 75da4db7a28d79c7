//! Account links sent by mail: confirming an address, resetting a forgotten password,
//! changing the address one signs in with.

use leptos::prelude::*;

use crate::error::AppError;

/// Where the "forgot password" form lands after sending (with JavaScript or without).
pub const FORGOT_SENT: &str = "/forgot?sent=1";
/// Where a successful password reset lands.
pub const AFTER_RESET: &str = "/signin?reset=done";
/// Where a used confirmation link lands: `…=address` or `…=changed` follows.
pub const AFTER_CONFIRM: &str = "/account/confirm?done=";

/// Shortest time the "forgot password" answer takes, whether or not the address has an
/// account, so its timing does not tell either.
#[cfg(feature = "ssr")]
pub const RESET_ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(250);

/// Mails a password-reset link if the address has an account. The answer is the same
/// either way.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::server::{ServerError, accounts, authz::Action, request};
    let started = tokio::time::Instant::now();
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::UseAccountForms).await?;
        state
            .login_limiter
            .check_mail(&email, request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        accounts::request_password_reset(&state.db, &state.settings.public_url, &email).await?;
        tokio::time::sleep_until(started + RESET_ANSWER_FLOOR).await;
        leptos_axum::redirect(FORGOT_SENT);
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Sets a new password with a reset link; every session of the account ends.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    use crate::server::{ServerError, accounts, authz::Action, request};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::UseAccountForms).await?;
        accounts::reset_password(&state.db, &token, &new_password).await?;
        leptos_axum::redirect(AFTER_RESET);
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Uses a confirmation link: confirms a new account's address, or completes a change of
/// address.
#[server(endpoint = "confirm_email")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    use crate::server::{ServerError, accounts, authz::Action, request};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::UseAccountForms).await?;
        let done = accounts::confirm_link(&state.db, &state.settings, &token).await?;
        let what = match done {
            accounts::Confirmed::Address { .. } => "address",
            accounts::Confirmed::Changed { .. } => "changed",
            accounts::Confirmed::Extra { .. } => "extra",
        };
        leptos_axum::redirect(&format!("{AFTER_CONFIRM}{what}"));
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Sends a new confirmation link to the signed-in user's unconfirmed address.
#[server(endpoint = "resend_confirmation")]
pub async fn resend_confirmation() -> Result<(), AppError> {
    use crate::server::{ServerError, accounts, authz::Action, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ChangeOwnEmail).await?;
        let user = actor
            .user()
            .cloned()
            .ok_or(ServerError::User(AppError::Unauthenticated))?;
        state
            .login_limiter
            .check_mail(&user.email, request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        accounts::send_confirmation(&state.db, &state.settings.public_url, &user).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Asks to sign in with another address: a link goes to the new address, and the change
/// happens only when it is used.
#[server(endpoint = "change_email")]
pub async fn change_email(new_email: String, current_password: String) -> Result<(), AppError> {
    use crate::server::{ServerError, accounts, authz::Action, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ChangeOwnEmail).await?;
        let user = actor
            .user()
            .cloned()
            .ok_or(ServerError::User(AppError::Unauthenticated))?;
        // Counted against the new address: nobody can bomb an address with links.
        state
            .login_limiter
            .check_mail(&new_email, request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        accounts::request_email_change(
            &state.db,
            &state.settings.public_url,
            &user,
            &new_email,
            &current_password,
        )
        .await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

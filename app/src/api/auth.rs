//! Accounts and sessions: sign up, sign in, sign out, change password, who am I.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::SessionUser;

/// Where people land after signing in.
pub const AFTER_SIGN_IN: &str = "/portfolio";

/// The signed-in user, or `None`.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<SessionUser>, AppError> {
    use crate::server::request;
    let run = async {
        let state = request::state()?;
        // Anyone may ask; the answer is about the asker only (read with the actor, so a
        // page that also asks who is signed in does not read it twice).
        Ok::<_, crate::server::ServerError>(request::resolved(&state).await?.profile.clone())
    };
    run.await.map_err(AppError::from)
}

/// Creates a learner account, signs it in and mails the link that confirms its address.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    display_name: String,
    password: String,
) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::{ServerError, accounts, authz::Action, request, sessions};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::UseAccountForms).await?;
        state
            .login_limiter
            .check_sign_up(request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        let account = accounts::NewAccount {
            email,
            display_name,
            password,
            role: Role::Learner,
            institution: None,
        };
        let user =
            accounts::create_with_confirmation(&state.db, &state.settings.public_url, account)
                .await?;
        let token = sessions::create(&state.db, user.id).await?;
        request::set_cookie(&sessions::set_cookie(&token, state.settings.secure_cookies));
        leptos_axum::redirect(AFTER_SIGN_IN);
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Signs in with email and password. The session id is always new (no fixation).
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::server::{ServerError, accounts, authz::Action, request, sessions};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::UseAccountForms).await?;
        state
            .login_limiter
            .check(&email, request::client_ip())
            .map_err(|retry_after_secs| {
                ServerError::User(AppError::RateLimited { retry_after_secs })
            })?;
        let user = accounts::authenticate(&state.db, &email, &password).await?;
        if let Some(old) = request::session_token() {
            sessions::delete(&state.db, &old).await?;
        }
        let token = sessions::create(&state.db, user.id).await?;
        request::set_cookie(&sessions::set_cookie(&token, state.settings.secure_cookies));
        leptos_axum::redirect(AFTER_SIGN_IN);
        Ok::<_, crate::server::ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Ends the current session.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{ServerError, authz::Action, request, sessions};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::UseAccountForms).await?;
        if let Some(token) = request::session_token() {
            sessions::delete(&state.db, &token).await?;
        }
        request::set_cookie(&sessions::clear_cookie(state.settings.secure_cookies));
        leptos_axum::redirect("/");
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Changes the signed-in user's password and signs out their other sessions.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::server::{ServerError, accounts, authz::Action, request, sessions};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ChangeOwnPassword).await?;
        let user = actor
            .user()
            .cloned()
            .ok_or(ServerError::User(AppError::Unauthenticated))?;
        let user_id = user.id;
        accounts::change_password(&state.db, user, &current_password, &new_password).await?;
        if let Some(token) = request::session_token() {
            sessions::delete_others(&state.db, user_id, &token).await?;
        }
        Ok::<_, crate::server::ServerError>(())
    };
    run.await.map_err(AppError::from)
}

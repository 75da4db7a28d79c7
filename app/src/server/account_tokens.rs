//! Single-use account links: confirm an address, reset a password, change the address.
//!
//! A token is 256 random bits (URL-safe base64); the database keeps only its SHA-256,
//! the account it belongs to, what it is for, the address the link was sent to, when it
//! expires and when it was used. It is consumed by one atomic
//! `UPDATE … SET used_at = now WHERE token_hash = … AND used_at IS NULL AND
//! expires_at > now RETURNING …`, so of two concurrent uses exactly one wins, and it
//! only ever acts on the account it names.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{Duration, Utc};
use rand::RngCore as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr,
};

use super::entities::account_token;
use super::error::ServerResult;
use super::sessions::token_hash;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirm the address the account signs in with.
    ConfirmEmail,
    /// Set a new password without the old one.
    ResetPassword,
    /// Move the account to a new address (the token was sent there).
    ChangeEmail,
}

impl Purpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmEmail => "confirm_email",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
        }
    }

    /// How long a link stays usable.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::ConfirmEmail => Duration::days(3),
            Self::ResetPassword => Duration::hours(1),
            Self::ChangeEmail => Duration::hours(24),
        }
    }

    /// The purpose of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::ConfirmEmail, Self::ResetPassword, Self::ChangeEmail]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Longest token text looked up (ours are 43 characters); longer input is no token.
const TOKEN_MAX_CHARS: usize = 128;

fn plausible(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= TOKEN_MAX_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Makes a token for `user_id` and returns it (the only time it exists in clear).
///
/// # Errors
/// Database errors.
pub async fn issue(
    conn: &impl ConnectionTrait,
    user_id: i32,
    purpose: Purpose,
    email: &str,
) -> ServerResult<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    account_token::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_string()),
        email: Set(email.to_string()),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// The token's record if it is usable now (unused, unexpired, one of `purposes`),
/// without using it.
///
/// # Errors
/// Database errors.
pub async fn peek(
    conn: &impl ConnectionTrait,
    token: &str,
    purposes: &[Purpose],
) -> ServerResult<Option<account_token::Model>> {
    if !plausible(token) {
        return Ok(None);
    }
    Ok(account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(token_hash(token)))
        .filter(account_token::Column::Purpose.is_in(purposes.iter().map(|p| p.as_str())))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(Utc::now()))
        .one(conn)
        .await?)
}

/// Uses the token, atomically: its record if it was usable (then it no longer is),
/// `None` if it is unknown, expired, already used or for another purpose.
///
/// # Errors
/// Database errors.
pub async fn consume(
    conn: &impl ConnectionTrait,
    token: &str,
    purposes: &[Purpose],
) -> ServerResult<Option<account_token::Model>> {
    if !plausible(token) {
        return Ok(None);
    }
    let now = Utc::now();
    let mut used = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::TokenHash.eq(token_hash(token)))
        .filter(account_token::Column::Purpose.is_in(purposes.iter().map(|p| p.as_str())))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(now))
        .exec_with_returning(conn)
        .await?;
    Ok(used.pop())
}

/// Voids every unused token of a user for these purposes (after a password or address
/// change, links sent before it must not work).
///
/// # Errors
/// Database errors.
pub async fn void(
    conn: &impl ConnectionTrait,
    user_id: i32,
    purposes: &[Purpose],
) -> ServerResult<u64> {
    let res = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(account_token::Column::Purpose.is_in(purposes.iter().map(|p| p.as_str())))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_and_resets_are_short_lived() {
        for p in [
            Purpose::ConfirmEmail,
            Purpose::ResetPassword,
            Purpose::ChangeEmail,
        ] {
            assert_eq!(Purpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(Purpose::ResetPassword.lifetime(), Duration::hours(1));
        assert_eq!(Purpose::parse("other"), None);
    }

    #[test]
    fn only_token_shaped_text_is_looked_up() {
        assert!(plausible("Zx9-_aB"));
        assert!(!plausible(""));
        assert!(!plausible("a b"));
        assert!(!plausible(&"a".repeat(129)));
    }
}

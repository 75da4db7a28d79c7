//! Login sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{Duration, Utc};
use cookie::{Cookie, SameSite};
use rand::RngCore as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter,
    QuerySelect, Set,
};
use sha2::{Digest, Sha256};

use super::db::note_write;
use super::entities::{session, user};
use super::error::ServerResult;

/// Name of the session cookie on plain http (local trials).
pub const COOKIE_NAME: &str = "badgefolio_session";
/// Name of the session cookie on https: the `__Host-` prefix makes browsers accept it
/// only with `Secure`, `Path=/` and no `Domain`, so no sibling subdomain and no plain-http
/// page can set or overwrite it.
pub const SECURE_COOKIE_NAME: &str = "__Host-badgefolio_session";

/// The session cookie's name when cookies are (or are not) `Secure`.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}
/// How long a session lasts without signing in again.
pub const LIFETIME_DAYS: i64 = 30;

/// Hex SHA-256 of a token: what the database stores.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Starts a session for a user and returns the cookie token.
///
/// # Errors
/// Database errors.
pub async fn create(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    session::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(LIFETIME_DAYS)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // Every auto-committed session write counts as a write of this process (see
    // actor_cache): caches of this process never outlive what it changed.
    note_write();
    Ok(token)
}

/// The session with this token hash and its user, in one query, if the session exists
/// and has not expired.
///
/// # Errors
/// Database errors.
pub async fn with_user(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> ServerResult<Option<(session::Model, user::Model)>> {
    let found = session::Entity::find()
        .join(
            JoinType::InnerJoin,
            session::Entity::belongs_to(user::Entity)
                .from(session::Column::UserId)
                .to(user::Column::Id)
                .into(),
        )
        .filter(session::Column::TokenHash.eq(token_hash))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        // A deleted account's sessions are deleted with it; a tombstone never signs in
        // even if one were left.
        .filter(user::Column::DeletedAt.is_null())
        .select_also(user::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(s, u)| u.map(|u| (s, u))))
}

/// Ends the session of a token (no-op if there is none).
///
/// # Errors
/// Database errors.
pub async fn delete(db: &impl ConnectionTrait, token: &str) -> ServerResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(token_hash(token)))
        .exec(db)
        .await?;
    // Cached actors of this process must not outlive the session (see actor_cache).
    note_write();
    Ok(())
}

/// Ends every session of a user except the one with `keep_token` (after a password change).
///
/// # Errors
/// Database errors.
pub async fn delete_others(
    db: &impl ConnectionTrait,
    user_id: i32,
    keep_token: &str,
) -> ServerResult<u64> {
    let res = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::TokenHash.ne(token_hash(keep_token)))
        .exec(db)
        .await?;
    note_write();
    Ok(res.rows_affected)
}

/// Removes expired sessions (called periodically).
///
/// # Errors
/// Database errors.
pub async fn purge_expired(db: &impl ConnectionTrait) -> ServerResult<u64> {
    let res = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(Utc::now()))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// The `Set-Cookie` value that stores a session token in the browser.
pub fn set_cookie(token: &str, secure: bool) -> String {
    Cookie::build((cookie_name(secure), token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::days(LIFETIME_DAYS))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    Cookie::build((cookie_name(secure), ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// The session token in a request's `Cookie` headers, if any, under the cookie name
/// for the configured scheme (`secure`): on https only the `__Host-` cookie counts.
pub fn token_from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_string())
}

/// Whether a request carries a session cookie of either name (whether or not it is
/// valid): its answer may be personal.
pub fn has_session_cookie(headers: &http::HeaderMap) -> bool {
    token_from_headers(headers, false).is_some() || token_from_headers(headers, true).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_httponly_lax_and_secure_only_on_https() {
        let c = set_cookie("tok", false);
        assert!(c.starts_with("badgefolio_session=tok;"), "{c}");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn https_cookie_has_the_host_prefix_and_its_rules() {
        for c in [set_cookie("tok", true), clear_cookie(true)] {
            assert!(c.starts_with("__Host-badgefolio_session="), "{c}");
            assert!(c.contains("; Secure"), "{c}");
            assert!(c.contains("; Path=/"), "{c}");
            assert!(!c.contains("Domain"), "{c}");
            assert!(c.contains("HttpOnly"), "{c}");
        }
    }

    #[test]
    fn finds_the_token_among_other_cookies() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("a=1; badgefolio_session=xyz; b=2"),
        );
        assert_eq!(token_from_headers(&h, false).as_deref(), Some("xyz"));
        assert_eq!(token_from_headers(&http::HeaderMap::new(), false), None);
    }

    #[test]
    fn reads_only_the_name_of_the_configured_scheme() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("badgefolio_session=plain"),
        );
        assert_eq!(
            token_from_headers(&h, true),
            None,
            "https ignores the plain name"
        );
        assert!(has_session_cookie(&h));
        h.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("__Host-badgefolio_session=host"),
        );
        assert_eq!(token_from_headers(&h, true).as_deref(), Some("host"));
        assert_eq!(
            token_from_headers(&h, false),
            None,
            "http ignores the prefixed name"
        );
        assert!(has_session_cookie(&h));
        h.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("badgefolio_session=; other=1"),
        );
        assert!(!has_session_cookie(&h));
    }

    #[test]
    fn stores_only_a_hash() {
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(token_hash("abc"), "abc");
    }
}

//! Password rules and Argon2id hashing.
//!
//! Hashing costs ~20 ms of CPU by design, so it runs on the blocking pool and never
//! stalls the async threads that serve other requests.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

use super::error::{ServerError, ServerResult};
use crate::error::AppError;
use crate::model::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PASSWORD_RULE};

/// Checks a new password against the stated rule.
///
/// # Errors
/// `AppError::Invalid` with the rule when the password is too short, too long or the email.
pub fn check_rule(password: &str, email: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) {
        return Err(AppError::invalid(format!(
            "This password is not allowed. {PASSWORD_RULE}"
        )));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(AppError::invalid(
            "Your password must not be your email address.",
        ));
    }
    Ok(())
}

/// Hashes a password with Argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
///
/// # Errors
/// Only when the hasher itself fails, which is a server fault.
pub async fn hash(password: String) -> ServerResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServerError::Hash(e.to_string()))
    })
    .await?
}

/// Whether `password` matches a stored PHC hash. A malformed hash never matches.
///
/// # Errors
/// Only when the blocking task cannot run.
pub async fn verify(password: String, stored_hash: String) -> ServerResult<bool> {
    Ok(tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored_hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await?)
}

/// A valid hash of a random password, verified against when an email is unknown, so a
/// wrong email takes as long as a wrong password and timing does not reveal accounts.
pub async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash(uuid::Uuid::new_v4().to_string())
                .await
                .unwrap_or_default()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_rejects_short_long_and_email_passwords() {
        assert!(check_rule("short", "a@b.c").is_err());
        assert!(check_rule(&"x".repeat(129), "a@b.c").is_err());
        assert!(check_rule("ada@example.org", "ada@example.org").is_err());
        assert!(check_rule("correct horse battery", "ada@example.org").is_ok());
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("correct horse battery".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), h.clone())
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery".into(), h)
                .await
                .expect("verify")
        );
        assert!(
            !verify("x".into(), "not a hash".into())
                .await
                .expect("verify")
        );
    }
}

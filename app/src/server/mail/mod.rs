//! The outbox: every mail the platform sends (confirmations, password resets, changes of
//! address, staff invitations, and later review decisions and award notices).
//!
//! A mail is queued with [`enqueue`] inside the transaction of the change that causes
//! it, so it exists exactly when that change commits. A background [`worker`] delivers
//! queued mails through SMTP when `BADGEFOLIO_SMTP_URL` is set, or else writes them to
//! the log ([`sender::Sender::Log`]); either way platform admins see every mail, its
//! status, attempts and last error on `/admin/outbox`. Sending never happens inside the
//! request that caused it; failures are retried with backoff up to a limit.

pub mod sender;
pub mod worker;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Set};

use super::entities::outbox;
use super::error::ServerResult;
use crate::error::AppError;

/// Longest subject accepted (characters).
pub const SUBJECT_MAX_CHARS: usize = 300;
/// Largest body accepted (bytes).
pub const BODY_MAX_BYTES: usize = 64 * 1024;

/// One mail: plain text to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    /// Plain-text body.
    pub text: String,
}

/// Wakes this process's worker (see [`worker::run`]).
static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Tells this process's worker that mail may be waiting (call it after a commit that
/// queued mail, for immediate delivery; [`enqueue`] calls it too, and the worker looks
/// again for a few seconds in case the transaction had not committed yet).
pub fn wake() {
    WAKE.notify_one();
}

/// Waits for [`wake`].
pub(crate) async fn woken() {
    WAKE.notified().await;
}

/// Checks a mail before it is queued: a well-formed recipient, a one-line subject of
/// bounded length (no header injection), a bounded body.
///
/// # Errors
/// `AppError::Invalid` saying what is wrong.
pub fn check(mail: &Mail) -> Result<Mail, AppError> {
    let to = super::accounts::normalize_email(&mail.to)?;
    let subject = mail.subject.trim();
    if subject.is_empty()
        || subject.chars().count() > SUBJECT_MAX_CHARS
        || subject.chars().any(char::is_control)
    {
        return Err(AppError::invalid(format!(
            "A mail subject must be one line of 1 to {SUBJECT_MAX_CHARS} characters."
        )));
    }
    if mail.text.len() > BODY_MAX_BYTES {
        return Err(AppError::invalid(format!(
            "A mail body must be at most {BODY_MAX_BYTES} bytes."
        )));
    }
    Ok(Mail {
        to,
        subject: subject.to_string(),
        text: mail.text.clone(),
    })
}

/// Queues a mail inside the caller's transaction/connection: it is sent only if that
/// transaction commits.
///
/// # Errors
/// `Invalid` for a malformed recipient, subject or body (see [`check`]); database errors.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, mail: Mail) -> ServerResult<()> {
    let mail = check(&mail)?;
    let now = Utc::now();
    outbox::ActiveModel {
        recipient: Set(mail.to),
        subject: Set(mail.subject),
        body: Set(mail.text),
        status: Set(outbox::STATUS_QUEUED.to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    wake();
    Ok(())
}

/// The body with every link that carries a token replaced by a note (for showing
/// mails that were delivered by a mail server to someone else than their recipient).
pub fn withhold_links(body: &str) -> String {
    body.split_inclusive(char::is_whitespace)
        .map(|word| {
            let bare = word.trim_end();
            if bare.contains("token=") || bare.contains("/endorse/") {
                format!(
                    "[link withheld: sent to the recipient only]{}",
                    &word[bare.len()..]
                )
            } else {
                word.to_string()
            }
        })
        .collect()
}

/// The most recent mails, newest first.
///
/// # Errors
/// Database errors.
pub async fn recent(db: &impl ConnectionTrait, limit: u64) -> ServerResult<Vec<outbox::Model>> {
    Ok(outbox::Entity::find()
        .order_by_desc(outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(to: &str, subject: &str, text: &str) -> Mail {
        Mail {
            to: to.into(),
            subject: subject.into(),
            text: text.into(),
        }
    }

    #[test]
    fn links_with_tokens_can_be_withheld() {
        let body =
            "Reset here:\nhttps://b.example/account/reset?token=abc123\nThanks https://b.example/";
        assert_eq!(
            withhold_links(body),
            "Reset here:\n[link withheld: sent to the recipient only]\nThanks https://b.example/"
        );
    }

    #[test]
    fn mails_are_checked_before_they_are_queued() {
        let ok = check(&mail(" Ada@Example.org ", " Hello ", "Body")).expect("fine");
        assert_eq!(
            (ok.to.as_str(), ok.subject.as_str()),
            ("ada@example.org", "Hello")
        );
        assert!(check(&mail("not-an-address", "Hi", "")).is_err());
        assert!(check(&mail("a@b.org", "Hi\r\nBcc: evil@example.org", "")).is_err());
        assert!(check(&mail("a@b.org", "", "")).is_err());
        assert!(check(&mail("a@b.org", &"x".repeat(301), "")).is_err());
        assert!(check(&mail("a@b.org", "Hi", &"x".repeat(BODY_MAX_BYTES + 1))).is_err());
    }
}

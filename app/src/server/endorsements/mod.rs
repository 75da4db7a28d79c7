//! Endorsements of a learner's badge (OB 3.0 `EndorsementCredential`).
//!
//! The flow: the learner asks ([`request`]) and gets a link with a random token (the
//! database keeps only its SHA-256), mailed through the outbox when they gave an
//! address; the endorser opens it ([`invitation`]), signed in or not, and gives their
//! name and a statement ([`submit`]: one conditional `UPDATE … WHERE status =
//! 'requested' AND expires_at > now`, so of two submissions exactly one wins, on both
//! backends); the learner approves, declines or withdraws ([`decide`]). Approval signs
//! an `EndorsementCredential` ([`credential`]) about the learner's credential.
//!
//! Who signs: the institution that issued the endorsed badge, with its own did:web key
//! and status list (the platform has no signing key of its own yet). The credential's
//! `issuer` is therefore the institution; it attests that the named person gave this
//! statement through the platform, which its `name` and `description` say in words
//! (with the endorser's address only when it was confirmed). Withdrawing an approved
//! endorsement revokes that credential.

pub mod credential;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, sea_query::Expr,
};

use crate::api::endorsements::{
    EndorseInvitation, EndorsementLink, EndorsementView, NAME_MAX_CHARS, STATEMENT_MAX_CHARS,
};
use crate::error::AppError;
use crate::server::db::begin_write;
use crate::server::entities::{
    award, credential as credential_row, endorsement, institution, user,
};
use crate::server::error::ServerResult;
use crate::server::portfolio::{detail::own_award, held_from};
use crate::server::sessions::token_hash;
use crate::server::state::Settings;
use crate::server::{accounts, issuing, mail};

/// How long a request link stays open.
pub const LINK_LIFETIME_DAYS: i64 = 30;
/// Most requests a learner may have open (asked, not answered) at once.
pub const MAX_OPEN_REQUESTS: u64 = 50;
/// Longest token text looked up (ours are 43 characters).
const TOKEN_MAX_CHARS: usize = 128;

/// The learner's decision on an endorsement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Show it and sign it (only a submitted statement).
    Approve,
    /// Do not show it (only a submitted statement).
    Decline,
    /// Cancel a request, or take back an approved endorsement (its credential is revoked).
    Withdraw,
}

impl Decision {
    /// From `approve`, `decline`, `withdraw`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "approve" => Some(Self::Approve),
            "decline" => Some(Self::Decline),
            "withdraw" => Some(Self::Withdraw),
            _ => None,
        }
    }
}

/// `/endorse/{token}` under the public URL.
pub fn link(settings: &Settings, token: &str) -> String {
    format!("{}/endorse/{token}", settings.public_url)
}

fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// One line of text, trimmed, 1..=`max` characters, no control characters.
fn one_line(s: &str, max: usize, what: &str) -> Result<String, AppError> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "{what} must be one line of 1 to {max} characters."
        )));
    }
    Ok(s.to_string())
}

/// The statement: trimmed, 1..=1,000 characters, line breaks allowed.
fn statement_text(s: &str) -> Result<String, AppError> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > STATEMENT_MAX_CHARS {
        return Err(AppError::invalid(format!(
            "Write a statement of 1 to {STATEMENT_MAX_CHARS} characters."
        )));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::invalid(
            "The statement contains control characters.",
        ));
    }
    Ok(s.replace("\r\n", "\n"))
}

fn plausible(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= TOKEN_MAX_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Asks for an endorsement of one of `learner`'s (unrevoked) badges. Returns the link,
/// the only time its token exists in clear; mails it when `email` is not empty.
///
/// # Errors
/// `NotFound` for a badge that is not theirs; `Invalid` for a revoked badge, a bad
/// name or address, or too many open requests; database errors.
pub async fn request(
    db: &DatabaseConnection,
    settings: &Settings,
    learner: &user::Model,
    award_public_id: &str,
    name: &str,
    email: &str,
) -> ServerResult<EndorsementLink> {
    let a = own_award(db, learner.id, award_public_id).await?;
    if a.revoked_at.is_some() {
        return Err(AppError::invalid("A revoked badge cannot be endorsed.").into());
    }
    let name = one_line(name, NAME_MAX_CHARS, "The name of the person you ask")?;
    let email = match email.trim() {
        "" => None,
        e => Some(accounts::normalize_email(e)?),
    };
    let now = Utc::now();
    let open = endorsement::Entity::find()
        .filter(endorsement::Column::UserId.eq(learner.id))
        .filter(endorsement::Column::Status.eq(endorsement::STATUS_REQUESTED))
        .filter(endorsement::Column::ExpiresAt.gt(now))
        .count(db)
        .await?;
    if open >= MAX_OPEN_REQUESTS {
        return Err(AppError::invalid(format!(
            "You have {MAX_OPEN_REQUESTS} requests waiting for an answer: withdraw some before asking more people."
        ))
        .into());
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let url = link(settings, &token);
    let badge_name = held_from(db, settings, vec![a.clone()])
        .await?
        .into_iter()
        .next()
        .and_then(|h| h.version.map(|v| v.name))
        .unwrap_or_else(|| "a badge".into());

    let txn = begin_write(db).await?;
    // Not for an account deleted meanwhile (the deletion holds this row's lock).
    crate::server::account_data::deletion::lock_live_user(&*txn, learner.id).await?;
    let row = endorsement::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        user_id: Set(learner.id),
        award_id: Set(a.id),
        token_hash: Set(token_hash(&token)),
        invitee_email: Set(email.clone()),
        invitee_name: Set(Some(name.clone())),
        endorser_name: Set(None),
        endorser_email: Set(None),
        endorser_email_verified: Set(false),
        endorser_user_id: Set(None),
        statement: Set(None),
        status: Set(endorsement::STATUS_REQUESTED.to_string()),
        credential_id: Set(None),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(LINK_LIFETIME_DAYS)),
        submitted_at: Set(None),
        decided_at: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    if let Some(to) = &email {
        // The learner's name and the badge's are one line each (checked on the way in);
        // the subject is checked again by `mail::check`.
        let learner_name: String = learner
            .display_name
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        mail::enqueue(
            &*txn,
            mail::Mail {
                to: to.clone(),
                subject: format!("{learner_name} asks you to endorse their badge"),
                text: format!(
                    "Hello {name},\n\n{learner_name} earned the badge \"{badge_name}\" and asks you to endorse it: a few words, from you, on what they can do.\n\nGive your endorsement here (the link works until {}):\n{url}\n\n{learner_name} will see your statement and decide whether to show it with the badge. If you do not know {learner_name}, ignore this mail.\n",
                    date(row.expires_at)
                ),
            },
        )
        .await?;
    }
    txn.commit().await?;
    if email.is_some() {
        mail::wake();
    }
    Ok(EndorsementLink {
        public_id: row.public_id.to_string(),
        link: url,
        mailed: email.is_some(),
    })
}

/// The request behind a token, if the token is well-formed and known.
async fn by_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> ServerResult<Option<endorsement::Model>> {
    let token = token.trim();
    if !plausible(token) {
        return Ok(None);
    }
    Ok(endorsement::Entity::find()
        .filter(endorsement::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?)
}

/// Why a link no longer takes a statement.
fn closed(e: &endorsement::Model, now: DateTime<Utc>) -> Option<AppError> {
    if e.status == endorsement::STATUS_SUBMITTED || e.status == endorsement::STATUS_APPROVED {
        return Some(AppError::invalid(
            "Your endorsement was received: thank you. This link takes no more statements.",
        ));
    }
    if e.status != endorsement::STATUS_REQUESTED {
        return Some(AppError::invalid(
            "This endorsement link was already used or withdrawn: it takes no more statements.",
        ));
    }
    (e.expires_at <= now).then(|| {
        AppError::invalid("This endorsement link has expired. Ask the learner for a new one.")
    })
}

/// What the holder of a link is asked about.
///
/// # Errors
/// `NotFound` for an unknown token; `Invalid` for a used, withdrawn or expired one;
/// database errors.
pub async fn invitation(
    db: &DatabaseConnection,
    settings: &Settings,
    token: &str,
    viewer: Option<&user::Model>,
    now: DateTime<Utc>,
) -> ServerResult<EndorseInvitation> {
    let e = by_token(db, token).await?.ok_or(AppError::NotFound)?;
    if let Some(why) = closed(&e, now) {
        return Err(why.into());
    }
    let a = award::Entity::find_by_id(e.award_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if a.revoked_at.is_some() {
        return Err(
            AppError::invalid("This badge was revoked: it can no longer be endorsed.").into(),
        );
    }
    let learner = user::Entity::find_by_id(e.user_id)
        .one(db)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let h = held_from(db, settings, vec![a])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    Ok(EndorseInvitation {
        badge_name: h
            .version
            .as_ref()
            .map(|v| v.name.clone())
            .unwrap_or_default(),
        issuer: h
            .issuer
            .as_ref()
            .map(|i| i.name.clone())
            .unwrap_or_default(),
        learner_name: learner.display_name,
        image_url: h.image_url,
        invitee_name: e.invitee_name,
        signed_in_as: viewer.map(|u| u.display_name.clone()),
        expires_at: date(e.expires_at),
    })
}

/// The endorser's statement, taken once per link (atomically: of two submissions,
/// exactly one is stored). A signed-in endorser's account is attached, with their
/// address when it is confirmed.
///
/// # Errors
/// `NotFound` for an unknown token; `Invalid` for a bad name or statement, a used,
/// withdrawn or expired link, or the learner endorsing themselves; database errors.
pub async fn submit(
    db: &DatabaseConnection,
    token: &str,
    name: &str,
    statement: &str,
    endorser: Option<&user::Model>,
    now: DateTime<Utc>,
) -> ServerResult<()> {
    let e = by_token(db, token).await?.ok_or(AppError::NotFound)?;
    if let Some(why) = closed(&e, now) {
        return Err(why.into());
    }
    if endorser.is_some_and(|u| u.id == e.user_id) {
        return Err(AppError::invalid("You cannot endorse your own badge.").into());
    }
    let name = one_line(name, NAME_MAX_CHARS, "Your name")?;
    let statement = statement_text(statement)?;
    let confirmed = endorser.filter(|u| u.email_confirmed_at.is_some());
    let txn = begin_write(db).await?;
    let done = endorsement::Entity::update_many()
        .col_expr(
            endorsement::Column::Status,
            Expr::value(endorsement::STATUS_SUBMITTED),
        )
        .col_expr(endorsement::Column::EndorserName, Expr::value(name))
        .col_expr(endorsement::Column::Statement, Expr::value(statement))
        .col_expr(
            endorsement::Column::EndorserUserId,
            Expr::value(endorser.map(|u| u.id)),
        )
        .col_expr(
            endorsement::Column::EndorserEmail,
            Expr::value(confirmed.map(|u| u.email.clone())),
        )
        .col_expr(
            endorsement::Column::EndorserEmailVerified,
            Expr::value(confirmed.is_some()),
        )
        .col_expr(endorsement::Column::SubmittedAt, Expr::value(now))
        .filter(endorsement::Column::Id.eq(e.id))
        .filter(endorsement::Column::Status.eq(endorsement::STATUS_REQUESTED))
        .filter(endorsement::Column::ExpiresAt.gt(now))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    if done.rows_affected != 1 {
        return Err(AppError::invalid(
            "This endorsement link was already used or withdrawn: it takes no more statements.",
        )
        .into());
    }
    tracing::info!(endorsement = %e.public_id, "endorsement submitted");
    Ok(())
}

fn view(e: endorsement::Model, now: DateTime<Utc>) -> EndorsementView {
    let status = if e.status == endorsement::STATUS_REQUESTED && e.expires_at <= now {
        "expired".to_string()
    } else {
        e.status
    };
    EndorsementView {
        public_id: e.public_id.to_string(),
        status,
        invitee_name: e.invitee_name,
        invitee_email: e.invitee_email,
        endorser_name: e.endorser_name,
        endorser_email: e.endorser_email.filter(|_| e.endorser_email_verified),
        statement: e.statement,
        created_at: date(e.created_at),
        expires_at: date(e.expires_at),
        signed: e.credential_id.is_some(),
    }
}

/// Every endorsement of one of the learner's badges, newest first.
///
/// # Errors
/// `NotFound` for a badge that is not theirs; database errors.
pub async fn list(
    db: &DatabaseConnection,
    _settings: &Settings,
    user_id: i32,
    award_public_id: &str,
    now: DateTime<Utc>,
) -> ServerResult<Vec<EndorsementView>> {
    let a = own_award(db, user_id, award_public_id).await?;
    let rows = endorsement::Entity::find()
        .filter(endorsement::Column::AwardId.eq(a.id))
        .filter(endorsement::Column::UserId.eq(user_id))
        .order_by_desc(endorsement::Column::CreatedAt)
        .order_by_desc(endorsement::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|e| view(e, now)).collect())
}

/// The learner's endorsement with this public id; someone else's is not found.
async fn own(
    db: &impl ConnectionTrait,
    user_id: i32,
    public_id: &str,
) -> ServerResult<endorsement::Model> {
    let id = uuid::Uuid::try_parse(public_id.trim()).map_err(|_| AppError::NotFound)?;
    endorsement::Entity::find()
        .filter(endorsement::Column::PublicId.eq(id))
        .filter(endorsement::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// Moves an endorsement from one of `from` to `to`, atomically; whether it moved.
async fn transition(
    db: &impl ConnectionTrait,
    id: i32,
    from: &[&str],
    to: &str,
    now: DateTime<Utc>,
) -> ServerResult<bool> {
    let done = endorsement::Entity::update_many()
        .col_expr(endorsement::Column::Status, Expr::value(to))
        .col_expr(endorsement::Column::DecidedAt, Expr::value(now))
        .filter(endorsement::Column::Id.eq(id))
        .filter(endorsement::Column::Status.is_in(from.iter().copied()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The learner approves (signs the credential), declines or withdraws an endorsement.
///
/// # Errors
/// `NotFound` for another learner's endorsement; `Invalid` for a decision that does not
/// fit its state; database and signing errors.
pub async fn decide(
    db: &DatabaseConnection,
    settings: &Settings,
    user_id: i32,
    public_id: &str,
    decision: Decision,
) -> ServerResult<()> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let e = own(&*txn, user_id, public_id).await?;
    match decision {
        Decision::Approve => {
            if !transition(
                &*txn,
                e.id,
                &[endorsement::STATUS_SUBMITTED],
                endorsement::STATUS_APPROVED,
                now,
            )
            .await?
            {
                return Err(AppError::invalid(
                    "Only an endorsement that was given and not yet decided can be approved.",
                )
                .into());
            }
            let a = award::Entity::find_by_id(e.award_id)
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound)?;
            if a.revoked_at.is_some() {
                return Err(AppError::invalid(
                    "This badge was revoked: its endorsements cannot be approved.",
                )
                .into());
            }
            let endorsed = credential_row::Entity::find_by_id(a.credential_id)
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound)?;
            let inst = institution::Entity::find_by_id(a.institution_id)
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound)?;
            let badge_name = held_from(&*txn, settings, vec![a.clone()])
                .await?
                .into_iter()
                .next()
                .and_then(|h| h.version.map(|v| v.name))
                .unwrap_or_default();
            let unsigned = credential::build(&credential::Endorsed {
                credential_id: &endorsed.credential_id,
                badge_name: &badge_name,
                endorser_name: e.endorser_name.as_deref().unwrap_or_default(),
                endorser_email: e
                    .endorser_email
                    .as_deref()
                    .filter(|_| e.endorser_email_verified),
                statement: e.statement.as_deref().unwrap_or_default(),
            });
            let signed = issuing::sign_credential(&*txn, settings, &inst.slug, unsigned).await?;
            let row = credential_row::Entity::find()
                .filter(credential_row::Column::PublicId.eq(signed.public_id))
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound)?;
            endorsement::Entity::update_many()
                .col_expr(endorsement::Column::CredentialId, Expr::value(row.id))
                .filter(endorsement::Column::Id.eq(e.id))
                .exec(&*txn)
                .await?;
        }
        Decision::Decline => {
            if !transition(
                &*txn,
                e.id,
                &[endorsement::STATUS_SUBMITTED],
                endorsement::STATUS_DECLINED,
                now,
            )
            .await?
            {
                return Err(AppError::invalid(
                    "Only an endorsement that was given and not yet decided can be declined.",
                )
                .into());
            }
        }
        Decision::Withdraw => {
            if !transition(
                &*txn,
                e.id,
                &[
                    endorsement::STATUS_REQUESTED,
                    endorsement::STATUS_SUBMITTED,
                    endorsement::STATUS_APPROVED,
                ],
                endorsement::STATUS_WITHDRAWN,
                now,
            )
            .await?
            {
                return Err(AppError::invalid(
                    "This endorsement was already declined or withdrawn.",
                )
                .into());
            }
            if let Some(cid) = e.credential_id
                && let Some(c) = credential_row::Entity::find_by_id(cid).one(&*txn).await?
            {
                issuing::revoke(
                    &*txn,
                    settings,
                    &c.credential_id,
                    "The learner withdrew this endorsement.",
                )
                .await?;
            }
        }
    }
    txn.commit().await?;
    tracing::info!(endorsement = %e.public_id, ?decision, "endorsement decided");
    Ok(())
}

/// An approved endorsement, for pages that show a badge (the owner's and public ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    pub public_id: uuid::Uuid,
    pub endorser_name: String,
    /// Only when confirmed.
    pub endorser_email: Option<String>,
    pub statement: String,
    pub decided_at: Option<DateTime<Utc>>,
    /// The signed `EndorsementCredential`, as stored.
    pub credential_json: Option<String>,
}

/// The approved endorsements of an award, oldest first.
///
/// # Errors
/// Database errors.
pub async fn approved_for_award(
    db: &impl ConnectionTrait,
    award_id: i32,
) -> ServerResult<Vec<Approved>> {
    let rows = endorsement::Entity::find()
        .filter(endorsement::Column::AwardId.eq(award_id))
        .filter(endorsement::Column::Status.eq(endorsement::STATUS_APPROVED))
        .order_by_asc(endorsement::Column::DecidedAt)
        .order_by_asc(endorsement::Column::Id)
        .all(db)
        .await?;
    let creds: std::collections::HashMap<i32, String> = credential_row::Entity::find()
        .filter(credential_row::Column::Id.is_in(rows.iter().filter_map(|e| e.credential_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.json))
        .collect();
    Ok(rows
        .into_iter()
        .map(|e| Approved {
            public_id: e.public_id,
            endorser_name: e.endorser_name.unwrap_or_default(),
            endorser_email: e.endorser_email.filter(|_| e.endorser_email_verified),
            statement: e.statement.unwrap_or_default(),
            decided_at: e.decided_at,
            credential_json: e.credential_id.and_then(|id| creds.get(&id).cloned()),
        })
        .collect())
}

/// The signed credential of one of the learner's approved endorsements.
///
/// # Errors
/// `NotFound` when it is not theirs or not approved; database errors.
pub async fn own_credential_json(
    db: &impl ConnectionTrait,
    user_id: i32,
    public_id: &str,
) -> ServerResult<String> {
    let e = own(db, user_id, public_id).await?;
    let cid = e
        .credential_id
        .filter(|_| e.status == endorsement::STATUS_APPROVED)
        .ok_or(AppError::NotFound)?;
    Ok(credential_row::Entity::find_by_id(cid)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?
        .json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_statements_are_bounded() {
        assert!(one_line("Grace Hopper", NAME_MAX_CHARS, "Name").is_ok());
        assert!(one_line("  ", NAME_MAX_CHARS, "Name").is_err());
        assert!(one_line(&"x".repeat(121), NAME_MAX_CHARS, "Name").is_err());
        assert!(one_line("a\nb", NAME_MAX_CHARS, "Name").is_err());
        assert_eq!(
            statement_text(" Good.\r\nVery. ").ok().as_deref(),
            Some("Good.\nVery.")
        );
        assert!(statement_text(&"x".repeat(1_001)).is_err());
        assert!(statement_text(&"x".repeat(1_000)).is_ok());
        assert!(statement_text("a\u{0}b").is_err());
    }

    #[test]
    fn tokens_are_checked_before_lookup() {
        assert!(plausible("abc-_DEF123"));
        assert!(!plausible(""));
        assert!(!plausible("a b"));
        assert!(!plausible(&"a".repeat(129)));
    }
}

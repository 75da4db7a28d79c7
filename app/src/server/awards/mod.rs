//! Awarding badges: one signed OB 3.0 credential per award, issued inside the caller's
//! transaction (an approval, a bulk row, a completed stack), and what happens to an
//! award afterwards.
//!
//! - [`issue`]: builds and signs the credential and records the award (this file).
//! - [`stacking`]: program credentials and transcript notations when a stack completes.
//! - [`lifecycle`]: revocation (with the program credentials built on a badge) and re-issue.
//! - [`claims`]: awards to an address without an account, claimed once an account confirms it.
//! - [`listing`]: the issuer admin's and the learner's lists, the registrar's CSV.

pub mod bulk;
pub mod claims;
mod credential;
pub mod lifecycle;
pub mod listing;
pub mod stacking;

pub use credential::{EvidencePiece, RubricScore, achievement};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr,
};

use super::db::{BeginWrite, begin_write};
use super::entities::{award, badge, badge_version, credential as credential_row, institution};
use super::error::ServerResult;
use super::issuing;
use super::state::Settings;
use crate::error::AppError;

/// Who receives a badge.
#[derive(Debug, Clone)]
pub enum Recipient {
    /// A learner with an account: the credential names their (lower-cased) address.
    User {
        user_id: i32,
        email: String,
        name: String,
    },
    /// An address without an account yet: the award waits until an account confirms it.
    Email { email: String, name: String },
}

impl Recipient {
    fn email(&self) -> String {
        match self {
            Recipient::User { email, .. } | Recipient::Email { email, .. } => {
                email.trim().to_lowercase()
            }
        }
    }

    fn name(&self) -> &str {
        match self {
            Recipient::User { name, .. } | Recipient::Email { name, .. } => name.trim(),
        }
    }

    fn user_id(&self) -> Option<i32> {
        match self {
            Recipient::User { user_id, .. } => Some(*user_id),
            Recipient::Email { .. } => None,
        }
    }
}

/// An award to make.
#[derive(Debug, Clone)]
pub struct AwardRequest {
    pub badge_id: i32,
    pub recipient: Recipient,
    /// The learner's narrative (embedded as evidence).
    pub narrative: Option<String>,
    /// The reviewer's rubric scores (embedded as the evidence's result).
    pub rubric: Vec<RubricScore>,
    /// The pieces the learner chose to include.
    pub evidence: Vec<EvidencePiece>,
    /// Set when this is a program's credential.
    pub program_id: Option<i32>,
    pub submission_id: Option<i32>,
    pub bulk_row_id: Option<i32>,
    /// One of `award::SOURCE_*`.
    pub source: &'static str,
    pub awarded_by: Option<i32>,
}

/// What [`issue`] did.
#[derive(Debug, Clone)]
pub enum Issued {
    /// A new credential was signed and the award recorded.
    New(award::Model),
    /// The recipient already holds an unrevoked credential for this badge: nothing was
    /// signed; this is the award they hold.
    AlreadyHeld(award::Model),
}

impl Issued {
    /// The award, new or held before.
    pub fn award(&self) -> &award::Model {
        match self {
            Issued::New(a) | Issued::AlreadyHeld(a) => a,
        }
    }
}

/// The unrevoked award of this badge to this recipient, if any.
///
/// # Errors
/// Database errors.
pub async fn held(
    db: &impl ConnectionTrait,
    badge_id: i32,
    user_id: Option<i32>,
    email: &str,
) -> ServerResult<Option<award::Model>> {
    let mut cond = sea_orm::Condition::any()
        .add(award::Column::RecipientEmail.eq(email.trim().to_lowercase()));
    if let Some(user_id) = user_id {
        cond = cond.add(award::Column::UserId.eq(user_id));
    }
    Ok(award::Entity::find()
        .filter(award::Column::BadgeId.eq(badge_id))
        .filter(award::Column::RevokedAt.is_null())
        .filter(cond)
        .one(db)
        .await?)
}

/// Awards a badge: builds the OB 3.0 credential from the badge's current version (its
/// versioned, permanent achievement id, alignments, credits, validity), the recipient
/// (salted hashed e-mail plus their name), the evidence, signs it as the badge's
/// institution with a fresh status entry, and records the award, all in one transaction
/// of its own or as a savepoint of the caller's (`db` may be a transaction begun with
/// [`begin_write`]). A recipient who already holds an unrevoked credential for the badge
/// gets nothing new ([`Issued::AlreadyHeld`]), also when two awards race.
///
/// # Errors
/// `NotFound` for an unknown badge; `Invalid` when the credential cannot be built or
/// signed; database errors.
pub async fn issue<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    req: AwardRequest,
) -> ServerResult<Issued> {
    issue_with_evidence(db, settings, req, None).await
}

/// [`issue`], as if awarded at `issued_at` (not in the future): the credential is
/// valid from then (and until the badge's validity after it) and the award dated then;
/// it is signed now, with a fresh status entry, like any other. Only the demo seed
/// uses it (a badge that expires soon), never a request.
///
/// # Errors
/// As [`issue`]; `Invalid` when `issued_at` is in the future.
pub async fn issue_at<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    req: AwardRequest,
    issued_at: DateTime<Utc>,
) -> ServerResult<Issued> {
    if issued_at > Utc::now() {
        return Err(AppError::invalid("An award cannot be dated in the future.").into());
    }
    issue_as_of(db, settings, req, None, issued_at).await
}

/// [`issue`], with the credential's `evidence` array given as it is (a re-issue copies
/// the old credential's) instead of built from the request.
pub(crate) async fn issue_with_evidence<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    req: AwardRequest,
    raw_evidence: Option<serde_json::Value>,
) -> ServerResult<Issued> {
    issue_as_of(db, settings, req, raw_evidence, Utc::now()).await
}

/// The one way an award is made: [`issue_with_evidence`] as of `issued_at`.
async fn issue_as_of<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    req: AwardRequest,
    raw_evidence: Option<serde_json::Value>,
    issued_at: DateTime<Utc>,
) -> ServerResult<Issued> {
    let email = req.recipient.email();
    if let Some(existing) = held(db, req.badge_id, req.recipient.user_id(), &email).await? {
        return Ok(Issued::AlreadyHeld(existing));
    }
    let txn = begin_write(db).await?;
    let b = badge::Entity::find_by_id(req.badge_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let inst = institution::Entity::find_by_id(b.institution_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = badge_version::Entity::find()
        .filter(badge_version::Column::BadgeId.eq(b.id))
        .filter(badge_version::Column::Version.eq(b.current_version))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut unsigned = credential::build(
        &*txn, settings, &inst, &b, &version, &req, &email, issued_at,
    )
    .await?;
    if let Some(evidence) = raw_evidence {
        unsigned["evidence"] = evidence;
    }
    let signed = issuing::sign_credential(&*txn, settings, &inst.slug, unsigned).await?;
    let cred = credential_row::Entity::find()
        .filter(credential_row::Column::PublicId.eq(signed.public_id))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let inserted = award::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        user_id: Set(req.recipient.user_id()),
        recipient_email: Set(email.clone()),
        recipient_name: Set(req.recipient.name().to_string()),
        institution_id: Set(inst.id),
        badge_id: Set(b.id),
        badge_version_id: Set(version.id),
        program_id: Set(req.program_id),
        credential_id: Set(cred.id),
        submission_id: Set(req.submission_id),
        bulk_row_id: Set(req.bulk_row_id),
        source: Set(req.source.to_string()),
        awarded_by: Set(req.awarded_by),
        awarded_at: Set(issued_at),
        claimed_at: Set(req.recipient.user_id().map(|_| issued_at)),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        replaced_by: Set(None),
        // We just signed it: verified and active, private until the learner shares it.
        is_public: Set(false),
        verdict: Set(openbadges::verify::Verdict::Verified.as_str().to_string()),
        standing: Set(openbadges::verify::Standing::Active.as_str().to_string()),
        checked_at: Set(Some(Utc::now())),
        expires_at: Set(signed
            .json
            .get("validUntil")
            .and_then(serde_json::Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))),
        ..Default::default()
    }
    .insert(&*txn)
    .await;
    let award = match inserted {
        Ok(a) => a,
        // Another award of the same badge to the same recipient committed first (the
        // partial unique indexes): this one rolls back, signature and status entry too.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            drop(txn);
            return match held(db, req.badge_id, req.recipient.user_id(), &email).await? {
                Some(existing) => Ok(Issued::AlreadyHeld(existing)),
                None => Err(e.into()),
            };
        }
        Err(e) => return Err(e.into()),
    };
    // A new badge may complete a program's stack. Program credentials (and re-issues)
    // do not start another round: `complete_programs` loops until nothing more stacks.
    if let Some(user_id) = award.user_id
        && req.source != award::SOURCE_STACKING
        && req.source != award::SOURCE_REISSUE
    {
        Box::pin(stacking::complete_programs_at(
            &*txn,
            settings,
            user_id,
            Some(inst.id),
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(Issued::New(award))
}

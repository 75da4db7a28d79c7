//! What an issuer admin does to an award after issuing it: revoke it (with a reason,
//! and, for a component badge, the program credentials built on it if asked), or
//! re-issue it (a corrected credential from the badge's current version and the
//! recipient's current name, the same evidence, the old one revoked and linked to the
//! new). Each runs in one transaction: status list bits, award rows, notations, the
//! learner's notification and mail commit together or not at all.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, sea_query::Expr,
};
use serde_json::Value;

use super::{AwardRequest, Issued, Recipient, RubricScore};
use crate::error::AppError;
use crate::server::db::begin_write;
use crate::server::entities::{
    award, badge_version, credential, institution, notification, program, program_badge,
    submission, transcript_notation, user,
};
use crate::server::error::ServerResult;
use crate::server::state::Settings;
use crate::server::{issuing, mail};

/// Longest revocation reason (or re-issue note).
pub const MAX_REASON_CHARS: usize = 500;

/// Notification kinds.
pub const KIND_REVOKED: &str = "award_revoked";
pub const KIND_REISSUED: &str = "award_reissued";

/// A trimmed, required, bounded reason.
///
/// # Errors
/// `Invalid` when empty or too long.
pub fn check_reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("Give a reason: the learner will see it."));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(format!(
            "Keep the reason under {MAX_REASON_CHARS} characters."
        )));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::invalid("The reason contains control characters."));
    }
    Ok(reason.to_string())
}

/// The institution's award with this public id (another institution's is not found).
///
/// # Errors
/// `NotFound`; database errors.
pub async fn find(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    public_id: &str,
) -> ServerResult<award::Model> {
    let id = uuid::Uuid::try_parse(public_id.trim()).map_err(|_| AppError::NotFound)?;
    award::Entity::find()
        .filter(award::Column::PublicId.eq(id))
        .filter(award::Column::InstitutionId.eq(inst.id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The unrevoked program credentials of the same learner that stack this award's
/// badge (what revoking it may take along).
///
/// # Errors
/// Database errors.
pub async fn dependents(
    db: &impl ConnectionTrait,
    a: &award::Model,
) -> ServerResult<Vec<award::Model>> {
    let program_ids: Vec<i32> = program_badge::Entity::find()
        .select_only()
        .column(program_badge::Column::ProgramId)
        .filter(program_badge::Column::BadgeId.eq(a.badge_id))
        .into_tuple()
        .all(db)
        .await?;
    if program_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = award::Entity::find()
        .filter(award::Column::ProgramId.is_in(program_ids))
        .filter(award::Column::RevokedAt.is_null())
        .filter(award::Column::Id.ne(a.id));
    q = match a.user_id {
        Some(user_id) => q.filter(award::Column::UserId.eq(user_id)),
        None => q.filter(award::Column::RecipientEmail.eq(a.recipient_email.clone())),
    };
    let found = q.all(db).await?;
    // A program credential is the award of the program's own badge.
    let programs = program::Entity::find()
        .filter(program::Column::Id.is_in(found.iter().filter_map(|d| d.program_id)))
        .all(db)
        .await?;
    Ok(found
        .into_iter()
        .filter(|d| {
            programs
                .iter()
                .any(|p| Some(p.id) == d.program_id && p.program_badge_id == Some(d.badge_id))
        })
        .collect())
}

/// What [`revoke`] did.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// The awards revoked: the one asked for first, then program credentials.
    pub awards: Vec<award::Model>,
    /// How many transcript notations were revoked with them.
    pub notations: usize,
}

/// Revokes an award of `inst` with a reason. When the award's badge is a component of
/// program credentials the learner holds, `also_programs` must say whether those (and
/// their transcript notations) go too: `None` then is refused with a question. Revoking
/// a program credential always revokes its notation.
///
/// # Errors
/// `Invalid` for a missing reason, an award already revoked, or an unanswered cascade
/// question; `NotFound` for another institution's award; database and signing errors.
pub async fn revoke(
    db: &DatabaseConnection,
    settings: &Settings,
    inst: &institution::Model,
    actor: Option<i32>,
    award_public_id: &str,
    reason: &str,
    also_programs: Option<bool>,
) -> ServerResult<Revoked> {
    let reason = check_reason(reason)?;
    let txn = begin_write(db).await?;
    // Revocations and signing of one institution take turns (see `issuing`).
    institution::Entity::find_by_id(inst.id)
        .lock_exclusive()
        .one(&*txn)
        .await?;
    let a = find(&*txn, inst, award_public_id).await?;
    if a.revoked_at.is_some() {
        return Err(AppError::invalid("This badge was already revoked.").into());
    }
    let deps = dependents(&*txn, &a).await?;
    let cascade = match (deps.is_empty(), also_programs) {
        (true, _) => false,
        (false, Some(choice)) => choice,
        (false, None) => {
            return Err(AppError::invalid(
                "This badge is part of a program credential the learner holds: choose whether to revoke the program credential and its transcript notation too.",
            )
            .into());
        }
    };
    let mut revoked = vec![revoke_one(&txn, settings, &a, &reason, actor).await?];
    let mut notations = revoke_notations(&*txn, &a, &reason).await?;
    if cascade {
        let why = format!("{reason} (a badge of this program was revoked)");
        for d in &deps {
            revoked.push(revoke_one(&txn, settings, d, &why, actor).await?);
            notations += revoke_notations(&*txn, d, &why).await?;
        }
    }
    for r in &revoked {
        tell_learner(
            &*txn,
            settings,
            r,
            Told::Revoked(r.revocation_reason.as_deref()),
        )
        .await?;
    }
    txn.commit().await?;
    mail::wake();
    tracing::info!(
        institution = %inst.slug,
        award = %a.public_id,
        revoked = revoked.len(),
        notations,
        actor,
        "award revoked"
    );
    Ok(Revoked {
        awards: revoked,
        notations,
    })
}

/// Marks one award revoked (once: a racing revocation finds it revoked) and flips its
/// status list bit.
async fn revoke_one(
    txn: &sea_orm::DatabaseTransaction,
    settings: &Settings,
    a: &award::Model,
    reason: &str,
    actor: Option<i32>,
) -> ServerResult<award::Model> {
    let now = Utc::now();
    let done = award::Entity::update_many()
        .col_expr(award::Column::RevokedAt, Expr::value(now))
        .col_expr(award::Column::RevocationReason, Expr::value(reason))
        .col_expr(award::Column::RevokedBy, Expr::value(actor))
        .col_expr(
            award::Column::Standing,
            Expr::value(openbadges::verify::Standing::Revoked.as_str()),
        )
        .col_expr(award::Column::CheckedAt, Expr::value(now))
        .filter(award::Column::Id.eq(a.id))
        .filter(award::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::invalid("This badge was already revoked.").into());
    }
    let cred = credential::Entity::find_by_id(a.credential_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    issuing::revoke(txn, settings, &cred.credential_id, reason).await?;
    award::Entity::find_by_id(a.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// Revokes the active notations recorded for a program award.
async fn revoke_notations(
    txn: &impl ConnectionTrait,
    a: &award::Model,
    reason: &str,
) -> ServerResult<usize> {
    // By award, whatever made it: a program badge awarded directly (bulk, a capstone)
    // carries its notation too.
    let done = transcript_notation::Entity::update_many()
        .col_expr(
            transcript_notation::Column::RevokedAt,
            Expr::value(Utc::now()),
        )
        .col_expr(
            transcript_notation::Column::RevocationReason,
            Expr::value(reason),
        )
        .filter(transcript_notation::Column::AwardId.eq(a.id))
        .filter(transcript_notation::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(usize::try_from(done.rows_affected).unwrap_or(usize::MAX))
}

enum Told<'a> {
    Revoked(Option<&'a str>),
    Reissued,
}

/// The learner's notification (with an account) and mail (always), in the caller's
/// transaction.
async fn tell_learner(
    txn: &impl ConnectionTrait,
    settings: &Settings,
    a: &award::Model,
    what: Told<'_>,
) -> ServerResult<()> {
    let name = badge_version::Entity::find_by_id(a.badge_version_id)
        .one(txn)
        .await?
        .map(|v| v.name)
        .unwrap_or_else(|| "a badge".into());
    let (kind, title, body) = match what {
        Told::Revoked(reason) => (
            KIND_REVOKED,
            format!("Your badge \"{name}\" was revoked"),
            format!(
                "The issuer revoked your badge \"{name}\". Reason: {}",
                reason.unwrap_or("none given")
            ),
        ),
        Told::Reissued => (
            KIND_REISSUED,
            format!("Your badge \"{name}\" was re-issued"),
            format!(
                "The issuer re-issued your badge \"{name}\" with corrections. The new credential replaces the old one, which no longer verifies as active."
            ),
        ),
    };
    let mut to = a.recipient_email.clone();
    if let Some(user_id) = a.user_id {
        if let Some(u) = user::Entity::find_by_id(user_id).one(txn).await? {
            to = u.email;
        }
        notification::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind.to_string()),
            title: Set(title.chars().take(200).collect()),
            body: Set(body.clone()),
            link: Set("/portfolio".into()),
            read_at: Set(None),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    let subject: String = title.chars().take(150).collect();
    mail::enqueue(
        txn,
        mail::Mail {
            to,
            subject,
            text: format!(
                "{body}\n\nSee your badges: {}/portfolio\n",
                settings.public_url
            ),
        },
    )
    .await
}

/// Re-issues an award of `inst`: revokes it ("Re-issued: {note}") and issues a corrected
/// credential from the badge's current version, to the recipient's current address and
/// name (`name`, when not empty, is the admin's correction), with the old credential's
/// evidence and the same rubric result; the old award points to the new one
/// (`replaced_by`), and a program credential's notation moves to the new award.
///
/// # Errors
/// `Invalid` for a missing note, a revoked award or a bad name; `NotFound` for another
/// institution's award; database and signing errors.
pub async fn reissue(
    db: &DatabaseConnection,
    settings: &Settings,
    inst: &institution::Model,
    actor: Option<i32>,
    award_public_id: &str,
    name: &str,
    note: &str,
) -> ServerResult<award::Model> {
    let note = check_reason(note)
        .map_err(|_| AppError::invalid("Say what the re-issue corrects (up to 500 characters)."))?;
    let reason = format!("Re-issued: {note}");
    let name = name.trim();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::invalid("Give the name in at most 200 characters.").into());
    }
    let txn = begin_write(db).await?;
    institution::Entity::find_by_id(inst.id)
        .lock_exclusive()
        .one(&*txn)
        .await?;
    let old = find(&*txn, inst, award_public_id).await?;
    if old.revoked_at.is_some() {
        return Err(AppError::invalid("A revoked badge cannot be re-issued.").into());
    }
    let old_cred = credential::Entity::find_by_id(old.credential_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let evidence = serde_json::from_str::<Value>(&old_cred.json)
        .ok()
        .and_then(|v| v.get("evidence").cloned())
        .filter(|e| !e.is_null());
    let rubric: Vec<RubricScore> = match old.submission_id {
        Some(id) => submission::Entity::find_by_id(id)
            .one(&*txn)
            .await?
            .and_then(|s| s.rubric_result)
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let recipient = match old.user_id {
        Some(user_id) => {
            let u = user::Entity::find_by_id(user_id)
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound)?;
            Recipient::User {
                user_id,
                email: u.email,
                name: if name.is_empty() {
                    u.display_name
                } else {
                    name.to_string()
                },
            }
        }
        None => Recipient::Email {
            email: old.recipient_email.clone(),
            name: if name.is_empty() {
                old.recipient_name.clone()
            } else {
                name.to_string()
            },
        },
    };
    revoke_one(&txn, settings, &old, &reason, actor).await?;
    let issued = super::issue_with_evidence(
        &*txn,
        settings,
        AwardRequest {
            badge_id: old.badge_id,
            recipient,
            narrative: None,
            rubric,
            evidence: Vec::new(),
            program_id: old.program_id,
            submission_id: old.submission_id,
            bulk_row_id: old.bulk_row_id,
            source: award::SOURCE_REISSUE,
            awarded_by: actor,
        },
        evidence,
    )
    .await?;
    let new = match issued {
        Issued::New(a) => a,
        Issued::AlreadyHeld(_) => {
            return Err(AppError::invalid("The learner already holds this badge again.").into());
        }
    };
    award::Entity::update_many()
        .col_expr(award::Column::ReplacedBy, Expr::value(new.id))
        .filter(award::Column::Id.eq(old.id))
        .exec(&*txn)
        .await?;
    transcript_notation::Entity::update_many()
        .col_expr(transcript_notation::Column::AwardId, Expr::value(new.id))
        .col_expr(
            transcript_notation::Column::LearnerName,
            Expr::value(new.recipient_name.clone()),
        )
        .filter(transcript_notation::Column::AwardId.eq(old.id))
        .filter(transcript_notation::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    tell_learner(&*txn, settings, &new, Told::Reissued).await?;
    txn.commit().await?;
    mail::wake();
    tracing::info!(institution = %inst.slug, old = %old.public_id, new = %new.public_id, actor, "award re-issued");
    Ok(new)
}

/// The program a program award is for (its name), if any.
///
/// # Errors
/// Database errors.
pub async fn program_of(
    db: &impl ConnectionTrait,
    a: &award::Model,
) -> ServerResult<Option<program::Model>> {
    match a.program_id {
        Some(id) => Ok(program::Entity::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

//! Stacking: a learner who holds every component badge of a program (and whose
//! capstone, if the program asks for one, is approved) receives the program's
//! credential automatically; a credit-bearing program also records a transcript
//! notation.
//!
//! Decisions:
//! - **Enrollment is not required.** A program completes for anyone who holds all its
//!   component badges: badges can arrive by bulk award or before enrolling, and the
//!   program credential says what the learner holds, not which form they filled in.
//! - **When it runs**: after every new award to an account ([`super::issue`] calls it in
//!   the award's transaction, for the badge's institution), and when pending awards are
//!   claimed ([`super::claims`]). It loops until nothing more stacks (a program badge may
//!   itself be a component of a larger program), without recursion: program credentials
//!   are issued with `SOURCE_STACKING`, which does not call back here.
//! - **Race-safe**: the institution's row is locked (PostgreSQL; SQLite write
//!   transactions are exclusive) before the learner's badges are read. Signing a
//!   credential takes the same lock, so two component awards committing at once are
//!   seen one after the other: the second sees the first and completes the program.
//!   The partial unique indexes (one unrevoked award of a badge per learner, one active
//!   notation per learner and program) hold anyway.
//! - **A revoked program credential stays revoked**: it is not awarded again until one
//!   of the component badges is awarded again after the revocation.
//! - **Components changed later**: nothing happens to credentials already awarded (they
//!   say what the learner held). A learner who holds the new stack receives the program
//!   credential the next time stacking runs for them (their next award or claim); there
//!   is no sweep over all learners when a program is edited.
//! - **Capstone**: a program whose `capstone_evidence` is not empty also needs the
//!   learner's submission for the program badge itself to be `approved`. Should the
//!   program badge have been awarded on its own (an approval of that submission that
//!   called `issue` directly), completing the stack still records the notation.

use std::collections::{BTreeSet, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};

use super::{AwardRequest, Issued, Recipient};
use crate::error::AppError;
use crate::server::db::{BeginWrite, begin_write};
use crate::server::entities::{
    award, badge, badge_version, institution, program, program_badge, submission,
    transcript_notation, user,
};
use crate::server::error::ServerResult;
use crate::server::state::Settings;

/// Rounds of stacking in one call (a program of programs of programs…).
const MAX_ROUNDS: usize = 8;

/// Awards every program credential this learner has now completed (and records the
/// notations), inside the caller's transaction or one of its own. Returns the new
/// program awards.
///
/// # Errors
/// Database and signing errors.
pub async fn complete_programs<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
) -> ServerResult<Vec<Issued>> {
    complete_programs_at(db, settings, user_id, None).await
}

/// [`complete_programs`], limited to the programs of one institution when
/// `institution_id` is given (an award of that institution's badge can only complete
/// its programs; the caller already holds that institution's lock, and taking no
/// other keeps lock order simple).
///
/// # Errors
/// Database and signing errors.
pub async fn complete_programs_at<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
    institution_id: Option<i32>,
) -> ServerResult<Vec<Issued>> {
    let txn = begin_write(db).await?;
    let Some(learner) = user::Entity::find_by_id(user_id).one(&*txn).await? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut locked: BTreeSet<i32> = BTreeSet::new();
    for _ in 0..MAX_ROUNDS {
        let programs = candidates(&*txn, user_id, institution_id).await?;
        if programs.is_empty() {
            break;
        }
        // Lock the institutions first (in id order), then read what the learner holds.
        let institutions: BTreeSet<i32> = programs.iter().map(|p| p.institution_id).collect();
        for id in institutions.difference(&locked.clone()) {
            institution::Entity::find_by_id(*id)
                .lock_exclusive()
                .one(&*txn)
                .await?;
            locked.insert(*id);
        }
        let held = held_awards(&*txn, user_id).await?;
        let mut progressed = false;
        for p in &programs {
            if let Some(issued) = complete_one(&txn, settings, &learner, p, &held).await? {
                out.push(issued);
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    txn.commit().await?;
    Ok(out)
}

/// Programs (with a program badge) that stack at least one badge the learner holds.
async fn candidates(
    db: &impl ConnectionTrait,
    user_id: i32,
    institution_id: Option<i32>,
) -> ServerResult<Vec<program::Model>> {
    let badge_ids: Vec<i32> = award::Entity::find()
        .select_only()
        .column(award::Column::BadgeId)
        .filter(award::Column::UserId.eq(user_id))
        .filter(award::Column::RevokedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    if badge_ids.is_empty() {
        return Ok(Vec::new());
    }
    let program_ids: Vec<i32> = program_badge::Entity::find()
        .select_only()
        .column(program_badge::Column::ProgramId)
        .filter(program_badge::Column::BadgeId.is_in(badge_ids))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    if program_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = program::Entity::find()
        .filter(program::Column::Id.is_in(program_ids))
        .filter(program::Column::ProgramBadgeId.is_not_null());
    if let Some(id) = institution_id {
        q = q.filter(program::Column::InstitutionId.eq(id));
    }
    Ok(q.order_by_asc(program::Column::Id).all(db).await?)
}

/// Every award the learner holds or held.
async fn held_awards(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<Vec<award::Model>> {
    Ok(award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .all(db)
        .await?)
}

/// Awards one program's credential if the learner completed it; records the notation.
async fn complete_one(
    txn: &sea_orm::DatabaseTransaction,
    settings: &Settings,
    learner: &user::Model,
    p: &program::Model,
    awards: &[award::Model],
) -> ServerResult<Option<Issued>> {
    let Some(program_badge_id) = p.program_badge_id else {
        return Ok(None);
    };
    let components: Vec<i32> = program_badge::Entity::find()
        .filter(program_badge::Column::ProgramId.eq(p.id))
        .order_by_asc(program_badge::Column::Position)
        .all(txn)
        .await?
        .into_iter()
        .map(|c| c.badge_id)
        .filter(|id| *id != program_badge_id)
        .collect();
    if components.is_empty() {
        return Ok(None);
    }
    let active: HashSet<i32> = awards
        .iter()
        .filter(|a| a.revoked_at.is_none())
        .map(|a| a.badge_id)
        .collect();
    if !components.iter().all(|id| active.contains(id)) {
        return Ok(None);
    }
    let capstone = if p.capstone_evidence.trim().is_empty() {
        None
    } else {
        let approved = submission::Entity::find()
            .filter(submission::Column::UserId.eq(learner.id))
            .filter(submission::Column::BadgeId.eq(program_badge_id))
            .filter(submission::Column::State.eq(submission::STATE_APPROVED))
            .one(txn)
            .await?;
        match approved {
            Some(s) => Some(s),
            None => return Ok(None),
        }
    };

    // Already holds the program badge: at most the notation is missing.
    if let Some(held) = awards
        .iter()
        .find(|a| a.badge_id == program_badge_id && a.revoked_at.is_none())
    {
        record_notation(txn, learner, p, held).await?;
        return Ok(None);
    }
    // Revoked (and not re-issued) since the last component arrived: stays revoked.
    let last_component = awards
        .iter()
        .filter(|a| a.revoked_at.is_none() && components.contains(&a.badge_id))
        .map(|a| a.awarded_at)
        .max();
    let last_revocation = awards
        .iter()
        .filter(|a| a.badge_id == program_badge_id && a.replaced_by.is_none())
        .filter_map(|a| a.revoked_at)
        .max();
    if let (Some(revoked), Some(component)) = (last_revocation, last_component)
        && revoked >= component
    {
        return Ok(None);
    }

    let names = component_names(txn, &components).await?;
    let narrative = format!(
        "Completed the program \"{}\" by earning all of its badges: {}.",
        p.name,
        names.join(", ")
    );
    let issued = super::issue(
        txn,
        settings,
        AwardRequest {
            badge_id: program_badge_id,
            recipient: Recipient::User {
                user_id: learner.id,
                email: learner.email.clone(),
                name: learner.display_name.clone(),
            },
            narrative: Some(narrative),
            rubric: Vec::new(),
            evidence: Vec::new(),
            program_id: Some(p.id),
            submission_id: capstone.map(|s| s.id),
            bulk_row_id: None,
            source: award::SOURCE_STACKING,
            awarded_by: None,
        },
    )
    .await?;
    record_notation(txn, learner, p, issued.award()).await?;
    Ok(match issued {
        Issued::New(_) => Some(issued),
        Issued::AlreadyHeld(_) => None,
    })
}

/// The badges' names, as their current versions say.
async fn component_names(db: &impl ConnectionTrait, ids: &[i32]) -> ServerResult<Vec<String>> {
    let badges = badge::Entity::find()
        .filter(badge::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let mut names = Vec::new();
    for id in ids {
        let b = badges
            .iter()
            .find(|b| b.id == *id)
            .ok_or(AppError::NotFound)?;
        let v = badge_version::Entity::find()
            .filter(badge_version::Column::BadgeId.eq(b.id))
            .filter(badge_version::Column::Version.eq(b.current_version))
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        names.push(v.name);
    }
    Ok(names)
}

/// The transcript notation of a credit-bearing program (once: an active notation of
/// this learner and program is kept).
async fn record_notation(
    txn: &sea_orm::DatabaseTransaction,
    learner: &user::Model,
    p: &program::Model,
    program_award: &award::Model,
) -> ServerResult<()> {
    if !p.credit_bearing {
        return Ok(());
    }
    let existing = transcript_notation::Entity::find()
        .filter(transcript_notation::Column::UserId.eq(learner.id))
        .filter(transcript_notation::Column::ProgramId.eq(p.id))
        .filter(transcript_notation::Column::RevokedAt.is_null())
        .one(txn)
        .await?;
    if existing.is_some() {
        return Ok(());
    }
    // A savepoint: on PostgreSQL a failed statement would end the whole transaction.
    let sp = begin_write(txn).await?;
    let inserted = transcript_notation::ActiveModel {
        user_id: Set(Some(learner.id)),
        program_id: Set(p.id),
        institution_id: Set(p.institution_id),
        award_id: Set(program_award.id),
        learner_name: Set(program_award.recipient_name.clone()),
        learner_email: Set(program_award.recipient_email.clone()),
        credits: Set(p.credits),
        term: Set(p.terms.clone()),
        recorded_at: Set(Utc::now()),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        ..Default::default()
    }
    .insert(&*sp)
    .await;
    match inserted {
        Ok(_) => sp.commit().await?,
        // Recorded meanwhile by a racing completion: one notation is what we want.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            drop(sp);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

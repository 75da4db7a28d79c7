//! The institution's staff: the review queue, a submission with its evidence and the
//! badge's rubric, and the decision.
//!
//! A decision is one write transaction: the conditional state change (only one of two
//! reviewers acting at once gets past it), the audit entry, the learner's notification
//! and e-mail (outbox) and, for an approval, the award (`awards::issue`, signed inside
//! this transaction) or, for a program's capstone, the program's completion
//! (`awards::stacking::complete_programs`). Anything failing rolls all of it back.

use std::collections::HashMap;

use chrono::{SecondsFormat, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr,
};

use super::{Context, EvidenceError, MAX_FEEDBACK_CHARS, items_of, parse_id, record, transition};
use crate::error::AppError;
use crate::model::evidence::{FilterChoice, QueueRow, ReviewQueue, SubmissionView};
use crate::server::Settings;
use crate::server::authz::{self, Action, Actor};
use crate::server::awards::{self, AwardRequest, EvidencePiece, Recipient, RubricScore};
use crate::server::catalog::{badges, institutions};
use crate::server::db::begin_write;
use crate::server::entities::{
    award, badge, evidence_item, institution, program, submission, user,
};
use crate::server::error::ServerResult;
use crate::server::mail::{self, Mail};
use crate::server::notifications::{self, NewNotification};

/// States waiting for a reviewer.
const WAITING: [&str; 2] = [submission::STATE_SUBMITTED, submission::STATE_RESUBMITTED];

/// The institution with this slug, if the actor reviews for it.
async fn reviewed_institution(
    db: &impl ConnectionTrait,
    actor: &Actor,
    slug: &str,
) -> ServerResult<institution::Model> {
    if !actor.is_signed_in() {
        return Err(AppError::Unauthenticated.into());
    }
    let inst = institutions::by_slug(db, slug).await?;
    authz::authorize(
        actor,
        Action::ReviewFor {
            institution_id: inst.id,
        },
    )?;
    Ok(inst)
}

/// The review queue: submissions for the institution's badges, filtered by program
/// slug and badge public id (empty: all), waiting ones first (oldest first), then the
/// decided ones (newest first). Drafts are the learner's own and never listed.
///
/// # Errors
/// `Unauthenticated`/`Forbidden`/`NotFound`; database errors.
pub async fn queue(
    db: &DatabaseConnection,
    settings: &Settings,
    actor: &Actor,
    inst_slug: &str,
    program_filter: &str,
    badge_filter: &str,
) -> ServerResult<ReviewQueue> {
    let inst = reviewed_institution(db, actor, inst_slug).await?;
    let inst_badges = badge::Entity::find()
        .filter(badge::Column::InstitutionId.eq(inst.id))
        .all(db)
        .await?;
    let views = badges::views(db, settings, &inst_badges).await?;
    let inst_programs = program::Entity::find()
        .filter(program::Column::InstitutionId.eq(inst.id))
        .all(db)
        .await?;
    let mut q = submission::Entity::find()
        .filter(submission::Column::BadgeId.is_in(inst_badges.iter().map(|b| b.id)))
        .filter(submission::Column::State.ne(submission::STATE_DRAFT));
    if !program_filter.trim().is_empty() {
        let p = inst_programs
            .iter()
            .find(|p| p.slug == program_filter.trim())
            .ok_or(AppError::NotFound)?;
        q = q.filter(submission::Column::ProgramId.eq(p.id));
    }
    if !badge_filter.trim().is_empty() {
        let id = parse_id(badge_filter)?;
        let b = inst_badges
            .iter()
            .find(|b| b.public_id == id)
            .ok_or(AppError::NotFound)?;
        q = q.filter(submission::Column::BadgeId.eq(b.id));
    }
    let mut subs = q.all(db).await?;
    subs.sort_by(|a, b| {
        let wa = WAITING.contains(&a.state.as_str());
        let wb = WAITING.contains(&b.state.as_str());
        wb.cmp(&wa).then_with(|| {
            if wa {
                a.submitted_at.cmp(&b.submitted_at)
            } else {
                b.updated_at.cmp(&a.updated_at)
            }
        })
    });
    let user_ids: Vec<i32> = subs.iter().map(|s| s.user_id).collect();
    let names: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let badge_name = |id: i32| views.get(&id).map(|v| v.name.clone()).unwrap_or_default();
    let rows = subs
        .iter()
        .map(|s| QueueRow {
            public_id: s.public_id.to_string(),
            learner: names.get(&s.user_id).cloned().unwrap_or_default(),
            badge: badge_name(s.badge_id),
            program: s
                .program_id
                .and_then(|id| inst_programs.iter().find(|p| p.id == id))
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            state: s.state.clone(),
            submitted_at: s
                .submitted_at
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
                .unwrap_or_default(),
        })
        .collect();
    let mut badge_choices: Vec<FilterChoice> = inst_badges
        .iter()
        .map(|b| FilterChoice {
            value: b.public_id.to_string(),
            label: badge_name(b.id),
        })
        .collect();
    badge_choices.sort_by(|a, b| a.label.cmp(&b.label));
    let mut program_choices: Vec<FilterChoice> = inst_programs
        .iter()
        .map(|p| FilterChoice {
            value: p.slug.clone(),
            label: p.name.clone(),
        })
        .collect();
    program_choices.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(ReviewQueue {
        institution_slug: inst.slug,
        institution_name: inst.name,
        programs: program_choices,
        badges: badge_choices,
        rows,
    })
}

/// A submission of the institution (not a draft), with its context. Another
/// institution's submission is "not found".
async fn institution_submission(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    public_id: &str,
) -> ServerResult<(submission::Model, Context)> {
    let id = parse_id(public_id)?;
    let sub = submission::Entity::find()
        .filter(submission::Column::PublicId.eq(id))
        .one(db)
        .await?
        .filter(|s| s.state != submission::STATE_DRAFT)
        .ok_or(AppError::NotFound)?;
    let b = badge::Entity::find_by_id(sub.badge_id)
        .one(db)
        .await?
        .filter(|b| b.institution_id == inst.id)
        .ok_or(AppError::NotFound)?;
    let p = match sub.program_id {
        Some(id) => program::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    // A capstone only where the learner's own program asks for one (as the learner's
    // side decides): a badge that is some other program's own badge is awarded as usual.
    let is_capstone = p.as_ref().is_some_and(|p| {
        p.program_badge_id == Some(b.id) && !p.capstone_evidence.trim().is_empty()
    });
    Ok((
        sub,
        Context {
            inst: inst.clone(),
            badge: b,
            program: p,
            is_capstone,
        },
    ))
}

/// A submission for its reviewer.
///
/// # Errors
/// `Unauthenticated`/`Forbidden`/`NotFound`; database errors.
pub async fn open(
    db: &DatabaseConnection,
    settings: &Settings,
    actor: &Actor,
    inst_slug: &str,
    public_id: &str,
) -> ServerResult<SubmissionView> {
    let inst = reviewed_institution(db, actor, inst_slug).await?;
    let (sub, ctx) = institution_submission(db, &inst, public_id).await?;
    let learner = user::Entity::find_by_id(sub.user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    super::view(db, settings, &ctx, Some(&sub), &learner.display_name).await
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    RequestChanges,
    Reject,
}

impl Decision {
    /// From the form's value.
    ///
    /// # Errors
    /// `Invalid` for anything else.
    pub fn parse(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "approve" => Ok(Self::Approve),
            "request_changes" => Ok(Self::RequestChanges),
            "reject" => Ok(Self::Reject),
            _ => Err(AppError::invalid(
                "Choose whether to approve, request changes or reject.",
            )),
        }
    }

    fn to_state(self) -> &'static str {
        match self {
            Self::Approve => submission::STATE_APPROVED,
            Self::RequestChanges => submission::STATE_CHANGES_REQUESTED,
            Self::Reject => submission::STATE_REJECTED,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::RequestChanges => "sent back for changes",
            Self::Reject => "rejected",
        }
    }
}

/// Reads the scores (one level name per rubric criterion, in order) against the rubric.
/// An approval needs every criterion scored; other decisions may leave them out.
fn scores(
    rubric: &[crate::model::catalog::RubricCriterion],
    levels: &[String],
    require_all: bool,
) -> Result<Vec<RubricScore>, AppError> {
    let mut out = Vec::new();
    for (i, c) in rubric.iter().enumerate() {
        let chosen = levels.get(i).map(|s| s.trim()).unwrap_or_default();
        if chosen.is_empty() {
            if require_all {
                return Err(AppError::invalid(format!(
                    "Score \"{}\" before approving: choose one of its levels.",
                    c.name
                )));
            }
            continue;
        }
        let level = c.levels.iter().find(|l| l.name == chosen).ok_or_else(|| {
            AppError::invalid(format!("\"{chosen}\" is not a level of \"{}\".", c.name))
        })?;
        out.push(RubricScore {
            criterion: c.name.clone(),
            level: level.name.clone(),
            points: level.points,
        });
    }
    Ok(out)
}

/// Decides a waiting submission.
///
/// # Errors
/// `Unauthenticated`/`Forbidden`/`NotFound`; `Invalid` for missing scores or feedback,
/// one's own submission, or a submission already decided (by someone else, maybe at
/// this very moment); signing and database errors (then nothing changed).
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
pub async fn decide(
    db: &DatabaseConnection,
    settings: &Settings,
    actor: &Actor,
    inst_slug: &str,
    public_id: &str,
    decision: Decision,
    feedback: &str,
    levels: &[String],
) -> ServerResult<()> {
    let inst = reviewed_institution(db, actor, inst_slug).await?;
    let reviewer = actor.user().ok_or(AppError::Unauthenticated)?;
    let feedback = feedback.trim().replace("\r\n", "\n");
    if feedback.chars().count() > MAX_FEEDBACK_CHARS {
        return Err(AppError::invalid(format!(
            "Feedback may be at most {MAX_FEEDBACK_CHARS} characters long."
        ))
        .into());
    }
    if decision != Decision::Approve && feedback.is_empty() {
        return Err(AppError::invalid(
            "Tell the learner why: write feedback when requesting changes or rejecting.",
        )
        .into());
    }
    let txn = begin_write(db).await?;
    let (sub, ctx) = institution_submission(&*txn, &inst, public_id).await?;
    if sub.user_id == reviewer.id {
        return Err(AppError::invalid("You cannot review your own evidence.").into());
    }
    let rubric = badges::views(&*txn, settings, std::slice::from_ref(&ctx.badge))
        .await?
        .remove(&ctx.badge.id)
        .map(|v| v.rubric)
        .unwrap_or_default();
    let scored = scores(&rubric, levels, decision == Decision::Approve)?;
    let to = decision.to_state();
    let rubric_json = (!scored.is_empty())
        .then(|| serde_json::to_string(&scored).ok())
        .flatten();
    let now = Utc::now();
    let feedback_value = (!feedback.is_empty()).then(|| feedback.clone());
    // The gate: only one decision gets past it.
    let moved = transition(&*txn, sub.id, &WAITING, to, |u| {
        u.col_expr(submission::Column::Feedback, Expr::value(feedback_value))
            .col_expr(submission::Column::RubricResult, Expr::value(rubric_json))
            .col_expr(submission::Column::DecidedAt, Expr::value(now))
            .col_expr(submission::Column::DecidedBy, Expr::value(reviewer.id))
    })
    .await?;
    if !moved {
        let current = submission::Entity::find_by_id(sub.id)
            .one(&*txn)
            .await?
            .map(|s| s.state)
            .unwrap_or_default();
        return Err(
            EvidenceError::WrongState(super::state_words(&current), decision.verb()).into(),
        );
    }
    let detail = if feedback.is_empty() {
        format!("{} the evidence.", capitalized(decision.verb()))
    } else {
        format!("{}: {feedback}", capitalized(decision.verb()))
    };
    record(
        &*txn,
        sub.id,
        Some(reviewer.id),
        match decision {
            Decision::Approve => "approved",
            Decision::RequestChanges => "changes_requested",
            Decision::Reject => "rejected",
        },
        Some((sub.state.as_str(), to)),
        &detail,
    )
    .await?;
    let learner = user::Entity::find_by_id(sub.user_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let badge_name = badges::views(&*txn, settings, std::slice::from_ref(&ctx.badge))
        .await?
        .remove(&ctx.badge.id)
        .map(|v| v.name)
        .unwrap_or_default();
    if decision == Decision::Approve {
        if ctx.is_capstone {
            // The program's own badge is awarded by stacking, once every component is
            // held too (it may be now, or later).
            awards::stacking::complete_programs(&*txn, settings, learner.id).await?;
        } else {
            let items = items_of(&*txn, sub.id).await?;
            let evidence = items
                .iter()
                .filter(|i| i.include_in_credential)
                .map(|i| piece(settings, i))
                .collect();
            awards::issue(
                &*txn,
                settings,
                AwardRequest {
                    badge_id: ctx.badge.id,
                    recipient: recipient(&learner),
                    narrative: (!sub.narrative.trim().is_empty()).then(|| sub.narrative.clone()),
                    rubric: scored,
                    evidence,
                    // Only a program's own credential names its program (stacking
                    // and revocation tell program credentials apart by it).
                    program_id: None,
                    submission_id: Some(sub.id),
                    bulk_row_id: None,
                    source: award::SOURCE_REVIEW,
                    awarded_by: Some(reviewer.id),
                },
            )
            .await?;
        }
    }
    let link = match &ctx.program {
        Some(p) => format!("/learn/{}/{}", p.slug, ctx.badge.public_id),
        None => "/notifications".to_string(),
    };
    let (title, sentence) = match decision {
        Decision::Approve => (
            format!("Approved: {badge_name}"),
            format!(
                "Your evidence for \"{badge_name}\" was approved by {}.",
                inst.name
            ),
        ),
        Decision::RequestChanges => (
            format!("Changes requested: {badge_name}"),
            format!(
                "{} asks for changes to your evidence for \"{badge_name}\". Make them, then resubmit.",
                inst.name
            ),
        ),
        Decision::Reject => (
            format!("Not approved: {badge_name}"),
            format!(
                "Your evidence for \"{badge_name}\" was not approved by {}.",
                inst.name
            ),
        ),
    };
    let body = if feedback.is_empty() {
        sentence.clone()
    } else {
        format!("{sentence}\n\nFeedback: {feedback}")
    };
    notifications::notify(
        &*txn,
        NewNotification {
            user_id: learner.id,
            kind: "review",
            title: &title,
            body: &body,
            link: &link,
        },
    )
    .await?;
    let feedback_block = if feedback.is_empty() {
        String::new()
    } else {
        format!("Feedback from the reviewer:\n\n{feedback}\n\n")
    };
    mail::enqueue(
        &*txn,
        Mail {
            to: learner.email.clone(),
            subject: title.clone(),
            text: format!(
                "Hello {},\n\n{sentence}\n\n{feedback_block}See it on Badgefolio:\n{}\n",
                learner.display_name,
                crate::server::urls::page(&settings.public_url, &link)
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Whom an approval awards: the learner's account when its address is confirmed;
/// otherwise a pending award to the address, claimed once an account confirms it
/// (nobody gets a credential naming an address they have not proven is theirs).
fn recipient(learner: &user::Model) -> Recipient {
    if learner.email_confirmed_at.is_some() {
        Recipient::User {
            user_id: learner.id,
            email: learner.email.clone(),
            name: learner.display_name.clone(),
        }
    } else {
        Recipient::Email {
            email: learner.email.clone(),
            name: learner.display_name.clone(),
        }
    }
}

/// How a piece goes into the credential: by name and digest; its address only when the
/// learner made it public.
pub(crate) fn piece(settings: &Settings, i: &evidence_item::Model) -> EvidencePiece {
    let is_file = i.kind == evidence_item::KIND_FILE;
    EvidencePiece {
        name: i.name.clone(),
        genre: if is_file { "File" } else { "Link" }.to_string(),
        public_url: i.is_public.then(|| {
            if is_file {
                crate::server::urls::page(
                    &settings.public_url,
                    &format!("/evidence/{}", i.public_id),
                )
            } else {
                i.url.clone().unwrap_or_default()
            }
        }),
        sha256: i.sha256.clone(),
        size_bytes: is_file.then_some(i.size_bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::{RubricCriterion, RubricLevel};

    fn rubric() -> Vec<RubricCriterion> {
        vec![RubricCriterion {
            name: "Analysis".into(),
            levels: vec![
                RubricLevel {
                    name: "Strong".into(),
                    points: 2,
                },
                RubricLevel {
                    name: "Weak".into(),
                    points: 1,
                },
            ],
        }]
    }

    #[test]
    fn approvals_score_every_criterion_with_a_level_of_it() {
        assert!(scores(&rubric(), &[], true).is_err());
        assert!(scores(&rubric(), &["Great".into()], true).is_err());
        assert_eq!(scores(&rubric(), &[], false).map(|s| s.len()), Ok(0));
        let s = scores(&rubric(), &["Strong".into()], true).expect("scored");
        assert_eq!((s[0].level.as_str(), s[0].points), ("Strong", 2));
    }
}

//! Evidence and review.
//!
//! Per badge of an enrolled program a learner has one submission (unique per learner
//! and badge) holding pieces of evidence (files and links, in order) and a narrative.
//! Its states run draft → submitted → changes requested → resubmitted → approved or
//! rejected; every transition is one conditional `UPDATE … WHERE state IN (expected)`
//! and is written to `submission_events` in the same transaction, so two people acting
//! at once cannot both move it (two approvals award once).
//!
//! - [`storage`]: where files live; [`upload`]: reading an upload by content;
//! - [`submissions`]: the learner's side; [`review`]: the institution's staff;
//! - [`access`]: who may open a file (everyone else gets 404).

pub mod access;
pub mod review;
pub mod storage;
pub mod submissions;
pub mod upload;

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppError;
use crate::model::evidence::{EventView, ItemView, ScoreView, SubmissionView, state_label};
use crate::server::Settings;
use crate::server::catalog::badges;
use crate::server::entities::{
    badge, evidence_item, institution, program, submission, submission_event, user,
};
use crate::server::error::{ServerError, ServerResult};

/// Longest narrative (characters).
pub const MAX_NARRATIVE_CHARS: usize = 20_000;
/// Longest feedback (characters).
pub const MAX_FEEDBACK_CHARS: usize = 10_000;
/// Most pieces of evidence per submission.
pub const MAX_ITEMS: usize = 30;

/// A user mistake with evidence, phrased for the user.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("The file is larger than {} MB, the most one piece of evidence may be. Nothing was saved.", cap / (1024 * 1024))]
    FileTooLarge { cap: u64 },
    #[error("This file would take your evidence past {} MB in all (you store {} MB). Remove evidence you no longer need, then try again. Nothing was saved.", total / (1024 * 1024), used.div_ceil(1024 * 1024))]
    OverQuota { used: u64, total: u64 },
    #[error("This kind of file cannot be evidence{}. Upload a PDF, an image (PNG, JPEG, GIF, WebP), a video (MP4, WebM, QuickTime) or an office document. Nothing was saved.", seen.as_ref().map(|s| format!(" (its content is {s}, whatever its name says)")).unwrap_or_default())]
    TypeRefused { seen: Option<String> },
    #[error("Only web links (starting with http:// or https://) can be evidence.")]
    LinkRefused,
    #[error("This evidence is {0}: it can no longer be changed.")]
    NotEditable(&'static str),
    #[error("A submission holds at most {MAX_ITEMS} pieces of evidence.")]
    TooManyItems,
    #[error("Add a piece of evidence or write a narrative before you submit.")]
    NothingToSubmit,
    #[error("This submission is {0} and cannot be {1} now.")]
    WrongState(&'static str, &'static str),
}

impl From<EvidenceError> for AppError {
    fn from(e: EvidenceError) -> Self {
        AppError::invalid(e.to_string())
    }
}

impl From<EvidenceError> for ServerError {
    fn from(e: EvidenceError) -> Self {
        ServerError::User(e.into())
    }
}

/// The lower-case label of a state, for sentences.
pub(crate) fn state_words(state: &str) -> &'static str {
    match state {
        submission::STATE_DRAFT => "a draft",
        submission::STATE_SUBMITTED | submission::STATE_RESUBMITTED => "waiting for review",
        submission::STATE_CHANGES_REQUESTED => "waiting for your changes",
        submission::STATE_APPROVED => "approved",
        submission::STATE_REJECTED => "rejected",
        _ => "unknown",
    }
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses a public id; anything else is "not found".
pub(crate) fn parse_id(s: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(s.trim()).map_err(|_| AppError::NotFound)
}

/// The piece's view (a file's URL is its address on this site).
pub(crate) fn item_view(i: &evidence_item::Model) -> ItemView {
    let is_file = i.kind == evidence_item::KIND_FILE;
    let content_type = i.content_type.clone().unwrap_or_default();
    ItemView {
        public_id: i.public_id.to_string(),
        kind: i.kind.clone(),
        name: i.name.clone(),
        url: if is_file {
            format!("/evidence/{}", i.public_id)
        } else {
            i.url.clone().unwrap_or_default()
        },
        preview: if is_file {
            upload::preview_kind(&content_type).to_string()
        } else {
            String::new()
        },
        content_type,
        size_bytes: i.size_bytes,
        sha256: i.sha256.clone().unwrap_or_default(),
        include_in_credential: i.include_in_credential,
        is_public: i.is_public,
    }
}

/// The pieces of a submission, in order.
pub(crate) async fn items_of(
    db: &impl ConnectionTrait,
    submission_id: i32,
) -> ServerResult<Vec<evidence_item::Model>> {
    Ok(evidence_item::Entity::find()
        .filter(evidence_item::Column::SubmissionId.eq(submission_id))
        .order_by_asc(evidence_item::Column::Position)
        .order_by_asc(evidence_item::Column::Id)
        .all(db)
        .await?)
}

/// Where a submission belongs: its badge with institution, and the program it is
/// worked on for.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub inst: institution::Model,
    pub badge: badge::Model,
    pub program: Option<program::Model>,
    /// The badge is the program's own badge (capstone evidence).
    pub is_capstone: bool,
}

/// Builds the view of a submission (or of one not started yet).
pub(crate) async fn view(
    db: &impl ConnectionTrait,
    settings: &Settings,
    ctx: &Context,
    sub: Option<&submission::Model>,
    learner_name: &str,
) -> ServerResult<SubmissionView> {
    let badge_view = badges::views(db, settings, std::slice::from_ref(&ctx.badge))
        .await?
        .remove(&ctx.badge.id)
        .ok_or(AppError::NotFound)?;
    let (items, events) = match sub {
        Some(s) => {
            let items = items_of(db, s.id).await?;
            let events = submission_event::Entity::find()
                .filter(submission_event::Column::SubmissionId.eq(s.id))
                .order_by_asc(submission_event::Column::Id)
                .all(db)
                .await?;
            (items, events)
        }
        None => (Vec::new(), Vec::new()),
    };
    let actor_ids: Vec<i32> = events.iter().filter_map(|e| e.actor_id).collect();
    let names: HashMap<i32, String> = if actor_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(actor_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let scores: Vec<ScoreView> = sub
        .and_then(|s| s.rubric_result.as_deref())
        .and_then(|j| serde_json::from_str::<Vec<crate::server::awards::RubricScore>>(j).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|s| ScoreView {
            criterion: s.criterion,
            level: s.level,
            points: s.points,
        })
        .collect();
    let state = sub.map(|s| s.state.clone()).unwrap_or_default();
    Ok(SubmissionView {
        public_id: sub.map(|s| s.public_id.to_string()).unwrap_or_default(),
        program_slug: ctx
            .program
            .as_ref()
            .map(|p| p.slug.clone())
            .unwrap_or_default(),
        program_name: ctx
            .program
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        institution_slug: ctx.inst.slug.clone(),
        badge_id: ctx.badge.public_id.to_string(),
        badge_name: badge_view.name,
        badge_image_url: badge_view.image_url,
        criteria: badge_view.criteria,
        evidence_required: badge_view.evidence_required,
        rubric: badge_view.rubric,
        is_capstone: ctx.is_capstone,
        capstone_evidence: if ctx.is_capstone {
            ctx.program
                .as_ref()
                .map(|p| p.capstone_evidence.clone())
                .unwrap_or_default()
        } else {
            String::new()
        },
        learner_name: learner_name.to_string(),
        editable: crate::model::evidence::is_editable(&state),
        narrative: sub.map(|s| s.narrative.clone()).unwrap_or_default(),
        feedback: sub.and_then(|s| s.feedback.clone()).unwrap_or_default(),
        scores,
        items: items.iter().map(item_view).collect(),
        events: events
            .iter()
            .map(|e| EventView {
                at: timestamp(e.created_at),
                actor: e
                    .actor_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_else(|| "Badgefolio".into()),
                action: e.action.clone(),
                from_state: e
                    .from_state
                    .as_deref()
                    .map(state_label)
                    .unwrap_or_default()
                    .to_string(),
                to_state: e
                    .to_state
                    .as_deref()
                    .map(state_label)
                    .unwrap_or_default()
                    .to_string(),
                detail: e.detail.clone(),
            })
            .collect(),
        submitted_at: sub
            .and_then(|s| s.submitted_at)
            .map(timestamp)
            .unwrap_or_default(),
        state,
    })
}

/// Records one entry of the audit log (in the caller's transaction).
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    submission_id: i32,
    actor_id: Option<i32>,
    action: &str,
    from_to: Option<(&str, &str)>,
    detail: &str,
) -> ServerResult<()> {
    use sea_orm::{ActiveModelTrait, Set};
    submission_event::ActiveModel {
        submission_id: Set(submission_id),
        actor_id: Set(actor_id),
        action: Set(action.to_string()),
        from_state: Set(from_to.map(|(f, _)| f.to_string())),
        to_state: Set(from_to.map(|(_, t)| t.to_string())),
        detail: Set(detail.chars().take(2000).collect()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Moves a submission from one of `from` to `to` atomically, with other columns set by
/// `extra`; returns whether it moved (it did not when its state was no longer one of
/// `from`, e.g. someone else acted first).
pub(crate) async fn transition(
    db: &impl ConnectionTrait,
    submission_id: i32,
    from: &[&str],
    to: &str,
    extra: impl FnOnce(
        sea_orm::UpdateMany<submission::Entity>,
    ) -> sea_orm::UpdateMany<submission::Entity>,
) -> ServerResult<bool> {
    use sea_orm::sea_query::Expr;
    let update = submission::Entity::update_many()
        .col_expr(submission::Column::State, Expr::value(to))
        .col_expr(submission::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(submission::Column::Id.eq(submission_id))
        .filter(submission::Column::State.is_in(from.iter().copied()));
    let res = extra(update).exec(db).await?;
    Ok(res.rows_affected == 1)
}

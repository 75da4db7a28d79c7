//! The learner's side: the badges of an enrolled program with where each stands, and
//! the evidence of one badge (files, links, narrative, order, what goes into the
//! credential and what is public), submitted and resubmitted for review.
//!
//! Every change runs in one write transaction that first locks the submission row and
//! checks it may still change (draft or changes requested); submitting is a conditional
//! update, so a piece added at the very moment of submitting either makes it in or is
//! refused, never lands on a submission under review.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, sea_query::Expr, sea_query::OnConflict,
};

use super::storage::EvidenceStore;
use super::upload::{Allowance, StoredFile};
use super::{
    Context, EvidenceError, MAX_ITEMS, MAX_NARRATIVE_CHARS, items_of, parse_id, record, transition,
    view,
};
use crate::error::AppError;
use crate::model::evidence::{
    LearnBadge, LearnView, MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_TOTAL_BYTES, SubmissionView,
    is_editable, state_label,
};
use crate::server::Settings;
use crate::server::catalog::{badges, programs};
use crate::server::db::begin_write;
use crate::server::entities::{badge, enrollment, evidence_item, program, submission, user};
use crate::server::error::ServerResult;

/// Where the learner works: the enrolled program with this slug and its badge with this
/// public id (a component badge, or the program's own badge when the program asks for
/// capstone evidence). Anything else, including a program the learner is not enrolled
/// in, is "not found".
pub(crate) async fn learner_context(
    db: &impl ConnectionTrait,
    user_id: i32,
    program_slug: &str,
    badge_id: &str,
) -> ServerResult<Context> {
    let (p, inst) = enrolled_program(db, user_id, program_slug).await?;
    let badge_uuid = parse_id(badge_id)?;
    let b = badge::Entity::find()
        .filter(badge::Column::PublicId.eq(badge_uuid))
        .filter(badge::Column::InstitutionId.eq(inst.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_capstone = has_capstone(&p) && p.program_badge_id == Some(b.id);
    let is_component = programs::components(db, p.id)
        .await?
        .iter()
        .any(|c| c.id == b.id);
    if !is_component && !is_capstone {
        return Err(AppError::NotFound.into());
    }
    Ok(Context {
        inst,
        badge: b,
        program: Some(p),
        is_capstone,
    })
}

fn has_capstone(p: &program::Model) -> bool {
    p.program_badge_id.is_some() && !p.capstone_evidence.trim().is_empty()
}

async fn enrolled_program(
    db: &impl ConnectionTrait,
    user_id: i32,
    slug: &str,
) -> ServerResult<(program::Model, crate::server::entities::institution::Model)> {
    let (p, inst) = programs::by_slug(db, slug).await?;
    let enrolled = enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::ProgramId.eq(p.id))
        .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
        .one(db)
        .await?
        .is_some();
    if !enrolled {
        return Err(AppError::NotFound.into());
    }
    Ok((p, inst))
}

async fn find_own(
    db: &impl ConnectionTrait,
    user_id: i32,
    badge_id: i32,
) -> ServerResult<Option<submission::Model>> {
    Ok(submission::Entity::find()
        .filter(submission::Column::UserId.eq(user_id))
        .filter(submission::Column::BadgeId.eq(badge_id))
        .one(db)
        .await?)
}

/// `/learn/{program}`: the program's badges (and its capstone) with their states.
///
/// # Errors
/// `NotFound` unless the learner is enrolled; database errors.
pub async fn learn(
    db: &DatabaseConnection,
    settings: &Settings,
    user_id: i32,
    slug: &str,
) -> ServerResult<LearnView> {
    let (p, inst) = enrolled_program(db, user_id, slug).await?;
    let mut list = programs::components(db, p.id).await?;
    let mut capstone_id = None;
    if has_capstone(&p)
        && let Some(id) = p.program_badge_id
        && let Some(b) = badge::Entity::find_by_id(id).one(db).await?
    {
        capstone_id = Some(b.id);
        list.push(b);
    }
    let views = badges::views(db, settings, &list).await?;
    let ids: Vec<i32> = list.iter().map(|b| b.id).collect();
    let subs = submission::Entity::find()
        .filter(submission::Column::UserId.eq(user_id))
        .filter(submission::Column::BadgeId.is_in(ids))
        .all(db)
        .await?;
    let badges = list
        .iter()
        .filter_map(|b| {
            let v = views.get(&b.id)?;
            Some(LearnBadge {
                badge_id: b.public_id.to_string(),
                name: v.name.clone(),
                image_url: v.image_url.clone(),
                is_capstone: capstone_id == Some(b.id),
                state: subs
                    .iter()
                    .find(|s| s.badge_id == b.id)
                    .map(|s| s.state.clone())
                    .unwrap_or_default(),
            })
        })
        .collect();
    Ok(LearnView {
        program_slug: p.slug,
        program_name: p.name,
        institution: inst.name,
        badges,
    })
}

/// The learner's evidence for one badge of an enrolled program (empty when not started).
///
/// # Errors
/// `NotFound`; database errors.
pub async fn mine(
    db: &DatabaseConnection,
    settings: &Settings,
    learner: &user::Model,
    program_slug: &str,
    badge_id: &str,
) -> ServerResult<SubmissionView> {
    let ctx = learner_context(db, learner.id, program_slug, badge_id).await?;
    let sub = find_own(db, learner.id, ctx.badge.id).await?;
    view(db, settings, &ctx, sub.as_ref(), &learner.display_name).await
}

/// Inside a write transaction: the learner's submission for the context's badge
/// (created as a draft if missing), locked, and checked to be editable.
async fn editable_submission(
    txn: &impl ConnectionTrait,
    user_id: i32,
    ctx: &Context,
) -> ServerResult<submission::Model> {
    let now = Utc::now();
    let inserted = submission::Entity::insert(submission::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        user_id: Set(user_id),
        badge_id: Set(ctx.badge.id),
        program_id: Set(ctx.program.as_ref().map(|p| p.id)),
        state: Set(submission::STATE_DRAFT.into()),
        narrative: Set(String::new()),
        rubric_result: Set(None),
        feedback: Set(None),
        submitted_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([submission::Column::UserId, submission::Column::BadgeId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    let sub = submission::Entity::find()
        .filter(submission::Column::UserId.eq(user_id))
        .filter(submission::Column::BadgeId.eq(ctx.badge.id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if inserted == 1 {
        record(
            txn,
            sub.id,
            Some(user_id),
            "started",
            None,
            "Started the evidence.",
        )
        .await?;
    }
    if !is_editable(&sub.state) {
        return Err(EvidenceError::NotEditable(super::state_words(&sub.state)).into());
    }
    Ok(sub)
}

/// Whether the learner may add evidence for this badge now (read-only; checked again
/// when the piece is recorded): refuses an upload before its file is read.
///
/// # Errors
/// `NotFound`; `Invalid` when the evidence cannot change; database errors.
pub async fn check_can_add(
    db: &impl ConnectionTrait,
    user_id: i32,
    program_slug: &str,
    badge_id: &str,
) -> ServerResult<()> {
    let ctx = learner_context(db, user_id, program_slug, badge_id).await?;
    if let Some(sub) = find_own(db, user_id, ctx.badge.id).await?
        && !is_editable(&sub.state)
    {
        return Err(EvidenceError::NotEditable(super::state_words(&sub.state)).into());
    }
    Ok(())
}

/// What the learner may still store.
///
/// # Errors
/// Database errors.
pub async fn allowance(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<Allowance> {
    let used = used_bytes(db, user_id).await?;
    Ok(Allowance {
        file_cap: MAX_EVIDENCE_FILE_BYTES,
        remaining: MAX_EVIDENCE_TOTAL_BYTES.saturating_sub(used),
        used,
    })
}

async fn used_bytes(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<u64> {
    let sizes: Vec<i64> = evidence_item::Entity::find()
        .select_only()
        .column(evidence_item::Column::SizeBytes)
        .filter(evidence_item::Column::UserId.eq(user_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(sizes.iter().map(|s| u64::try_from(*s).unwrap_or(0)).sum())
}

/// A cleaned display name: one line, at most 200 characters, no path.
/// The host of a checked http(s) link ("example.org"), without any user information.
fn link_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    if host.is_empty() {
        "Link".to_string()
    } else {
        host.to_string()
    }
}

fn display_name(raw: &str, fallback: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .chars()
        .take(200)
        .collect();
    if cleaned.is_empty() {
        fallback.chars().take(200).collect()
    } else {
        cleaned
    }
}

async fn next_position(txn: &impl ConnectionTrait, submission_id: i32) -> ServerResult<i32> {
    let items = items_of(txn, submission_id).await?;
    if items.len() >= MAX_ITEMS {
        return Err(EvidenceError::TooManyItems.into());
    }
    Ok(items.iter().map(|i| i.position).max().unwrap_or(0) + 1)
}

/// The choices a learner makes per piece.
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemFlags {
    pub include_in_credential: bool,
    pub is_public: bool,
}

impl ItemFlags {
    /// Public only makes sense for a piece that is in the credential.
    fn normalized(self) -> Self {
        Self {
            include_in_credential: self.include_in_credential,
            is_public: self.is_public && self.include_in_credential,
        }
    }
}

/// Records an uploaded file (already in the store) as a piece of the learner's
/// evidence. On any error the caller deletes the stored file.
///
/// # Errors
/// `NotFound`; `Invalid` when the evidence cannot change, is full, or the learner's
/// total would pass the cap; database errors.
pub async fn add_file(
    db: &DatabaseConnection,
    learner: &user::Model,
    program_slug: &str,
    badge_id: &str,
    name: &str,
    file: &StoredFile,
    flags: ItemFlags,
) -> ServerResult<String> {
    let txn = begin_write(db).await?;
    let ctx = learner_context(&*txn, learner.id, program_slug, badge_id).await?;
    // The learner's row is the lock that makes the total cap hold under concurrent
    // uploads (PostgreSQL; SQLite writers take turns anyway).
    user::Entity::find_by_id(learner.id)
        .lock_exclusive()
        .one(&*txn)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let sub = editable_submission(&*txn, learner.id, &ctx).await?;
    let used = used_bytes(&*txn, learner.id).await?;
    if used + file.size > MAX_EVIDENCE_TOTAL_BYTES {
        return Err(EvidenceError::OverQuota {
            used,
            total: MAX_EVIDENCE_TOTAL_BYTES,
        }
        .into());
    }
    let position = next_position(&*txn, sub.id).await?;
    let flags = flags.normalized();
    let name = display_name(name, &display_name(&file.file_name, "File"));
    let public_id = uuid::Uuid::new_v4();
    evidence_item::ActiveModel {
        public_id: Set(public_id),
        submission_id: Set(sub.id),
        user_id: Set(learner.id),
        kind: Set(evidence_item::KIND_FILE.into()),
        name: Set(name.clone()),
        url: Set(None),
        object_key: Set(Some(file.key.clone())),
        content_type: Set(Some(file.content_type.to_string())),
        size_bytes: Set(i64::try_from(file.size).unwrap_or(i64::MAX)),
        sha256: Set(Some(file.sha256.clone())),
        include_in_credential: Set(flags.include_in_credential),
        is_public: Set(flags.is_public),
        position: Set(position),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    record(
        &*txn,
        sub.id,
        Some(learner.id),
        "file_added",
        None,
        &format!(
            "Added the file \"{name}\" ({}, {} bytes).",
            file.content_type, file.size
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(public_id.to_string())
}

/// Checks a link: `http` or `https` only, one line, bounded.
///
/// # Errors
/// `Invalid` with a message saying what is accepted.
pub fn check_link(raw: &str) -> Result<String, EvidenceError> {
    let url = raw.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or(EvidenceError::LinkRefused)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || url.len() > 2000
        || url
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return Err(EvidenceError::LinkRefused);
    }
    Ok(url.to_string())
}

/// Adds a link to the learner's evidence.
///
/// # Errors
/// `Invalid` for a link that is not `http(s)` or evidence that cannot change;
/// `NotFound`; database errors.
pub async fn add_link(
    db: &DatabaseConnection,
    learner: &user::Model,
    program_slug: &str,
    badge_id: &str,
    url: &str,
    name: &str,
    flags: ItemFlags,
) -> ServerResult<String> {
    let url = check_link(url)?;
    let txn = begin_write(db).await?;
    let ctx = learner_context(&*txn, learner.id, program_slug, badge_id).await?;
    let sub = editable_submission(&*txn, learner.id, &ctx).await?;
    let position = next_position(&*txn, sub.id).await?;
    let flags = flags.normalized();
    // Unnamed, a link is called by its host: its name goes into the credential even when
    // the link is private, and a full address may carry a secret.
    let name = display_name(name, &link_host(&url));
    let public_id = uuid::Uuid::new_v4();
    evidence_item::ActiveModel {
        public_id: Set(public_id),
        submission_id: Set(sub.id),
        user_id: Set(learner.id),
        kind: Set(evidence_item::KIND_LINK.into()),
        name: Set(name.clone()),
        url: Set(Some(url.clone())),
        object_key: Set(None),
        content_type: Set(None),
        size_bytes: Set(0),
        sha256: Set(None),
        include_in_credential: Set(flags.include_in_credential),
        is_public: Set(flags.is_public),
        position: Set(position),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    record(
        &*txn,
        sub.id,
        Some(learner.id),
        "link_added",
        None,
        &format!("Added the link \"{name}\" ({url})."),
    )
    .await?;
    txn.commit().await?;
    Ok(public_id.to_string())
}

/// Saves the narrative.
///
/// # Errors
/// `Invalid` when too long or the evidence cannot change; `NotFound`; database errors.
pub async fn save_narrative(
    db: &DatabaseConnection,
    learner: &user::Model,
    program_slug: &str,
    badge_id: &str,
    narrative: &str,
) -> ServerResult<()> {
    let narrative = narrative.trim().replace("\r\n", "\n");
    if narrative.chars().count() > MAX_NARRATIVE_CHARS {
        return Err(AppError::invalid(format!(
            "The narrative may be at most {MAX_NARRATIVE_CHARS} characters long."
        ))
        .into());
    }
    let txn = begin_write(db).await?;
    let ctx = learner_context(&*txn, learner.id, program_slug, badge_id).await?;
    let sub = editable_submission(&*txn, learner.id, &ctx).await?;
    submission::Entity::update_many()
        .col_expr(
            submission::Column::Narrative,
            Expr::value(narrative.clone()),
        )
        .col_expr(submission::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(submission::Column::Id.eq(sub.id))
        .exec(&*txn)
        .await?;
    record(
        &*txn,
        sub.id,
        Some(learner.id),
        "narrative_saved",
        None,
        &format!(
            "Saved the narrative ({} characters).",
            narrative.chars().count()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One of the learner's own pieces, with its submission locked and editable.
async fn own_item(
    txn: &impl ConnectionTrait,
    learner_id: i32,
    item_id: &str,
) -> ServerResult<(evidence_item::Model, submission::Model)> {
    let id = parse_id(item_id)?;
    let item = evidence_item::Entity::find()
        .filter(evidence_item::Column::PublicId.eq(id))
        .filter(evidence_item::Column::UserId.eq(learner_id))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let sub = submission::Entity::find_by_id(item.submission_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .filter(|s| s.user_id == learner_id)
        .ok_or(AppError::NotFound)?;
    if !is_editable(&sub.state) {
        return Err(EvidenceError::NotEditable(super::state_words(&sub.state)).into());
    }
    Ok((item, sub))
}

/// Changes whether a piece goes into the credential and whether it is public.
///
/// # Errors
/// `NotFound` for someone else's piece; `Invalid` when the evidence cannot change.
pub async fn set_flags(
    db: &DatabaseConnection,
    learner: &user::Model,
    item_id: &str,
    flags: ItemFlags,
) -> ServerResult<()> {
    let flags = flags.normalized();
    let txn = begin_write(db).await?;
    let (item, sub) = own_item(&*txn, learner.id, item_id).await?;
    let name = item.name.clone();
    let mut a: evidence_item::ActiveModel = item.into();
    a.include_in_credential = Set(flags.include_in_credential);
    a.is_public = Set(flags.is_public);
    a.update(&*txn).await?;
    let detail = format!(
        "\"{name}\": {} the credential, {}.",
        if flags.include_in_credential {
            "in"
        } else {
            "not in"
        },
        if flags.is_public { "public" } else { "private" }
    );
    record(
        &*txn,
        sub.id,
        Some(learner.id),
        "item_changed",
        None,
        &detail,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Moves a piece one place up (`up`) or down.
///
/// # Errors
/// `NotFound` for someone else's piece; `Invalid` when the evidence cannot change.
pub async fn move_item(
    db: &DatabaseConnection,
    learner: &user::Model,
    item_id: &str,
    up: bool,
) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let (item, sub) = own_item(&*txn, learner.id, item_id).await?;
    let mut items = items_of(&*txn, sub.id).await?;
    let Some(at) = items.iter().position(|i| i.id == item.id) else {
        return Err(AppError::NotFound.into());
    };
    let other = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|n| *n < items.len())
    };
    if let Some(other) = other {
        items.swap(at, other);
        // Renumber all, so equal or sparse positions never make the order ambiguous.
        for (n, i) in items.iter().enumerate() {
            let pos = i32::try_from(n).unwrap_or(i32::MAX) + 1;
            if i.position != pos {
                evidence_item::Entity::update_many()
                    .col_expr(evidence_item::Column::Position, Expr::value(pos))
                    .filter(evidence_item::Column::Id.eq(i.id))
                    .exec(&*txn)
                    .await?;
            }
        }
        record(
            &*txn,
            sub.id,
            Some(learner.id),
            "item_moved",
            None,
            &format!(
                "Moved \"{}\" {}.",
                item.name,
                if up { "up" } else { "down" }
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Removes a piece (and its file).
///
/// # Errors
/// `NotFound` for someone else's piece; `Invalid` when the evidence cannot change.
pub async fn remove_item(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    learner: &user::Model,
    item_id: &str,
) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let (item, sub) = own_item(&*txn, learner.id, item_id).await?;
    evidence_item::Entity::delete_by_id(item.id)
        .exec(&*txn)
        .await?;
    record(
        &*txn,
        sub.id,
        Some(learner.id),
        "item_removed",
        None,
        &format!("Removed \"{}\".", item.name),
    )
    .await?;
    txn.commit().await?;
    // After the commit: a failed delete leaves an unreferenced file, never a row
    // without its file.
    if let Some(key) = item.object_key
        && let Err(e) = store.delete(&key).await
    {
        tracing::warn!(error = %e, %key, "removing an evidence file");
    }
    Ok(())
}

/// Submits the evidence for review (again, after changes were requested).
///
/// # Errors
/// `Invalid` when there is nothing to submit or it is not the learner's turn;
/// `NotFound`; database errors.
pub async fn submit(
    db: &DatabaseConnection,
    learner: &user::Model,
    program_slug: &str,
    badge_id: &str,
) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let ctx = learner_context(&*txn, learner.id, program_slug, badge_id).await?;
    let sub = find_own(&*txn, learner.id, ctx.badge.id)
        .await?
        .ok_or(EvidenceError::NothingToSubmit)?;
    let (from, to, action) = match sub.state.as_str() {
        submission::STATE_DRAFT => (
            submission::STATE_DRAFT,
            submission::STATE_SUBMITTED,
            "submitted",
        ),
        submission::STATE_CHANGES_REQUESTED => (
            submission::STATE_CHANGES_REQUESTED,
            submission::STATE_RESUBMITTED,
            "resubmitted",
        ),
        other => {
            return Err(EvidenceError::WrongState(super::state_words(other), "submitted").into());
        }
    };
    if sub.narrative.trim().is_empty() && items_of(&*txn, sub.id).await?.is_empty() {
        return Err(EvidenceError::NothingToSubmit.into());
    }
    let now = Utc::now();
    let moved = transition(&*txn, sub.id, &[from], to, |u| {
        u.col_expr(submission::Column::SubmittedAt, Expr::value(now))
    })
    .await?;
    if !moved {
        return Err(EvidenceError::WrongState("no longer editable", "submitted").into());
    }
    record(
        &*txn,
        sub.id,
        Some(learner.id),
        action,
        Some((from, to)),
        &format!("{} for review.", state_label(to)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unnamed_link_is_called_by_its_host_only() {
        assert_eq!(
            super::link_host("https://user:secret@docs.example.org/d/abc?token=x"),
            "docs.example.org"
        );
        assert_eq!(super::link_host("http://example.org"), "example.org");
    }

    use super::*;

    #[test]
    fn only_web_links_are_evidence() {
        for ok in [
            "https://example.org/work",
            "http://example.org",
            "HTTPS://EXAMPLE.ORG/x?y#z",
        ] {
            assert!(check_link(ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "file:///etc/passwd",
            "ftp://example.org",
            "https://",
            "https://exa mple.org",
            "//example.org",
            "https://example.org/\"onmouseover=\"x",
        ] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(
            display_name("C:\\Users\\a\\report.pdf", "File"),
            "report.pdf"
        );
        assert_eq!(display_name("../../etc/passwd", "File"), "passwd");
        assert_eq!(display_name("a\nb", "File"), "a b");
        assert_eq!(display_name("  ", "File"), "File");
        assert_eq!(display_name(&"x".repeat(300), "File").chars().count(), 200);
    }
}

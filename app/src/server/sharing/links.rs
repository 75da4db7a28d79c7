//! Share links: a named, revocable, optionally expiring link to one badge (an award or
//! an imported badge), a collection the learner owns or a program's stack the learner is
//! enrolled in or completed. Tokens are 32 bytes from the OS random number generator,
//! base64url without padding. Every query is scoped to the owner: another learner's
//! link, badge, collection or program is not found.

use std::collections::HashMap;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};

use crate::error::AppError;
use crate::model::sharing::{
    LinksPage, MAX_LINK_NAME, MAX_LIVE_LINKS, ShareLinkInfo, ShareTarget, SourceCount,
};
use crate::server::db::{BeginWrite, begin_write};
use crate::server::entities::{
    award, badge_version, collection, enrollment, imported_badge, program, share_link, view_count,
};
use crate::server::error::ServerResult;

/// How far ahead a link's expiry may be set.
const MAX_EXPIRY_YEARS: i64 = 10;

/// What a new link shows, as the learner named it.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// `badge`, `collection` or `stack`.
    pub kind: String,
    /// The badge's public id (award or import), the collection's or the program's.
    pub target: String,
    pub name: String,
    /// `YYYY-MM-DD`: the last day the link works (UTC); empty for no expiry.
    pub expires_on: String,
    pub show_evidence: bool,
}

/// A fresh token: 32 bytes from the OS RNG, base64url without padding (43 characters).
pub fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// The name as stored: trimmed, 1 to 60 characters, no control characters.
///
/// # Errors
/// `Invalid` saying what to change.
pub fn normalize_name(input: &str) -> Result<String, AppError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "Give the link a name, such as \"LinkedIn\" or \"CV 2027\".",
        ));
    }
    if name.chars().count() > MAX_LINK_NAME {
        return Err(AppError::invalid(format!(
            "A link name has at most {MAX_LINK_NAME} characters."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "A link name is one line of text without control characters.",
        ));
    }
    Ok(name.to_string())
}

/// The moment a link stops working for an expiry day (the end of that UTC day), if
/// any.
///
/// # Errors
/// `Invalid` for an unreadable day, a day in the past or too far ahead.
pub fn parse_expiry(input: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(input, "%Y-%m-%d").map_err(|_| {
        AppError::invalid("Give the link's expiry date as YYYY-MM-DD, or leave it empty.")
    })?;
    let end = day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| AppError::invalid("That expiry date is out of range."))?;
    if end <= now {
        return Err(AppError::invalid(
            "The link's expiry date is in the past: choose today or a later day.",
        ));
    }
    if end > now + Duration::days(366 * MAX_EXPIRY_YEARS) {
        return Err(AppError::invalid(format!(
            "A link can be set to expire at most {MAX_EXPIRY_YEARS} years ahead; leave the date empty for a link that does not expire."
        )));
    }
    Ok(Some(end))
}

/// `live`, `expired` or `revoked`.
pub fn state(l: &share_link::Model, now: DateTime<Utc>) -> &'static str {
    if l.revoked_at.is_some() {
        "revoked"
    } else if l.expires_at.is_some_and(|t| t <= now) {
        "expired"
    } else {
        "live"
    }
}

/// What a link points at, resolved for its owner.
struct Target {
    award_id: Option<i32>,
    imported_badge_id: Option<i32>,
    collection_id: Option<i32>,
    program_id: Option<i32>,
}

fn parse_uuid(s: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::try_parse(s.trim()).map_err(|_| AppError::NotFound)
}

/// Finds what the learner asks to share, only among what they may share.
async fn resolve_target(
    db: &impl ConnectionTrait,
    user_id: i32,
    kind: &str,
    target: &str,
) -> ServerResult<Target> {
    let none = Target {
        award_id: None,
        imported_badge_id: None,
        collection_id: None,
        program_id: None,
    };
    match kind {
        share_link::KIND_BADGE => {
            let id = parse_uuid(target)?;
            if let Some(a) = award::Entity::find()
                .filter(award::Column::PublicId.eq(id))
                .filter(award::Column::UserId.eq(user_id))
                .one(db)
                .await?
            {
                return Ok(Target {
                    award_id: Some(a.id),
                    ..none
                });
            }
            let i = imported_badge::Entity::find()
                .filter(imported_badge::Column::PublicId.eq(id))
                .filter(imported_badge::Column::UserId.eq(user_id))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Target {
                imported_badge_id: Some(i.id),
                ..none
            })
        }
        share_link::KIND_COLLECTION => {
            let id = parse_uuid(target)?;
            let c = collection::Entity::find()
                .filter(collection::Column::PublicId.eq(id))
                .filter(collection::Column::UserId.eq(user_id))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Target {
                collection_id: Some(c.id),
                ..none
            })
        }
        share_link::KIND_STACK => {
            let id = parse_uuid(target)?;
            let p = program::Entity::find()
                .filter(program::Column::PublicId.eq(id))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            // Enrolled now, or holding the program's own credential (completed).
            let enrolled = enrollment::Entity::find()
                .filter(enrollment::Column::UserId.eq(user_id))
                .filter(enrollment::Column::ProgramId.eq(p.id))
                .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
                .count(db)
                .await?
                > 0;
            let completed = award::Entity::find()
                .filter(award::Column::UserId.eq(user_id))
                .filter(award::Column::ProgramId.eq(p.id))
                .count(db)
                .await?
                > 0;
            if !enrolled && !completed {
                return Err(AppError::NotFound.into());
            }
            Ok(Target {
                program_id: Some(p.id),
                ..none
            })
        }
        _ => Err(AppError::invalid("Share a badge, a collection or a stack.").into()),
    }
}

/// Creates a share link; refused beyond [`MAX_LIVE_LINKS`] live links. The count and
/// the insert happen in one write transaction holding the learner's row, so two
/// requests at once cannot both pass the limit.
///
/// # Errors
/// `Invalid` (name, expiry, kind, the limit), `NotFound` for something the learner
/// may not share; database errors.
pub async fn create<C: BeginWrite>(
    db: &C,
    base: &str,
    user_id: i32,
    new: NewLink,
    now: DateTime<Utc>,
) -> ServerResult<ShareLinkInfo> {
    let name = normalize_name(&new.name)?;
    let expires_at = parse_expiry(&new.expires_on, now)?;
    let kind = new.kind.trim().to_string();
    let txn = begin_write(db).await?;
    // Holds the learner's row (PostgreSQL) until commit; SQLite's write transaction is
    // exclusive already. A deleted account gets nothing new.
    crate::server::account_data::deletion::lock_live_user(&*txn, user_id).await?;
    let target = resolve_target(&*txn, user_id, &kind, &new.target).await?;
    let live = share_link::Entity::find()
        .filter(share_link::Column::UserId.eq(user_id))
        .filter(live_condition(now))
        .count(&*txn)
        .await?;
    if usize::try_from(live).unwrap_or(usize::MAX) >= MAX_LIVE_LINKS {
        return Err(AppError::invalid(format!(
            "You have {MAX_LIVE_LINKS} live share links, the most allowed. Revoke one you no longer need, then create this one."
        ))
        .into());
    }
    let row = share_link::ActiveModel {
        token: Set(new_token()),
        user_id: Set(user_id),
        kind: Set(kind),
        award_id: Set(target.award_id),
        imported_badge_id: Set(target.imported_badge_id),
        collection_id: Set(target.collection_id),
        program_id: Set(target.program_id),
        name: Set(name),
        show_evidence: Set(new.show_evidence),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    let mut out = describe(db, base, vec![row], now).await?;
    out.pop().ok_or_else(|| AppError::NotFound.into())
}

/// Links that still work at `now`.
fn live_condition(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(share_link::Column::RevokedAt.is_null())
        .add(
            Condition::any()
                .add(share_link::Column::ExpiresAt.is_null())
                .add(share_link::Column::ExpiresAt.gt(now)),
        )
}

/// How many live links the learner holds.
///
/// # Errors
/// Database errors.
pub async fn live_count(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> ServerResult<usize> {
    let n = share_link::Entity::find()
        .filter(share_link::Column::UserId.eq(user_id))
        .filter(live_condition(now))
        .count(db)
        .await?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The learner's links, newest first (only for one award when `award_id` is given).
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    base: &str,
    user_id: i32,
    award_id: Option<i32>,
    now: DateTime<Utc>,
) -> ServerResult<Vec<ShareLinkInfo>> {
    let mut q = share_link::Entity::find().filter(share_link::Column::UserId.eq(user_id));
    if let Some(a) = award_id {
        q = q.filter(share_link::Column::AwardId.eq(a));
    }
    let rows = q
        .order_by_desc(share_link::Column::CreatedAt)
        .order_by_desc(share_link::Column::Id)
        .all(db)
        .await?;
    describe(db, base, rows, now).await
}

/// The learner's links page: every link, newest first, and what they may share (their
/// badges, imported badges, collections, and programs they follow or completed).
///
/// # Errors
/// Database errors.
pub async fn page(
    db: &impl ConnectionTrait,
    base: &str,
    user_id: i32,
    now: DateTime<Utc>,
) -> ServerResult<LinksPage> {
    let mut targets = Vec::new();
    let awards = award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .filter(award::Column::ReplacedBy.is_null())
        .order_by_desc(award::Column::AwardedAt)
        .all(db)
        .await?;
    let names: HashMap<i32, String> = if awards.is_empty() {
        HashMap::new()
    } else {
        badge_version::Entity::find()
            .filter(badge_version::Column::Id.is_in(awards.iter().map(|a| a.badge_version_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect()
    };
    for a in &awards {
        targets.push(ShareTarget {
            kind: share_link::KIND_BADGE.into(),
            target: a.public_id.to_string(),
            name: names.get(&a.badge_version_id).cloned().unwrap_or_default(),
        });
    }
    for (id, name) in imported_badge::Entity::find()
        .select_only()
        .column(imported_badge::Column::PublicId)
        .column(imported_badge::Column::Name)
        .filter(imported_badge::Column::UserId.eq(user_id))
        .order_by_desc(imported_badge::Column::ImportedAt)
        .into_tuple::<(uuid::Uuid, String)>()
        .all(db)
        .await?
    {
        targets.push(ShareTarget {
            kind: share_link::KIND_BADGE.into(),
            target: id.to_string(),
            name: format!("{name} (imported)"),
        });
    }
    for c in collection::Entity::find()
        .filter(collection::Column::UserId.eq(user_id))
        .order_by_asc(collection::Column::Position)
        .all(db)
        .await?
    {
        targets.push(ShareTarget {
            kind: share_link::KIND_COLLECTION.into(),
            target: c.public_id.to_string(),
            name: c.name,
        });
    }
    let enrolled: Vec<i32> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::ProgramId)
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
        .into_tuple()
        .all(db)
        .await?;
    let program_ids: Vec<i32> = enrolled
        .into_iter()
        .chain(awards.iter().filter_map(|a| a.program_id))
        .collect();
    if !program_ids.is_empty() {
        for p in program::Entity::find()
            .filter(program::Column::Id.is_in(program_ids))
            .order_by_asc(program::Column::Name)
            .all(db)
            .await?
        {
            targets.push(ShareTarget {
                kind: share_link::KIND_STACK.into(),
                target: p.public_id.to_string(),
                name: p.name,
            });
        }
    }
    Ok(LinksPage {
        links: list(db, base, user_id, None, now).await?,
        targets,
        live_links: live_count(db, user_id, now).await?,
        max_links: MAX_LIVE_LINKS,
    })
}

/// One of the learner's links; another's is not found.
async fn own_link(
    db: &impl ConnectionTrait,
    user_id: i32,
    link_id: i32,
) -> ServerResult<share_link::Model> {
    share_link::Entity::find_by_id(link_id)
        .filter(share_link::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// Renames one of the learner's links.
///
/// # Errors
/// `Invalid` name, `NotFound`; database errors.
pub async fn rename<C: BeginWrite>(
    db: &C,
    user_id: i32,
    link_id: i32,
    name: &str,
) -> ServerResult<String> {
    let name = normalize_name(name)?;
    let txn = begin_write(db).await?;
    let done = share_link::Entity::update_many()
        .col_expr(share_link::Column::Name, Expr::value(name.clone()))
        .filter(share_link::Column::Id.eq(link_id))
        .filter(share_link::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::NotFound.into());
    }
    txn.commit().await?;
    Ok(name)
}

/// Revokes one of the learner's links at once (it then answers 410). Revoking a
/// revoked link keeps the first moment.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn revoke<C: BeginWrite>(
    db: &C,
    user_id: i32,
    link_id: i32,
    now: DateTime<Utc>,
) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    own_link(&*txn, user_id, link_id).await?;
    share_link::Entity::update_many()
        .col_expr(share_link::Column::RevokedAt, Expr::value(Some(now)))
        .filter(share_link::Column::Id.eq(link_id))
        .filter(share_link::Column::UserId.eq(user_id))
        .filter(share_link::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Views by source for these subjects, totals per subject, most first.
///
/// # Errors
/// Database errors.
pub async fn views_by_source(
    db: &impl ConnectionTrait,
    subject_kind: &str,
    ids: &[i32],
) -> ServerResult<HashMap<i32, Vec<SourceCount>>> {
    let mut out: HashMap<i32, Vec<SourceCount>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i32, String, i64)> = view_count::Entity::find()
        .select_only()
        .column(view_count::Column::SubjectId)
        .column(view_count::Column::Source)
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast it back.
        .column_as(Expr::cust("CAST(SUM(views) AS BIGINT)"), "total")
        .filter(view_count::Column::SubjectKind.eq(subject_kind))
        .filter(view_count::Column::SubjectId.is_in(ids.iter().copied()))
        .group_by(view_count::Column::SubjectId)
        .group_by(view_count::Column::Source)
        .into_tuple()
        .all(db)
        .await?;
    for (id, source, views) in rows {
        out.entry(id)
            .or_default()
            .push(SourceCount { source, views });
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| b.views.cmp(&a.views).then(a.source.cmp(&b.source)));
    }
    Ok(out)
}

/// Names what each link points at and adds its view counts (a fixed number of
/// queries).
async fn describe(
    db: &impl ConnectionTrait,
    base: &str,
    rows: Vec<share_link::Model>,
    now: DateTime<Utc>,
) -> ServerResult<Vec<ShareLinkInfo>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut views = views_by_source(db, view_count::SUBJECT_LINK, &ids).await?;

    let award_ids: Vec<i32> = rows.iter().filter_map(|r| r.award_id).collect();
    let awards: HashMap<i32, award::Model> = if award_ids.is_empty() {
        HashMap::new()
    } else {
        award::Entity::find()
            .filter(award::Column::Id.is_in(award_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect()
    };
    let versions: HashMap<i32, String> = if awards.is_empty() {
        HashMap::new()
    } else {
        badge_version::Entity::find()
            .filter(badge_version::Column::Id.is_in(awards.values().map(|a| a.badge_version_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect()
    };
    let import_ids: Vec<i32> = rows.iter().filter_map(|r| r.imported_badge_id).collect();
    let imports: HashMap<i32, (uuid::Uuid, String)> = if import_ids.is_empty() {
        HashMap::new()
    } else {
        imported_badge::Entity::find()
            .select_only()
            .column(imported_badge::Column::Id)
            .column(imported_badge::Column::PublicId)
            .column(imported_badge::Column::Name)
            .filter(imported_badge::Column::Id.is_in(import_ids))
            .into_tuple::<(i32, uuid::Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, p, n)| (id, (p, n)))
            .collect()
    };
    let collection_ids: Vec<i32> = rows.iter().filter_map(|r| r.collection_id).collect();
    let collections: HashMap<i32, collection::Model> = if collection_ids.is_empty() {
        HashMap::new()
    } else {
        collection::Entity::find()
            .filter(collection::Column::Id.is_in(collection_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let program_ids: Vec<i32> = rows.iter().filter_map(|r| r.program_id).collect();
    let programs: HashMap<i32, program::Model> = if program_ids.is_empty() {
        HashMap::new()
    } else {
        program::Entity::find()
            .filter(program::Column::Id.is_in(program_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };

    Ok(rows
        .into_iter()
        .map(|r| {
            let (target, target_name) = if let Some(a) = r.award_id.and_then(|id| awards.get(&id)) {
                (
                    a.public_id.to_string(),
                    versions
                        .get(&a.badge_version_id)
                        .cloned()
                        .unwrap_or_default(),
                )
            } else if let Some((p, n)) = r.imported_badge_id.and_then(|id| imports.get(&id)) {
                (p.to_string(), n.clone())
            } else if let Some(c) = r.collection_id.and_then(|id| collections.get(&id)) {
                (c.public_id.to_string(), c.name.clone())
            } else if let Some(p) = r.program_id.and_then(|id| programs.get(&id)) {
                (p.public_id.to_string(), p.name.clone())
            } else {
                (String::new(), String::new())
            };
            let v = views.remove(&r.id).unwrap_or_default();
            ShareLinkInfo {
                id: r.id,
                url: crate::server::urls::share_link_url(base, &r.kind, &r.token),
                state: state(&r, now).to_string(),
                total_views: v.iter().map(|s| s.views).sum(),
                views: v,
                name: r.name,
                kind: r.kind,
                target,
                target_name,
                show_evidence: r.show_evidence,
                // The last day it works (stored as the end of that day).
                expires_on: r
                    .expires_at
                    .map(|t| (t - Duration::seconds(1)).format("%Y-%m-%d").to_string()),
                created_on: r.created_at.format("%Y-%m-%d").to_string(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn tokens_are_43_base64url_characters_and_differ() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
    }

    #[test]
    fn names_are_trimmed_and_limited() {
        assert_eq!(normalize_name("  LinkedIn ").unwrap(), "LinkedIn");
        assert!(normalize_name("   ").is_err());
        assert!(normalize_name(&"é".repeat(60)).is_ok());
        assert!(normalize_name(&"é".repeat(61)).is_err());
        assert!(normalize_name("a\nb").is_err());
        assert_eq!(
            normalize_name("<script>&\"'").unwrap(),
            "<script>&\"'",
            "kept as typed; escaped where shown"
        );
    }

    #[test]
    fn expiry_is_the_end_of_the_day_and_never_in_the_past() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 7, 18, 0, 0).unwrap();
        assert_eq!(parse_expiry("", now).unwrap(), None);
        let today = parse_expiry("2026-12-07", now).unwrap().unwrap();
        assert_eq!(today.to_rfc3339(), "2026-12-08T00:00:00+00:00");
        assert!(parse_expiry("2026-12-06", now).is_err());
        assert!(parse_expiry("2026-13-01", now).is_err());
        assert!(parse_expiry("tomorrow", now).is_err());
        assert!(parse_expiry("2040-01-01", now).is_err());
    }
}

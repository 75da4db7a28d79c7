//! The learner's portfolio: everything here reads or changes the signed-in learner's
//! own badges, or the public profile that shows only what they made public.
//!
//! - [`wall`]: the badge wall (filters, sort, search, a screenful at a time).
//! - [`overview`]: stacks with progress and the competencies the badges back.
//! - [`detail`]: one badge in full, verified on view (which refreshes its stored verdict).
//! - [`profile`]: the handle, per-badge visibility and the public profile `/p/{handle}`.
//!
//! The wall renders from the verdict and standing stored on each award (set when it
//! is awarded, updated on revocation and whenever its page runs the verifier), so a
//! thousand badges cost a handful of queries and no signature checks. Every query is
//! scoped to the learner (`awards.user_id`): another learner's award is not found.

pub mod detail;
pub mod import;
pub mod overview;
pub mod profile;
pub mod wall;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::model::portfolio::{EXPIRING_SOON_DAYS, Mark};
use crate::server::entities::{award, badge_version, image, institution, program};
use crate::server::error::ServerResult;
use crate::server::state::Settings;

/// The mark a badge shows, from its stored verdict and standing and its expiry. Fails
/// closed: a revoked award is revoked whatever was stored, and anything not known to
/// be verified and active is not shown as such.
pub fn mark(
    a_revoked: bool,
    verdict: &str,
    standing: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Mark {
    if a_revoked {
        return Mark::Revoked;
    }
    match verdict {
        "verified" => {}
        "not_verified" => return Mark::NotVerified,
        _ => return Mark::Unverifiable,
    }
    match standing {
        "active" => match expires_at {
            Some(t) if t <= now => Mark::Expired,
            Some(t) if t - now <= Duration::days(EXPIRING_SOON_DAYS) => Mark::ExpiringSoon,
            _ => Mark::Verified,
        },
        "revoked" => Mark::Revoked,
        "suspended" => Mark::Suspended,
        "expired" => Mark::Expired,
        "not_yet_valid" => Mark::NotYetValid,
        _ => Mark::Unverifiable,
    }
}

/// The mark of an award as stored.
pub fn award_mark(a: &award::Model, now: DateTime<Utc>) -> Mark {
    mark(
        a.revoked_at.is_some(),
        &a.verdict,
        &a.standing,
        a.expires_at,
        now,
    )
}

/// `YYYY-MM-DD`.
pub(crate) fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// One badge the learner holds, with what the wall and the stacks show of it.
#[derive(Debug, Clone)]
pub struct Held {
    pub award: award::Model,
    pub version: Option<badge_version::Model>,
    pub issuer: Option<institution::Model>,
    pub image_url: String,
    /// The program, for a program's own credential.
    pub program: Option<program::Model>,
}

/// The learner's badges, newest first: every award but those replaced by a re-issue
/// (the corrected one stands in for it). A fixed number of queries.
///
/// # Errors
/// Database errors.
pub async fn held(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user_id: i32,
) -> ServerResult<Vec<Held>> {
    let awards = award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .filter(award::Column::ReplacedBy.is_null())
        .order_by_desc(award::Column::AwardedAt)
        .order_by_desc(award::Column::Id)
        .all(db)
        .await?;
    held_from(db, settings, awards).await
}

/// [`Held`] for these awards, in their order.
///
/// # Errors
/// Database errors.
pub async fn held_from(
    db: &impl ConnectionTrait,
    settings: &Settings,
    awards: Vec<award::Model>,
) -> ServerResult<Vec<Held>> {
    if awards.is_empty() {
        return Ok(Vec::new());
    }
    let versions: HashMap<i32, badge_version::Model> = badge_version::Entity::find()
        .filter(badge_version::Column::Id.is_in(awards.iter().map(|a| a.badge_version_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let issuers: HashMap<i32, institution::Model> = institution::Entity::find()
        .filter(institution::Column::Id.is_in(awards.iter().map(|a| a.institution_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let images = image_urls(db, settings, versions.values().map(|v| v.image_id)).await?;
    let program_ids: Vec<i32> = awards.iter().filter_map(|a| a.program_id).collect();
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
    Ok(awards
        .into_iter()
        .map(|a| {
            let version = versions.get(&a.badge_version_id).cloned();
            Held {
                image_url: version
                    .as_ref()
                    .and_then(|v| images.get(&v.image_id))
                    .cloned()
                    .unwrap_or_default(),
                issuer: issuers.get(&a.institution_id).cloned(),
                program: a.program_id.and_then(|id| programs.get(&id)).cloned(),
                version,
                award: a,
            }
        })
        .collect())
}

/// The public URLs of these images, by image id.
///
/// # Errors
/// Database errors.
pub async fn image_urls(
    db: &impl ConnectionTrait,
    settings: &Settings,
    ids: impl IntoIterator<Item = i32>,
) -> ServerResult<HashMap<i32, String>> {
    let ids: Vec<i32> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(image::Entity::find()
        .select_only()
        .column(image::Column::Id)
        .column(image::Column::Sha256)
        .filter(image::Column::Id.is_in(ids))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, sha)| (id, format!("{}/images/{sha}", settings.public_url)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_fail_closed_and_expiry_passes_by_itself() {
        let now = Utc::now();
        let m = |revoked, verdict, standing, until| mark(revoked, verdict, standing, until, now);
        assert_eq!(m(false, "verified", "active", None), Mark::Verified);
        assert_eq!(
            m(false, "verified", "active", Some(now + Duration::days(400))),
            Mark::Verified
        );
        assert_eq!(
            m(false, "verified", "active", Some(now + Duration::days(10))),
            Mark::ExpiringSoon
        );
        assert_eq!(
            m(false, "verified", "active", Some(now - Duration::days(1))),
            Mark::Expired
        );
        assert_eq!(m(true, "verified", "active", None), Mark::Revoked);
        assert_eq!(m(false, "verified", "revoked", None), Mark::Revoked);
        assert_eq!(m(false, "verified", "unknown", None), Mark::Unverifiable);
        assert_eq!(m(false, "verified", "", None), Mark::Unverifiable);
        assert_eq!(m(false, "not_verified", "active", None), Mark::NotVerified);
        assert_eq!(m(false, "unverifiable", "active", None), Mark::Unverifiable);
        assert_eq!(m(false, "anything", "active", None), Mark::Unverifiable);
    }
}

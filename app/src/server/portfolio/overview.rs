//! Beside the wall: the stacks of the programs the learner is enrolled in or completed
//! (with progress in badges and credits, and what is still needed), the competencies
//! their badges back, their transcript notations and their handle.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Held, award_mark, held, image_urls};
use crate::model::portfolio::{CompetencyRow, Overview, Stack, StackPart};
use crate::server::awards::listing;
use crate::server::catalog::competencies;
use crate::server::entities::{
    badge, badge_alignment, badge_version, competency, enrollment, institution, program,
    program_badge, transcript_notation, user,
};
use crate::server::error::ServerResult;
use crate::server::state::Settings;

/// Whether a held badge counts: not revoked, and not found wanting by the verifier.
/// (An expired badge was still earned: it counts towards a stack, as stacking does.)
fn counts(h: &Held, now: DateTime<Utc>) -> bool {
    use crate::model::portfolio::Mark;
    !matches!(
        award_mark(&h.award, now),
        Mark::Revoked | Mark::Suspended | Mark::NotVerified | Mark::Unverifiable
    )
}

/// The learner's overview.
///
/// # Errors
/// Database errors.
pub async fn overview(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user_id: i32,
    now: DateTime<Utc>,
) -> ServerResult<Overview> {
    let all = held(db, settings, user_id).await?;
    let mut filters = super::wall::filters(db, &all, now).await?;
    super::import::add_filters(db, user_id, &mut filters, now).await?;
    let held: Vec<Held> = all.into_iter().filter(|h| counts(h, now)).collect();
    let stacks = stacks(db, settings, user_id, &held).await?;
    let competencies = competency_rows(db, settings, &held).await?;
    let notations = transcript_notation::Entity::find()
        .filter(transcript_notation::Column::UserId.eq(user_id))
        .order_by_asc(transcript_notation::Column::RecordedAt)
        .all(db)
        .await?;
    let handle = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .and_then(|u| u.handle);
    Ok(Overview {
        stacks,
        competencies,
        notations: listing::notation_rows(db, notations).await?,
        handle,
        filters,
    })
}

/// Stacks of the programs the learner is enrolled in or holds the credential of.
///
/// # Errors
/// Database errors.
pub async fn stacks(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user_id: i32,
    held: &[Held],
) -> ServerResult<Vec<Stack>> {
    let mut program_ids: HashSet<i32> = enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.program_id)
        .collect();
    program_ids.extend(held.iter().filter_map(|h| h.award.program_id));
    if program_ids.is_empty() {
        return Ok(Vec::new());
    }
    let programs = program::Entity::find()
        .filter(program::Column::Id.is_in(program_ids.iter().copied()))
        .order_by_asc(program::Column::Name)
        .all(db)
        .await?;
    let parts = program_badge::Entity::find()
        .filter(program_badge::Column::ProgramId.is_in(program_ids.iter().copied()))
        .order_by_asc(program_badge::Column::Position)
        .all(db)
        .await?;
    // Every badge of these stacks, at its current version (for those not held).
    let mut badge_ids: HashSet<i32> = parts.iter().map(|p| p.badge_id).collect();
    badge_ids.extend(programs.iter().filter_map(|p| p.program_badge_id));
    let badges: HashMap<i32, badge::Model> = badge::Entity::find()
        .filter(badge::Column::Id.is_in(badge_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let current: HashMap<i32, badge_version::Model> = badge_version::Entity::find()
        .filter(badge_version::Column::BadgeId.is_in(badge_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .filter(|v| {
            badges
                .get(&v.badge_id)
                .is_some_and(|b| b.current_version == v.version)
        })
        .map(|v| (v.badge_id, v))
        .collect();
    let images = image_urls(db, settings, current.values().map(|v| v.image_id)).await?;
    let issuers: HashMap<i32, String> = institution::Entity::find()
        .filter(institution::Column::Id.is_in(programs.iter().map(|p| p.institution_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i.name))
        .collect();
    let by_badge: HashMap<i32, &Held> = held.iter().map(|h| (h.award.badge_id, h)).collect();
    let part = |badge_id: i32| -> Option<StackPart> {
        match by_badge.get(&badge_id) {
            Some(h) => Some(StackPart {
                name: h
                    .version
                    .as_ref()
                    .map(|v| v.name.clone())
                    .unwrap_or_default(),
                credits: h.version.as_ref().map_or(0, |v| v.credits),
                award: Some(h.award.public_id.to_string()),
                image_url: h.image_url.clone(),
            }),
            None => current.get(&badge_id).map(|v| StackPart {
                name: v.name.clone(),
                credits: v.credits,
                award: None,
                image_url: images.get(&v.image_id).cloned().unwrap_or_default(),
            }),
        }
    };
    Ok(programs
        .iter()
        .map(|p| {
            let components: Vec<StackPart> = parts
                .iter()
                .filter(|x| x.program_id == p.id)
                .filter_map(|x| part(x.badge_id))
                .collect();
            let program_badge = p.program_badge_id.and_then(part);
            let held_parts = components.iter().filter(|c| c.award.is_some());
            Stack {
                program_slug: p.slug.clone(),
                program_name: p.name.clone(),
                issuer: issuers.get(&p.institution_id).cloned().unwrap_or_default(),
                credit_bearing: p.credit_bearing,
                held: u32::try_from(held_parts.clone().count()).unwrap_or(u32::MAX),
                total: u32::try_from(components.len()).unwrap_or(u32::MAX),
                credits_held: held_parts.map(|c| c.credits).sum(),
                credits_total: components.iter().map(|c| c.credits).sum(),
                completed: program_badge.as_ref().is_some_and(|b| b.award.is_some()),
                components,
                program_badge,
            }
        })
        .collect())
}

/// The competencies the learner's badges back, the best backed first.
///
/// # Errors
/// Database errors.
pub async fn competency_rows(
    db: &impl ConnectionTrait,
    settings: &Settings,
    held: &[Held],
) -> ServerResult<Vec<CompetencyRow>> {
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let rows = badge_alignment::Entity::find()
        .filter(
            badge_alignment::Column::BadgeVersionId
                .is_in(held.iter().map(|h| h.award.badge_version_id)),
        )
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let list = competency::Entity::find()
        .filter(competency::Column::Id.is_in(rows.iter().map(|r| r.competency_id)))
        .all(db)
        .await?;
    let owners: HashMap<i32, String> = {
        let ids: Vec<i32> = list.iter().filter_map(|c| c.institution_id).collect();
        if ids.is_empty() {
            HashMap::new()
        } else {
            institution::Entity::find()
                .filter(institution::Column::Id.is_in(ids))
                .all(db)
                .await?
                .into_iter()
                .map(|i| (i.id, i.slug))
                .collect()
        }
    };
    let mut backing: BTreeMap<i32, Vec<(String, String)>> = BTreeMap::new();
    for h in held {
        for r in rows
            .iter()
            .filter(|r| r.badge_version_id == h.award.badge_version_id)
        {
            backing.entry(r.competency_id).or_default().push((
                h.award.public_id.to_string(),
                h.version
                    .as_ref()
                    .map(|v| v.name.clone())
                    .unwrap_or_default(),
            ));
        }
    }
    let mut out: Vec<CompetencyRow> = list
        .iter()
        .filter_map(|c| {
            let badges = backing.remove(&c.id)?;
            let owner = c.institution_id.and_then(|id| owners.get(&id));
            Some(CompetencyRow {
                slug: c.slug.clone(),
                name: c.name.clone(),
                url: competencies::url(settings, c, owner.map(String::as_str)),
                badges,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.badges
            .len()
            .cmp(&a.badges.len())
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

//! The badge wall: the learner's badges as cards, filtered, searched and sorted, a
//! screenful at a time. Five queries whatever the number of badges; the filtering and
//! sorting happen here, on rows already scoped to the learner.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{Held, award_mark, date, held};
use crate::error::AppError;
use crate::model::awards::FilterOption;
use crate::model::portfolio::{Mark, Wall, WallCard, WallFilters, WallQuery};
use crate::server::entities::{badge_alignment, competency, program, program_badge};
use crate::server::error::ServerResult;
use crate::server::state::Settings;

/// Longest search text.
const MAX_SEARCH: usize = 200;

/// How the wall is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Date,
    Name,
    Issuer,
}

fn sort_of(s: &str) -> Result<Sort, AppError> {
    match s.trim() {
        "" | "date" => Ok(Sort::Date),
        "name" => Ok(Sort::Name),
        "issuer" => Ok(Sort::Issuer),
        _ => Err(AppError::invalid("Sort by date, name or issuer.")),
    }
}

/// What the filters need to know about the learner's badges.
struct Facets {
    /// Program id → the badge ids it stacks (components and its own badge).
    program_badges: HashMap<i32, HashSet<i32>>,
    programs: HashMap<i32, program::Model>,
    /// Badge version id → its competencies.
    alignments: HashMap<i32, Vec<i32>>,
    competencies: HashMap<i32, competency::Model>,
}

async fn facets(db: &impl ConnectionTrait, held: &[Held]) -> ServerResult<Facets> {
    let badge_ids: HashSet<i32> = held.iter().map(|h| h.award.badge_id).collect();
    let version_ids: HashSet<i32> = held.iter().map(|h| h.award.badge_version_id).collect();
    if badge_ids.is_empty() {
        return Ok(Facets {
            program_badges: HashMap::new(),
            programs: HashMap::new(),
            alignments: HashMap::new(),
            competencies: HashMap::new(),
        });
    }
    let stacks = program_badge::Entity::find()
        .filter(program_badge::Column::BadgeId.is_in(badge_ids.iter().copied()))
        .all(db)
        .await?;
    let mut program_ids: HashSet<i32> = stacks.iter().map(|s| s.program_id).collect();
    program_ids.extend(held.iter().filter_map(|h| h.award.program_id));
    let programs: HashMap<i32, program::Model> = program::Entity::find()
        .filter(program::Column::Id.is_in(program_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut program_badges: HashMap<i32, HashSet<i32>> = HashMap::new();
    for s in &stacks {
        program_badges
            .entry(s.program_id)
            .or_default()
            .insert(s.badge_id);
    }
    for p in programs.values() {
        if let Some(b) = p.program_badge_id {
            program_badges.entry(p.id).or_default().insert(b);
        }
    }
    let rows = badge_alignment::Entity::find()
        .filter(badge_alignment::Column::BadgeVersionId.is_in(version_ids))
        .all(db)
        .await?;
    let mut alignments: HashMap<i32, Vec<i32>> = HashMap::new();
    for r in &rows {
        alignments
            .entry(r.badge_version_id)
            .or_default()
            .push(r.competency_id);
    }
    let competencies: HashMap<i32, competency::Model> = if rows.is_empty() {
        HashMap::new()
    } else {
        competency::Entity::find()
            .filter(competency::Column::Id.is_in(rows.iter().map(|r| r.competency_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    Ok(Facets {
        program_badges,
        programs,
        alignments,
        competencies,
    })
}

fn options(map: BTreeMap<String, String>) -> Vec<FilterOption> {
    let mut list: Vec<FilterOption> = map
        .into_iter()
        .map(|(value, label)| FilterOption { value, label })
        .collect();
    list.sort_by_cached_key(|o| o.label.to_lowercase());
    list
}

/// The wall for `query`, as of `now`.
///
/// # Errors
/// `Invalid` for an unknown sort or status, a search too long; database errors.
pub async fn wall(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user_id: i32,
    query: &WallQuery,
    now: DateTime<Utc>,
) -> ServerResult<Wall> {
    let sort = sort_of(&query.sort)?;
    let status = match query.status.trim() {
        "" => None,
        s => Some(
            Mark::parse(s).ok_or_else(|| AppError::invalid("Choose a status from the list."))?,
        ),
    };
    let credit_only = match query.credit.trim() {
        "" => false,
        "yes" => true,
        _ => return Err(AppError::invalid("Credit-bearing is yes or empty.").into()),
    };
    let needle = query.q.trim().to_lowercase();
    if needle.chars().count() > MAX_SEARCH {
        return Err(
            AppError::invalid(format!("Search for at most {MAX_SEARCH} characters.")).into(),
        );
    }

    let held = held(db, settings, user_id).await?;
    // Programs and competencies are read only when a filter asks about them.
    let needs_facets =
        credit_only || !query.program.trim().is_empty() || !query.competency.trim().is_empty();
    let f = if needs_facets {
        facets(db, &held).await?
    } else {
        facets(db, &[]).await?
    };
    let marks: Vec<Mark> = held.iter().map(|h| award_mark(&h.award, now)).collect();

    let in_program = |h: &Held, pred: &dyn Fn(&program::Model) -> bool| {
        f.programs.values().filter(|p| pred(p)).any(|p| {
            h.award.program_id == Some(p.id)
                || f.program_badges
                    .get(&p.id)
                    .is_some_and(|ids| ids.contains(&h.award.badge_id))
        })
    };
    let program_slug = query.program.trim();
    let competency_slug = query.competency.trim();
    let issuer_slug = query.issuer.trim();
    let mut matched: Vec<(&Held, Mark)> = held
        .iter()
        .zip(marks.iter().copied())
        .filter(|(h, m)| {
            if status.is_some_and(|s| s != *m) {
                return false;
            }
            if !issuer_slug.is_empty() && h.issuer.as_ref().is_none_or(|i| i.slug != issuer_slug) {
                return false;
            }
            if !program_slug.is_empty() && !in_program(h, &|p| p.slug == program_slug) {
                return false;
            }
            if credit_only && !in_program(h, &|p| p.credit_bearing) {
                return false;
            }
            if !competency_slug.is_empty()
                && !f
                    .alignments
                    .get(&h.award.badge_version_id)
                    .is_some_and(|ids| {
                        ids.iter().any(|id| {
                            f.competencies
                                .get(id)
                                .is_some_and(|c| c.slug == competency_slug)
                        })
                    })
            {
                return false;
            }
            if !needle.is_empty() {
                let name = h.version.as_ref().map(|v| v.name.to_lowercase());
                let tags = h.version.as_ref().map(|v| v.tags.to_lowercase());
                let issuer = h.issuer.as_ref().map(|i| i.name.to_lowercase());
                if ![name, tags, issuer]
                    .iter()
                    .flatten()
                    .any(|s| s.contains(&needle))
                {
                    return false;
                }
            }
            true
        })
        .collect();
    let name_of = |h: &Held| {
        h.version
            .as_ref()
            .map(|v| v.name.to_lowercase())
            .unwrap_or_default()
    };
    let issuer_of = |h: &Held| {
        h.issuer
            .as_ref()
            .map(|i| i.name.to_lowercase())
            .unwrap_or_default()
    };
    // `held` is newest first; a stable sort keeps that order among equals.
    match sort {
        Sort::Date => {}
        Sort::Name => matched.sort_by_cached_key(|(h, _)| name_of(h)),
        Sort::Issuer => matched.sort_by_cached_key(|(h, _)| (issuer_of(h), name_of(h))),
    }
    // Imports: no program or competency, so those filters leave them out.
    let imports = if program_slug.is_empty() && competency_slug.is_empty() && !credit_only {
        super::import::held(db, user_id).await?
    } else {
        Vec::new()
    };
    let import_count = if program_slug.is_empty() && competency_slug.is_empty() && !credit_only {
        imports.len()
    } else {
        super::import::count(db, user_id).await?
    };
    let mut extra: Vec<(DateTime<Utc>, String, String, WallCard)> = imports
        .into_iter()
        .filter_map(|i| {
            let mark = super::import::import_mark(&i, now);
            if status.is_some_and(|s| s != mark) {
                return None;
            }
            if !issuer_slug.is_empty() && super::import::issuer_slug(&i.issuer_name) != issuer_slug
            {
                return None;
            }
            if !needle.is_empty()
                && !i.name.to_lowercase().contains(&needle)
                && !i.issuer_name.to_lowercase().contains(&needle)
            {
                return None;
            }
            let when = i.issued_at.unwrap_or(i.imported_at);
            Some((
                when,
                i.name.to_lowercase(),
                i.issuer_name.to_lowercase(),
                super::import::card(&i, mark),
            ))
        })
        .collect();
    let total = u32::try_from(matched.len() + extra.len()).unwrap_or(u32::MAX);
    let mut cards: Vec<(DateTime<Utc>, String, String, WallCard)> = matched
        .into_iter()
        .map(|(h, mark)| {
            (
                h.award.awarded_at,
                name_of(h),
                issuer_of(h),
                award_card(h, mark),
            )
        })
        .collect();
    cards.append(&mut extra);
    match sort {
        Sort::Date => cards.sort_by_key(|a| std::cmp::Reverse(a.0)),
        Sort::Name => cards.sort_by(|a, b| a.1.cmp(&b.1)),
        Sort::Issuer => cards.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1))),
    }
    let cards = cards
        .into_iter()
        .take(query.limit() as usize)
        .map(|(_, _, _, c)| c)
        .collect();
    Ok(Wall {
        cards,
        held: u32::try_from(held.len() + import_count).unwrap_or(u32::MAX),
        matched: total,
    })
}

fn award_card(h: &Held, mark: Mark) -> WallCard {
    {
        WallCard {
            public_id: h.award.public_id.to_string(),
            name: h
                .version
                .as_ref()
                .map(|v| v.name.clone())
                .unwrap_or_default(),
            issuer: h
                .issuer
                .as_ref()
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            image_url: h.image_url.clone(),
            awarded_at: date(h.award.awarded_at),
            expires_at: h.award.expires_at.map(date),
            mark,
            revocation_reason: h.award.revocation_reason.clone(),
            is_public: h.award.is_public,
            program: h.program.as_ref().map(|p| p.name.clone()),
            credits: h.version.as_ref().map_or(0, |v| v.credits),
            imported: false,
        }
    }
}

/// The filters' choices for these badges.
///
/// # Errors
/// Database errors.
pub async fn filters(
    db: &impl ConnectionTrait,
    held: &[Held],
    now: DateTime<Utc>,
) -> ServerResult<WallFilters> {
    let f = facets(db, held).await?;
    let marks: HashSet<Mark> = held.iter().map(|h| award_mark(&h.award, now)).collect();
    Ok(WallFilters {
        programs: options(
            f.programs
                .values()
                .map(|p| (p.slug.clone(), p.name.clone()))
                .collect(),
        ),
        competencies: options(
            f.competencies
                .values()
                .map(|c| (c.slug.clone(), c.name.clone()))
                .collect(),
        ),
        issuers: options(
            held.iter()
                .filter_map(|h| h.issuer.as_ref())
                .map(|i| (i.slug.clone(), i.name.clone()))
                .collect(),
        ),
        statuses: Mark::ALL
            .into_iter()
            .filter(|m| marks.contains(m))
            .map(|m| FilterOption {
                value: m.as_str().to_string(),
                label: m.label().to_string(),
            })
            .collect(),
    })
}

//! Micro-credential programs: at most 11 credits (checked here with a clear message,
//! and by a database constraint), credit-bearing or not, an ordered stack of the
//! institution's badges, and the program's own badge (`MicroCredential`). Also the
//! public catalog built from them.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};

use super::badges::{self, BadgeInput};
use super::{limited, one_line, required};
use crate::error::AppError;
use crate::model::catalog::{
    CREDITS_RULE, Catalog, CatalogFilter, Choice, DEFAULT_COST, MAX_PROGRAM_CREDITS,
    ProgramAdminView, ProgramCard, ProgramDetail,
};
use crate::server::Settings;
use crate::server::db::begin_write;
use crate::server::entities::{badge, competency, enrollment, institution, program, program_badge};
use crate::server::error::{ServerError, ServerResult};
use crate::server::urls;

/// Most component badges in one program's stack.
pub const MAX_STACK: usize = 12;

/// A program as typed into the form.
#[derive(Debug, Clone, Default)]
pub struct ProgramInput {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub credits: String,
    pub credit_bearing: bool,
    pub terms: String,
    /// Public ids of the component badges, in stacking order.
    pub badges: Vec<String>,
    /// Public id of the program's own badge; empty: one is made for it.
    pub program_badge: String,
    pub capstone_evidence: String,
    pub enrollment_open: bool,
    /// Empty: "No cost beyond regular tuition."
    pub cost: String,
}

/// Reads the credits field.
///
/// # Errors
/// `Invalid` with [`CREDITS_RULE`] for anything but a whole number from 0 to 11.
pub fn parse_credits(value: &str) -> Result<i32, AppError> {
    value
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|c| (0..=MAX_PROGRAM_CREDITS).contains(c))
        .ok_or_else(|| AppError::invalid(CREDITS_RULE))
}

struct Checked {
    slug: String,
    name: String,
    description: String,
    credits: i32,
    terms: String,
    capstone_evidence: String,
    cost: String,
}

fn check(input: &ProgramInput) -> Result<Checked, AppError> {
    let name = one_line(&input.name, "The program's name", 120)?;
    let slug = input.slug.trim().to_string();
    if !urls::is_valid_slug(&slug) {
        return Err(AppError::invalid(
            "The web address name must be 2 to 64 lower-case letters, digits or dashes.",
        ));
    }
    let credits = parse_credits(&input.credits)?;
    if input.credit_bearing && credits == 0 {
        return Err(AppError::invalid(
            "A credit-bearing program carries at least 1 credit (0 credits: make it not-for-credit).",
        ));
    }
    let cost = limited(&input.cost, "The cost line", 200)?;
    Ok(Checked {
        slug,
        name,
        description: required(&input.description, "The description", 8000)?,
        credits,
        terms: limited(&input.terms, "The terms", 200)?,
        capstone_evidence: limited(&input.capstone_evidence, "The capstone evidence", 4000)?,
        cost: if cost.is_empty() {
            DEFAULT_COST.to_string()
        } else {
            cost
        },
    })
}

/// The institution's badges for these public ids, in the given order (each once).
async fn stack(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    ids: &[String],
) -> ServerResult<Vec<badge::Model>> {
    let ids: Vec<&str> = ids
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .collect();
    if ids.len() > MAX_STACK {
        return Err(AppError::invalid("A program stacks at most 12 badges.").into());
    }
    let mut out: Vec<badge::Model> = Vec::new();
    for id in ids {
        let b = badges::find(db, inst, id).await.map_err(|e| {
            not_found_as(
                e,
                "Choose the program's badges from your institution's badges.",
            )
        })?;
        if out.iter().any(|o| o.id == b.id) {
            return Err(AppError::invalid("A badge appears twice in the stack.").into());
        }
        out.push(b);
    }
    Ok(out)
}

/// A badge that is not the institution's is a mistake on the form, said in words; any
/// other error stays what it is.
fn not_found_as(e: ServerError, message: &str) -> ServerError {
    match e {
        ServerError::User(AppError::NotFound) => AppError::invalid(message).into(),
        other => other,
    }
}

/// The chosen program badge: one of the institution's.
async fn program_badge(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    id: &str,
) -> ServerResult<badge::Model> {
    badges::find(db, inst, id).await.map_err(|e| {
        not_found_as(
            e,
            "Choose the program's credential from your institution's badges.",
        )
    })
}

fn duplicate_slug(e: &sea_orm::DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

const SLUG_TAKEN: &str = "Another program already uses this web address name. Choose another.";

async fn write_stack(
    txn: &impl ConnectionTrait,
    program_id: i32,
    stack: &[badge::Model],
) -> ServerResult<()> {
    program_badge::Entity::delete_many()
        .filter(program_badge::Column::ProgramId.eq(program_id))
        .exec(txn)
        .await?;
    for (pos, b) in stack.iter().enumerate() {
        program_badge::ActiveModel {
            program_id: Set(program_id),
            badge_id: Set(b.id),
            position: Set(i32::try_from(pos).unwrap_or(i32::MAX)),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Creates a program. Without a chosen program badge, one is made (type
/// `MicroCredential`, criteria naming the stack) in the same transaction.
///
/// # Errors
/// `Invalid` naming what to fix (nothing is saved); database errors.
pub async fn create(
    db: &DatabaseConnection,
    settings: &Settings,
    inst: &institution::Model,
    author: Option<i32>,
    input: ProgramInput,
) -> ServerResult<program::Model> {
    let c = check(&input)?;
    let txn = begin_write(db).await?;
    let components = stack(&*txn, inst, &input.badges).await?;
    let chosen = match input.program_badge.trim() {
        "" => None,
        id => Some(program_badge(&*txn, inst, id).await?),
    };
    // The program's own badge, when one is made for it, is part of the same transaction:
    // a refused program (say, a slug in use) leaves no badge behind.
    let program_badge_id = match chosen {
        Some(b) => b.id,
        None => {
            let names = badges::views(&*txn, settings, &components).await?;
            let list: Vec<String> = components
                .iter()
                .filter_map(|b| names.get(&b.id).map(|v| v.name.clone()))
                .collect();
            let criteria = if list.is_empty() {
                format!("Complete the {} program.", c.name)
            } else {
                format!(
                    "Earn every badge of the {} program: {}.",
                    c.name,
                    list.join(", ")
                )
            };
            badges::create_in(
                &*txn,
                settings,
                inst,
                author,
                BadgeInput {
                    name: c.name.clone(),
                    description: c.description.chars().take(4000).collect(),
                    criteria,
                    achievement_type: "MicroCredential".into(),
                    credits: c.credits.to_string(),
                    ..Default::default()
                },
                None,
            )
            .await?
            .id
        }
    };
    let now = Utc::now();
    let inserted = program::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        institution_id: Set(inst.id),
        slug: Set(c.slug),
        name: Set(c.name),
        description: Set(c.description),
        credits: Set(c.credits),
        credit_bearing: Set(input.credit_bearing),
        terms: Set(c.terms),
        program_badge_id: Set(Some(program_badge_id)),
        capstone_evidence: Set(c.capstone_evidence),
        enrollment_open: Set(input.enrollment_open),
        cost: Set(c.cost),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await;
    let p = match inserted {
        Ok(p) => p,
        Err(e) if duplicate_slug(&e) => return Err(AppError::invalid(SLUG_TAKEN).into()),
        Err(e) => return Err(e.into()),
    };
    write_stack(&*txn, p.id, &components).await?;
    txn.commit().await?;
    Ok(p)
}

/// Saves changes to the institution's program named by `slug` (the slug may change).
///
/// # Errors
/// `NotFound` when the program is not the institution's; `Invalid`; database errors.
pub async fn update(
    db: &DatabaseConnection,
    inst: &institution::Model,
    slug: &str,
    input: ProgramInput,
) -> ServerResult<program::Model> {
    let c = check(&input)?;
    let txn = begin_write(db).await?;
    let components = stack(&*txn, inst, &input.badges).await?;
    let program_badge_id = match input.program_badge.trim() {
        "" => None,
        id => Some(program_badge(&*txn, inst, id).await?.id),
    };
    let p = program::Entity::find()
        .filter(program::Column::Slug.eq(slug.trim()))
        .filter(program::Column::InstitutionId.eq(inst.id))
        .lock_exclusive()
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = p.id;
    let mut a: program::ActiveModel = p.into();
    a.slug = Set(c.slug);
    a.name = Set(c.name);
    a.description = Set(c.description);
    a.credits = Set(c.credits);
    a.credit_bearing = Set(input.credit_bearing);
    a.terms = Set(c.terms);
    if program_badge_id.is_some() {
        a.program_badge_id = Set(program_badge_id);
    }
    a.capstone_evidence = Set(c.capstone_evidence);
    a.enrollment_open = Set(input.enrollment_open);
    a.cost = Set(c.cost);
    a.updated_at = Set(Utc::now());
    let p = match a.update(&*txn).await {
        Ok(p) => p,
        Err(e) if duplicate_slug(&e) => return Err(AppError::invalid(SLUG_TAKEN).into()),
        Err(e) => return Err(e.into()),
    };
    write_stack(&*txn, id, &components).await?;
    txn.commit().await?;
    Ok(p)
}

/// The component badges of a program, in order.
///
/// # Errors
/// Database errors.
pub async fn components(
    db: &impl ConnectionTrait,
    program_id: i32,
) -> ServerResult<Vec<badge::Model>> {
    let links = program_badge::Entity::find()
        .filter(program_badge::Column::ProgramId.eq(program_id))
        .order_by_asc(program_badge::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<i32> = links.iter().map(|l| l.badge_id).collect();
    let found = badge::Entity::find()
        .filter(badge::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|b| b.id == *id).cloned())
        .collect())
}

/// A program by its catalog slug, with its institution.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> ServerResult<(program::Model, institution::Model)> {
    let p = program::Entity::find()
        .filter(program::Column::Slug.eq(slug.trim()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let inst = institution::Entity::find_by_id(p.institution_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((p, inst))
}

fn summary(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or_default().trim();
    if first.chars().count() > 240 {
        let cut: String = first.chars().take(237).collect();
        format!("{}…", cut.trim_end())
    } else {
        first.to_string()
    }
}

/// The public catalog: every program that matches the filter, with the filters'
/// choices. Catalogs are small (programs number in the tens or hundreds), so matching
/// happens here after one read of each table.
///
/// # Errors
/// Database errors.
pub async fn catalog(
    db: &impl ConnectionTrait,
    settings: &Settings,
    filter: &CatalogFilter,
) -> ServerResult<Catalog> {
    let programs = program::Entity::find()
        .order_by_asc(program::Column::Name)
        .all(db)
        .await?;
    let institutions = institution::Entity::find()
        .order_by_asc(institution::Column::Name)
        .all(db)
        .await?;
    let all_competencies = competency::Entity::find()
        .order_by_asc(competency::Column::Id)
        .all(db)
        .await?;
    let q = filter
        .q
        .as_deref()
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    let wanted_competency = filter
        .competency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    // Every program's stack and own badge, and all their views, in a few queries.
    let links = program_badge::Entity::find()
        .order_by_asc(program_badge::Column::Position)
        .all(db)
        .await?;
    let all_badges = badge::Entity::find().all(db).await?;
    let views = badges::views(db, settings, &all_badges).await?;
    let mut cards = Vec::new();
    let mut used_competencies: HashSet<String> = HashSet::new();
    for p in &programs {
        let Some(inst) = institutions.iter().find(|i| i.id == p.institution_id) else {
            continue;
        };
        let mut ids: Vec<i32> = links
            .iter()
            .filter(|l| l.program_id == p.id)
            .map(|l| l.badge_id)
            .collect();
        let count = ids.len();
        ids.extend(p.program_badge_id);
        let program_views: Vec<&crate::model::catalog::BadgeView> =
            ids.iter().filter_map(|id| views.get(id)).collect();
        let mut comps: Vec<(String, String)> = Vec::new();
        for v in &program_views {
            for a in &v.alignments {
                if !comps.iter().any(|(u, _)| *u == a.url) {
                    comps.push((a.url.clone(), a.name.clone()));
                }
            }
        }
        used_competencies.extend(comps.iter().map(|(u, _)| u.clone()));
        let matches = q.as_ref().is_none_or(|q| {
            p.name.to_lowercase().contains(q)
                || p.description.to_lowercase().contains(q)
                || inst.name.to_lowercase().contains(q)
                || program_views.iter().any(|v| {
                    v.name.to_lowercase().contains(q)
                        || v.tags.iter().any(|t| t.to_lowercase() == *q)
                })
        }) && wanted_competency.is_none_or(|c| comps.iter().any(|(u, _)| u == c))
            && filter
                .credit_bearing
                .is_none_or(|cb| p.credit_bearing == cb)
            && filter.max_credits.is_none_or(|m| p.credits <= m)
            && filter
                .institution
                .as_deref()
                .filter(|s| !s.is_empty())
                .is_none_or(|s| inst.slug == s);
        if !matches {
            continue;
        }
        cards.push(ProgramCard {
            slug: p.slug.clone(),
            name: p.name.clone(),
            summary: summary(&p.description),
            institution: inst.name.clone(),
            credits: p.credits,
            credit_bearing: p.credit_bearing,
            badge_count: count,
            competencies: comps.into_iter().map(|(_, n)| n).collect(),
            enrollment_open: p.enrollment_open,
            image_url: p
                .program_badge_id
                .and_then(|id| views.get(&id))
                .map(|v| v.image_url.clone()),
        });
    }
    let owners: HashMap<i32, &institution::Model> =
        institutions.iter().map(|i| (i.id, i)).collect();
    let competencies = all_competencies
        .iter()
        .map(|c| {
            let owner = c.institution_id.and_then(|id| owners.get(&id).copied());
            super::competencies::view(settings, c, owner)
        })
        .filter(|v| used_competencies.contains(&v.url))
        .map(|v| Choice {
            label: match &v.institution {
                Some(i) => format!("{} ({i})", v.name),
                None => v.name,
            },
            value: v.url,
        })
        .collect();
    Ok(Catalog {
        programs: cards,
        competencies,
        institutions: institutions
            .iter()
            .filter(|i| programs.iter().any(|p| p.institution_id == i.id))
            .map(|i| Choice {
                value: i.slug.clone(),
                label: i.name.clone(),
            })
            .collect(),
    })
}

/// A program's public page; `viewer` is the signed-in user, if any.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn detail(
    db: &impl ConnectionTrait,
    settings: &Settings,
    slug: &str,
    viewer: Option<i32>,
) -> ServerResult<ProgramDetail> {
    let (p, inst) = by_slug(db, slug).await?;
    let mut stack = components(db, p.id).await?;
    let program_badge = match p.program_badge_id {
        Some(id) => badge::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let component_ids: Vec<i32> = stack.iter().map(|b| b.id).collect();
    if let Some(pb) = &program_badge {
        stack.push(pb.clone());
    }
    let mut views = badges::views(db, settings, &stack).await?;
    let enrolled = match viewer {
        Some(user_id) => Some(
            enrollment::Entity::find()
                .filter(enrollment::Column::UserId.eq(user_id))
                .filter(enrollment::Column::ProgramId.eq(p.id))
                .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
                .count(db)
                .await?
                > 0,
        ),
        None => None,
    };
    Ok(ProgramDetail {
        slug: p.slug,
        name: p.name,
        description: p.description,
        institution: inst.name,
        institution_url: inst.url,
        credits: p.credits,
        credit_bearing: p.credit_bearing,
        terms: p.terms,
        cost: p.cost,
        capstone_evidence: p.capstone_evidence,
        enrollment_open: p.enrollment_open,
        badges: component_ids
            .iter()
            .filter_map(|id| views.remove(id))
            .collect(),
        program_badge: program_badge.and_then(|pb| views.remove(&pb.id)),
        enrolled,
    })
}

/// The institution's programs for its admin screen.
///
/// # Errors
/// Database errors.
pub async fn admin_list(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
) -> ServerResult<Vec<ProgramAdminView>> {
    let list = program::Entity::find()
        .filter(program::Column::InstitutionId.eq(inst.id))
        .order_by_asc(program::Column::Name)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for p in list {
        let stack = components(db, p.id).await?;
        let program_badge = match p.program_badge_id {
            Some(id) => badge::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|b| b.public_id.to_string()),
            None => None,
        };
        let enrolled = enrollment::Entity::find()
            .filter(enrollment::Column::ProgramId.eq(p.id))
            .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
            .count(db)
            .await?;
        out.push(ProgramAdminView {
            slug: p.slug,
            name: p.name,
            description: p.description,
            credits: p.credits,
            credit_bearing: p.credit_bearing,
            terms: p.terms,
            cost: p.cost,
            capstone_evidence: p.capstone_evidence,
            enrollment_open: p.enrollment_open,
            badges: stack.iter().map(|b| b.public_id.to_string()).collect(),
            program_badge,
            enrolled: usize::try_from(enrolled).unwrap_or(usize::MAX),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn credits_are_zero_to_eleven() {
        for ok in ["0", "1", " 11 "] {
            assert!(parse_credits(ok).is_ok(), "{ok}");
        }
        for bad in ["12", "-1", "3.5", "", "eleven"] {
            assert_eq!(
                parse_credits(bad),
                Err(AppError::invalid(CREDITS_RULE)),
                "{bad}"
            );
        }
    }

    #[test]
    fn credit_bearing_needs_credits() {
        let input = ProgramInput {
            slug: "ok".into(),
            name: "N".into(),
            description: "D".into(),
            credits: "0".into(),
            credit_bearing: true,
            ..Default::default()
        };
        assert!(check(&input).is_err());
        assert!(
            check(&ProgramInput {
                credit_bearing: false,
                ..input
            })
            .is_ok()
        );
    }
}

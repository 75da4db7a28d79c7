//! The competency framework: the shared 21st-century workforce competencies (seeded by
//! the migration) and each institution's own.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr, sea_query::Condition,
};

use super::{limited, one_line, slugify};
use crate::error::AppError;
use crate::model::catalog::CompetencyView;
use crate::server::Settings;
use crate::server::db::begin_write;
use crate::server::entities::{competency, institution};
use crate::server::error::ServerResult;
use crate::server::urls::PublicUrl;

/// The public URL of a competency.
pub fn url(settings: &Settings, c: &competency::Model, issuer: Option<&str>) -> String {
    match issuer {
        Some(issuer) => PublicUrl::InstitutionCompetency {
            issuer: issuer.to_string(),
            slug: c.slug.clone(),
        },
        None => PublicUrl::Competency {
            slug: c.slug.clone(),
        },
    }
    .to_url(&settings.public_url)
}

/// How pages show a competency.
pub fn view(
    settings: &Settings,
    c: &competency::Model,
    owner: Option<&institution::Model>,
) -> CompetencyView {
    CompetencyView {
        slug: c.slug.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        url: url(settings, c, owner.map(|i| i.slug.as_str())),
        institution: owner.map(|i| i.name.clone()),
    }
}

/// Competencies an institution's badges may align to: the shared framework and its own
/// (`None`: the framework only).
///
/// # Errors
/// Database errors.
pub async fn available(
    db: &impl ConnectionTrait,
    institution_id: Option<i32>,
) -> ServerResult<Vec<competency::Model>> {
    let mut cond = Condition::any().add(competency::Column::InstitutionId.is_null());
    if let Some(id) = institution_id {
        cond = cond.add(competency::Column::InstitutionId.eq(id));
    }
    Ok(competency::Entity::find()
        .filter(cond)
        .order_by_asc(competency::Column::InstitutionId)
        .order_by_asc(competency::Column::Id)
        .all(db)
        .await?)
}

/// Views of competencies, with their owners looked up.
///
/// # Errors
/// Database errors.
pub async fn views(
    db: &impl ConnectionTrait,
    settings: &Settings,
    list: &[competency::Model],
) -> ServerResult<Vec<CompetencyView>> {
    let owners = institution::Entity::find().all(db).await?;
    Ok(list
        .iter()
        .map(|c| {
            let owner = c
                .institution_id
                .and_then(|id| owners.iter().find(|i| i.id == id));
            view(settings, c, owner)
        })
        .collect())
}

/// Adds an institution's own competency; its slug comes from the name.
///
/// # Errors
/// `Invalid` for a missing or too long name, or one the institution already has.
pub async fn add(
    db: &DatabaseConnection,
    inst: &institution::Model,
    name: &str,
    description: &str,
) -> ServerResult<competency::Model> {
    let name = one_line(name, "The competency's name", 120)?;
    let description = limited(description, "The description", 2000)?;
    let slug = slugify(&name);
    if slug.len() < 2 {
        return Err(AppError::invalid("The competency's name needs letters or digits.").into());
    }
    let txn = begin_write(db).await?;
    let inserted = competency::ActiveModel {
        slug: Set(slug),
        name: Set(name),
        description: Set(description),
        institution_id: Set(Some(inst.id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await;
    match inserted {
        Ok(c) => {
            txn.commit().await?;
            Ok(c)
        }
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(
            AppError::invalid("Your institution already has a competency with this name.").into(),
        ),
        Err(e) => Err(e.into()),
    }
}

/// A competency by its public URL's parts: the framework's (`issuer: None`) or an
/// institution's own.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn find(
    db: &impl ConnectionTrait,
    issuer: Option<&str>,
    slug: &str,
) -> ServerResult<(competency::Model, Option<institution::Model>)> {
    let owner = match issuer {
        Some(issuer) => Some(
            institution::Entity::find()
                .filter(institution::Column::Slug.eq(issuer))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let mut q = competency::Entity::find().filter(competency::Column::Slug.eq(slug));
    q = match &owner {
        Some(i) => q.filter(competency::Column::InstitutionId.eq(i.id)),
        None => q.filter(competency::Column::InstitutionId.is_null()),
    };
    let c = q.one(db).await?.ok_or(AppError::NotFound)?;
    Ok((c, owner))
}

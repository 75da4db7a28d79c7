//! Institutions' profiles as their admins edit them, the admin screen's contents, and
//! the platform admin's list.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{badges, competencies, images, limited, one_line, programs, web_url};
use crate::error::AppError;
use crate::model::catalog::{InstitutionAdmin, InstitutionSummary, ManagedInstitution, StaffView};
use crate::server::Settings;
use crate::server::authz::{Action, Actor, StaffRole, authorize};
use crate::server::db::begin_write;
use crate::server::entities::{image, institution, membership, program, staff_invitation, user};
use crate::server::error::ServerResult;

/// An institution's profile as typed into the form.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub name: String,
    pub url: String,
    pub email: String,
    pub description: String,
    pub linkedin_org_id: String,
    /// A new logo (PNG or SVG), if uploaded.
    pub logo: Option<Vec<u8>>,
}

/// Updates an institution's profile (its slug never changes: it is in every credential).
///
/// # Errors
/// `Invalid` naming the field to fix; database errors.
pub async fn update_profile(
    db: &DatabaseConnection,
    inst: &institution::Model,
    input: ProfileInput,
) -> ServerResult<institution::Model> {
    let name = one_line(&input.name, "The institution's name", 200)?;
    let url = web_url(&input.url, "The institution's web site")?;
    let contact = if input.email.trim().is_empty() {
        String::new()
    } else {
        crate::server::accounts::normalize_email(&input.email)?
    };
    let description = limited(&input.description, "The description", 4000)?;
    let linkedin = limited(&input.linkedin_org_id, "The LinkedIn organization id", 40)?;
    if !linkedin.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "The LinkedIn organization id is the number in your LinkedIn company page's admin address.",
        )
        .into());
    }
    let logo = images::clean_upload(input.logo).await?;
    let txn = begin_write(db).await?;
    let mut a: institution::ActiveModel = inst.clone().into();
    if let Some(logo) = logo {
        a.logo_image_id = Set(Some(images::store(&*txn, logo).await?.id));
    }
    a.name = Set(name);
    a.url = Set(url);
    a.email = Set(contact);
    a.description = Set(description);
    a.linkedin_org_id = Set((!linkedin.is_empty()).then_some(linkedin));
    let updated = a.update(&*txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The institution with this slug.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> ServerResult<institution::Model> {
    institution::Entity::find()
        .filter(institution::Column::Slug.eq(slug.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The staff of an institution and its pending invitations.
///
/// # Errors
/// Database errors.
pub async fn staff(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
) -> ServerResult<Vec<StaffView>> {
    let members = membership::Entity::find()
        .filter(membership::Column::InstitutionId.eq(inst.id))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for m in members {
        if let Some(u) = user::Entity::find_by_id(m.user_id).one(db).await? {
            out.push(StaffView {
                user_id: Some(u.public_id.to_string()),
                name: u.display_name,
                email: u.email,
                role: m.role,
                pending: false,
                invitation: None,
            });
        }
    }
    let invitations = staff_invitation::Entity::find()
        .filter(staff_invitation::Column::InstitutionId.eq(inst.id))
        .filter(staff_invitation::Column::AcceptedAt.is_null())
        .filter(staff_invitation::Column::ExpiresAt.gt(chrono::Utc::now()))
        .order_by_asc(staff_invitation::Column::Id)
        .all(db)
        .await?;
    out.extend(invitations.into_iter().map(|i| StaffView {
        user_id: None,
        name: String::new(),
        email: i.email,
        role: i.role,
        pending: true,
        invitation: Some(i.id),
    }));
    Ok(out)
}

/// Everything the institution's screen shows to its staff (`actor` must be allowed to
/// review for it; only admins may change anything).
///
/// # Errors
/// `Forbidden`/`Unauthenticated`; `NotFound`; database errors.
pub async fn admin_view(
    db: &impl ConnectionTrait,
    settings: &Settings,
    actor: &Actor,
    slug: &str,
) -> ServerResult<InstitutionAdmin> {
    let inst = by_slug(db, slug).await?;
    authorize(
        actor,
        Action::ReviewFor {
            institution_id: inst.id,
        },
    )?;
    let can_manage = authorize(
        actor,
        Action::ManageInstitution {
            institution_id: inst.id,
        },
    )
    .is_ok();
    let logo_url = match inst.logo_image_id {
        Some(id) => image::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|img| badges::image_url(settings, &img)),
        None => None,
    };
    let available = competencies::available(db, Some(inst.id)).await?;
    Ok(InstitutionAdmin {
        staff: staff(db, &inst).await?,
        badges: badges::list(db, settings, &inst).await?,
        programs: programs::admin_list(db, &inst).await?,
        competencies: competencies::views(db, settings, &available).await?,
        slug: inst.slug,
        name: inst.name,
        url: inst.url,
        email: inst.email,
        description: inst.description,
        linkedin_org_id: inst.linkedin_org_id.unwrap_or_default(),
        logo_url,
        can_manage,
    })
}

/// Every institution, for the platform admin.
///
/// # Errors
/// Database errors.
pub async fn list_all(db: &impl ConnectionTrait) -> ServerResult<Vec<InstitutionSummary>> {
    let list = institution::Entity::find()
        .order_by_asc(institution::Column::Name)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for i in list {
        let programs = program::Entity::find()
            .filter(program::Column::InstitutionId.eq(i.id))
            .count(db)
            .await?;
        let staff = membership::Entity::find()
            .filter(membership::Column::InstitutionId.eq(i.id))
            .count(db)
            .await?;
        out.push(InstitutionSummary {
            slug: i.slug,
            name: i.name,
            url: i.url,
            email: i.email,
            programs: usize::try_from(programs).unwrap_or(usize::MAX),
            staff: usize::try_from(staff).unwrap_or(usize::MAX),
        });
    }
    Ok(out)
}

/// The institutions the actor works for (all of them for a platform admin).
///
/// # Errors
/// Database errors.
pub async fn managed(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> ServerResult<Vec<ManagedInstitution>> {
    if !actor.is_signed_in() {
        return Ok(Vec::new());
    }
    let all = institution::Entity::find()
        .order_by_asc(institution::Column::Name)
        .all(db)
        .await?;
    Ok(all
        .into_iter()
        .filter_map(|i| {
            let role = match actor.role_at(i.id) {
                Some(StaffRole::Admin) => "admin",
                Some(StaffRole::Reviewer) => "reviewer",
                None if actor.is_platform_admin() => "platform admin",
                None => return None,
            };
            Some(ManagedInstitution {
                slug: i.slug,
                name: i.name,
                role: role.to_string(),
            })
        })
        .collect())
}

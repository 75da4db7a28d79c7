//! An institution's staff: invitations by e-mail (single-use, expiring, bound to the
//! invited address), acceptance, and removal. The first admin of a new institution is
//! invited the same way.

use chrono::{Duration, Utc};
use rand::RngCore as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set, sea_query::Expr,
};

use super::images::hex;
use crate::error::AppError;
use crate::server::Settings;
use crate::server::accounts::normalize_email;
use crate::server::db::begin_write;
use crate::server::entities::{institution, membership, staff_invitation, user};
use crate::server::error::ServerResult;
use crate::server::issuing::{self, NewInstitution};
use crate::server::mail::{self, Mail};
use crate::server::sessions::token_hash;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 14;

/// The path of the page that accepts an invitation (the token is in the query).
pub const ACCEPT_PATH: &str = "/invitations/accept";

fn role_value(role: &str) -> Result<&'static str, AppError> {
    match role.trim() {
        membership::ROLE_ADMIN => Ok(membership::ROLE_ADMIN),
        membership::ROLE_REVIEWER => Ok(membership::ROLE_REVIEWER),
        _ => Err(AppError::invalid("Choose a role: admin or reviewer.")),
    }
}

/// Queues an invitation (and its mail) inside `txn`; returns the token (for tests).
async fn invite_in(
    txn: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    inviter: Option<&user::Model>,
    email: &str,
    role: &str,
) -> ServerResult<String> {
    let email = normalize_email(email)?;
    let role = role_value(role)?;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = hex(&raw);
    let now = Utc::now();
    staff_invitation::ActiveModel {
        institution_id: Set(inst.id),
        email: Set(email.clone()),
        role: Set(role.to_string()),
        token_hash: Set(token_hash(&token)),
        invited_by: Set(inviter.map(|u| u.id)),
        expires_at: Set(now + Duration::days(INVITATION_DAYS)),
        accepted_at: Set(None),
        accepted_by: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let link = format!("{}{ACCEPT_PATH}?token={token}", settings.public_url);
    let by = inviter.map_or_else(
        || "The Badgefolio team".to_string(),
        |u| u.display_name.clone(),
    );
    mail::enqueue(
        txn,
        Mail {
            to: email,
            subject: format!("You are invited to join {} on Badgefolio", inst.name),
            text: format!(
                "{by} invited you to join {} on Badgefolio as {role}.\n\n\
                 Accept the invitation here (sign in or create an account with this e-mail address first):\n{link}\n\n\
                 The link works once and expires in {INVITATION_DAYS} days. If you did not expect it, ignore this mail.\n",
                inst.name
            ),
        },
    )
    .await?;
    Ok(token)
}

/// Invites someone to an institution's staff by e-mail; returns the token.
///
/// # Errors
/// `Invalid` for a bad address or role; database errors.
pub async fn invite(
    db: &DatabaseConnection,
    settings: &Settings,
    inst: &institution::Model,
    inviter: &user::Model,
    email: &str,
    role: &str,
) -> ServerResult<String> {
    let txn = begin_write(db).await?;
    let token = invite_in(&*txn, settings, inst, Some(inviter), email, role).await?;
    txn.commit().await?;
    mail::wake();
    Ok(token)
}

/// Creates an institution (keys, status list) and invites its first admin; returns the
/// institution and the invitation token.
///
/// # Errors
/// `Invalid` for a bad field, a slug in use or a bad admin address (checked before
/// anything is created); database errors.
pub async fn create_institution(
    db: &DatabaseConnection,
    settings: &Settings,
    creator: &user::Model,
    new: NewInstitution,
    description: &str,
    admin_email: &str,
) -> ServerResult<(institution::Model, String)> {
    let name = super::one_line(&new.name, "The institution's name", 200)?;
    let url = super::web_url(&new.url, "The institution's web site")?;
    let email = if new.email.trim().is_empty() {
        String::new()
    } else {
        normalize_email(&new.email)?
    };
    let description = super::limited(description, "The description", 4000)?;
    // One transaction: the institution exists only with its first admin's invitation.
    let txn = begin_write(db).await?;
    let inst = issuing::create_institution_in(
        &*txn,
        settings,
        NewInstitution {
            name,
            url,
            email,
            ..new
        },
    )
    .await?;
    let mut a: institution::ActiveModel = inst.into();
    a.description = Set(description);
    let inst = a.update(&*txn).await?;
    let token = invite_in(
        &*txn,
        settings,
        &inst,
        Some(creator),
        admin_email,
        membership::ROLE_ADMIN,
    )
    .await?;
    txn.commit().await?;
    mail::wake();
    Ok((inst, token))
}

/// Withdraws a pending invitation of the institution.
///
/// # Errors
/// `NotFound` when there is no such pending invitation at this institution.
pub async fn revoke(
    db: &DatabaseConnection,
    inst: &institution::Model,
    invitation_id: i32,
) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let gone = staff_invitation::Entity::delete_many()
        .filter(staff_invitation::Column::Id.eq(invitation_id))
        .filter(staff_invitation::Column::InstitutionId.eq(inst.id))
        .filter(staff_invitation::Column::AcceptedAt.is_null())
        .exec(&*txn)
        .await?;
    if gone.rows_affected != 1 {
        return Err(AppError::NotFound.into());
    }
    txn.commit().await?;
    Ok(())
}

/// What an invitation offers, for the page that accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub institution: institution::Model,
    pub email: String,
    pub role: String,
}

async fn open_invitation(
    db: &impl ConnectionTrait,
    token: &str,
) -> ServerResult<staff_invitation::Model> {
    let invalid = || {
        AppError::invalid(
            "This invitation link is not valid: it was already used, it expired, or it was mistyped. Ask for a new one.",
        )
    };
    let inv = staff_invitation::Entity::find()
        .filter(staff_invitation::Column::TokenHash.eq(token_hash(token.trim())))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if inv.accepted_at.is_some() || inv.expires_at <= Utc::now() {
        return Err(invalid().into());
    }
    Ok(inv)
}

/// What the invitation with this token offers.
///
/// # Errors
/// `Invalid` for a used, expired or unknown token; database errors.
pub async fn offer(db: &impl ConnectionTrait, token: &str) -> ServerResult<Offer> {
    let inv = open_invitation(db, token).await?;
    let institution = institution::Entity::find_by_id(inv.institution_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Offer {
        institution,
        email: inv.email,
        role: inv.role,
    })
}

/// Accepts an invitation for the signed-in user, whose address must be the invited one.
/// Single-use even when two requests race: the claim is one conditional update.
///
/// # Errors
/// `Invalid` for a used, expired or unknown token, or another address; database errors.
pub async fn accept(
    db: &DatabaseConnection,
    user: &user::Model,
    token: &str,
) -> ServerResult<institution::Model> {
    let txn = begin_write(db).await?;
    let inv = open_invitation(&*txn, token).await?;
    if inv.email != user.email {
        return Err(AppError::invalid(format!(
            "This invitation is for {}. Sign in with that address to accept it.",
            inv.email
        ))
        .into());
    }
    // The invitation is only as good as its sender: one sent by someone who has since
    // lost the right to manage the institution is void.
    if let Some(inviter) = inv.invited_by {
        let still_allowed = match user::Entity::find_by_id(inviter).one(&*txn).await? {
            Some(u) if u.is_platform_admin => true,
            Some(u) => {
                membership::Entity::find()
                    .filter(membership::Column::UserId.eq(u.id))
                    .filter(membership::Column::InstitutionId.eq(inv.institution_id))
                    .filter(membership::Column::Role.eq(membership::ROLE_ADMIN))
                    .count(&*txn)
                    .await?
                    > 0
            }
            None => false,
        };
        if !still_allowed {
            return Err(AppError::invalid(
                "This invitation is no longer valid: the person who sent it can no longer invite staff.",
            )
            .into());
        }
    }
    let now = Utc::now();
    let claimed = staff_invitation::Entity::update_many()
        .col_expr(staff_invitation::Column::AcceptedAt, Expr::value(now))
        .col_expr(staff_invitation::Column::AcceptedBy, Expr::value(user.id))
        .filter(staff_invitation::Column::Id.eq(inv.id))
        .filter(staff_invitation::Column::AcceptedAt.is_null())
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::invalid("This invitation was already used.").into());
    }
    let existing = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .filter(membership::Column::InstitutionId.eq(inv.institution_id))
        .one(&*txn)
        .await?;
    match existing {
        // An admin invited as reviewer stays admin; a reviewer invited as admin is promoted.
        Some(m) if m.role == membership::ROLE_ADMIN || m.role == inv.role => {}
        Some(m) => {
            let mut a: membership::ActiveModel = m.into();
            a.role = Set(inv.role.clone());
            a.update(&*txn).await?;
        }
        None => {
            membership::ActiveModel {
                user_id: Set(user.id),
                institution_id: Set(inv.institution_id),
                role: Set(inv.role.clone()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&*txn)
            .await?;
        }
    }
    // The link was mailed to this address: using it proves the address.
    crate::server::accounts::mark_confirmed(&*txn, user.id).await?;
    let inst = institution::Entity::find_by_id(inv.institution_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(inst)
}

/// Removes a staff member. The last admin stays (an institution always has one).
///
/// # Errors
/// `NotFound` when the user is not on this staff; `Invalid` for the last admin.
pub async fn remove(
    db: &DatabaseConnection,
    inst: &institution::Model,
    user_public_id: &str,
) -> ServerResult<()> {
    let id = uuid::Uuid::parse_str(user_public_id.trim()).map_err(|_| AppError::NotFound)?;
    let txn = begin_write(db).await?;
    let u = user::Entity::find()
        .filter(user::Column::PublicId.eq(id))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    // Lock the institution's memberships so two removals cannot both pass the check.
    institution::Entity::find_by_id(inst.id)
        .lock_exclusive()
        .one(&*txn)
        .await?;
    let m = membership::Entity::find()
        .filter(membership::Column::UserId.eq(u.id))
        .filter(membership::Column::InstitutionId.eq(inst.id))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.role == membership::ROLE_ADMIN {
        let admins = membership::Entity::find()
            .filter(membership::Column::InstitutionId.eq(inst.id))
            .filter(membership::Column::Role.eq(membership::ROLE_ADMIN))
            .count(&*txn)
            .await?;
        if admins <= 1 {
            return Err(AppError::invalid(
                "This is the institution's only admin. Invite another admin first.",
            )
            .into());
        }
    }
    membership::Entity::delete_by_id(m.id).exec(&*txn).await?;
    // Pending invitations to or from the removed person go too (no way back in).
    staff_invitation::Entity::delete_many()
        .filter(staff_invitation::Column::InstitutionId.eq(inst.id))
        .filter(staff_invitation::Column::AcceptedAt.is_null())
        .filter(
            sea_orm::sea_query::Condition::any()
                .add(staff_invitation::Column::Email.eq(u.email.clone()))
                .add(staff_invitation::Column::InvitedBy.eq(u.id)),
        )
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

//! Who may open an evidence file at `/evidence/{public id}`: its owner, the staff of the
//! badge's institution, platform admins, and, for a piece the learner made public and
//! included in a credential that was awarded, anyone. Everyone else is told it does not
//! exist (404, never 403), so its existence does not leak.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppError;
use crate::server::authz::Actor;
use crate::server::entities::{award, badge, evidence_item, submission};
use crate::server::error::ServerResult;

/// The file piece with this public id, if the actor may open it.
///
/// # Errors
/// `NotFound` when it does not exist, is a link, or the actor may not open it;
/// database errors.
pub async fn openable_file(
    db: &impl ConnectionTrait,
    actor: &Actor,
    public_id: &str,
) -> ServerResult<evidence_item::Model> {
    let id = uuid::Uuid::parse_str(public_id).map_err(|_| AppError::NotFound)?;
    let item = evidence_item::Entity::find()
        .filter(evidence_item::Column::PublicId.eq(id))
        .filter(evidence_item::Column::Kind.eq(evidence_item::KIND_FILE))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if actor.user().is_some_and(|u| u.id == item.user_id) || actor.is_platform_admin() {
        return Ok(item);
    }
    let sub = submission::Entity::find_by_id(item.submission_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let b = badge::Entity::find_by_id(sub.badge_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if actor.role_at(b.institution_id).is_some() {
        return Ok(item);
    }
    if item.is_public && item.include_in_credential {
        // Embedded with its address in a credential that was issued (revoked or not:
        // the address is in the signed credential, whose status tells the rest).
        let awarded = award::Entity::find()
            .filter(award::Column::SubmissionId.eq(sub.id))
            .one(db)
            .await?
            .is_some();
        if awarded {
            return Ok(item);
        }
    }
    Err(AppError::NotFound.into())
}

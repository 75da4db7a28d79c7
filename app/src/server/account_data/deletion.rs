//! Deleting an account.
//!
//! In one write transaction (the user row locked first, so a request still using the
//! account's session that writes through [`lock_live_user`] waits for it and then finds
//! the account gone): share links, collections and their items, the endorsement
//! requests the learner made, imported badges, extra addresses, the learner's
//! submissions with their evidence (rows here, stored files after the commit),
//! enrollments, notifications, view counts of the learner's pages, staff roles, account
//! tokens and every session are deleted; every award is made private (awards stay, so
//! the credentials issued to the learner keep verifying: the credential JSON, status
//! lists and issuer documents are untouched); the `users` row becomes a tombstone:
//! `deleted_at` set, the address replaced by an unusable unique one, the name wiped,
//! the handle cleared and the password hash made unusable. Sign-in, password resets,
//! sessions and `/p/{handle}` all refuse a tombstone.
//!
//! Refused (with the reason) while the user is the last administrator of an
//! institution or the last platform administrator: somebody must remain who can run it.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    sea_query::Expr,
};

use crate::error::AppError;
use crate::server::db::{BeginWrite, begin_write};
use crate::server::entities::{
    account_token, award, collection, collection_item, endorsement, enrollment, evidence_item,
    imported_badge, membership, notification, session, share_link, submission, user, user_email,
    view_count,
};
use crate::server::error::ServerResult;
use crate::server::evidence::storage::EvidenceStore;
use crate::server::passwords;

/// The name a deleted account shows wherever an old record names it.
pub const DELETED_NAME: &str = "Deleted account";

/// The password hash of a tombstone: not a PHC string, so it never matches.
pub const UNUSABLE_PASSWORD_HASH: &str = "!deleted";

/// The address of a tombstone: unique, and in a reserved top-level domain (`.invalid`),
/// so no mail can reach it and nobody can sign up or sign in with it.
pub fn tombstone_email(public_id: uuid::Uuid) -> String {
    format!("deleted+{public_id}@invalid")
}

/// What a deletion removed (for the log and the tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    pub awards_hidden: u64,
    pub imports: u64,
    pub share_links: u64,
    pub collections: u64,
    pub endorsement_requests: u64,
    pub evidence_items: u64,
    pub sessions: u64,
    /// Evidence files that could not be removed from the store (logged; their rows are
    /// gone, so nothing serves them).
    pub files_left: usize,
}

/// Locks the row of a live (not deleted) user for the rest of `txn`: `FOR UPDATE` on
/// PostgreSQL (SQLite write transactions already run one at a time). Writers that add
/// to a learner's data call this first, so a write racing the account's deletion either
/// commits before it (and is then deleted with the rest) or finds the account gone.
///
/// # Errors
/// `Unauthenticated` when the account was deleted (or never existed); database errors.
pub async fn lock_live_user(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<user::Model> {
    user::Entity::find_by_id(user_id)
        .filter(user::Column::DeletedAt.is_null())
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthenticated.into())
}

/// Checks what the user typed to confirm (their current password) before deleting.
///
/// # Errors
/// `Invalid` for a wrong password or a missing confirmation; database errors.
pub async fn check_confirmation(
    db: &impl ConnectionTrait,
    user_id: i32,
    password: &str,
    confirmed: bool,
) -> ServerResult<()> {
    if !confirmed {
        return Err(AppError::invalid(
            "Tick the box to confirm that you want to delete your account.",
        )
        .into());
    }
    // The stored hash (the actor may come from the cache).
    let u = user::Entity::find_by_id(user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let password: String = password
        .chars()
        .take(crate::model::PASSWORD_MAX_CHARS + 1)
        .collect();
    if !passwords::verify(password, u.password_hash.clone()).await? {
        return Err(AppError::invalid("Your password is not correct.").into());
    }
    Ok(())
}

/// Refuses while the user is the last administrator of an institution or the last
/// platform administrator.
async fn check_not_last_admin(db: &impl ConnectionTrait, u: &user::Model) -> ServerResult<()> {
    if u.is_platform_admin {
        let others = user::Entity::find()
            .filter(user::Column::IsPlatformAdmin.eq(true))
            .filter(user::Column::DeletedAt.is_null())
            .filter(user::Column::Id.ne(u.id))
            .count(db)
            .await?;
        if others == 0 {
            return Err(AppError::invalid(
                "You are the only platform administrator: make someone else an administrator before deleting your account.",
            )
            .into());
        }
    }
    let admin_of: Vec<i32> = membership::Entity::find()
        .select_only()
        .column(membership::Column::InstitutionId)
        .filter(membership::Column::UserId.eq(u.id))
        .filter(membership::Column::Role.eq(membership::ROLE_ADMIN))
        .into_tuple()
        .all(db)
        .await?;
    for inst in admin_of {
        let others = membership::Entity::find()
            .filter(membership::Column::InstitutionId.eq(inst))
            .filter(membership::Column::Role.eq(membership::ROLE_ADMIN))
            .filter(membership::Column::UserId.ne(u.id))
            .count(db)
            .await?;
        if others == 0 {
            return Err(AppError::invalid(
                "You are the only administrator of an institution: invite another administrator (or ask the platform administrator) before deleting your account.",
            )
            .into());
        }
    }
    Ok(())
}

/// Deletes the account of `user_id` (see the module doc). The caller has checked the
/// confirmation ([`check_confirmation`]). Evidence files are removed from `store`
/// after the commit.
///
/// # Errors
/// `Unauthenticated` when the account is already deleted; `Invalid` when the user is
/// the last administrator of something; database errors.
#[allow(clippy::too_many_lines)]
pub async fn delete_account<C: BeginWrite>(
    db: &C,
    store: &EvidenceStore,
    user_id: i32,
) -> ServerResult<Deleted> {
    let txn = begin_write(db).await?;
    let u = lock_live_user(&*txn, user_id).await?;
    check_not_last_admin(&*txn, &u).await?;
    let mut out = Deleted::default();

    // What the learner's pages were counted under, before their rows go.
    let award_ids: Vec<i32> = award::Entity::find()
        .select_only()
        .column(award::Column::Id)
        .filter(award::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&*txn)
        .await?;
    let import_ids: Vec<i32> = imported_badge::Entity::find()
        .select_only()
        .column(imported_badge::Column::Id)
        .filter(imported_badge::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&*txn)
        .await?;
    let link_ids: Vec<i32> = share_link::Entity::find()
        .select_only()
        .column(share_link::Column::Id)
        .filter(share_link::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&*txn)
        .await?;
    for (kind, ids) in [
        ("award", &award_ids),
        ("import", &import_ids),
        ("link", &link_ids),
    ] {
        for chunk in ids.chunks(500) {
            view_count::Entity::delete_many()
                .filter(view_count::Column::SubjectKind.eq(kind))
                .filter(view_count::Column::SubjectId.is_in(chunk.iter().copied()))
                .exec(&*txn)
                .await?;
        }
    }

    out.share_links = share_link::Entity::delete_many()
        .filter(share_link::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?
        .rows_affected;
    // Items first (also those naming the learner's badges in nobody else's collection,
    // which cannot exist, but the foreign keys would cascade anyway).
    let collection_ids: Vec<i32> = collection::Entity::find()
        .select_only()
        .column(collection::Column::Id)
        .filter(collection::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&*txn)
        .await?;
    for chunk in collection_ids.chunks(500) {
        collection_item::Entity::delete_many()
            .filter(collection_item::Column::CollectionId.is_in(chunk.iter().copied()))
            .exec(&*txn)
            .await?;
    }
    out.collections = collection::Entity::delete_many()
        .filter(collection::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?
        .rows_affected;
    out.endorsement_requests = endorsement::Entity::delete_many()
        .filter(endorsement::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?
        .rows_affected;
    out.imports = imported_badge::Entity::delete_many()
        .filter(imported_badge::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?
        .rows_affected;
    user_email::Entity::delete_many()
        .filter(user_email::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;

    // Evidence: the stored files' keys, then the rows (the files go after the commit).
    let keys: Vec<Option<String>> = evidence_item::Entity::find()
        .select_only()
        .column(evidence_item::Column::ObjectKey)
        .filter(evidence_item::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&*txn)
        .await?;
    let keys: Vec<String> = keys.into_iter().flatten().collect();
    out.evidence_items = evidence_item::Entity::delete_many()
        .filter(evidence_item::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?
        .rows_affected;
    // The submissions (narratives, review history): awards keep their credential and
    // lose the link to the submission (`ON DELETE SET NULL`).
    submission::Entity::delete_many()
        .filter(submission::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    enrollment::Entity::delete_many()
        .filter(enrollment::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    notification::Entity::delete_many()
        .filter(notification::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    membership::Entity::delete_many()
        .filter(membership::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    account_token::Entity::delete_many()
        .filter(account_token::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    out.sessions = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?
        .rows_affected;

    // Awards stay (issued credentials keep verifying), hidden from everyone.
    out.awards_hidden = award::Entity::update_many()
        .col_expr(award::Column::IsPublic, Expr::value(false))
        .col_expr(award::Column::AllowIndexing, Expr::value(false))
        .filter(award::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?
        .rows_affected;

    let now = Utc::now();
    user::Entity::update_many()
        .col_expr(user::Column::DeletedAt, Expr::value(Some(now)))
        .col_expr(
            user::Column::Email,
            Expr::value(tombstone_email(u.public_id)),
        )
        .col_expr(user::Column::DisplayName, Expr::value(DELETED_NAME))
        .col_expr(user::Column::Handle, Expr::value(Option::<String>::None))
        .col_expr(
            user::Column::PasswordHash,
            Expr::value(UNUSABLE_PASSWORD_HASH),
        )
        .col_expr(user::Column::IsPlatformAdmin, Expr::value(false))
        .col_expr(
            user::Column::EmailConfirmedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(&*txn)
        .await?;
    // The commit bumps the write generation: every cached actor of this process is
    // stale at once, so the deleted sessions stop working with the next request.
    txn.commit().await?;

    for key in &keys {
        if let Err(e) = store.delete(key).await {
            out.files_left += 1;
            tracing::warn!(error = %e, "evidence file of a deleted account left in the store");
        }
    }
    tracing::info!(
        user = %u.public_id,
        awards_hidden = out.awards_hidden,
        imports = out.imports,
        share_links = out.share_links,
        evidence_items = out.evidence_items,
        sessions = out.sessions,
        "account deleted"
    );
    Ok(out)
}

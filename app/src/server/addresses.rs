//! Extra e-mail addresses (`user_emails`): a learner adds addresses beyond the sign-in
//! one (a school address that will close, a work address), each confirmed by a link
//! mailed to it. Claims of pending awards and imports match every *confirmed* address.
//!
//! The confirmation link is an ordinary `confirm_email` account token whose address is
//! the extra one (`accounts::confirm_link` tells the two apart by the address), so the
//! token table needs no new purpose.
//!
//! An address is refused when any account already uses it (as its sign-in address or
//! as an extra one, compared lower-cased), with one sentence that does not say whose.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr,
    sea_query::{Expr, ExprTrait, Func},
};

use super::account_tokens::{self, Purpose};
use super::entities::{user, user_email};
use super::error::ServerResult;
use super::mail::{self, Mail};
use super::{accounts, urls};
use crate::error::AppError;
use crate::model::import::{Addresses, ExtraAddress, MAX_EXTRA_ADDRESSES};

/// The answer for an address another account (or this one) already uses.
pub const IN_USE: &str = "This address is already in use.";

fn lower_eq(col: user_email::Column, email: &str) -> sea_orm::sea_query::SimpleExpr {
    ExprTrait::eq(
        Expr::expr(Func::lower(Expr::col(col))),
        email.to_lowercase(),
    )
}

/// The account's addresses.
///
/// # Errors
/// Database errors.
pub async fn list(db: &impl ConnectionTrait, user: &user::Model) -> ServerResult<Addresses> {
    let extra = user_email::Entity::find()
        .filter(user_email::Column::UserId.eq(user.id))
        .order_by_asc(user_email::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| ExtraAddress {
            id: e.id,
            email: e.email,
            confirmed: e.confirmed_at.is_some(),
        })
        .collect();
    Ok(Addresses {
        sign_in: user.email.clone(),
        sign_in_confirmed: user.email_confirmed_at.is_some(),
        extra,
    })
}

/// Every confirmed address of an account, as stored (the sign-in one when confirmed,
/// and the confirmed extra ones, as typed).
///
/// # Errors
/// Database errors.
pub async fn confirmed(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<Vec<String>> {
    let mut out = Vec::new();
    if let Some(u) = user::Entity::find_by_id(user_id).one(db).await?
        && u.email_confirmed_at.is_some()
    {
        out.push(u.email);
    }
    out.extend(
        user_email::Entity::find()
            .filter(user_email::Column::UserId.eq(user_id))
            .filter(user_email::Column::ConfirmedAt.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .map(|e| e.email),
    );
    Ok(out)
}

/// Whether any account uses `email` (normalised), as sign-in or confirmed extra address
/// (an address someone added but never confirmed does not keep its owner from it).
async fn in_use(db: &impl ConnectionTrait, email: &str) -> ServerResult<bool> {
    if accounts::find_by_email(db, email).await?.is_some() {
        return Ok(true);
    }
    let users = user::Entity::find()
        .filter(ExprTrait::eq(
            Expr::expr(Func::lower(Expr::col(user::Column::Email))),
            email,
        ))
        .one(db)
        .await?;
    if users.is_some() {
        return Ok(true);
    }
    Ok(user_email::Entity::find()
        .filter(lower_eq(user_email::Column::Email, email))
        .filter(user_email::Column::ConfirmedAt.is_not_null())
        .one(db)
        .await?
        .is_some())
}

fn confirm_extra_mail(public_url: &str, user: &user::Model, email: &str, token: &str) -> Mail {
    Mail {
        to: email.to_string(),
        subject: "Confirm your additional email address for Badgefolio".into(),
        text: format!(
            "Hello {name},\n\n\
             you added {email} to your Badgefolio account. Badges sent to this address \
             will reach you once you confirm it by opening this link:\n\n\
             {link}\n\n\
             The link works once and for {days} days. If you did not add this address, \
             ignore this mail: nothing changes.\n",
            name = user.display_name,
            link = urls::confirm_email_link(public_url, token),
            days = Purpose::ConfirmEmail.lifetime().num_days(),
        ),
    }
}

/// Adds an address to the account (unconfirmed) and mails it a confirmation link.
///
/// # Errors
/// `Invalid` for a malformed address, one any account uses already, or too many
/// addresses; database errors.
pub async fn add(
    db: &DatabaseConnection,
    public_url: &str,
    user: &user::Model,
    email: &str,
) -> ServerResult<ExtraAddress> {
    // Kept as typed (trimmed); checked and compared lower-cased.
    let typed = email.trim().to_string();
    let normal = accounts::normalize_email(&typed)?;
    if normal == user.email.to_lowercase() {
        return Err(AppError::invalid("That is already the address you sign in with.").into());
    }
    let txn = super::db::begin_write(db).await?;
    // The account's row, locked: limits hold under concurrency and a deleted account
    // gets nothing new.
    crate::server::account_data::deletion::lock_live_user(&*txn, user.id).await?;
    let mine = user_email::Entity::find()
        .filter(user_email::Column::UserId.eq(user.id))
        .all(&*txn)
        .await?;
    if mine.iter().any(|e| e.email.to_lowercase() == normal) {
        return Err(AppError::invalid("You have already added this address.").into());
    }
    if mine.len() >= MAX_EXTRA_ADDRESSES {
        return Err(AppError::invalid(format!(
            "An account can have at most {MAX_EXTRA_ADDRESSES} additional addresses. Remove one first."
        ))
        .into());
    }
    if in_use(&*txn, &normal).await? {
        return Err(AppError::invalid(IN_USE).into());
    }
    let row = user_email::ActiveModel {
        user_id: Set(user.id),
        email: Set(typed.clone()),
        confirmed_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await;
    let row = match row {
        Ok(r) => r,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid(IN_USE).into());
        }
        Err(e) => return Err(e.into()),
    };
    let token = account_tokens::issue(&*txn, user.id, Purpose::ConfirmEmail, &typed).await?;
    mail::enqueue(&*txn, confirm_extra_mail(public_url, user, &typed, &token)).await?;
    txn.commit().await?;
    mail::wake();
    Ok(ExtraAddress {
        id: row.id,
        email: row.email,
        confirmed: false,
    })
}

pub(crate) async fn own_row(
    db: &impl ConnectionTrait,
    user_id: i32,
    id: i32,
) -> ServerResult<user_email::Model> {
    user_email::Entity::find_by_id(id)
        .filter(user_email::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// Mails a new confirmation link to one of the account's unconfirmed extra addresses.
///
/// # Errors
/// `NotFound` for another account's address; `Invalid` when already confirmed;
/// database errors.
pub async fn resend(
    db: &DatabaseConnection,
    public_url: &str,
    user: &user::Model,
    id: i32,
) -> ServerResult<()> {
    let row = own_row(db, user.id, id).await?;
    if row.confirmed_at.is_some() {
        return Err(AppError::invalid("This address is already confirmed.").into());
    }
    let txn = super::db::begin_write(db).await?;
    let token = account_tokens::issue(&*txn, user.id, Purpose::ConfirmEmail, &row.email).await?;
    mail::enqueue(
        &*txn,
        confirm_extra_mail(public_url, user, &row.email, &token),
    )
    .await?;
    txn.commit().await?;
    mail::wake();
    Ok(())
}

/// Removes one of the account's extra addresses (links already mailed to it stop
/// working: confirming needs the row). Badges already claimed or imported through it
/// stay.
///
/// # Errors
/// `NotFound` for another account's address; database errors.
pub async fn remove(db: &DatabaseConnection, user_id: i32, id: i32) -> ServerResult<()> {
    let done = user_email::Entity::delete_many()
        .filter(user_email::Column::Id.eq(id))
        .filter(user_email::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::NotFound.into());
    }
    Ok(())
}

/// Confirms the extra address `email` of `user_id` (a used confirmation link named it),
/// in the caller's transaction. Returns whether it was one of the account's extra
/// addresses (it is confirmed now, or was already).
///
/// # Errors
/// Database errors.
pub async fn confirm(db: &impl ConnectionTrait, user_id: i32, email: &str) -> ServerResult<bool> {
    let row = user_email::Entity::find()
        .filter(user_email::Column::UserId.eq(user_id))
        .filter(lower_eq(user_email::Column::Email, email))
        .one(db)
        .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    if row.confirmed_at.is_none() {
        // Another account may have confirmed the same address first: then the unique
        // index on confirmed addresses refuses this one.
        let done = user_email::Entity::update_many()
            .col_expr(user_email::Column::ConfirmedAt, Expr::value(Utc::now()))
            .filter(user_email::Column::Id.eq(row.id))
            .filter(user_email::Column::ConfirmedAt.is_null())
            .exec(db)
            .await;
        match done {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                return Err(AppError::invalid(
                    "This address has meanwhile been confirmed by another account, so it was not added to yours.",
                )
                .into());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(true)
}

/// Whether an address (normalised) is confirmed by some account as an extra address,
/// and by which.
///
/// # Errors
/// Database errors.
pub async fn confirmed_owner(db: &impl ConnectionTrait, email: &str) -> ServerResult<Option<i32>> {
    Ok(user_email::Entity::find()
        .filter(lower_eq(user_email::Column::Email, email))
        .filter(user_email::Column::ConfirmedAt.is_not_null())
        .one(db)
        .await?
        .map(|e| e.user_id))
}

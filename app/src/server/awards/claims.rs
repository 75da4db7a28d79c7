//! Pending awards: a badge awarded to an address without an account waits (`user_id`
//! `NULL`) until an account *confirms* that address: the sign-up confirmation link, the
//! link that confirms a change of address, or the link that confirms one of the
//! account's extra addresses (`accounts::confirm_link`, `addresses`); addresses are
//! compared lower-cased. Signing up
//! with the address alone claims nothing: an unconfirmed account could belong to anyone.
//! (Accepting a staff invitation also confirms an address; staff rarely hold awards,
//! and that path claims nothing yet.)

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr, sea_query::Expr};

use super::Recipient;
use crate::server::db::{BeginWrite, begin_write};
use crate::server::entities::{award, user};
use crate::server::error::ServerResult;
use crate::server::state::Settings;

/// The recipient to award `email` as: the account that confirmed that address, or the
/// address alone (a pending award) when no account has confirmed it yet. For callers
/// that award by address (bulk awards).
///
/// # Errors
/// Database errors.
pub async fn recipient_for(
    db: &impl ConnectionTrait,
    email: &str,
    name: &str,
) -> ServerResult<Recipient> {
    let email = email.trim().to_lowercase();
    let account = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .filter(user::Column::EmailConfirmedAt.is_not_null())
        .one(db)
        .await?;
    // Or an account that confirmed it as one of its extra addresses.
    let account = match account {
        Some(u) => Some(u),
        None => match crate::server::addresses::confirmed_owner(db, &email).await? {
            Some(id) => user::Entity::find_by_id(id).one(db).await?,
            None => None,
        },
    };
    Ok(match account {
        Some(u) => Recipient::User {
            user_id: u.id,
            email,
            name: name.to_string(),
        },
        None => Recipient::Email {
            email,
            name: name.to_string(),
        },
    })
}

/// Gives the account `user_id`, which has just confirmed `email`, the awards waiting for
/// that address, then stacks what they complete, in the caller's transaction (or one of
/// its own). An award of a badge the account already holds stays pending (one unrevoked
/// award of a badge per learner). Returns the awards claimed.
///
/// # Errors
/// Database and signing errors.
pub async fn claim_pending<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
    email: &str,
) -> ServerResult<Vec<award::Model>> {
    let email = email.trim().to_lowercase();
    let txn = begin_write(db).await?;
    let pending = award::Entity::find()
        .filter(award::Column::UserId.is_null())
        .filter(sea_orm::sea_query::ExprTrait::eq(
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                award::Column::RecipientEmail,
            ))),
            email,
        ))
        .all(&*txn)
        .await?;
    let mut claimed = Vec::new();
    for a in pending {
        // A savepoint each: a unique violation (the account holds the badge already)
        // must not end the whole transaction on PostgreSQL.
        let sp = begin_write(&*txn).await?;
        let done = award::Entity::update_many()
            .col_expr(award::Column::UserId, Expr::value(user_id))
            .col_expr(award::Column::ClaimedAt, Expr::value(Utc::now()))
            .filter(award::Column::Id.eq(a.id))
            .filter(award::Column::UserId.is_null())
            .exec(&*sp)
            .await;
        match done {
            Ok(r) if r.rows_affected == 1 => {
                sp.commit().await?;
                claimed.push(a);
            }
            Ok(_) => drop(sp),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                drop(sp);
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !claimed.is_empty() {
        super::stacking::complete_programs(&*txn, settings, user_id).await?;
    }
    txn.commit().await?;
    Ok(claimed)
}

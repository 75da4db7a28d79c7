//! Privacy and the public profile: the learner's handle (unique, case-insensitively,
//! by a database index), the per-badge "show on my public profile" choice, and
//! `/p/{handle}`, which reads only badges marked public.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
    sea_query::{Expr, ExprTrait, Func},
};

use super::{award_mark, date, held_from};
use crate::error::AppError;
use crate::model::portfolio::{PublicBadge, PublicProfile};
use crate::server::db::{BeginWrite, begin_write};
use crate::server::entities::{award, user};
use crate::server::error::ServerResult;
use crate::server::state::Settings;

/// Shortest and longest handle.
pub const HANDLE_LEN: std::ops::RangeInclusive<usize> = 3..=30;

/// Handles nobody may take: they name pages, roles or the platform itself.
const RESERVED: &[&str] = &[
    "about",
    "account",
    "admin",
    "administrator",
    "api",
    "app",
    "assets",
    "auth",
    "badge",
    "badgefolio",
    "badges",
    "c",
    "contact",
    "credential",
    "credentials",
    "demo",
    "did",
    "embed",
    "evidence",
    "forgot",
    "help",
    "images",
    "issuer",
    "issuers",
    "learn",
    "login",
    "logout",
    "manage",
    "me",
    "new",
    "notifications",
    "null",
    "oembed",
    "official",
    "p",
    "pkg",
    "portfolio",
    "privacy",
    "profile",
    "programs",
    "root",
    "security",
    "settings",
    "signin",
    "signout",
    "signup",
    "staff",
    "static",
    "status",
    "support",
    "system",
    "terms",
    "undefined",
    "user",
    "users",
    "verify",
    "well-known",
    "www",
];

/// The handle as stored (trimmed, lower-cased), if it is acceptable.
///
/// # Errors
/// `Invalid` saying what to change.
pub fn normalize_handle(input: &str) -> Result<String, AppError> {
    let h = input.trim().to_lowercase();
    if !HANDLE_LEN.contains(&h.chars().count()) {
        return Err(AppError::invalid(
            "A handle has 3 to 30 characters: letters a–z, digits and hyphens.",
        ));
    }
    if !h
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(AppError::invalid(
            "Use only letters a–z, digits and hyphens in a handle.",
        ));
    }
    if h.starts_with('-') || h.ends_with('-') || h.contains("--") {
        return Err(AppError::invalid(
            "A handle starts and ends with a letter or digit, with single hyphens between.",
        ));
    }
    if RESERVED.contains(&h.as_str()) {
        return Err(AppError::invalid(
            "That handle is reserved; choose another.",
        ));
    }
    Ok(h)
}

/// Sets (or with empty input, clears) the learner's handle; returns it.
///
/// # Errors
/// `Invalid` for an unacceptable handle or one another account holds; database errors.
pub async fn set_handle<C: BeginWrite>(
    db: &C,
    user_id: i32,
    input: &str,
) -> ServerResult<Option<String>> {
    let handle = if input.trim().is_empty() {
        None
    } else {
        Some(normalize_handle(input)?)
    };
    let txn = begin_write(db).await?;
    let done = user::Entity::update_many()
        .col_expr(user::Column::Handle, Expr::value(handle.clone()))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&*txn)
        .await;
    match done {
        Ok(_) => {}
        // The unique index decides between two people asking at once.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid("That handle is taken; choose another.").into());
        }
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    Ok(handle)
}

/// Shows one of the learner's badges on their public profile, or hides it.
///
/// # Errors
/// `NotFound` for an award that is not theirs; database errors.
pub async fn set_visibility<C: BeginWrite>(
    db: &C,
    user_id: i32,
    award_public_id: &str,
    public: bool,
) -> ServerResult<bool> {
    let a = match super::detail::own_award(db, user_id, award_public_id).await {
        Ok(a) => a,
        // Not an award of theirs: one of their imports, or not found.
        Err(crate::server::ServerError::User(AppError::NotFound)) => {
            return super::import::set_visibility(db, user_id, award_public_id, public).await;
        }
        Err(e) => return Err(e),
    };
    let txn = begin_write(db).await?;
    // Waits for (or finds) the account's deletion: a deleted account's badges stay
    // private.
    crate::server::account_data::deletion::lock_live_user(&*txn, user_id).await?;
    award::Entity::update_many()
        .col_expr(award::Column::IsPublic, Expr::value(public))
        .filter(award::Column::Id.eq(a.id))
        .filter(award::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(public)
}

/// The public profile at `/p/{handle}`: the learner's public badges that are not
/// revoked (a revoked badge leaves the profile), newest first; a learner who made
/// nothing public has an empty profile. A handle nobody holds is not found.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn public_profile(
    db: &impl ConnectionTrait,
    settings: &Settings,
    handle: &str,
    now: DateTime<Utc>,
) -> ServerResult<PublicProfile> {
    let h = handle.trim().to_lowercase();
    if !HANDLE_LEN.contains(&h.len()) {
        return Err(AppError::NotFound.into());
    }
    // `LOWER(handle)`, as the unique index reads it, so the lookup uses the index.
    let u = user::Entity::find()
        .filter(ExprTrait::eq(
            Expr::expr(Func::lower(Expr::col(user::Column::Handle))),
            h.as_str(),
        ))
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let awards = award::Entity::find()
        .filter(award::Column::UserId.eq(u.id))
        .filter(award::Column::IsPublic.eq(true))
        .filter(award::Column::RevokedAt.is_null())
        // Only badges last found authentic and not withdrawn (a status list may say
        // revoked or suspended before anything is recorded here).
        .filter(award::Column::Verdict.eq(openbadges::verify::Verdict::Verified.as_str()))
        .filter(award::Column::Standing.is_not_in([
            openbadges::verify::Standing::Revoked.as_str(),
            openbadges::verify::Standing::Suspended.as_str(),
        ]))
        .order_by_desc(award::Column::AwardedAt)
        .order_by_desc(award::Column::Id)
        .all(db)
        .await?;
    let badges = held_from(db, settings, awards)
        .await?
        .into_iter()
        // Belt and braces: only what is public reaches the page.
        .filter(|x| x.award.is_public && x.award.user_id == Some(u.id))
        .map(|x| Listed {
            name: x
                .version
                .as_ref()
                .map(|v| v.name.clone())
                .unwrap_or_default(),
            issuer: x
                .issuer
                .as_ref()
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            image_url: x.image_url.clone(),
            awarded_at: date(x.award.awarded_at),
            mark: award_mark(&x.award, now),
            imported: false,
            when: x.award.awarded_at,
        })
        .collect::<Vec<_>>();
    // Public imports last found authentic and not withdrawn, in date order with the rest.
    let mut badges = badges;
    badges.extend(
        super::import::public_of(db, u.id)
            .await?
            .into_iter()
            .map(|i| Listed {
                name: i.name.clone(),
                issuer: i.issuer_name.clone(),
                image_url: i.image_url.clone().unwrap_or_default(),
                awarded_at: date(i.issued_at.unwrap_or(i.imported_at)),
                mark: super::import::import_mark(&i, now),
                imported: true,
                when: i.issued_at.unwrap_or(i.imported_at),
            }),
    );
    badges.sort_by_key(|b| std::cmp::Reverse(b.when));
    let badges = badges
        .into_iter()
        .map(|b| PublicBadge {
            name: b.name,
            issuer: b.issuer,
            image_url: b.image_url,
            awarded_at: b.awarded_at,
            mark: b.mark,
            imported: b.imported,
        })
        .collect();
    Ok(PublicProfile {
        handle: h,
        display_name: u.display_name,
        badges,
    })
}

/// A public badge before it is sorted with the rest.
struct Listed {
    name: String,
    issuer: String,
    image_url: String,
    awarded_at: String,
    mark: crate::model::portfolio::Mark,
    imported: bool,
    when: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_validated_and_lower_cased() {
        assert_eq!(normalize_handle("  Ada ").ok().as_deref(), Some("ada"));
        assert_eq!(
            normalize_handle("ada-lovelace-1815").ok().as_deref(),
            Some("ada-lovelace-1815")
        );
        for bad in [
            "ab",
            "a".repeat(31).as_str(),
            "ada_l",
            "ada l",
            "-ada",
            "ada-",
            "a--b",
            "adé",
            "admin",
            "API",
            "verify",
            "<script>",
        ] {
            assert!(normalize_handle(bad).is_err(), "{bad:?}");
        }
        assert!(normalize_handle(&"a".repeat(30)).is_ok());
    }
}

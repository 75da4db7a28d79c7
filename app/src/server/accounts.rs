//! Accounts: sign-up, sign-in, password changes, staff roles.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr,
};

use super::entities::{institution, membership, user};
use super::error::ServerResult;
use super::passwords;
use crate::error::AppError;
use crate::model::{Role, SessionUser};

/// Longest display name accepted.
pub const DISPLAY_NAME_MAX_CHARS: usize = 100;

/// Trims and lower-cases an email address and checks it looks like one.
///
/// # Errors
/// `AppError::Invalid` when it is empty, too long or not shaped like `name@domain.tld`.
pub fn normalize_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    let bad = || AppError::invalid("Please enter a valid email address, like name@example.org.");
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(email)
}

/// Trims a display name and checks its length.
///
/// # Errors
/// `AppError::Invalid` when empty or longer than [`DISPLAY_NAME_MAX_CHARS`].
pub fn normalize_display_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > DISPLAY_NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "Please enter your name (1 to {DISPLAY_NAME_MAX_CHARS} characters)."
        )));
    }
    Ok(name.to_string())
}

/// What is needed to create an account.
#[derive(Clone)]
pub struct NewAccount {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    /// Institution slug; required for reviewer and issuer-admin roles.
    pub institution: Option<String>,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("email", &self.email)
            .field("role", &self.role)
            .field("institution", &self.institution)
            .field("password", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Creates an account (a learner, unless the role says otherwise).
///
/// Everything is written in one transaction: an account never exists without its role.
///
/// # Errors
/// `Invalid` for bad fields, `EmailTaken` if the email has an account, `NotFound` for an
/// unknown institution; database errors otherwise.
pub async fn create(db: &DatabaseConnection, new: NewAccount) -> ServerResult<user::Model> {
    let email = normalize_email(&new.email)?;
    let display_name = normalize_display_name(&new.display_name)?;
    passwords::check_rule(&new.password, &email)?;
    // A taken email is refused before the expensive hash (checked again below, and the
    // unique index settles a race between two sign-ups).
    if find_by_email(db, &email).await?.is_some() {
        return Err(AppError::EmailTaken.into());
    }
    let password_hash = passwords::hash(new.password).await?;

    // A write transaction from the start (SQLite would otherwise fail the upgrade from
    // read to write when another writer commits in between).
    let txn = super::db::begin_write(db).await?;
    let institution = match (&new.role, &new.institution) {
        (Role::Reviewer | Role::IssuerAdmin, Some(slug)) => Some(
            institution::Entity::find()
                .filter(institution::Column::Slug.eq(slug.as_str()))
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        (Role::Reviewer | Role::IssuerAdmin, None) => {
            return Err(AppError::invalid("Staff accounts need an institution.").into());
        }
        _ => None,
    };
    if find_by_email(&*txn, &email).await?.is_some() {
        return Err(AppError::EmailTaken.into());
    }
    let now = Utc::now();
    let inserted = user::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        is_platform_admin: Set(new.role == Role::PlatformAdmin),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        // Two sign-ups racing for one email: the unique index decides.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::EmailTaken.into());
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(inst) = institution {
        let role = if new.role == Role::IssuerAdmin {
            membership::ROLE_ADMIN
        } else {
            membership::ROLE_REVIEWER
        };
        membership::ActiveModel {
            user_id: Set(user.id),
            institution_id: Set(inst.id),
            role: Set(role.to_string()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
    }
    txn.commit().await?;
    Ok(user)
}

/// The user with this (already normalised) email.
///
/// # Errors
/// Database errors.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> ServerResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// Checks an email and password.
///
/// # Errors
/// `InvalidCredentials` for an unknown email or a wrong password alike (same work, same
/// answer, so neither timing nor wording reveals whether the account exists).
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> ServerResult<user::Model> {
    let found = match normalize_email(email) {
        Ok(email) => find_by_email(db, &email).await?,
        Err(_) => None,
    };
    let password = password
        .chars()
        .take(crate::model::PASSWORD_MAX_CHARS + 1)
        .collect();
    match found {
        Some(user) => {
            if passwords::verify(password, user.password_hash.clone()).await? {
                Ok(user)
            } else {
                Err(AppError::InvalidCredentials.into())
            }
        }
        None => {
            passwords::verify(password, passwords::dummy_hash().await?.to_string()).await?;
            Err(AppError::InvalidCredentials.into())
        }
    }
}

/// Changes a user's password after checking the current one.
///
/// # Errors
/// `Invalid` when the current password is wrong or the new one breaks the rule.
pub async fn change_password(
    db: &impl ConnectionTrait,
    user: user::Model,
    current: &str,
    new: &str,
) -> ServerResult<()> {
    if !passwords::verify(current.to_string(), user.password_hash.clone()).await? {
        return Err(AppError::invalid("Your current password is not correct.").into());
    }
    passwords::check_rule(new, &user.email)?;
    let hash = passwords::hash(new.to_string()).await?;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(())
}

/// The signed-in person as the pages see them: strongest role and institution.
///
/// # Errors
/// Database errors.
pub async fn session_user(
    db: &impl ConnectionTrait,
    user: &user::Model,
) -> ServerResult<SessionUser> {
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let strongest = memberships
        .iter()
        .find(|m| m.role == membership::ROLE_ADMIN)
        .or(memberships.first());
    let (staff_role, institution) = match strongest {
        Some(m) => {
            let inst = institution::Entity::find_by_id(m.institution_id)
                .one(db)
                .await?
                .map(|i| i.name);
            let role = if m.role == membership::ROLE_ADMIN {
                Role::IssuerAdmin
            } else {
                Role::Reviewer
            };
            (Some(role), inst)
        }
        None => (None, None),
    };
    let role = if user.is_platform_admin {
        Role::PlatformAdmin
    } else {
        staff_role.unwrap_or(Role::Learner)
    };
    Ok(SessionUser {
        id: user.public_id.to_string(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role,
        institution,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.ORG ").as_deref(),
            Ok("ada@example.org")
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@c.org",
            "a@b@c.org",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(normalize_display_name("  Ada ").as_deref(), Ok("Ada"));
        assert!(normalize_display_name("   ").is_err());
        assert!(normalize_display_name(&"x".repeat(101)).is_err());
    }
}

//! Accounts: sign-up, sign-in, password changes, staff roles.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};

use super::account_tokens::{self, Purpose};
use super::entities::{institution, membership, session, user};
use super::error::ServerResult;
use super::mail::{self, Mail};
use super::{passwords, urls};
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
    create_inner(db, new, None).await
}

/// Creates an account as [`create`] does and, in the same transaction, queues the mail
/// with the link that confirms its address (links under `public_url`).
///
/// # Errors
/// As [`create`].
pub async fn create_with_confirmation(
    db: &DatabaseConnection,
    public_url: &str,
    new: NewAccount,
) -> ServerResult<user::Model> {
    let user = create_inner(db, new, Some(public_url)).await?;
    mail::wake();
    Ok(user)
}

async fn create_inner(
    db: &DatabaseConnection,
    new: NewAccount,
    confirm_under: Option<&str>,
) -> ServerResult<user::Model> {
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
    if let Some(public_url) = confirm_under {
        let token =
            account_tokens::issue(&*txn, user.id, Purpose::ConfirmEmail, &user.email).await?;
        mail::enqueue(&*txn, confirmation_mail(public_url, &user, &token)).await?;
    }
    txn.commit().await?;
    Ok(user)
}

/// The user with this (already normalised) email; never a deleted account.
///
/// # Errors
/// Database errors.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> ServerResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .filter(user::Column::DeletedAt.is_null())
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
    // The actor may come from the actor cache (up to a second old when another server
    // changed the password): check the current password against the stored one.
    let user = user::Entity::find_by_id(user.id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !passwords::verify(current.to_string(), user.password_hash.clone()).await? {
        return Err(AppError::invalid("Your current password is not correct.").into());
    }
    passwords::check_rule(new, &user.email)?;
    let hash = passwords::hash(new.to_string()).await?;
    let user_id = user.id;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    // Cached actors (which carry the password hash) must not outlive the change.
    super::db::note_write();
    // Reset links sent before the change are void now.
    account_tokens::void(db, user_id, &[Purpose::ResetPassword]).await?;
    Ok(())
}

/// One of a user's staff roles, with its institution's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRow {
    pub institution_id: i32,
    /// [`membership::ROLE_ADMIN`] or [`membership::ROLE_REVIEWER`].
    pub role: String,
    pub institution_name: Option<String>,
}

/// A user's memberships, oldest first, with their institutions' names: one query.
///
/// # Errors
/// Database errors.
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> ServerResult<Vec<MembershipRow>> {
    let rows: Vec<(i32, String, Option<String>)> = membership::Entity::find()
        .select_only()
        .column(membership::Column::InstitutionId)
        .column(membership::Column::Role)
        .column(institution::Column::Name)
        .join(
            JoinType::LeftJoin,
            membership::Entity::belongs_to(institution::Entity)
                .from(membership::Column::InstitutionId)
                .to(institution::Column::Id)
                .into(),
        )
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(membership::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(institution_id, role, institution_name)| MembershipRow {
            institution_id,
            role,
            institution_name,
        })
        .collect())
}

/// The signed-in person as the pages see them: strongest role and institution (the
/// first institution they administer, else the first they review for).
pub fn profile(user: &user::Model, memberships: &[MembershipRow]) -> SessionUser {
    let strongest = memberships
        .iter()
        .find(|m| m.role == membership::ROLE_ADMIN)
        .or(memberships.first());
    let (staff_role, institution) = match strongest {
        Some(m) => {
            let role = if m.role == membership::ROLE_ADMIN {
                Role::IssuerAdmin
            } else {
                Role::Reviewer
            };
            (Some(role), m.institution_name.clone())
        }
        None => (None, None),
    };
    let role = if user.is_platform_admin {
        Role::PlatformAdmin
    } else {
        staff_role.unwrap_or(Role::Learner)
    };
    SessionUser {
        id: user.public_id.to_string(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role,
        institution,
        email_confirmed: user.email_confirmed_at.is_some(),
        handle: user.handle.clone(),
    }
}

// ---- Account mail: confirmation, password reset, change of address ----

fn confirmation_mail(public_url: &str, user: &user::Model, token: &str) -> Mail {
    Mail {
        to: user.email.clone(),
        subject: "Confirm your email address for Badgefolio".into(),
        text: format!(
            "Hello {name},\n\n\
             please confirm that {email} is your address by opening this link:\n\n\
             {link}\n\n\
             The link works once and for {days} days. If you did not create a Badgefolio \
             account, ignore this mail.\n",
            name = user.display_name,
            email = user.email,
            link = urls::confirm_email_link(public_url, token),
            days = Purpose::ConfirmEmail.lifetime().num_days(),
        ),
    }
}

fn reset_mail(public_url: &str, user: &user::Model, token: &str) -> Mail {
    Mail {
        to: user.email.clone(),
        subject: "Reset your Badgefolio password".into(),
        text: format!(
            "Hello {name},\n\n\
             someone (we hope you) asked to reset the password of your Badgefolio account. \
             To choose a new password, open this link:\n\n\
             {link}\n\n\
             The link works once and for one hour; signing in elsewhere ends when the \
             password is changed. If you did not ask for this, ignore this mail: your \
             password stays as it is.\n",
            name = user.display_name,
            link = urls::reset_password_link(public_url, token),
        ),
    }
}

fn change_mail(public_url: &str, user: &user::Model, new_email: &str, token: &str) -> Mail {
    Mail {
        to: new_email.to_string(),
        subject: "Confirm your new email address for Badgefolio".into(),
        text: format!(
            "Hello {name},\n\n\
             you asked to sign in to Badgefolio with {new_email} instead of your current \
             address. To confirm, open this link:\n\n\
             {link}\n\n\
             Nothing changes until you do. The link works once and for 24 hours. If you \
             did not ask for this, ignore this mail.\n",
            name = user.display_name,
            link = urls::confirm_email_link(public_url, token),
        ),
    }
}

fn address_taken_mail(public_url: &str, new_email: &str) -> Mail {
    Mail {
        to: new_email.to_string(),
        subject: "Someone tried to use your address on Badgefolio".into(),
        text: format!(
            "Hello,\n\n\
             someone signed in to Badgefolio asked to use {new_email} as the address of \
             their account. This address already belongs to an account, so nothing was \
             changed. If that was you, sign in with this address instead; if you forgot \
             its password, you can reset it at {forgot}.\n",
            forgot = urls::page(public_url, urls::account::FORGOT),
        ),
    }
}

fn address_changed_notice(public_url: &str, user: &user::Model, new_email: &str) -> Mail {
    Mail {
        to: user.email.clone(),
        subject: "Your Badgefolio sign-in address was changed".into(),
        text: format!(
            "Hello {name},\n\n\
             the address you sign in to Badgefolio with was changed from {old} to \
             {new_email}. Mail about your account now goes there.\n\n\
             If you did not make this change, someone else may have access to your \
             account: contact the platform's administrators at {site}.\n",
            name = user.display_name,
            old = user.email,
            site = urls::page(public_url, "/"),
        ),
    }
}

/// Marks an address confirmed without a link (demo accounts, accounts made by an
/// operator on the command line). Already confirmed ones keep their date.
///
/// # Errors
/// Database errors.
pub async fn mark_confirmed(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<()> {
    user::Entity::update_many()
        .col_expr(
            user::Column::EmailConfirmedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailConfirmedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Sends a new confirmation link to a user's (unconfirmed) address; earlier links stop
/// working.
///
/// # Errors
/// `Invalid` when the address is already confirmed; database errors.
pub async fn send_confirmation(
    db: &DatabaseConnection,
    public_url: &str,
    user: &user::Model,
) -> ServerResult<()> {
    if user.email_confirmed_at.is_some() {
        return Err(AppError::invalid("Your email address is already confirmed.").into());
    }
    let txn = super::db::begin_write(db).await?;
    account_tokens::void(&*txn, user.id, &[Purpose::ConfirmEmail]).await?;
    let token = account_tokens::issue(&*txn, user.id, Purpose::ConfirmEmail, &user.email).await?;
    mail::enqueue(&*txn, confirmation_mail(public_url, user, &token)).await?;
    txn.commit().await?;
    mail::wake();
    Ok(())
}

/// Mails a password-reset link to the account with this address, if there is one. The
/// caller answers the same either way (and nothing is queued for an unknown address).
///
/// # Errors
/// `Invalid` for a malformed address (that says nothing about accounts); database errors.
pub async fn request_password_reset(
    db: &DatabaseConnection,
    public_url: &str,
    email: &str,
) -> ServerResult<()> {
    let email = normalize_email(email)?;
    let Some(user) = find_by_email(db, &email).await? else {
        return Ok(());
    };
    let txn = super::db::begin_write(db).await?;
    let token = account_tokens::issue(&*txn, user.id, Purpose::ResetPassword, &user.email).await?;
    mail::enqueue(&*txn, reset_mail(public_url, &user, &token)).await?;
    txn.commit().await?;
    mail::wake();
    Ok(())
}

fn bad_reset_link() -> AppError {
    AppError::invalid("This reset link has expired or was already used. Please ask for a new one.")
}

/// Sets a new password with a reset link: uses the token (once), changes the password
/// of the account it belongs to, voids that account's other reset links and ends all
/// its sessions. Returns the account's id.
///
/// # Errors
/// `Invalid` for an unusable link (unknown, expired, used, or sent to an address the
/// account no longer has) or a password that breaks the rule; database errors.
pub async fn reset_password(
    db: &DatabaseConnection,
    token: &str,
    new_password: &str,
) -> ServerResult<i32> {
    let found = account_tokens::peek(db, token, &[Purpose::ResetPassword])
        .await?
        .ok_or_else(bad_reset_link)?;
    let user = user::Entity::find_by_id(found.user_id)
        .one(db)
        .await?
        .filter(|u| u.email == found.email)
        .ok_or_else(bad_reset_link)?;
    passwords::check_rule(new_password, &user.email)?;
    let hash = passwords::hash(new_password.to_string()).await?;

    let txn = super::db::begin_write(db).await?;
    let used = account_tokens::consume(&*txn, token, &[Purpose::ResetPassword])
        .await?
        .ok_or_else(bad_reset_link)?;
    // The account the token names, as it is now (its address may have changed since).
    let user = user::Entity::find_by_id(used.user_id)
        .one(&*txn)
        .await?
        .filter(|u| u.email == used.email && u.deleted_at.is_none())
        .ok_or_else(bad_reset_link)?;
    let user_id = user.id;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(&*txn).await?;
    account_tokens::void(&*txn, user_id, &[Purpose::ResetPassword]).await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(user_id)
}

/// Asks to move a signed-in user's account to a new address: checks the password, then
/// mails a confirmation link to the new address. Nothing changes until it is used. If
/// the address already has an account, that address gets a notice instead (the answer
/// is the same, so this cannot be used to find out who has an account).
///
/// # Errors
/// `Invalid` for a wrong password, a malformed address or the current one; database
/// errors.
pub async fn request_email_change(
    db: &DatabaseConnection,
    public_url: &str,
    user: &user::Model,
    new_email: &str,
    current_password: &str,
) -> ServerResult<()> {
    let password = current_password
        .chars()
        .take(crate::model::PASSWORD_MAX_CHARS + 1)
        .collect();
    if !passwords::verify(password, user.password_hash.clone()).await? {
        return Err(AppError::invalid("Your current password is not correct.").into());
    }
    let new_email = normalize_email(new_email)?;
    if new_email == user.email {
        return Err(AppError::invalid("That is already the address you sign in with.").into());
    }
    let txn = super::db::begin_write(db).await?;
    if find_by_email(&*txn, &new_email).await?.is_some() {
        mail::enqueue(&*txn, address_taken_mail(public_url, &new_email)).await?;
    } else {
        account_tokens::void(&*txn, user.id, &[Purpose::ChangeEmail]).await?;
        let token = account_tokens::issue(&*txn, user.id, Purpose::ChangeEmail, &new_email).await?;
        mail::enqueue(&*txn, change_mail(public_url, user, &new_email, &token)).await?;
    }
    txn.commit().await?;
    mail::wake();
    Ok(())
}

/// What a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The account's address is confirmed.
    Address { user_id: i32 },
    /// The account now signs in with `email` (confirmed); the old address was told.
    Changed { user_id: i32, email: String },
    /// One of the account's extra addresses is confirmed.
    Extra { user_id: i32, email: String },
}

fn bad_confirm_link() -> AppError {
    AppError::invalid("This link has expired or was already used.")
}

/// Uses a confirmation link (of a new account, or of a change of address), once, for
/// the account it was made for, whoever follows it. Awards waiting for the confirmed
/// address are claimed by the account in the same transaction (`awards::claims`).
///
/// # Errors
/// `Invalid` for an unusable link, a link to an address the account no longer uses, or
/// a new address that another account took meanwhile (nothing changes then); database
/// errors.
pub async fn confirm_link(
    db: &DatabaseConnection,
    settings: &super::state::Settings,
    token: &str,
) -> ServerResult<Confirmed> {
    let public_url = settings.public_url.as_str();
    let txn = super::db::begin_write(db).await?;
    let used =
        account_tokens::consume(&*txn, token, &[Purpose::ConfirmEmail, Purpose::ChangeEmail])
            .await?
            .ok_or_else(bad_confirm_link)?;
    // Never for a deleted account (a link issued while a deletion raced it).
    let user = user::Entity::find_by_id(used.user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(&*txn)
        .await?
        .ok_or_else(bad_confirm_link)?;
    let now = Utc::now();
    let done = match Purpose::parse(&used.purpose) {
        Some(Purpose::ConfirmEmail) => {
            if user.email == used.email {
                mark_confirmed(&*txn, user.id).await?;
                super::awards::claims::claim_pending(&*txn, settings, user.id, &user.email).await?;
                Confirmed::Address { user_id: user.id }
            } else if super::addresses::confirm(&*txn, user.id, &used.email).await? {
                // One of the account's extra addresses (`addresses`).
                super::awards::claims::claim_pending(&*txn, settings, user.id, &used.email).await?;
                Confirmed::Extra {
                    user_id: user.id,
                    email: used.email,
                }
            } else {
                return Err(AppError::invalid(
                    "This link was for an address your account no longer uses.",
                )
                .into());
            }
        }
        Some(Purpose::ChangeEmail) => {
            let taken = || {
                AppError::invalid(
                    "That address now belongs to another account, so nothing was changed.",
                )
            };
            if find_by_email(&*txn, &used.email).await?.is_some() {
                return Err(taken().into());
            }
            let notice = address_changed_notice(public_url, &user, &used.email);
            let user_id = user.id;
            let mut active: user::ActiveModel = user.into();
            active.email = Set(used.email.clone());
            active.email_confirmed_at = Set(Some(now));
            active.updated_at = Set(now);
            match active.update(&*txn).await {
                Ok(_) => {}
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Err(taken().into());
                }
                Err(e) => return Err(e.into()),
            }
            // Links sent to the old address, or for another change, are void now.
            account_tokens::void(
                &*txn,
                user_id,
                &[
                    Purpose::ConfirmEmail,
                    Purpose::ChangeEmail,
                    Purpose::ResetPassword,
                ],
            )
            .await?;
            mail::enqueue(&*txn, notice).await?;
            super::awards::claims::claim_pending(&*txn, settings, user_id, &used.email).await?;
            Confirmed::Changed {
                user_id,
                email: used.email,
            }
        }
        _ => return Err(bad_confirm_link().into()),
    };
    txn.commit().await?;
    mail::wake();
    Ok(done)
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

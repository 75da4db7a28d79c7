//! One place for authorization. An [`Actor`] (anonymous, or a signed-in user with
//! their institution memberships and roles, or a platform admin) is built once per
//! request; every server function and public route asks [`authorize`] whether the actor
//! may do an [`Action`]. The "strongest role" shown in the header is display only and
//! never used here.
//!
//! Server functions are also guarded before their handler runs: [`server_fn_access`]
//! lists each registered server function with who may call it, and a server function
//! missing from the list is refused (fail closed; a test checks the list is complete).

use std::{sync::Arc, time::Instant};

use chrono::Utc;
use sea_orm::ConnectionTrait;

use super::actor_cache::Resolved;
use super::db::write_generation;
use super::entities::{membership, user};
use super::error::{ServerError, ServerResult};
use super::{AppState, accounts, sessions};
use crate::error::AppError;

/// A staff role at one institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    Reviewer,
    Admin,
}

/// A user's role at one institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub institution_id: i32,
    pub role: StaffRole,
}

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Actor {
    Anonymous,
    User {
        user: Box<user::Model>,
        memberships: Vec<Membership>,
    },
}

impl Actor {
    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&user::Model> {
        match self {
            Self::Anonymous => None,
            Self::User { user, .. } => Some(user),
        }
    }

    /// Whether a user is signed in.
    pub fn is_signed_in(&self) -> bool {
        self.user().is_some()
    }

    /// Whether this is a platform administrator.
    pub fn is_platform_admin(&self) -> bool {
        self.user().is_some_and(|u| u.is_platform_admin)
    }

    /// The actor's role at an institution, if any.
    pub fn role_at(&self, institution_id: i32) -> Option<StaffRole> {
        match self {
            Self::Anonymous => None,
            Self::User { memberships, .. } => memberships
                .iter()
                .filter(|m| m.institution_id == institution_id)
                .map(|m| m.role)
                .max_by_key(|r| *r == StaffRole::Admin),
        }
    }
}

/// Something an actor may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read public issuer documents (Profile, DID document, status lists).
    ReadIssuerDocuments,
    /// Create an account, sign in or out (open to anyone; rate limits apply).
    UseAccountForms,
    /// Read the public catalog: programs, badges, competencies (open to anyone).
    ReadCatalog,
    /// Enroll in a program or withdraw (any signed-in user).
    Enroll,
    /// Change one's own portfolio: badge visibility, the public handle.
    ManageOwnPortfolio,
    /// Read learners' public profiles (only what they made public; open to anyone).
    ReadPublicProfiles,
    /// Read one's own account.
    ReadOwnAccount,
    /// Change one's own password.
    ChangeOwnPassword,
    /// Change or confirm one's own sign-in address.
    ChangeOwnEmail,
    /// Download everything one holds, or delete one's own account.
    DeleteOwnAccount,
    /// Review submissions for an institution.
    ReviewFor { institution_id: i32 },
    /// Manage an institution's profile, staff, catalog and keys; issue and revoke.
    ManageInstitution { institution_id: i32 },
    /// Create institutions, see the outbox, manage the platform.
    AdministerPlatform,
}

/// Whether `actor` may do `action`.
///
/// # Errors
/// `Unauthenticated` when signing in would help, `Forbidden` otherwise.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), AppError> {
    let allowed = match action {
        Action::ReadIssuerDocuments
        | Action::UseAccountForms
        | Action::ReadCatalog
        | Action::ReadPublicProfiles => true,
        Action::ReadOwnAccount
        | Action::ManageOwnPortfolio
        | Action::ChangeOwnPassword
        | Action::ChangeOwnEmail
        | Action::DeleteOwnAccount
        | Action::Enroll => actor.is_signed_in(),
        Action::ReviewFor { institution_id } => {
            actor.is_platform_admin() || actor.role_at(institution_id).is_some()
        }
        Action::ManageInstitution { institution_id } => {
            actor.is_platform_admin() || actor.role_at(institution_id) == Some(StaffRole::Admin)
        }
        Action::AdministerPlatform => actor.is_platform_admin(),
    };
    match (allowed, actor.is_signed_in()) {
        (true, _) => Ok(()),
        (false, false) => Err(AppError::Unauthenticated),
        (false, true) => Err(AppError::Forbidden),
    }
}

/// Who may call a server function, checked before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnAccess {
    /// Anyone, signed in or not.
    Anyone,
    /// Signed-in users (the function checks the finer [`Action`] itself).
    SignedIn,
}

/// Every server function (its endpoint under `/api/`) with who may call it.
pub const SERVER_FUNCTIONS: &[(&str, FnAccess)] = &[
    ("current_user", FnAccess::Anyone),
    ("sign_up", FnAccess::Anyone),
    ("sign_in", FnAccess::Anyone),
    ("sign_out", FnAccess::Anyone),
    ("change_password", FnAccess::SignedIn),
    ("catalog", FnAccess::Anyone),
    ("program", FnAccess::Anyone),
    ("competency", FnAccess::Anyone),
    ("enroll", FnAccess::SignedIn),
    ("withdraw", FnAccess::SignedIn),
    ("my_enrollments", FnAccess::SignedIn),
    ("my_institutions", FnAccess::SignedIn),
    ("institutions", FnAccess::SignedIn),
    ("institution_admin", FnAccess::SignedIn),
    ("add_competency", FnAccess::SignedIn),
    ("save_badge", FnAccess::SignedIn),
    ("save_profile", FnAccess::SignedIn),
    ("save_program", FnAccess::SignedIn),
    ("create_institution", FnAccess::SignedIn),
    ("invite_staff", FnAccess::SignedIn),
    ("remove_staff", FnAccess::SignedIn),
    ("invitation", FnAccess::SignedIn),
    ("accept_invitation", FnAccess::SignedIn),
    ("revoke_invitation", FnAccess::SignedIn),
    ("resend_confirmation", FnAccess::SignedIn),
    ("change_email", FnAccess::SignedIn),
    ("request_password_reset", FnAccess::Anyone),
    ("reset_password", FnAccess::Anyone),
    ("confirm_email", FnAccess::Anyone),
    ("list_outbox", FnAccess::SignedIn),
    ("institution_awards", FnAccess::SignedIn),
    ("revoke_award", FnAccess::SignedIn),
    ("reissue_award", FnAccess::SignedIn),
    ("institution_transcripts", FnAccess::SignedIn),
    ("my_badges", FnAccess::SignedIn),
    ("learn_program", FnAccess::SignedIn),
    ("my_evidence", FnAccess::SignedIn),
    ("upload_evidence", FnAccess::SignedIn),
    ("add_evidence_link", FnAccess::SignedIn),
    ("save_narrative", FnAccess::SignedIn),
    ("change_evidence_item", FnAccess::SignedIn),
    ("submit_evidence", FnAccess::SignedIn),
    ("review_queue", FnAccess::SignedIn),
    ("review_submission", FnAccess::SignedIn),
    ("decide_submission", FnAccess::SignedIn),
    ("notifications", FnAccess::SignedIn),
    ("unread_notifications", FnAccess::Anyone),
    ("mark_notifications_read", FnAccess::SignedIn),
    // Bulk awards (issue 9): issuer admins of the run's institution.
    ("bulk_page", FnAccess::SignedIn),
    ("bulk_preview", FnAccess::SignedIn),
    ("bulk_run", FnAccess::SignedIn),
    ("bulk_start", FnAccess::SignedIn),
    // The portfolio (issue 11): the learner's own badges; public profiles for anyone.
    ("portfolio_wall", FnAccess::SignedIn),
    ("portfolio_overview", FnAccess::SignedIn),
    ("portfolio_badge", FnAccess::SignedIn),
    ("set_badge_visibility", FnAccess::SignedIn),
    ("set_handle", FnAccess::SignedIn),
    ("public_profile", FnAccess::Anyone),
    // Sharing (issue 12): the learner's own links, panel and snippets.
    ("share_panel", FnAccess::SignedIn),
    ("list_share_links", FnAccess::SignedIn),
    ("create_share_link", FnAccess::SignedIn),
    ("rename_share_link", FnAccess::SignedIn),
    ("revoke_share_link", FnAccess::SignedIn),
    ("set_allow_indexing", FnAccess::SignedIn),
    ("email_signature", FnAccess::SignedIn),
    ("share_links_page", FnAccess::SignedIn),
    // Extra addresses and imports (issue 11): the learner's own.
    ("my_addresses", FnAccess::SignedIn),
    ("add_address", FnAccess::SignedIn),
    ("resend_address", FnAccess::SignedIn),
    ("remove_address", FnAccess::SignedIn),
    ("import_badge", FnAccess::SignedIn),
    ("delete_import", FnAccess::SignedIn),
    // Endorsements (issue 11): the learner asks and decides; the endorser holds a link.
    ("request_endorsement", FnAccess::SignedIn),
    ("badge_endorsements", FnAccess::SignedIn),
    ("decide_endorsement", FnAccess::SignedIn),
    ("endorsement_invitation", FnAccess::Anyone),
    ("give_endorsement", FnAccess::Anyone),
    // Collections (issue 11): the learner's own.
    ("my_collections", FnAccess::SignedIn),
    ("create_collection", FnAccess::SignedIn),
    ("edit_collection", FnAccess::SignedIn),
    ("delete_collection", FnAccess::SignedIn),
    ("move_collection", FnAccess::SignedIn),
    ("add_to_collection", FnAccess::SignedIn),
    ("remove_from_collection", FnAccess::SignedIn),
    ("move_collection_item", FnAccess::SignedIn),
    // Data ownership (issue 11): the signed-in user's own export and account deletion.
    ("export_contents", FnAccess::SignedIn),
    ("delete_account", FnAccess::SignedIn),
];

/// Who may call the server function at `endpoint`; `None` for one that is not listed,
/// which is then refused.
pub fn server_fn_access(endpoint: &str) -> Option<FnAccess> {
    SERVER_FUNCTIONS
        .iter()
        .find(|(name, _)| *name == endpoint)
        .map(|(_, access)| *access)
}

/// Reads the actor of a session (by its token hash) from the database: the session with
/// its user in one query, their memberships with the institutions' names in a second.
///
/// # Errors
/// Database errors.
pub async fn resolve_session(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> ServerResult<Resolved> {
    let Some((session, user)) = sessions::with_user(db, token_hash).await? else {
        return Ok(Resolved::anonymous());
    };
    let rows = accounts::memberships_of(db, user.id).await?;
    let memberships = rows
        .iter()
        .map(|m| Membership {
            institution_id: m.institution_id,
            role: if m.role == membership::ROLE_ADMIN {
                StaffRole::Admin
            } else {
                StaffRole::Reviewer
            },
        })
        .collect();
    let profile = accounts::profile(&user, &rows);
    Ok(Resolved {
        actor: Actor::User {
            user: Box::new(user),
            memberships,
        },
        profile: Some(profile),
        session_expires_at: Some(session.expires_at),
    })
}

/// Builds the actor of a request from its session cookie, through the server's
/// [`ActorCache`](super::actor_cache::ActorCache) (see there for how long a cached
/// actor is trusted).
///
/// # Errors
/// Database errors.
pub async fn resolve(state: &AppState, headers: &http::HeaderMap) -> ServerResult<Arc<Resolved>> {
    let Some(token) = sessions::token_from_headers(headers, state.settings.secure_cookies) else {
        return Ok(Arc::new(Resolved::anonymous()));
    };
    let hash = sessions::token_hash(&token);
    // Read before the database, so that a write committed meanwhile makes this copy
    // stale at once.
    let generation = write_generation();
    if let Some(hit) = state
        .actors
        .get(&hash, generation, Instant::now(), Utc::now())
    {
        return Ok(hit);
    }
    let read_at = Instant::now();
    let resolved = Arc::new(resolve_session(&state.db, &hash).await?);
    state
        .actors
        .put(hash, Arc::clone(&resolved), generation, read_at);
    Ok(resolved)
}

/// The actor of one request, built at most once (the request's extensions carry it to
/// the server function or page that asks). A failure is remembered for the rest of the
/// request too: a page whose resources all ask while the database is out of reach
/// waits for one pool timeout, not one per resource.
#[derive(Debug, Clone, Default)]
pub struct ActorCell(Arc<tokio::sync::OnceCell<Result<Arc<Resolved>, AppError>>>);

impl ActorCell {
    /// The actor with its profile, built on first use.
    ///
    /// # Errors
    /// Database errors (as the user sees them: 503 when the database is out of reach).
    pub async fn resolved(
        &self,
        state: &AppState,
        headers: &http::HeaderMap,
    ) -> ServerResult<Arc<Resolved>> {
        self.0
            .get_or_init(|| async { resolve(state, headers).await.map_err(AppError::from) })
            .await
            .clone()
            .map_err(ServerError::User)
    }

    /// The actor, built on first use.
    ///
    /// # Errors
    /// As [`ActorCell::resolved`].
    pub async fn get(&self, state: &AppState, headers: &http::HeaderMap) -> ServerResult<Actor> {
        Ok(self.resolved(state, headers).await?.actor.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(admin: bool, memberships: Vec<Membership>) -> Actor {
        let now = chrono::Utc::now();
        Actor::User {
            user: Box::new(user::Model {
                id: 1,
                public_id: uuid::Uuid::nil(),
                email: "a@example.org".into(),
                display_name: "A".into(),
                password_hash: String::new(),
                is_platform_admin: admin,
                email_confirmed_at: None,
                created_at: now,
                updated_at: now,
                handle: None,
                deleted_at: None,
            }),
            memberships,
        }
    }

    #[test]
    fn roles_are_per_institution_and_anonymous_is_asked_to_sign_in() {
        let reviewer_of_1 = user(
            false,
            vec![Membership {
                institution_id: 1,
                role: StaffRole::Reviewer,
            }],
        );
        let admin_of_2 = user(
            false,
            vec![Membership {
                institution_id: 2,
                role: StaffRole::Admin,
            }],
        );
        let manage_1 = Action::ManageInstitution { institution_id: 1 };
        let review_1 = Action::ReviewFor { institution_id: 1 };
        assert_eq!(authorize(&reviewer_of_1, review_1), Ok(()));
        assert_eq!(
            authorize(&reviewer_of_1, manage_1),
            Err(AppError::Forbidden)
        );
        assert_eq!(authorize(&admin_of_2, review_1), Err(AppError::Forbidden));
        assert_eq!(
            authorize(&admin_of_2, Action::ManageInstitution { institution_id: 2 }),
            Ok(())
        );
        assert_eq!(
            authorize(&admin_of_2, Action::AdministerPlatform),
            Err(AppError::Forbidden)
        );
        assert_eq!(authorize(&user(true, vec![]), manage_1), Ok(()));
        assert_eq!(
            authorize(&Actor::Anonymous, review_1),
            Err(AppError::Unauthenticated)
        );
        assert_eq!(
            authorize(&Actor::Anonymous, Action::ChangeOwnPassword),
            Err(AppError::Unauthenticated)
        );
        assert_eq!(
            authorize(&Actor::Anonymous, Action::ReadIssuerDocuments),
            Ok(())
        );
    }

    #[test]
    fn unlisted_server_functions_have_no_access() {
        assert_eq!(
            server_fn_access("change_password"),
            Some(FnAccess::SignedIn)
        );
        assert_eq!(server_fn_access("no_such_function"), None);
    }
}

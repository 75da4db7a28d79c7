//! Endorsements of a learner's badge: the learner asks for one (a link, mailed when
//! an address is given), the endorser (signed in or not) gives a statement through the
//! link, the learner approves (the platform signs an OB 3.0 `EndorsementCredential`),
//! declines or withdraws it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Longest endorser name (characters).
pub const NAME_MAX_CHARS: usize = 120;
/// Longest statement (characters).
pub const STATEMENT_MAX_CHARS: usize = 1_000;

/// One endorsement of a badge, as its learner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndorsementView {
    pub public_id: String,
    /// requested, submitted, approved, declined, withdrawn, expired.
    pub status: String,
    /// Whom the learner asked (as typed).
    pub invitee_name: Option<String>,
    pub invitee_email: Option<String>,
    /// What the endorser confirmed.
    pub endorser_name: Option<String>,
    /// Set only when the endorser's address was confirmed (a signed-in account).
    pub endorser_email: Option<String>,
    pub statement: Option<String>,
    /// `YYYY-MM-DD`.
    pub created_at: String,
    pub expires_at: String,
    /// Whether the platform signed its `EndorsementCredential` (once approved).
    pub signed: bool,
}

/// What the learner gets after asking: the link to pass on (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndorsementLink {
    pub public_id: String,
    pub link: String,
    /// Whether the link was mailed.
    pub mailed: bool,
}

/// What the endorser sees at `/endorse/{token}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndorseInvitation {
    pub badge_name: String,
    pub issuer: String,
    pub learner_name: String,
    pub image_url: String,
    /// The name the learner typed for the endorser (a suggestion).
    pub invitee_name: Option<String>,
    /// The signed-in endorser's name, if any (then their confirmed address is attached).
    pub signed_in_as: Option<String>,
    /// `YYYY-MM-DD`.
    pub expires_at: String,
}

/// Asks someone to endorse one of the signed-in learner's badges. `email` may be empty
/// (then the learner passes the link on themselves).
#[server(endpoint = "request_endorsement")]
pub async fn request_endorsement(
    award: String,
    name: String,
    #[server(default)] email: String,
) -> Result<EndorsementLink, AppError> {
    use crate::server::{authz::Action, endorsements, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        endorsements::request(&state.db, &state.settings, user, &award, &name, &email).await
    };
    run.await.map_err(AppError::from)
}

/// The endorsements of one of the signed-in learner's badges (another's is not found).
#[server(endpoint = "badge_endorsements")]
pub async fn badge_endorsements(award: String) -> Result<Vec<EndorsementView>, AppError> {
    use crate::server::{authz::Action, endorsements, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        endorsements::list(
            &state.db,
            &state.settings,
            user.id,
            &award,
            chrono::Utc::now(),
        )
        .await
    };
    run.await.map_err(AppError::from)
}

/// The learner decides on an endorsement: `approve`, `decline` or `withdraw`.
#[server(endpoint = "decide_endorsement")]
pub async fn decide_endorsement(endorsement: String, decision: String) -> Result<(), AppError> {
    use crate::server::{authz::Action, endorsements, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let decision = endorsements::Decision::parse(&decision)
            .ok_or_else(|| AppError::invalid("Choose approve, decline or withdraw."))?;
        endorsements::decide(&state.db, &state.settings, user.id, &endorsement, decision).await
    };
    run.await.map_err(AppError::from)
}

/// What the endorser is asked about (anyone holding the link).
#[server(endpoint = "endorsement_invitation")]
pub async fn endorsement_invitation(token: String) -> Result<EndorseInvitation, AppError> {
    use crate::server::{authz::Action, endorsements, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadPublicProfiles).await?;
        endorsements::invitation(
            &state.db,
            &state.settings,
            &token,
            actor.user(),
            chrono::Utc::now(),
        )
        .await
    };
    let out = run.await.map_err(AppError::from);
    if matches!(out, Err(AppError::NotFound)) {
        crate::server::request::set_status(http::StatusCode::NOT_FOUND);
    }
    out
}

/// The endorser gives their name and statement (once per link).
#[server(endpoint = "give_endorsement")]
pub async fn give_endorsement(
    token: String,
    name: String,
    statement: String,
) -> Result<(), AppError> {
    use crate::server::{authz::Action, endorsements, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadPublicProfiles).await?;
        endorsements::submit(
            &state.db,
            &token,
            &name,
            &statement,
            actor.user(),
            chrono::Utc::now(),
        )
        .await
    };
    run.await.map_err(AppError::from)
}

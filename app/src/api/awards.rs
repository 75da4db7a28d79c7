//! Awards after issuing: the issuer admin's award list, revocation and re-issue, the
//! transcript notations; the learner's own credentials and notations.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::awards::{AwardsAdmin, AwardsFilter, MyBadges, Transcripts};

/// The institution's awards for its admins, filtered. (`default`: with no filter set the
/// URL-encoded arguments are empty.)
#[server(endpoint = "institution_awards")]
pub async fn institution_awards(
    institution: String,
    #[server(default)] filter: AwardsFilter,
) -> Result<AwardsAdmin, AppError> {
    use crate::server::{awards::listing, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        listing::admin_awards(&state.db, &inst, &filter).await
    };
    run.await.map_err(AppError::from)
}

/// Revokes an award with a reason. `also_programs` answers whether program credentials
/// built on the badge (and their notations) are revoked too: `yes`, `no`, or empty when
/// the badge stacks into none (a badge that does is refused until answered).
#[server(endpoint = "revoke_award")]
pub async fn revoke_award(
    institution: String,
    award: String,
    reason: String,
    #[server(default)] also_programs: String,
) -> Result<usize, AppError> {
    use crate::server::{ServerError, awards::lifecycle, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        let actor = request::actor(&state).await?;
        let choice = match also_programs.trim() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => return Err(AppError::invalid("Answer yes or no.").into()),
        };
        let done = lifecycle::revoke(
            &state.db,
            &state.settings,
            &inst,
            actor.user().map(|u| u.id),
            &award,
            &reason,
            choice,
        )
        .await?;
        Ok::<_, ServerError>(done.awards.len())
    };
    run.await.map_err(AppError::from)
}

/// Re-issues an award (corrected badge version, current or corrected name, same
/// evidence); returns the new award's public id.
#[server(endpoint = "reissue_award")]
pub async fn reissue_award(
    institution: String,
    award: String,
    #[server(default)] name: String,
    note: String,
) -> Result<String, AppError> {
    use crate::server::{ServerError, awards::lifecycle, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        let actor = request::actor(&state).await?;
        let new = lifecycle::reissue(
            &state.db,
            &state.settings,
            &inst,
            actor.user().map(|u| u.id),
            &award,
            &name,
            &note,
        )
        .await?;
        Ok::<_, ServerError>(new.public_id.to_string())
    };
    run.await.map_err(AppError::from)
}

/// The institution's transcript notations (for the registrar).
#[server(endpoint = "institution_transcripts")]
pub async fn institution_transcripts(institution: String) -> Result<Transcripts, AppError> {
    use crate::server::{awards::listing, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        listing::transcripts(&state.db, &inst).await
    };
    run.await.map_err(AppError::from)
}

/// The signed-in learner's credentials and transcript notations.
#[server(endpoint = "my_badges")]
pub async fn get_my_badges() -> Result<MyBadges, AppError> {
    use crate::server::{authz::Action, awards::listing, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        listing::my_badges(&state.db, &state.settings, user.id).await
    };
    run.await.map_err(AppError::from)
}

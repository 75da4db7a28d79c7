//! Evidence and review: the learner's evidence per badge of an enrolled program, the
//! institution's review queue and decisions, and in-app notifications. The file upload
//! is `multipart/form-data` (streamed to storage); the rest are plain forms.

// A plain form posts one field per argument.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::error::AppError;
use crate::model::evidence::{LearnView, NotificationView, ReviewQueue, SubmissionView};

#[cfg(feature = "ssr")]
fn ticked(v: Option<&String>) -> bool {
    v.is_some_and(|v| v != "false")
}

/// `/learn/{program}`: the badges of an enrolled program and where each stands.
#[server(endpoint = "learn_program")]
pub async fn learn_program(program: String) -> Result<LearnView, AppError> {
    use crate::server::{authz::Action, evidence::submissions, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        submissions::learn(&state.db, &state.settings, user.id, &program).await
    };
    run.await.map_err(AppError::from)
}

/// The signed-in learner's evidence for one badge of an enrolled program.
#[server(endpoint = "my_evidence")]
pub async fn my_evidence(program: String, badge: String) -> Result<SubmissionView, AppError> {
    use crate::server::{authz::Action, evidence::submissions, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        submissions::mine(&state.db, &state.settings, user, &program, &badge).await
    };
    run.await.map_err(AppError::from)
}

/// Uploads a file as evidence. Multipart fields: `program` (slug), `badge` (public
/// id), `name` (optional), `include_in_credential`, `is_public` (checkboxes), then
/// `file`. Returns the piece's public id.
#[server(endpoint = "upload_evidence", input = MultipartFormData)]
pub async fn upload_evidence(data: MultipartData) -> Result<String, AppError> {
    use crate::server::{
        evidence::{
            submissions::{self, ItemFlags},
            upload,
        },
        request,
    };
    let run = async {
        let state = request::state()?;
        // Only a signed-in learner makes us read an upload at all.
        let actor = request::actor(&state).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?.clone();
        let store = state.settings.evidence.clone();
        let allowance = submissions::allowance(&state.db, user.id).await?;
        let key = format!("u{}/{}", user.id, uuid::Uuid::new_v4());
        let owner = upload::Owner {
            db: &state.db,
            user_id: user.id,
        };
        let form = upload::read_form(data, "file", &store, &key, allowance, owner).await?;
        let Some(file) = form.file.as_ref() else {
            return Err(AppError::invalid("Choose a file to upload.").into());
        };
        let flags = ItemFlags {
            include_in_credential: form.checked("include_in_credential"),
            is_public: form.checked("is_public"),
        };
        let added = submissions::add_file(
            &state.db,
            &user,
            &form.text("program"),
            &form.text("badge"),
            &form.text("name"),
            file,
            flags,
        )
        .await;
        if added.is_err() {
            // Nothing stays behind when the piece was not recorded.
            if let Err(e) = store.delete(&file.key).await {
                tracing::warn!(error = %e, key = %file.key, "removing a refused upload");
            }
        }
        added
    };
    run.await.map_err(AppError::from)
}

/// Adds a link (http or https) as evidence.
#[server(endpoint = "add_evidence_link")]
pub async fn add_evidence_link(
    program: String,
    badge: String,
    url: String,
    #[server(default)] name: String,
    #[server(default)] include_in_credential: Option<String>,
    #[server(default)] is_public: Option<String>,
) -> Result<String, AppError> {
    use crate::server::{
        authz::Action,
        evidence::submissions::{self, ItemFlags},
        request,
    };
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let flags = ItemFlags {
            include_in_credential: ticked(include_in_credential.as_ref()),
            is_public: ticked(is_public.as_ref()),
        };
        submissions::add_link(&state.db, user, &program, &badge, &url, &name, flags).await
    };
    run.await.map_err(AppError::from)
}

/// Saves the narrative.
#[server(endpoint = "save_narrative")]
pub async fn save_narrative(
    program: String,
    badge: String,
    narrative: String,
) -> Result<(), AppError> {
    use crate::server::{authz::Action, evidence::submissions, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        submissions::save_narrative(&state.db, user, &program, &badge, &narrative).await
    };
    run.await.map_err(AppError::from)
}

/// Changes a piece: whether it goes into the credential and is public, or its place
/// (`move_to`: `up` or `down`), or removes it (`remove`).
#[server(endpoint = "change_evidence_item")]
pub async fn change_evidence_item(
    item: String,
    #[server(default)] include_in_credential: Option<String>,
    #[server(default)] is_public: Option<String>,
    #[server(default)] move_to: String,
    #[server(default)] remove: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{
        authz::Action,
        evidence::submissions::{self, ItemFlags},
        request,
    };
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        if ticked(remove.as_ref()) {
            return submissions::remove_item(&state.db, &state.settings.evidence, user, &item)
                .await;
        }
        match move_to.as_str() {
            "up" | "down" => submissions::move_item(&state.db, user, &item, move_to == "up").await,
            _ => {
                let flags = ItemFlags {
                    include_in_credential: ticked(include_in_credential.as_ref()),
                    is_public: ticked(is_public.as_ref()),
                };
                submissions::set_flags(&state.db, user, &item, flags).await
            }
        }
    };
    run.await.map_err(AppError::from)
}

/// Submits the evidence for review (or resubmits it after changes were requested).
#[server(endpoint = "submit_evidence")]
pub async fn submit_evidence(program: String, badge: String) -> Result<(), AppError> {
    use crate::server::{authz::Action, evidence::submissions, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        submissions::submit(&state.db, user, &program, &badge).await
    };
    run.await.map_err(AppError::from)
}

/// The institution's review queue, filtered by program slug and badge id (empty: all).
#[server(endpoint = "review_queue")]
pub async fn get_review_queue(
    institution: String,
    #[server(default)] program: String,
    #[server(default)] badge: String,
) -> Result<ReviewQueue, AppError> {
    use crate::server::{evidence::review, request};
    let run = async {
        let state = request::state()?;
        let actor = request::actor(&state).await?;
        review::queue(
            &state.db,
            &state.settings,
            &actor,
            &institution,
            &program,
            &badge,
        )
        .await
    };
    run.await.map_err(AppError::from)
}

/// A submission for its reviewer.
#[server(endpoint = "review_submission")]
pub async fn review_submission(
    institution: String,
    submission: String,
) -> Result<SubmissionView, AppError> {
    use crate::server::{evidence::review, request};
    let run = async {
        let state = request::state()?;
        let actor = request::actor(&state).await?;
        review::open(
            &state.db,
            &state.settings,
            &actor,
            &institution,
            &submission,
        )
        .await
    };
    run.await.map_err(AppError::from)
}

/// A reviewer's decision: `decision` is `approve`, `request_changes` or `reject`;
/// `scores[i]` the level chosen for the rubric's criterion `i`.
#[server(endpoint = "decide_submission")]
pub async fn decide_submission(
    institution: String,
    submission: String,
    decision: String,
    #[server(default)] feedback: String,
    #[server(default)] scores: Vec<String>,
) -> Result<(), AppError> {
    use crate::server::{
        evidence::review::{self, Decision},
        request,
    };
    let run = async {
        let state = request::state()?;
        let actor = request::actor(&state).await?;
        let decision = Decision::parse(&decision)?;
        review::decide(
            &state.db,
            &state.settings,
            &actor,
            &institution,
            &submission,
            decision,
            &feedback,
            &scores,
        )
        .await
    };
    run.await.map_err(AppError::from)
}

/// The signed-in user's notifications, newest first.
#[server(endpoint = "notifications")]
pub async fn list_notifications() -> Result<Vec<NotificationView>, AppError> {
    use crate::server::{authz::Action, notifications, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        notifications::list(&state.db, user.id).await
    };
    run.await.map_err(AppError::from)
}

/// How many of the signed-in user's notifications are unread (0 when signed out).
#[server(endpoint = "unread_notifications")]
pub async fn unread_notifications() -> Result<u64, AppError> {
    use crate::server::{notifications, request};
    let run = async {
        let state = request::state()?;
        match request::current_user(&state).await? {
            Some(user) => notifications::unread(&state.db, user.id).await,
            None => Ok(0),
        }
    };
    run.await.map_err(AppError::from)
}

/// Marks one notification read (`id`), or all of them (no `id`).
#[server(endpoint = "mark_notifications_read")]
pub async fn mark_notifications_read(#[server(default)] id: Option<i32>) -> Result<(), AppError> {
    use crate::server::{ServerError, authz::Action, notifications, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        notifications::mark_read(&state.db, user.id, id).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

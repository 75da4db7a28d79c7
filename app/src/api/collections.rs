//! Collections: the learner's named, described, ordered groups of their own badges
//! (awards and imported badges). Only the owner sees or changes them here; sharing a
//! collection is a share link (`/s/{token}`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Longest collection name (characters).
pub const NAME_MAX_CHARS: usize = 80;
/// Longest description (characters).
pub const DESCRIPTION_MAX_CHARS: usize = 500;

/// A badge in a collection, or one that can be added. `badge` is `a:{award public id}`
/// or `i:{imported badge public id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionBadge {
    pub badge: String,
    pub name: String,
    pub issuer: String,
    pub image_url: String,
    /// The learner's page of the badge (awards only).
    pub href: Option<String>,
}

/// One collection, its badges in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionView {
    pub public_id: String,
    pub name: String,
    pub description: String,
    pub badges: Vec<CollectionBadge>,
}

/// The learner's collections in their order, and every badge they can put in one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionsPage {
    pub collections: Vec<CollectionView>,
    pub badges: Vec<CollectionBadge>,
}

/// The signed-in learner's collections.
#[server(endpoint = "my_collections")]
pub async fn my_collections() -> Result<CollectionsPage, AppError> {
    use crate::server::{authz::Action, collections, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        collections::mine(&state.db, &state.settings, user.id).await
    };
    run.await.map_err(AppError::from)
}

/// Creates a collection (last in the learner's order); returns its public id.
#[server(endpoint = "create_collection")]
pub async fn create_collection(
    name: String,
    #[server(default)] description: String,
) -> Result<String, AppError> {
    use crate::server::{authz::Action, collections, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        collections::create(&state.db, user.id, &name, &description).await
    };
    run.await.map_err(AppError::from)
}

/// Renames a collection and sets its description.
#[server(endpoint = "edit_collection")]
pub async fn edit_collection(
    collection: String,
    name: String,
    #[server(default)] description: String,
) -> Result<(), AppError> {
    use crate::server::{authz::Action, collections, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        collections::edit(&state.db, user.id, &collection, &name, &description).await
    };
    run.await.map_err(AppError::from)
}

/// Deletes a collection (the badges stay in the portfolio).
#[server(endpoint = "delete_collection")]
pub async fn delete_collection(collection: String) -> Result<(), AppError> {
    use crate::server::{authz::Action, collections, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        collections::delete(&state.db, user.id, &collection).await
    };
    run.await.map_err(AppError::from)
}

/// Moves a collection one place `up` or `down` in the learner's order.
#[server(endpoint = "move_collection")]
pub async fn move_collection(collection: String, direction: String) -> Result<(), AppError> {
    use crate::server::{authz::Action, collections, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let up = collections::parse_direction(&direction)?;
        collections::move_collection(&state.db, user.id, &collection, up).await
    };
    run.await.map_err(AppError::from)
}

/// Adds one of the learner's badges at the end of a collection.
#[server(endpoint = "add_to_collection")]
pub async fn add_to_collection(collection: String, badge: String) -> Result<(), AppError> {
    use crate::server::{authz::Action, collections, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        collections::add(&state.db, user.id, &collection, &badge).await
    };
    run.await.map_err(AppError::from)
}

/// Takes a badge out of a collection.
#[server(endpoint = "remove_from_collection")]
pub async fn remove_from_collection(collection: String, badge: String) -> Result<(), AppError> {
    use crate::server::{authz::Action, collections, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        collections::remove(&state.db, user.id, &collection, &badge).await
    };
    run.await.map_err(AppError::from)
}

/// Moves a badge one place `up` or `down` inside a collection.
#[server(endpoint = "move_collection_item")]
pub async fn move_collection_item(
    collection: String,
    badge: String,
    direction: String,
) -> Result<(), AppError> {
    use crate::server::{authz::Action, collections, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ManageOwnPortfolio).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let up = collections::parse_direction(&direction)?;
        collections::move_item(&state.db, user.id, &collection, &badge, up).await
    };
    run.await.map_err(AppError::from)
}

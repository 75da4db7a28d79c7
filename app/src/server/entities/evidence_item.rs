//! One piece of evidence: an uploaded file or a link.

use sea_orm::entity::prelude::*;

pub const KIND_FILE: &str = "file";
pub const KIND_LINK: &str = "link";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The stable, unguessable id in the URL of a public piece.
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub submission_id: i32,
    /// The owner (quotas and access checks need no join).
    pub user_id: i32,
    /// [`KIND_FILE`] or [`KIND_LINK`].
    pub kind: String,
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub url: Option<String>,
    /// Key in the object store (files only).
    pub object_key: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: i64,
    /// Hex SHA-256 of a file's bytes.
    pub sha256: Option<String>,
    /// The learner chose to embed it in the credential.
    pub include_in_credential: bool,
    /// The learner chose to let anyone holding the credential open it.
    pub is_public: bool,
    pub position: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

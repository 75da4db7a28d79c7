//! Views of a public page or share link per UTC day and source; nothing about the viewer.

use sea_orm::entity::prelude::*;

pub const SUBJECT_AWARD: &str = "award";
pub const SUBJECT_IMPORT: &str = "import";
pub const SUBJECT_LINK: &str = "link";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "view_counts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// One of the `SUBJECT_*` constants, and the row id of what was viewed.
    pub subject_kind: String,
    pub subject_id: i32,
    /// direct, linkedin, email, qr, embed.
    pub source: String,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    pub views: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

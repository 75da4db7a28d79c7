//! One version of a badge's content. Never updated once written.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "badge_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub badge_id: i32,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub image_id: i32,
    pub criteria: String,
    /// An OB 3.0 `achievementType` value (e.g. `Badge`, `MicroCredential`).
    pub achievement_type: String,
    /// JSON array of strings.
    pub tags: String,
    pub credits: i32,
    /// What the learner must provide.
    pub evidence_required: String,
    /// JSON rubric (see `catalog::model::Rubric`), if any.
    pub rubric: Option<String>,
    /// `None`: never expires.
    pub validity_months: Option<i32>,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

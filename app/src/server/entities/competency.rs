//! A competency badges align to: the platform's shared framework, or an institution's own.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "competencies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Part of the permanent public URL (`/competencies/{slug}` for the shared
    /// framework, `/issuers/{issuer}/competencies/{slug}` for an institution's own).
    pub slug: String,
    pub name: String,
    pub description: String,
    /// `None`: the shared framework.
    pub institution_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

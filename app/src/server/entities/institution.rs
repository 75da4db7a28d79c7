//! An issuing institution (an OB 3.0 `Profile`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "institutions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    /// Short stable name used in URLs and by scripts (`demo` for the demo data).
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub url: String,
    pub email: String,
    pub description: String,
    pub logo_image_id: Option<i32>,
    /// LinkedIn organization id, for "Add to profile" links.
    pub linkedin_org_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A badge (OB 3.0 Achievement). Its content lives in versions: editing makes a new
//! version, so credentials already issued keep pointing at what they were issued for.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "badges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Never changes.
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub institution_id: i32,
    pub current_version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

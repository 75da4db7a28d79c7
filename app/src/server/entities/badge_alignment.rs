//! A badge version's alignment to a competency.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "badge_alignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub badge_version_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub competency_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A component badge of a program's stack, in order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "program_badges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub program_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub badge_id: i32,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Facts about the installation itself, as key/value pairs (see [`DEMO_KEY`]).

use sea_orm::entity::prelude::*;

/// Set to `true` on a database filled by `seed-demo`: its accounts have a published
/// password, and only such a database may receive them.
pub const DEMO_KEY: &str = "demo";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_meta")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub value: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A user's staff role at an institution.

use sea_orm::entity::prelude::*;

/// `role` value of a reviewer.
pub const ROLE_REVIEWER: &str = "reviewer";
/// `role` value of an institution administrator.
pub const ROLE_ADMIN: &str = "admin";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub institution_id: i32,
    /// [`ROLE_REVIEWER`] or [`ROLE_ADMIN`].
    pub role: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

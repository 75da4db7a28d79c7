//! A learner's enrollment in a program.

use sea_orm::entity::prelude::*;

/// `status` of a current enrollment.
pub const ENROLLED: &str = "enrolled";
/// `status` after the learner withdrew.
pub const WITHDRAWN: &str = "withdrawn";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub program_id: i32,
    /// [`ENROLLED`] or [`WITHDRAWN`].
    pub status: String,
    pub enrolled_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

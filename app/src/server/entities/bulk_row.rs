//! One row of a bulk award file and what became of it.

use sea_orm::entity::prelude::*;

pub const STATE_PENDING: &str = "pending";
pub const STATE_INVALID: &str = "invalid";
pub const STATE_AWARDED: &str = "awarded";
pub const STATE_DUPLICATE: &str = "duplicate";
pub const STATE_FAILED: &str = "failed";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bulk_rows")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub run_id: i32,
    /// The line in the file (1 is the header).
    pub line: i32,
    pub email: String,
    pub name: String,
    pub badge_id: Option<i32>,
    /// The badge as the file named it.
    pub badge_ref: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub evidence_url: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub narrative: String,
    /// One of the `STATE_*` constants.
    pub state: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub award_id: Option<i32>,
    pub processed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

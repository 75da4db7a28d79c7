//! A learner's evidence for one badge, and where its review stands.

use sea_orm::entity::prelude::*;

pub const STATE_DRAFT: &str = "draft";
pub const STATE_SUBMITTED: &str = "submitted";
pub const STATE_CHANGES_REQUESTED: &str = "changes_requested";
pub const STATE_RESUBMITTED: &str = "resubmitted";
pub const STATE_APPROVED: &str = "approved";
pub const STATE_REJECTED: &str = "rejected";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub user_id: i32,
    pub badge_id: i32,
    /// The program the learner works on the badge for (the reviewer's filter).
    pub program_id: Option<i32>,
    /// One of the `STATE_*` constants.
    pub state: String,
    #[sea_orm(column_type = "Text")]
    pub narrative: String,
    /// The reviewer's rubric scores as JSON.
    #[sea_orm(column_type = "Text", nullable)]
    pub rubric_result: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub feedback: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

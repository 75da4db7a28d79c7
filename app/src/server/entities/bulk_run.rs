//! A bulk award from one CSV file.

use sea_orm::entity::prelude::*;

pub const STATE_PREVIEWED: &str = "previewed";
pub const STATE_RUNNING: &str = "running";
pub const STATE_FINISHED: &str = "finished";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bulk_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub institution_id: i32,
    pub created_by: Option<i32>,
    pub file_name: String,
    /// [`STATE_PREVIEWED`], [`STATE_RUNNING`] or [`STATE_FINISHED`].
    pub state: String,
    pub total_rows: i32,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// A worker holds a running run until then; afterwards another may take it over.
    pub lease_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

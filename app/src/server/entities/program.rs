//! A micro-credential program: at most 11 credits, a stack of badges, its own badge.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub institution_id: i32,
    /// `/programs/{slug}`.
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub description: String,
    /// 0 to 11 (a database constraint too).
    pub credits: i32,
    pub credit_bearing: bool,
    pub terms: String,
    /// The program's own badge (achievement type `MicroCredential`).
    pub program_badge_id: Option<i32>,
    pub capstone_evidence: String,
    pub enrollment_open: bool,
    pub cost: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

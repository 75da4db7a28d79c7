//! An institution's Bitstring Status List (one per purpose).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "status_lists")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub institution_id: i32,
    /// `revocation`.
    pub purpose: String,
    /// 0 for the first list of an institution, then 1, 2… as lists fill up.
    pub list_number: i32,
    /// How many indexes this list hands out before the next list starts.
    pub capacity: i32,
    /// The raw bits (index 0 = most significant bit of byte 0).
    pub bits: Vec<u8>,
    /// The next unassigned index.
    pub next_index: i32,
    /// The signed list credential, as served. Signed whenever a bit changes.
    #[sea_orm(column_type = "Text", nullable)]
    pub signed: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

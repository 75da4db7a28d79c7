//! A credential an institution signed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credentials")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    /// The credential's own `id`.
    #[sea_orm(unique)]
    pub credential_id: String,
    pub institution_id: i32,
    /// The status list that holds its entry.
    pub status_list_id: Option<i32>,
    /// Its index in that list.
    pub status_index: i32,
    /// The signed credential, exactly as issued.
    #[sea_orm(column_type = "Text")]
    pub json: String,
    pub issued_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub revocation_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

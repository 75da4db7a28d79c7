//! A badge earned elsewhere, kept as the exact bytes imported.

use sea_orm::entity::prelude::*;

pub const FORMAT_OB3_JSON: &str = "ob3_json";
pub const FORMAT_OB3_JWT: &str = "ob3_jwt";
pub const FORMAT_OB2: &str = "ob2";
pub const FORMAT_BAKED_PNG: &str = "baked_png";
pub const FORMAT_BAKED_SVG: &str = "baked_svg";
pub const FORMAT_URL: &str = "url";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imported_badges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The id in its permanent page (`/c/{public_id}`).
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub user_id: i32,
    /// One of the `FORMAT_*` constants.
    pub format: String,
    /// The exact bytes imported.
    #[sea_orm(column_type = "Blob")]
    pub original: Vec<u8>,
    pub media_type: String,
    /// SHA-256 of `original`, hex (unique per learner).
    pub digest: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub source_url: Option<String>,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub issuer_name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub issuer_url: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub image_url: Option<String>,
    pub issued_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub is_public: bool,
    pub allow_indexing: bool,
    /// As on `awards`: the verdict and standing last found, and when.
    pub verdict: String,
    pub standing: String,
    pub checked_at: Option<DateTimeUtc>,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

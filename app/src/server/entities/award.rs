//! A badge awarded to a learner: who holds which signed credential, and why.

use sea_orm::entity::prelude::*;

pub const SOURCE_REVIEW: &str = "review";
pub const SOURCE_BULK: &str = "bulk";
pub const SOURCE_STACKING: &str = "stacking";
pub const SOURCE_REISSUE: &str = "reissue";
pub const SOURCE_DEMO: &str = "demo";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "awards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    /// `None` while the award waits for an account to confirm its address.
    pub user_id: Option<i32>,
    /// The (lower-cased) address the credential's identity hash was made from.
    pub recipient_email: String,
    /// The learner's name as the institution recorded it.
    pub recipient_name: String,
    pub institution_id: i32,
    pub badge_id: i32,
    pub badge_version_id: i32,
    /// Set for a program's credential.
    pub program_id: Option<i32>,
    /// The signed credential (`credentials.id`).
    #[sea_orm(unique)]
    pub credential_id: i32,
    pub submission_id: Option<i32>,
    pub bulk_row_id: Option<i32>,
    /// One of the `SOURCE_*` constants.
    pub source: String,
    pub awarded_by: Option<i32>,
    pub awarded_at: DateTimeUtc,
    pub claimed_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub revocation_reason: Option<String>,
    /// The corrected award that replaced this one.
    pub replaced_by: Option<i32>,
    /// The issuer admin who revoked it.
    pub revoked_by: Option<i32>,
    /// Shown on the learner's public profile (private by default).
    pub is_public: bool,
    /// The verification verdict last found (`openbadges::verify::Verdict::as_str`).
    pub verdict: String,
    /// The standing last found (`openbadges::verify::Standing::as_str`).
    pub standing: String,
    /// When `verdict` and `standing` were last found.
    pub checked_at: Option<DateTimeUtc>,
    /// The credential's `validUntil`.
    pub expires_at: Option<DateTimeUtc>,
    /// The learner lets search engines list the public page (`noindex` otherwise).
    pub allow_indexing: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! An endorsement of a learner's badge: the request, the endorser's statement, the
//! learner's decision, and the signed `EndorsementCredential` once approved.

use sea_orm::entity::prelude::*;

pub const STATUS_REQUESTED: &str = "requested";
pub const STATUS_SUBMITTED: &str = "submitted";
pub const STATUS_APPROVED: &str = "approved";
pub const STATUS_DECLINED: &str = "declined";
pub const STATUS_WITHDRAWN: &str = "withdrawn";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "endorsements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    /// The learner who asked.
    pub user_id: i32,
    /// The badge it is about.
    pub award_id: i32,
    /// SHA-256 (hex) of the token in the link sent to the endorser.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub invitee_email: Option<String>,
    pub invitee_name: Option<String>,
    pub endorser_name: Option<String>,
    pub endorser_email: Option<String>,
    pub endorser_email_verified: bool,
    pub endorser_user_id: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub statement: Option<String>,
    /// One of the `STATUS_*` constants.
    pub status: String,
    /// The signed EndorsementCredential (`credentials.id`) once approved.
    pub credential_id: Option<i32>,
    pub created_at: DateTimeUtc,
    /// The request link stops working after this.
    pub expires_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

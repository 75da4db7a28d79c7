//! A named, revocable, optionally expiring link to one badge, a collection or a
//! program's stack, by a random token (`/b/{token}`, `/s/{token}`).

use sea_orm::entity::prelude::*;

pub const KIND_BADGE: &str = "badge";
pub const KIND_COLLECTION: &str = "collection";
pub const KIND_STACK: &str = "stack";

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "share_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 32 random bytes, base64url: the link's secret.
    #[sea_orm(unique)]
    pub token: String,
    pub user_id: i32,
    /// One of the `KIND_*` constants.
    pub kind: String,
    /// badge: an award or an import; collection: a collection; stack: a program.
    pub award_id: Option<i32>,
    pub imported_badge_id: Option<i32>,
    pub collection_id: Option<i32>,
    pub program_id: Option<i32>,
    /// The learner's name for it ("LinkedIn", "CV 2027").
    pub name: String,
    pub show_evidence: bool,
    /// The link (not the badge) stops working after this.
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

// The token never reaches a log line.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareLink")
            .field("id", &self.id)
            .field("token", &"[redacted]")
            .field("user_id", &self.user_id)
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("expires_at", &self.expires_at)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

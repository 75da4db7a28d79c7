//! A person with an account.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    /// Stored trimmed and lower-cased, so lookups are exact.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub is_platform_admin: bool,
    /// When the user proved the address is theirs; `None` while unconfirmed.
    pub email_confirmed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The public profile's handle (`/p/{handle}`), lower-cased; `None` until chosen.
    pub handle: Option<String>,
    /// The account was deleted: the row is a tombstone (address, name, handle and
    /// password wiped) so issued credentials stay verifiable and pages answer 410.
    pub deleted_at: Option<DateTimeUtc>,
}

// The hash never reaches a log line.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("public_id", &self.public_id)
            .field("email", &self.email)
            .field("display_name", &self.display_name)
            .field("password_hash", &"[redacted]")
            .field("is_platform_admin", &self.is_platform_admin)
            .field("email_confirmed_at", &self.email_confirmed_at)
            .field("handle", &self.handle)
            .field("deleted_at", &self.deleted_at)
            .finish()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! An institution's Ed25519 signing key (Multikey).

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issuer_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub institution_id: i32,
    #[sea_orm(unique)]
    pub public_key: String,
    /// Sealed with the key-encryption key (see `issuing::secrets`). Never logged (see
    /// `Debug`), never sent.
    pub secret_key: String,
    pub created_at: DateTimeUtc,
    /// Set when rotated out (the key stays listed so old badges keep verifying).
    pub retired_at: Option<DateTimeUtc>,
    /// Set when the key is known to be compromised: it leaves `assertionMethod`.
    pub compromised_at: Option<DateTimeUtc>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("id", &self.id)
            .field("institution_id", &self.institution_id)
            .field("public_key", &self.public_key)
            .field("secret_key", &"[redacted]")
            .field("retired_at", &self.retired_at)
            .field("compromised_at", &self.compromised_at)
            .finish()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Issuing: each institution's signing keys, its revocation status list, and the
//! credentials it issued.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IssuerKeys::Table)
                    .col(pk_auto(IssuerKeys::Id))
                    .col(integer(IssuerKeys::InstitutionId))
                    // Multikey public key (`z6Mk…`): also the verification method's fragment.
                    .col(string_len_uniq(IssuerKeys::PublicKey, 64))
                    // Multikey secret key. Never leaves the server, never logged.
                    .col(string_len(IssuerKeys::SecretKey, 64))
                    .col(timestamp_with_time_zone(IssuerKeys::CreatedAt))
                    // Set when rotated out; the key stays listed so old badges verify.
                    .col(timestamp_with_time_zone_null(IssuerKeys::RetiredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_issuer_keys_institution")
                            .from(IssuerKeys::Table, IssuerKeys::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StatusLists::Table)
                    .col(pk_auto(StatusLists::Id))
                    .col(integer(StatusLists::InstitutionId))
                    .col(string_len(StatusLists::Purpose, 32))
                    .col(binary(StatusLists::Bits))
                    .col(integer(StatusLists::NextIndex).default(0))
                    // The signed list as last served; cleared whenever a bit changes, so
                    // requests do not pay for signing.
                    .col(text_null(StatusLists::Signed))
                    .col(timestamp_with_time_zone(StatusLists::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_status_lists_institution")
                            .from(StatusLists::Table, StatusLists::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_status_lists_institution_purpose")
                    .table(StatusLists::Table)
                    .col(StatusLists::InstitutionId)
                    .col(StatusLists::Purpose)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Credentials::Table)
                    .col(pk_auto(Credentials::Id))
                    .col(uuid_uniq(Credentials::PublicId))
                    // The credential's own `id` (e.g. `urn:uuid:…`), how scripts name it.
                    .col(string_len_uniq(Credentials::CredentialId, 500))
                    .col(integer(Credentials::InstitutionId))
                    .col(integer(Credentials::StatusIndex))
                    .col(text(Credentials::Json))
                    .col(timestamp_with_time_zone(Credentials::IssuedAt))
                    .col(timestamp_with_time_zone_null(Credentials::RevokedAt))
                    .col(text_null(Credentials::RevocationReason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_credentials_institution")
                            .from(Credentials::Table, Credentials::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_credentials_institution_status_index")
                    .table(Credentials::Table)
                    .col(Credentials::InstitutionId)
                    .col(Credentials::StatusIndex)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Credentials::Table.into_iden(),
            StatusLists::Table.into_iden(),
            IssuerKeys::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IssuerKeys {
    Table,
    Id,
    InstitutionId,
    PublicKey,
    SecretKey,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum StatusLists {
    Table,
    Id,
    InstitutionId,
    Purpose,
    Bits,
    NextIndex,
    Signed,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    Id,
    PublicId,
    CredentialId,
    InstitutionId,
    StatusIndex,
    Json,
    IssuedAt,
    RevokedAt,
    RevocationReason,
}

//! Issuing that survives concurrency and growth:
//! - several status lists per institution (`list_number`, a `capacity` of indexes to
//!   hand out), and credentials that say which list holds their entry;
//! - at most one active signing key per institution (a partial unique index), keys that
//!   can be marked compromised, and room for secret keys sealed with a key-encryption
//!   key (longer than the plain Multikey text).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();

        // Status lists: numbered, with a capacity.
        manager
            .alter_table(
                Table::alter()
                    .table(StatusLists::Table)
                    .add_column(integer(StatusLists::ListNumber).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StatusLists::Table)
                    .add_column(integer(StatusLists::Capacity).default(131_072))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_status_lists_institution_purpose")
                    .table(StatusLists::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_status_lists_institution_purpose_number")
                    .table(StatusLists::Table)
                    .col(StatusLists::InstitutionId)
                    .col(StatusLists::Purpose)
                    .col(StatusLists::ListNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // Credentials: which list holds their entry.
        manager
            .alter_table(
                Table::alter()
                    .table(Credentials::Table)
                    .add_column(integer_null(Credentials::StatusListId))
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "UPDATE credentials SET status_list_id = (SELECT s.id FROM status_lists s \
             WHERE s.institution_id = credentials.institution_id AND s.purpose = 'revocation' \
             AND s.list_number = 0)",
        )
        .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_credentials_institution_status_index")
                    .table(Credentials::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_credentials_status_list_index")
                    .table(Credentials::Table)
                    .col(Credentials::StatusListId)
                    .col(Credentials::StatusIndex)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // Keys: compromised marker, sealed secrets, one active key per institution.
        manager
            .alter_table(
                Table::alter()
                    .table(IssuerKeys::Table)
                    .add_column(timestamp_with_time_zone_null(IssuerKeys::CompromisedAt))
                    .to_owned(),
            )
            .await?;
        if backend == DbBackend::Postgres {
            db.execute_unprepared("ALTER TABLE issuer_keys ALTER COLUMN secret_key TYPE text")
                .await?;
        }
        // Earlier versions could create two keys at once; keep the newest active one.
        db.execute_unprepared(
            "UPDATE issuer_keys SET retired_at = created_at WHERE retired_at IS NULL AND id NOT IN \
             (SELECT MAX(id) FROM issuer_keys WHERE retired_at IS NULL GROUP BY institution_id)",
        )
        .await?;
        // Partial unique indexes: the same syntax on SQLite and PostgreSQL.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_issuer_keys_one_active ON issuer_keys (institution_id) \
             WHERE retired_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One batch on one connection: SQLite checks a dropped column against the
        // indexes it knows, so the index must be gone on the same connection first.
        // (Down only works while every institution still has a single status list.)
        manager
            .get_connection()
            .execute_unprepared(
                "DROP INDEX ux_issuer_keys_one_active; \
                 ALTER TABLE issuer_keys DROP COLUMN compromised_at; \
                 DROP INDEX ux_credentials_status_list_index; \
                 CREATE UNIQUE INDEX ux_credentials_institution_status_index \
                   ON credentials (institution_id, status_index); \
                 ALTER TABLE credentials DROP COLUMN status_list_id; \
                 DROP INDEX ux_status_lists_institution_purpose_number; \
                 CREATE UNIQUE INDEX ux_status_lists_institution_purpose \
                   ON status_lists (institution_id, purpose); \
                 ALTER TABLE status_lists DROP COLUMN list_number; \
                 ALTER TABLE status_lists DROP COLUMN capacity;",
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum IssuerKeys {
    Table,
    CompromisedAt,
}

#[derive(DeriveIden)]
enum StatusLists {
    Table,
    InstitutionId,
    Purpose,
    ListNumber,
    Capacity,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    StatusListId,
    StatusIndex,
}

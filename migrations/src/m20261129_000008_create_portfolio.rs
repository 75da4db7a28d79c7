//! The portfolio: per-badge visibility (private by default), the verdict and standing
//! the wall shows (set at award time, refreshed when a badge page is opened), the
//! expiry the wall needs without reading credentials, and the learner's public handle.
//!
//! Imports, collections, endorsements and extra addresses come in later migrations, as
//! tables of their own beside `awards` (an imported badge carries the same
//! `is_public`/`verdict`/`standing`/`checked_at` columns there).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Handles are stored lower-cased; the index on `LOWER(handle)` makes uniqueness
/// case-insensitive even for a row written some other way. Both backends know
/// expression indexes; the query builder does not.
const HANDLE_INDEX: &str = "CREATE UNIQUE INDEX ux_users_handle ON users (LOWER(handle))";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement (SQLite alters one at a time).
        for col in [
            boolean(Awards::IsPublic).default(false).to_owned(),
            // verified, not_verified, unverifiable (`openbadges::verify::Verdict`).
            // Fail closed: a row written without a check is "could not be verified".
            string_len(Awards::Verdict, 16)
                .default("unverifiable")
                .to_owned(),
            // active, revoked, suspended, expired, not_yet_valid, unknown.
            string_len(Awards::Standing, 16)
                .default("unknown")
                .to_owned(),
            timestamp_with_time_zone_null(Awards::CheckedAt),
            // The credential's `validUntil`.
            timestamp_with_time_zone_null(Awards::ExpiresAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Awards::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::Handle, 30))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(HANDLE_INDEX).await?;
        // Our own awards were verified when signed; a revoked one stands revoked.
        db.execute_unprepared(
            "UPDATE awards SET checked_at = awarded_at, verdict = 'verified', standing = CASE \
             WHEN revoked_at IS NULL THEN 'active' ELSE 'revoked' END",
        )
        .await?;
        // The expiry, once, from each credential's `validUntil`.
        let backfill = match manager.get_database_backend() {
            DbBackend::Postgres => {
                "UPDATE awards SET expires_at = (c.json::jsonb ->> 'validUntil')::timestamptz \
                 FROM credentials c WHERE c.id = awards.credential_id \
                 AND (c.json::jsonb ->> 'validUntil') IS NOT NULL"
            }
            _ => {
                "UPDATE awards SET expires_at = (SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', \
                 json_extract(c.json, '$.validUntil')) FROM credentials c \
                 WHERE c.id = awards.credential_id)"
            }
        };
        db.execute_unprepared(backfill).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_awards_user_public")
                    .table(Awards::Table)
                    .col(Awards::UserId)
                    .col(Awards::IsPublic)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_awards_user_public")
                    .table(Awards::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_users_handle")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::Handle)
                    .to_owned(),
            )
            .await?;
        for col in [
            Awards::ExpiresAt,
            Awards::CheckedAt,
            Awards::Standing,
            Awards::Verdict,
            Awards::IsPublic,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Awards::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    UserId,
    IsPublic,
    Verdict,
    Standing,
    CheckedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Handle,
}

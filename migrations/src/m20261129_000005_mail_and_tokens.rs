//! Mail and account links:
//! - `outbox`: every mail the platform sends, queued inside the transaction that caused
//!   it and delivered by a background worker (status `queued`, `sent` or `failed`, with
//!   its attempts, the time of the next one and the last error);
//! - `account_tokens`: single-use links for confirming an address, resetting a password
//!   and changing the address one signs in with. Only a SHA-256 of each token is stored;
//!   each is bound to one user, expires, and records when it was used;
//! - `users.email_confirmed_at`: when the user proved the address is theirs (accounts
//!   made before this migration start unconfirmed and can ask for a new link).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(pk_auto(Outbox::Id))
                    .col(string_len(Outbox::Recipient, 320))
                    .col(string_len(Outbox::Subject, 300))
                    .col(text(Outbox::Body))
                    .col(string_len(Outbox::Status, 16).default("queued"))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .check(Expr::col(Outbox::Status).is_in(["queued", "sent", "failed"]))
                    .check(Expr::col(Outbox::Attempts).gte(0))
                    .to_owned(),
            )
            .await?;
        // What the worker asks for: the queued mails that are due.
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_status_next_attempt")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(pk_auto(AccountTokens::Id))
                    // Hex SHA-256 of the token in the link; the token itself is never stored.
                    .col(string_len_uniq(AccountTokens::TokenHash, 64))
                    .col(integer(AccountTokens::UserId))
                    .col(string_len(AccountTokens::Purpose, 32))
                    // The address the link was sent to (for a change of address: the new one).
                    .col(string_len(AccountTokens::Email, 320))
                    .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
                    .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountTokens::UsedAt))
                    .check(Expr::col(AccountTokens::Purpose).is_in([
                        "confirm_email",
                        "reset_password",
                        "change_email",
                    ]))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_tokens_user")
                            .from(AccountTokens::Table, AccountTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_tokens_user_purpose")
                    .table(AccountTokens::Table)
                    .col(AccountTokens::UserId)
                    .col(AccountTokens::Purpose)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::EmailConfirmedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::EmailConfirmedAt)
                    .to_owned(),
            )
            .await?;
        for table in [AccountTokens::Table.into_iden(), Outbox::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Recipient,
    Subject,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Id,
    TokenHash,
    UserId,
    Purpose,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailConfirmedAt,
}

//! `app_meta`: facts about the installation itself, as key/value pairs (for example
//! `demo = true` on a database filled by `seed-demo`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppMeta::Table)
                    .col(string_len(AppMeta::Key, 64).primary_key())
                    .col(string_len(AppMeta::Value, 1000))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AppMeta::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AppMeta {
    Table,
    Key,
    Value,
}

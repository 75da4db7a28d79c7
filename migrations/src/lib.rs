//! Badgefolio's database schema, as `sea-orm-migration` migrations.
//!
//! This crate is the single source of truth for the schema on both backends
//! (embedded SQLite and PostgreSQL). Each migration lives in its own dated file
//! `mYYYYMMDD_NNNNNN_verb_object.rs` and has a `down` so it can be rolled back.
//! The server runs pending migrations on start (`badgefolio migrate` runs them alone).

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_accounts;
mod m20261128_000002_create_issuing;
mod m20261129_000003_app_meta;
mod m20261129_000004_issuing_at_scale;
mod m20261129_000005_mail_and_tokens;
mod m20261129_000006_create_catalog;
mod m20261129_000007_create_earning;
mod m20261129_000008_create_portfolio;
mod m20261207_000009_portfolio_and_sharing;

/// The ordered list of every migration.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_accounts::Migration),
            Box::new(m20261128_000002_create_issuing::Migration),
            Box::new(m20261129_000003_app_meta::Migration),
            Box::new(m20261129_000004_issuing_at_scale::Migration),
            Box::new(m20261129_000005_mail_and_tokens::Migration),
            Box::new(m20261129_000006_create_catalog::Migration),
            Box::new(m20261129_000007_create_earning::Migration),
            Box::new(m20261129_000008_create_portfolio::Migration),
            Box::new(m20261207_000009_portfolio_and_sharing::Migration),
        ]
    }
}

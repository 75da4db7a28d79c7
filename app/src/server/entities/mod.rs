//! SeaORM entities, one file per table (the schema itself lives in the `migrations` crate).

pub mod account_token;
pub mod app_meta;
pub mod credential;
pub mod institution;
pub mod issuer_key;
pub mod membership;
pub mod outbox;
pub mod session;
pub mod status_list;
pub mod user;

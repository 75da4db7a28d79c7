//! SeaORM entities, one file per table (the schema itself lives in the `migrations` crate).

pub mod institution;
pub mod membership;
pub mod session;
pub mod user;

//! SeaORM entities, one file per table (the schema itself lives in the `migrations` crate).

pub mod account_token;
pub mod app_meta;
pub mod badge;
pub mod badge_alignment;
pub mod badge_version;
pub mod competency;
pub mod credential;
pub mod enrollment;
pub mod image;
pub mod institution;
pub mod issuer_key;
pub mod membership;
pub mod outbox;
pub mod program;
pub mod program_badge;
pub mod session;
pub mod staff_invitation;
pub mod status_list;
pub mod user;

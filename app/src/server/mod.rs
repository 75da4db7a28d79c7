//! Server-only code (feature `ssr`): database entities, accounts, sessions, limits.
//!
//! Server functions in `crate::api` are thin: they find the [`AppState`] and the
//! caller, call a function here, and convert its typed error into an `AppError`.

pub mod account_data;
pub mod account_tokens;
pub mod accounts;
pub mod actor_cache;
pub mod addresses;
pub mod authz;
pub mod awards;
pub mod catalog;
pub mod client_addr;
pub mod collections;
pub mod db;
pub mod endorsements;
pub mod entities;
pub mod error;
pub mod evidence;
pub mod issuing;
pub mod mail;
pub mod notifications;
pub mod passwords;
pub mod portfolio;
pub mod public_pages;
pub mod rate_limit;
pub mod recheck;
pub mod request;
pub mod sessions;
pub mod sharing;
pub mod state;
pub mod uploads;
pub mod urls;
pub mod verification;

pub use error::ServerError;
pub use state::{AppState, Settings};

//! Server functions, grouped by domain. Each is a few lines: find the state and the
//! caller, call the domain code in `crate::server`, convert its error.
//!
//! Endpoints are named explicitly (`/api/<name>`) so URLs are stable for tests and for
//! forms posted without JavaScript.

pub mod account_data;
pub mod account_mail;
pub mod auth;
pub mod awards;
pub mod bulk;
pub mod catalog;
pub mod collections;
pub mod endorsements;
pub mod evidence;
pub mod import;
pub mod outbox;
pub mod portfolio;
pub mod sharing;

//! One file per screen.

pub mod account_data;
pub mod account_links;
pub mod catalog;
pub mod endorse;
pub mod evidence;
pub mod invitation;
pub mod landing;
pub mod manage;
pub mod not_found;
pub mod notifications;
pub mod outbox;
pub mod portfolio;
pub mod settings;
pub mod sign_in;
pub mod sign_up;

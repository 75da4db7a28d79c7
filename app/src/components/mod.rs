//! Reusable views.

pub mod addresses;
pub mod footer;
pub mod form;
pub mod header;
pub mod notifications_link;
pub mod signed_in;
pub mod upload_form;

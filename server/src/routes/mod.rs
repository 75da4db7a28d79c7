//! Routes outside the Leptos app: plain JSON and bytes, fast and cacheable.

pub mod assets;
pub mod awards;
pub mod bulk;
pub mod evidence;
pub mod export;
pub mod images;
pub mod issuers;
pub mod pages;
pub mod public;
pub mod verify;

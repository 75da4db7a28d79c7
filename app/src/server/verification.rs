//! Verifying whatever someone hands us (credential JSON, a VC-JWT, a baked PNG or SVG):
//! the one entry point the CLI, server functions and public pages share. Reading and
//! the checks are in `openbadges::input`; this adds our own documents (answered from
//! the database) and keeps the CPU work off the async threads.

use openbadges::{
    input::{self, Input, ReadError},
    verify::{Options, Report},
};
use sea_orm::ConnectionTrait;

use super::error::ServerResult;
use super::issuing;
use super::state::Settings;

/// Verifies bytes: `Ok(Err(_))` when they hold nothing badge-like (a user mistake).
///
/// # Errors
/// Database errors while looking up our own documents.
pub async fn verify_bytes(
    db: &impl ConnectionTrait,
    settings: &Settings,
    bytes: Vec<u8>,
    recipient: Option<String>,
) -> ServerResult<Result<Report, ReadError>> {
    // Extraction from images is bounded but CPU work too.
    let read = tokio::task::spawn_blocking(move || input::read(&bytes)).await?;
    let input = match read {
        Ok(input) => input,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(verify_input(db, settings, input, recipient).await?))
}

/// Verifies what was read.
///
/// # Errors
/// Database errors while looking up our own documents.
pub async fn verify_input(
    db: &impl ConnectionTrait,
    settings: &Settings,
    input: Input,
    recipient: Option<String>,
) -> ServerResult<Report> {
    let resolver = issuing::own_documents(db, settings, &input.references()).await?;
    let options = Options {
        now: None,
        recipient_email: recipient,
    };
    Ok(tokio::task::spawn_blocking(move || input::verify(&input, &resolver, &options)).await?)
}

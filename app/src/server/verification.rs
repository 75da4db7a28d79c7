//! Verifying whatever someone hands us (credential JSON, a VC-JWT, a baked PNG or SVG,
//! a URL): the one entry point the CLI, server functions and public pages share. Reading
//! and the checks are in `openbadges::input`; this supplies the documents the checks
//! need, ours first (answered from the database, no round trip) and everything else
//! through the guarded fetcher, and keeps the CPU work off the async threads.

use fetcher::NetworkResolver;
use openbadges::{
    input::{self, Input, ReadError},
    verify::{Options, Report, Resolution, Resolver},
};
use sea_orm::ConnectionTrait;

use super::error::ServerResult;
use super::issuing::{self, documents::OwnDocuments};
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
    let resolver = documents(db, settings, &input.references()).await?;
    let options = Options {
        now: None,
        recipient_email: recipient,
    };
    // The network resolver blocks on the fetcher: fine on a blocking thread.
    Ok(tokio::task::spawn_blocking(move || input::verify(&input, &resolver, &options)).await?)
}

/// The resolver a verification uses: our own documents among `references` looked up
/// ahead (no round trip), everything on another site through the guarded fetcher.
/// Blocking: use it off the async threads. Make one per verification: its network side
/// fetches each address once and stops fetching at its deadline
/// ([`fetcher::resolver::VERIFICATION_DEADLINE`] from its creation).
///
/// # Errors
/// Database errors while looking up our own documents.
pub async fn documents(
    db: &impl ConnectionTrait,
    settings: &Settings,
    references: &[String],
) -> ServerResult<Documents> {
    Ok(Documents {
        own: issuing::own_documents(db, settings, references).await?,
        network: NetworkResolver::new(settings.fetcher.clone(), tokio::runtime::Handle::current()),
    })
}

/// Our own documents first (anything on our public URL that we do not have is "not
/// found", never fetched); anything on another site from the network.
#[derive(Debug)]
pub struct Documents {
    own: OwnDocuments,
    network: NetworkResolver,
}

impl Resolver for Documents {
    fn resolve(&self, url: &str) -> Resolution {
        self.own
            .lookup(url)
            .unwrap_or_else(|| self.network.resolve(url))
    }
}

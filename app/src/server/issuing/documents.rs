//! Our own documents for the verifier: issuer DID documents and status lists answered
//! from the database, without a round trip. Anything on our host that we do not have is
//! "not found"; everything elsewhere is for the network resolver (see
//! `server::verification`).

use std::collections::HashMap;

use openbadges::verify::{Resolution, Resolver};
use sea_orm::ConnectionTrait;

use super::{did_document, signed_list};
use crate::error::AppError;
use crate::server::error::{ServerError, ServerResult};
use crate::server::state::Settings;
use crate::server::urls::{self, PublicUrl};

/// Documents looked up ahead of a verification.
#[derive(Debug, Clone)]
pub struct OwnDocuments {
    base: String,
    found: HashMap<String, Resolution>,
}

impl OwnDocuments {
    /// Whether `url` (or DID) names something on this site: then only
    /// [`OwnDocuments::lookup`] answers for it, never the network.
    pub fn is_ours(&self, url: &str) -> bool {
        url.starts_with(&format!("{}/", self.base))
            || urls::parse_did(&self.base, url).is_some()
            || url.starts_with(&format!("{}:", urls::platform_did(&self.base)))
            || url.split('#').next() == Some(urls::platform_did(&self.base).as_str())
    }

    /// The answer for one of our own documents; `None` for anything on another site.
    pub fn lookup(&self, url: &str) -> Option<Resolution> {
        if let Some(r) = self.found.get(url) {
            return Some(r.clone());
        }
        self.is_ours(url)
            .then(|| Resolution::NotFound(format!("{url} is not one of this site's documents")))
    }
}

/// Our documents alone (documents elsewhere are unreachable): what the verifier sees
/// when it must not go out to the network.
impl Resolver for OwnDocuments {
    fn resolve(&self, url: &str) -> Resolution {
        self.lookup(url).unwrap_or_else(|| {
            Resolution::Unreachable(format!("{url} is on another site, and was not fetched"))
        })
    }
}

/// `NotFound` becomes a resolution; other errors stay errors (a database failure must
/// not pass for "issuer not found").
fn resolution(result: ServerResult<serde_json::Value>, url: &str) -> ServerResult<Resolution> {
    match result {
        Ok(v) => Ok(Resolution::Found(v)),
        Err(ServerError::User(AppError::NotFound)) => Ok(Resolution::NotFound(format!(
            "this site has no document at {url}"
        ))),
        Err(e) => Err(e),
    }
}

/// Looks up the documents among `references` (DIDs and URLs, as
/// `openbadges::input::Input::references` lists them) that this site hosts, also the DID
/// documents that our status lists' own proofs need.
///
/// # Errors
/// Database errors.
pub async fn own_documents(
    db: &impl ConnectionTrait,
    settings: &Settings,
    references: &[String],
) -> ServerResult<OwnDocuments> {
    let base = settings.public_url.clone();
    let mut found = HashMap::new();
    let mut wanted: Vec<String> = references.to_vec();
    while let Some(url) = wanted.pop() {
        if found.contains_key(&url) {
            continue;
        }
        let r = if let Some(PublicUrl::IssuerDidDocument { slug }) = urls::parse_did(&base, &url) {
            resolution(did_document(db, settings, &slug).await, &url)?
        } else if let Some(PublicUrl::StatusList {
            slug,
            purpose,
            list,
        }) = PublicUrl::parse(&base, &url)
        {
            // The list's own proof is checked with its issuer's keys.
            wanted.push(urls::issuer_did(&base, &slug));
            resolution(signed_list(db, &slug, &purpose, list).await, &url)?
        } else {
            continue;
        };
        found.insert(url, r);
    }
    Ok(OwnDocuments { base, found })
}

//! Our own documents for the verifier: issuer DID documents and status lists answered
//! from the database, without a round trip. Anything on our host that we do not have is
//! "not found"; everything elsewhere is for the network resolver (see
//! `server::verification`).

use std::collections::HashMap;

use fetcher::url::Url;
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
    ///
    /// Addresses are compared parsed, not as text: our host in another case or with a
    /// trailing dot, or our default port written out, is still us (and never fetched).
    pub fn is_ours(&self, url: &str) -> bool {
        url.starts_with(&format!("{}/", self.base))
            || urls::parse_did(&self.base, url).is_some()
            || url.starts_with(&format!("{}:", urls::platform_did(&self.base)))
            || url.split('#').next() == Some(urls::platform_did(&self.base).as_str())
            || self.is_on_our_site(url)
    }

    fn is_on_our_site(&self, reference: &str) -> bool {
        let Some(base) = Url::parse(&self.base).ok() else {
            return false;
        };
        let Some(our_host) = normalized_host(&base) else {
            return false;
        };
        let our_path = format!("{}/", base.path().trim_end_matches('/'));
        if reference.starts_with("did:web:") {
            // A did:web names a host and port (its document is always at https): ours
            // when they are ours and its path is under ours, as our DIDs are made.
            let Some(doc) = fetcher::resolver::did_web_url(reference, false)
                .ok()
                .and_then(|u| Url::parse(&u).ok())
            else {
                return false;
            };
            return normalized_host(&doc).as_deref() == Some(our_host.as_str())
                && doc.port() == base.port()
                && doc.path().starts_with(&our_path);
        }
        let Some(url) = Url::parse(reference).ok() else {
            return false;
        };
        matches!(url.scheme(), "http" | "https")
            && url.scheme() == base.scheme()
            && normalized_host(&url).as_deref() == Some(our_host.as_str())
            && url.port_or_known_default() == base.port_or_known_default()
            && url.path().starts_with(&our_path)
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

/// A URL's host in lower case, without a trailing dot.
fn normalized_host(url: &Url) -> Option<String> {
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn own(base: &str) -> OwnDocuments {
        OwnDocuments {
            base: base.to_string(),
            found: HashMap::new(),
        }
    }

    #[test]
    fn our_own_host_in_any_spelling_is_ours() {
        let docs = own("https://badges.example.edu");
        for url in [
            "https://badges.example.edu/issuers/demo/status/revocation",
            "https://BADGES.Example.EDU/issuers/demo/status/revocation",
            "https://badges.example.edu./issuers/demo/did.json",
            "https://badges.example.edu:443/issuers/demo/did.json",
            "did:web:badges.example.edu:issuers:demo",
            "did:web:BADGES.example.edu:issuers:demo#key-1",
            "did:web:badges.example.edu.:issuers:demo",
            "did:web:badges.example.edu",
        ] {
            assert!(docs.is_ours(url), "{url}");
            assert!(
                matches!(docs.resolve(url), Resolution::NotFound(_)),
                "{url}"
            );
        }
        for url in [
            "https://other.example.edu/issuers/demo/did.json",
            "https://badges.example.edu.evil.example/issuers/demo/did.json",
            "https://badges.example.edu:8443/issuers/demo/did.json",
            "http://badges.example.edu/issuers/demo/did.json",
            "did:web:badges.example.edu%3A8443:issuers:demo",
            "did:web:other.example.edu:issuers:demo",
            "did:key:z6Mk",
            "not a url",
        ] {
            assert!(!docs.is_ours(url), "{url}");
        }
    }

    #[test]
    fn a_public_url_with_a_port_or_a_path_is_compared_whole() {
        let docs = own("http://127.0.0.1:3000");
        assert!(docs.is_ours("http://127.0.0.1:3000/issuers/demo/status/x"));
        assert!(docs.is_ours("did:web:127.0.0.1%3A3000:issuers:demo"));
        assert!(!docs.is_ours("http://127.0.0.1:3001/issuers/demo/status/x"));
        assert!(!docs.is_ours("did:web:127.0.0.1:issuers:demo"));
        let docs = own("https://example.edu/badges");
        assert!(docs.is_ours("https://EXAMPLE.edu/badges/issuers/demo/status/x"));
        assert!(docs.is_ours("did:web:Example.edu:badges:issuers:demo"));
        assert!(!docs.is_ours("https://example.edu/other/issuers/demo"));
        assert!(!docs.is_ours("https://example.edu/badgesx/issuers/demo"));
        assert!(!docs.is_ours("did:web:example.edu:issuers:demo"));
    }
}

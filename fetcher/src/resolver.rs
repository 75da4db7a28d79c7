//! The network side of `openbadges::verify::Resolver`: DIDs and URLs to documents,
//! through the guarded [`Fetcher`].
//!
//! `did:web:host[:path…]` maps to `https://host/.well-known/did.json` or
//! `https://host/path/did.json` (a port is written percent-encoded, `%3A`); https URLs
//! are fetched as they are. A plain http URL is fetched only as an Open Badges 2.0
//! hosted object, and what comes back must be one (an assertion, BadgeClass, issuer
//! profile or revocation list, carrying no keys): keys, DID documents and status lists
//! are never taken from plain http. With `allow_loopback`, a `did:web` on a loopback host
//! is fetched over http (local test fixtures).

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use openbadges::verify::{Resolution, Resolver};
use percent_encoding::percent_decode_str;
use serde_json::Value;
use tokio::runtime::Handle;
use url::Url;

use crate::{DocumentKind, ErrorKind, FetchError, Fetcher, policy};

/// Where a reference is fetched from, and as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: String,
    pub kind: DocumentKind,
}

/// The URL of a `did:web` DID document (`did` without its fragment).
///
/// # Errors
/// A sentence when the DID is not a well-formed `did:web`.
pub fn did_web_url(did: &str, allow_loopback: bool) -> Result<String, String> {
    let bad = || format!("{did} is not a valid did:web identifier");
    let rest = did.strip_prefix("did:web:").ok_or_else(bad)?;
    let rest = rest.split(['#', '?']).next().unwrap_or(rest);
    let mut parts = rest.split(':');
    let host = percent_decode_str(parts.next().unwrap_or(""))
        .decode_utf8()
        .map_err(|_| bad())?
        .to_string();
    let path: Vec<&str> = parts.collect();
    let forbidden = |s: &str| s.is_empty() || s.contains(['/', '\\', '@', '?', '#', ' ']);
    if forbidden(&host) || path.iter().any(|p| forbidden(p) || *p == "." || *p == "..") {
        return Err(bad());
    }
    let probe = Url::parse(&format!("https://{host}/")).map_err(|_| bad())?;
    // The whole host[:port] must have been taken as such (no user info, no path).
    if probe.host_str().is_none() || probe.path() != "/" {
        return Err(bad());
    }
    let scheme = if allow_loopback && policy::is_loopback_host(&probe) {
        "http"
    } else {
        "https"
    };
    let path = if path.is_empty() {
        ".well-known".to_string()
    } else {
        path.join("/")
    };
    Ok(format!("{scheme}://{host}/{path}/did.json"))
}

/// Where to fetch a DID or URL from.
///
/// # Errors
/// A [`Resolution`] (refused or unreachable) for what cannot be fetched at all.
pub fn target(reference: &str, allow_loopback: bool) -> Result<Target, Resolution> {
    if reference.starts_with("did:web:") {
        return did_web_url(reference, allow_loopback)
            .map(|url| Target {
                url,
                kind: DocumentKind::DidDocument,
            })
            .map_err(Resolution::Malformed);
    }
    if let Some(method) = reference.strip_prefix("did:") {
        let method = method.split(':').next().unwrap_or("");
        return Err(Resolution::Unreachable(format!(
            "DIDs of the method \"{method}\" cannot be looked up here"
        )));
    }
    let lower = reference.to_ascii_lowercase();
    if lower.starts_with("https://") {
        Ok(Target {
            url: reference.to_string(),
            kind: DocumentKind::Document,
        })
    } else if lower.starts_with("http://") {
        // Plain http is for Open Badges 2.0 objects only; with `allow_loopback`, a
        // loopback host is as good as https (local fixtures serve everything over http).
        let loopback =
            allow_loopback && Url::parse(reference).is_ok_and(|u| policy::is_loopback_host(&u));
        Ok(Target {
            url: reference.to_string(),
            kind: if loopback {
                DocumentKind::Document
            } else {
                DocumentKind::Ob2Hosted
            },
        })
    } else {
        Err(Resolution::Refused(format!(
            "{reference} is not a web address we fetch from"
        )))
    }
}

/// Whether a document fetched over plain http may be used: an Open Badges 2.0 object,
/// other than a key, and carrying no key material.
pub fn is_plain_http_acceptable(doc: &Value) -> bool {
    let is_ob2_context = |c: &Value| {
        c.as_str()
            .is_some_and(|s| s.starts_with("https://w3id.org/openbadges/v") && !s.ends_with("v3"))
            && c.as_str().is_some_and(|s| !s.contains("/v3"))
    };
    let ob2 = match doc.get("@context") {
        Some(Value::Array(a)) => a.iter().any(is_ob2_context),
        Some(c) => is_ob2_context(c),
        None => false,
    };
    const OB2_TYPES: [&str; 6] = [
        "Assertion",
        "BadgeClass",
        "Issuer",
        "Profile",
        "RevocationList",
        "Extension",
    ];
    let types: Vec<&str> = match doc.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let typed = !types.is_empty() && types.iter().all(|t| OB2_TYPES.contains(t));
    let carries_keys = [
        "publicKeyPem",
        "publicKeyJwk",
        "publicKeyMultibase",
        "verificationMethod",
        "assertionMethod",
        "keys",
    ]
    .iter()
    .any(|k| doc.get(k).is_some())
        || doc.get("publicKey").is_some_and(|k| {
            k.is_object() || k.as_array().is_some_and(|a| a.iter().any(Value::is_object))
        });
    ob2 && typed && !carries_keys
}

/// A resolver over the network. Blocking: call it off the async threads (the verifier
/// runs in `spawn_blocking`); it waits on the fetcher through the runtime `handle`.
///
/// One resolver serves one verification, and fetches at most [`MAX_FETCHES`] documents
/// (cached ones included): a credential naming hundreds of status lists cannot make the
/// server fetch hundreds of documents.
#[derive(Debug)]
pub struct NetworkResolver {
    fetcher: Arc<Fetcher>,
    handle: Handle,
    budget: AtomicUsize,
}

/// Documents one verification may fetch.
pub const MAX_FETCHES: usize = 16;

impl NetworkResolver {
    pub fn new(fetcher: Arc<Fetcher>, handle: Handle) -> Self {
        Self::with_budget(fetcher, handle, MAX_FETCHES)
    }

    /// A resolver that fetches at most `budget` documents.
    pub fn with_budget(fetcher: Arc<Fetcher>, handle: Handle, budget: usize) -> Self {
        Self {
            fetcher,
            handle,
            budget: AtomicUsize::new(budget),
        }
    }

    /// Fetches `url` as a document of `kind` (for callers that know what they want).
    pub fn resolve_as(&self, url: &str, kind: DocumentKind) -> Resolution {
        let spent = self
            .budget
            .try_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if spent.is_err() {
            return Resolution::Refused(format!(
                "{url} was not fetched: this badge names more documents than we fetch for one check"
            ));
        }
        match self.handle.block_on(self.fetcher.get_json(url, kind)) {
            Ok(v) => Resolution::Found((*v).clone()),
            Err(e) => resolution_of(&e),
        }
    }
}

/// A fetch error as a resolution, with its sentence.
pub fn resolution_of(e: &FetchError) -> Resolution {
    let message = e.to_string();
    match e.kind() {
        ErrorKind::Refused => Resolution::Refused(message),
        ErrorKind::Unreachable => Resolution::Unreachable(message),
        ErrorKind::NotFound => Resolution::NotFound(message),
        ErrorKind::Gone => Resolution::Gone(message),
        ErrorKind::Malformed => Resolution::Malformed(message),
    }
}

impl Resolver for NetworkResolver {
    fn resolve(&self, reference: &str) -> Resolution {
        let target = match target(reference, self.fetcher.settings().allow_loopback) {
            Ok(t) => t,
            Err(r) => return r,
        };
        let found = self.resolve_as(&target.url, target.kind);
        match found {
            Resolution::Found(doc)
                if target.kind == DocumentKind::Ob2Hosted && !is_plain_http_acceptable(&doc) =>
            {
                Resolution::Refused(format!(
                    "{reference} uses plain http; only Open Badges 2.0 assertions, badges and issuer profiles are accepted over http, never keys, DID documents or status lists"
                ))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn did_web_maps_to_its_document() {
        for (did, url) in [
            (
                "did:web:example.com",
                "https://example.com/.well-known/did.json",
            ),
            (
                "did:web:w3c-ccg.github.io:user:alice",
                "https://w3c-ccg.github.io/user/alice/did.json",
            ),
            (
                "did:web:example.com%3A3000",
                "https://example.com:3000/.well-known/did.json",
            ),
            (
                "did:web:example.com%3a3000:issuers:42",
                "https://example.com:3000/issuers/42/did.json",
            ),
            (
                "did:web:example.com#key-1",
                "https://example.com/.well-known/did.json",
            ),
            // Loopback stays https unless loopback is allowed.
            (
                "did:web:127.0.0.1%3A8080",
                "https://127.0.0.1:8080/.well-known/did.json",
            ),
        ] {
            assert_eq!(did_web_url(did, false).as_deref(), Ok(url), "{did}");
        }
        assert_eq!(
            did_web_url("did:web:127.0.0.1%3A8080:i:a", true).as_deref(),
            Ok("http://127.0.0.1:8080/i/a/did.json")
        );
        assert_eq!(
            did_web_url("did:web:localhost%3A8080", true).as_deref(),
            Ok("http://localhost:8080/.well-known/did.json")
        );
        assert_eq!(
            did_web_url("did:web:example.com", true).as_deref(),
            Ok("https://example.com/.well-known/did.json")
        );
        for bad in [
            "did:web:",
            "did:web:example.com::x",
            "did:web:example.com:..:x",
            "did:web:user%40evil.com",
            "did:web:example.com%2Fpath",
            "did:web:ex ample.com",
            "did:web:example.com%3Anot-a-port",
        ] {
            assert!(did_web_url(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn references_map_to_targets() {
        assert_eq!(
            target("https://issuer.example/profile", false),
            Ok(Target {
                url: "https://issuer.example/profile".into(),
                kind: DocumentKind::Document
            })
        );
        assert_eq!(
            target("http://issuer.example/assertion/1", false).map(|t| t.kind),
            Ok(DocumentKind::Ob2Hosted)
        );
        assert_eq!(
            target("did:web:issuer.example", false).map(|t| t.kind),
            Ok(DocumentKind::DidDocument)
        );
        assert!(matches!(
            target("did:key:z6Mk", false),
            Err(Resolution::Unreachable(_))
        ));
        assert!(matches!(
            target("ftp://x.example/a", false),
            Err(Resolution::Refused(_))
        ));
        assert!(matches!(
            target("did:web:", false),
            Err(Resolution::Malformed(_))
        ));
    }

    #[test]
    fn only_open_badges_2_objects_without_keys_come_over_http() {
        let ctx = "https://w3id.org/openbadges/v2";
        assert!(is_plain_http_acceptable(
            &json!({"@context": ctx, "type": "Assertion", "id": "http://a/1"})
        ));
        assert!(is_plain_http_acceptable(
            &json!({"@context": ctx, "type": "Issuer", "publicKey": "https://a/key"})
        ));
        assert!(is_plain_http_acceptable(
            &json!({"@context": ctx, "type": "RevocationList"})
        ));
        for no in [
            json!({"@context": ctx, "type": "CryptographicKey", "publicKeyPem": "-----"}),
            json!({"@context": ctx, "type": "Issuer", "publicKey": {"publicKeyPem": "-----"}}),
            json!({"@context": ctx, "type": "Issuer", "verificationMethod": []}),
            json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:web:x"}),
            json!({"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"], "type": ["VerifiableCredential", "OpenBadgeCredential"]}),
            json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential", "BitstringStatusListCredential"]}),
            json!({"keys": []}),
            json!({"type": "Assertion"}),
        ] {
            assert!(!is_plain_http_acceptable(&no), "{no}");
        }
    }
}

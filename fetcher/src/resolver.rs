//! The network side of `openbadges::verify::Resolver`: DIDs and URLs to documents,
//! through the guarded [`Fetcher`].
//!
//! `did:web:host[:path…]` maps to `https://host/.well-known/did.json` or
//! `https://host/path/did.json` (a port is written percent-encoded, `%3A`); https URLs
//! are fetched as they are (as a JSON Web Key Set when the path ends in `jwks.json`, the
//! usual `/.well-known/jwks.json` included: keys are then asked for in `Accept` and never
//! taken from plain http). A plain http URL is fetched only as an Open Badges 2.0
//! hosted object, and what comes back must be one (an assertion, BadgeClass, issuer
//! profile or revocation list, carrying no keys): keys, DID documents and status lists
//! are never taken from plain http. With `allow_loopback`, a `did:web` on a loopback host
//! is fetched over http (local test fixtures).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
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
    let parsed = Url::parse(reference).ok();
    let jwks = parsed
        .as_ref()
        .is_some_and(|u| u.path().to_ascii_lowercase().ends_with("jwks.json"));
    let https_kind = if jwks {
        DocumentKind::Jwks
    } else {
        DocumentKind::Document
    };
    if lower.starts_with("https://") {
        Ok(Target {
            url: reference.to_string(),
            kind: https_kind,
        })
    } else if lower.starts_with("http://") {
        // Plain http is for Open Badges 2.0 objects only (a key set over http is refused
        // as such, unfetched); with `allow_loopback`, a loopback host is as good as https
        // (local fixtures serve everything over http).
        let loopback = allow_loopback && parsed.as_ref().is_some_and(policy::is_loopback_host);
        Ok(Target {
            url: reference.to_string(),
            kind: if loopback || jwks {
                https_kind
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
/// One resolver serves one verification (create it per verification), and bounds what
/// that verification costs:
/// - it fetches at most [`MAX_FETCHES`] documents (cached ones included): a credential
///   naming hundreds of status lists cannot make the server fetch hundreds of documents;
/// - it remembers every answer, failures included, so one address is fetched at most
///   once however often the verifier asks for it;
/// - it has one deadline ([`VERIFICATION_DEADLINE`] from its creation): a fetch is cut
///   short when it is reached, and after it every further document is answered
///   "unreachable" without being fetched. A slow website cannot hold a server thread for
///   longer than that.
#[derive(Debug)]
pub struct NetworkResolver {
    fetcher: Arc<Fetcher>,
    handle: Handle,
    budget: AtomicUsize,
    deadline: Option<Instant>,
    /// One cell per address and kind: the first asker fetches, later ones wait for and
    /// share its answer.
    answers: Mutex<Answers>,
}

/// Each address and kind asked for, with its answer once there is one.
type Answers = HashMap<(String, DocumentKind), Arc<OnceLock<Resolution>>>;

/// Documents one verification may fetch.
pub const MAX_FETCHES: usize = 16;

/// How long one verification may spend fetching, all documents together.
pub const VERIFICATION_DEADLINE: Duration = Duration::from_secs(15);

impl NetworkResolver {
    /// A resolver for one verification, with [`MAX_FETCHES`] and
    /// [`VERIFICATION_DEADLINE`] from now.
    pub fn new(fetcher: Arc<Fetcher>, handle: Handle) -> Self {
        Self::with_limits(fetcher, handle, MAX_FETCHES, VERIFICATION_DEADLINE)
    }

    /// A resolver that fetches at most `budget` documents, with the usual deadline.
    pub fn with_budget(fetcher: Arc<Fetcher>, handle: Handle, budget: usize) -> Self {
        Self::with_limits(fetcher, handle, budget, VERIFICATION_DEADLINE)
    }

    /// A resolver that fetches at most `budget` documents, all within `time` from now.
    pub fn with_limits(
        fetcher: Arc<Fetcher>,
        handle: Handle,
        budget: usize,
        time: Duration,
    ) -> Self {
        Self {
            fetcher,
            handle,
            budget: AtomicUsize::new(budget),
            // A deadline beyond what the clock can hold is no deadline: never reached.
            deadline: Instant::now().checked_add(time),
            answers: Mutex::new(HashMap::new()),
        }
    }

    /// Fetches `url` as a document of `kind` (for callers that know what they want),
    /// once: a second call with the same address and kind gets the first answer.
    pub fn resolve_as(&self, url: &str, kind: DocumentKind) -> Resolution {
        let cell = {
            let mut answers = self
                .answers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            answers.entry((url.to_string(), kind)).or_default().clone()
        };
        cell.get_or_init(|| self.fetch(url, kind)).clone()
    }

    fn fetch(&self, url: &str, kind: DocumentKind) -> Resolution {
        let too_long = || {
            Resolution::Unreachable(format!(
                "{url} was not fetched: checking this badge took too long, so we stopped fetching its documents"
            ))
        };
        let remaining = match self.deadline {
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return too_long(),
            },
            None => None,
        };
        let spent = self
            .budget
            .try_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if spent.is_err() {
            return Resolution::Refused(format!(
                "{url} was not fetched: this badge names more documents than we fetch for one check"
            ));
        }
        let fetch = self.fetcher.get_json(url, kind);
        let fetched = match remaining {
            Some(left) => match self
                .handle
                .block_on(async { tokio::time::timeout(left, fetch).await })
            {
                Ok(fetched) => fetched,
                Err(_) => return too_long(),
            },
            None => self.handle.block_on(fetch),
        };
        match fetched {
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
        // Key sets by their usual name, over https (and loopback with the setting); over
        // plain http they are refused as keys, never fetched as an OB 2.0 object.
        for (url, loopback) in [
            ("https://issuer.example/.well-known/jwks.json", false),
            ("https://issuer.example/keys/JWKS.json?v=2", false),
            ("https://issuer.example/my-jwks.json", false),
            ("http://127.0.0.1:8080/.well-known/jwks.json", true),
            ("http://issuer.example/.well-known/jwks.json", false),
        ] {
            assert_eq!(
                target(url, loopback).map(|t| t.kind),
                Ok(DocumentKind::Jwks),
                "{url}"
            );
        }
        for url in [
            "https://issuer.example/jwks.json/profile",
            "https://issuer.example/profile?jwks.json",
            "https://issuer.example/status/1",
        ] {
            assert_eq!(
                target(url, false).map(|t| t.kind),
                Ok(DocumentKind::Document),
                "{url}"
            );
        }
        assert_eq!(
            target("http://127.0.0.1:8080/doc.json", true).map(|t| t.kind),
            Ok(DocumentKind::Document)
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

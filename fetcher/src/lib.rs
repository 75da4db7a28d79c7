//! The guarded fetcher: how Badgefolio fetches documents from other websites (issuers'
//! DID documents, controller documents, JWKS, status lists, Open Badges 2.0 hosted
//! objects) without letting a credential steer the server at its own network.
//!
//! Design:
//! - Every address is checked before it is connected to. IP literals are checked before
//!   the request ([`policy`]); host names are resolved by our own resolver ([`dns`]),
//!   which hands the HTTP client only the addresses that passed [`address::is_allowed`],
//!   so the connection goes to a checked address and there is no second lookup.
//! - Redirects are followed here, not by the client, at most [`FetchSettings::max_redirects`],
//!   each new address checked like the first, and only on the same website (scheme, host
//!   and port; plain http may move to https on the same host): an open redirect on an
//!   issuer's site must not let anyone serve documents "from" the issuer. Proxy
//!   environment variables are ignored.
//! - https only, except for Open Badges 2.0 hosted objects ([`DocumentKind::Ob2Hosted`])
//!   and, with `allow_loopback`, for loopback hosts.
//! - Connect and total timeouts; bodies are streamed and reading stops at the size cap;
//!   only JSON media types are read.
//! - A small cache ([`cache`]) honours `Cache-Control` within bounds.
//!
//! [`resolver::NetworkResolver`] puts this behind `openbadges::verify::Resolver`.

pub mod address;
pub mod cache;
pub mod dns;
pub mod error;
pub mod policy;
pub mod resolver;

use std::{sync::Arc, time::Duration};

use reqwest::{StatusCode, header};
use serde_json::Value;
use url::Url;

pub use dns::{Lookup, SystemLookup};
pub use error::{ErrorKind, FetchError};
pub use resolver::NetworkResolver;
/// The URL parser the fetcher uses, for callers comparing addresses the same way.
pub use url;

/// What kind of document is wanted: decides whether plain http is allowed, what is
/// asked for in `Accept`, and how long it is cached by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A `did:web` DID document.
    DidDocument,
    /// A JSON Web Key Set.
    Jwks,
    /// Any other document over https: a controller document, an issuer profile, a
    /// credential by its URL, a status list. (Status lists have no kind of their own: the
    /// verifier asks for them by URL alone, so nothing here could know one is wanted; a
    /// status or revocation list is recognised by its content and cached for less time.)
    Document,
    /// An Open Badges 2.0 hosted object (assertion, BadgeClass, Issuer, revocation
    /// list): the only kind that may come over plain http.
    Ob2Hosted,
}

impl DocumentKind {
    /// Whether plain http is allowed for this kind.
    pub fn allows_plain_http(self) -> bool {
        self == Self::Ob2Hosted
    }

    fn accept(self) -> &'static str {
        match self {
            Self::DidDocument => {
                "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8"
            }
            Self::Jwks => "application/jwk-set+json, application/json;q=0.9",
            _ => "application/ld+json, application/json;q=0.9",
        }
    }
}

/// Limits and the one switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchSettings {
    /// Allow loopback addresses (127.0.0.0/8, `::1`, `localhost`), over plain http too:
    /// for local test fixtures. Never opens private or metadata ranges.
    pub allow_loopback: bool,
    pub connect_timeout: Duration,
    /// For the whole fetch, redirects and body included.
    pub timeout: Duration,
    pub max_redirects: usize,
    /// Bytes read from one response at most.
    pub max_bytes: usize,
    pub cache_entries: usize,
    pub cache_bytes: usize,
    /// Kept at most this long whatever `Cache-Control` says.
    pub max_ttl: Duration,
    /// Kept this long without `Cache-Control: max-age`.
    pub default_ttl: Duration,
    /// The same for status lists (revocation should show soon).
    pub status_list_ttl: Duration,
    /// Fetches in flight at once, for the whole process; more wait (within `timeout`).
    pub max_concurrent: usize,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            allow_loopback: false,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_redirects: 3,
            max_bytes: 1024 * 1024,
            cache_entries: 256,
            cache_bytes: 16 * 1024 * 1024,
            max_ttl: Duration::from_secs(3600),
            default_ttl: Duration::from_secs(300),
            status_list_ttl: Duration::from_secs(60),
            max_concurrent: 32,
        }
    }
}

impl FetchSettings {
    /// The defaults, with loopback allowed or not.
    pub fn with_allow_loopback(allow_loopback: bool) -> Self {
        Self {
            allow_loopback,
            ..Self::default()
        }
    }
}

/// The fetcher. Cheap to share behind an `Arc`; one per process.
pub struct Fetcher {
    /// `Err` when the HTTP client could not be built: every fetch then fails (closed).
    client: Result<reqwest::Client, String>,
    settings: FetchSettings,
    cache: cache::Cache,
    in_flight: tokio::sync::Semaphore,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("settings", &self.settings)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

fn tls_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b.with_root_certificates(roots).with_no_client_auth(),
        // ring supports the default versions; kept total rather than panicking.
        Err(_) => rustls::ClientConfig::builder_with_protocol_versions(rustls::DEFAULT_VERSIONS)
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    }
}

impl Fetcher {
    /// A fetcher using the system resolver.
    pub fn new(settings: FetchSettings) -> Self {
        Self::with_lookup(settings, Arc::new(SystemLookup))
    }

    /// A fetcher resolving names with `lookup` (tests use a fixed table).
    pub fn with_lookup(settings: FetchSettings, lookup: Arc<dyn Lookup>) -> Self {
        let resolver = dns::GuardedResolver {
            lookup,
            allow_loopback: settings.allow_loopback,
        };
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config())
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .dns_resolver(Arc::new(resolver))
            .user_agent(concat!(
                "Badgefolio/",
                env!("CARGO_PKG_VERSION"),
                " (verifier)"
            ))
            .build()
            .map_err(|e| e.to_string());
        Self {
            client,
            cache: cache::Cache::new(settings.cache_entries, settings.cache_bytes),
            in_flight: tokio::sync::Semaphore::new(settings.max_concurrent.max(1)),
            settings,
        }
    }

    pub fn settings(&self) -> &FetchSettings {
        &self.settings
    }

    /// How many documents are cached (for tests).
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Fetches the JSON document (or a VC-JWT served as one, as a JSON string) at `url`, following at most `max_redirects` redirects,
    /// each checked. Cached answers are shared.
    ///
    /// # Errors
    /// See [`FetchError`]; [`FetchError::kind`] groups them.
    pub async fn get_json(&self, url: &str, kind: DocumentKind) -> Result<Arc<Value>, FetchError> {
        let start = Url::parse(url).map_err(|_| FetchError::InvalidUrl {
            url: url.to_string(),
        })?;
        let key = format!(
            "{}\u{0}{}",
            if kind.allows_plain_http() {
                "any"
            } else {
                "https"
            },
            start
        );
        if let Some(v) = self.cache.get(&key) {
            return Ok(v);
        }
        let fetch = async {
            // Never closed, so `acquire` cannot fail; an error would only mean "no slot".
            let _slot = self
                .in_flight
                .acquire()
                .await
                .map_err(|_| FetchError::Unreachable {
                    detail: "the fetcher is shutting down".into(),
                })?;
            self.fetch(start.clone(), kind).await
        };
        let fetched = tokio::time::timeout(self.settings.timeout, fetch)
            .await
            .map_err(|_| FetchError::Timeout {
                url: start.to_string(),
            })??;
        let (value, size, ttl) = fetched;
        let value = Arc::new(value);
        if let Some(ttl) = ttl {
            self.cache.insert(key, value.clone(), size, ttl);
        }
        Ok(value)
    }

    async fn fetch(
        &self,
        mut url: Url,
        kind: DocumentKind,
    ) -> Result<(Value, usize, Option<Duration>), FetchError> {
        let client = self.client.as_ref().map_err(|e| FetchError::Unreachable {
            detail: format!("the HTTP client could not be set up: {e}"),
        })?;
        let mut redirects = 0;
        loop {
            policy::check_url(&url, kind, self.settings.allow_loopback)?;
            let response = client
                .get(url.clone())
                .header(header::ACCEPT, kind.accept())
                .send()
                .await
                .map_err(|e| send_error(&e, &url))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                if redirects >= self.settings.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        url: url.to_string(),
                        max: self.settings.max_redirects,
                    });
                }
                let next = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or_else(|| FetchError::BadRedirect {
                        url: url.to_string(),
                    })?;
                // The address first (a private address is named as such), then the website.
                policy::check_url(&next, kind, self.settings.allow_loopback)?;
                if !same_website(&url, &next) {
                    return Err(FetchError::OtherWebsite {
                        url: url.to_string(),
                        to: next.origin().ascii_serialization(),
                    });
                }
                url = next;
                redirects += 1;
                continue;
            }
            return self.read(response, &url).await;
        }
    }

    async fn read(
        &self,
        mut response: reqwest::Response,
        url: &Url,
    ) -> Result<(Value, usize, Option<Duration>), FetchError> {
        let url_s = url.to_string();
        match response.status() {
            s if s.is_success() => {}
            StatusCode::NOT_FOUND => return Err(FetchError::NotFound { url: url_s }),
            StatusCode::GONE => return Err(FetchError::Gone { url: url_s }),
            s => {
                return Err(FetchError::Status {
                    url: url_s,
                    status: s.as_u16(),
                });
            }
        }
        let headers = response.headers().clone();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let jwt = is_jwt_media_type(&content_type);
        if !is_json_media_type(&content_type) && !jwt {
            return Err(FetchError::NotJson {
                url: url_s,
                content_type,
            });
        }
        let limit = self.settings.max_bytes;
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| send_error(&e, url))? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let value: Value = if jwt {
            // A VC-JWT served as such: handed on as a JSON string.
            std::str::from_utf8(&body)
                .ok()
                .map(str::trim)
                .filter(|t| looks_like_compact_jws(t))
                .map(|t| Value::String(t.to_string()))
                .ok_or_else(|| FetchError::BadJson {
                    url: url.to_string(),
                    detail: "the token is not a compact JWS".into(),
                })?
        } else {
            serde_json::from_slice(&body).map_err(|e| FetchError::BadJson {
                url: url.to_string(),
                detail: e.to_string(),
            })?
        };
        let default = if is_status_list(&value) {
            self.settings.status_list_ttl
        } else {
            self.settings.default_ttl
        };
        let header_str = |h| {
            headers
                .get(h)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
        };
        let ttl = cache::ttl(
            header_str(header::CACHE_CONTROL),
            header_str(header::AGE),
            default,
            self.settings.max_ttl,
        );
        Ok((value, body.len(), ttl))
    }
}

/// Whether a redirect from `from` to `to` stays on the same website: the same origin
/// (scheme, host and port), or plain http moving to https on the same host, both on their
/// default ports.
pub fn same_website(from: &Url, to: &Url) -> bool {
    if from.origin() == to.origin() {
        return true;
    }
    from.scheme() == "http"
        && to.scheme() == "https"
        && from.port().is_none()
        && to.port().is_none()
        && from.host().is_some()
        && from.host() == to.host()
}

/// `application/json`, `text/json`, or any `…+json` type (`application/ld+json`,
/// `application/did+json`, …).
pub fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence == "text/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// `application/jwt` or any `…+jwt` type (`application/vc+jwt`, `application/vc-ld+jwt`).
pub fn is_jwt_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/jwt"
        || (essence.starts_with("application/") && essence.ends_with("+jwt"))
}

/// Three non-empty base64url parts, or two and an empty signature.
fn looks_like_compact_jws(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && !parts[0].is_empty()
        && !parts[1].is_empty()
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Whether a document is a status or revocation list (cached for less time).
fn is_status_list(value: &Value) -> bool {
    const TYPES: [&str; 3] = [
        "BitstringStatusListCredential",
        "StatusList2021Credential",
        "RevocationList",
    ];
    match value.get("type") {
        Some(Value::String(t)) => TYPES.contains(&t.as_str()),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .any(|t| TYPES.contains(&t)),
        _ => false,
    }
}

/// The client's error, back to ours: a refusal from our resolver stays a refusal.
fn send_error(e: &reqwest::Error, url: &Url) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(blocked) = s.downcast_ref::<dns::Blocked>() {
            return blocked.0.clone();
        }
        source = s.source();
    }
    if e.is_timeout() {
        return FetchError::Timeout {
            url: url.to_string(),
        };
    }
    let host = url.host_str().unwrap_or("the host");
    let detail = if e.is_connect() {
        format!("could not connect to {host}")
    } else {
        format!("the connection to {host} failed")
    };
    FetchError::Unreachable { detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_builds_with_ring_and_the_webpki_roots() {
        let f = Fetcher::new(FetchSettings::default());
        assert!(f.client.is_ok(), "{:?}", f.client.err());
        assert!(!f.settings().allow_loopback);
        assert_eq!(f.settings().max_redirects, 3);
    }

    #[test]
    fn json_media_types() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/LD+JSON",
            "application/did+json",
            "application/did+ld+json",
            "application/jwk-set+json",
            "text/json",
        ] {
            assert!(is_json_media_type(ok), "{ok}");
        }
        for no in [
            "text/html",
            "",
            "application/octet-stream",
            "image/svg+xml",
            "text/plain",
        ] {
            assert!(!is_json_media_type(no), "{no}");
            assert!(!is_jwt_media_type(no), "{no}");
        }
        for jwt in [
            "application/jwt",
            "application/vc+jwt",
            "Application/VC-LD+JWT; q=1",
        ] {
            assert!(is_jwt_media_type(jwt), "{jwt}");
            assert!(!is_json_media_type(jwt), "{jwt}");
        }
        assert!(looks_like_compact_jws("eyJh.eyJi.c2ln"));
        assert!(looks_like_compact_jws("eyJh.eyJi."));
        assert!(!looks_like_compact_jws("eyJh.eyJi"));
        assert!(!looks_like_compact_jws("eyJh..c2ln"));
        assert!(!looks_like_compact_jws("<html>.a.b"));
    }

    #[test]
    fn redirects_stay_on_the_same_website() {
        let same =
            |a: &str, b: &str| same_website(&Url::parse(a).expect(a), &Url::parse(b).expect(b));
        for (from, to) in [
            ("https://issuer.example/a", "https://issuer.example/b"),
            ("https://issuer.example/a", "https://ISSUER.example:443/b"),
            ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b"),
            // The one change allowed: plain http to https on the same host.
            ("http://issuer.example/a", "https://issuer.example/a"),
            ("http://issuer.example:80/a", "https://issuer.example/a"),
        ] {
            assert!(same(from, to), "{from} -> {to}");
        }
        for (from, to) in [
            ("https://issuer.example/a", "https://evil.example/a"),
            ("https://issuer.example/a", "https://sub.issuer.example/a"),
            ("https://issuer.example/a", "https://issuer.example:8443/a"),
            ("https://issuer.example/a", "http://issuer.example/a"),
            ("http://issuer.example:8080/a", "https://issuer.example/a"),
            ("http://issuer.example/a", "https://issuer.example:8443/a"),
            ("http://issuer.example/a", "https://evil.example/a"),
            ("http://127.0.0.1:8080/a", "http://localhost:8080/a"),
            ("http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a"),
        ] {
            assert!(!same(from, to), "{from} -> {to}");
        }
    }
}

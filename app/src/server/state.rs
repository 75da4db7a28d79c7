//! Everything a request handler needs, passed around instead of globals.

use std::sync::Arc;

use axum::extract::FromRef;
use fetcher::{FetchSettings, Fetcher};
use ipnet::IpNet;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::actor_cache::ActorCache;
use super::client_addr::ForwardingHeader;
use super::evidence::storage::EvidenceStore;
use super::issuing::secrets::KeyEncryptionKey;
use super::mail::sender::MailSettings;
use super::rate_limit::LoginLimiter;

/// Settings that change behaviour at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    /// External base URL without a trailing slash, e.g. `https://badges.example.edu`.
    pub public_url: String,
    /// Whether cookies get the `Secure` attribute and the `__Host-` name prefix (the
    /// public URL is https).
    pub secure_cookies: bool,
    /// Seals and opens the issuers' secret keys.
    pub secrets: Arc<KeyEncryptionKey>,
    /// Indexes a new status list hands out before the next list starts.
    pub status_list_capacity: i32,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` headers are believed (see
    /// `client_addr`). Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// The forwarding header those proxies write (only that one is read).
    pub forwarding_header: ForwardingHeader,
    /// How mail is delivered (SMTP, or the log) and who it is from.
    pub mail: MailSettings,
    /// Where evidence files are kept (in memory unless the server configures a folder).
    pub evidence: EvidenceStore,
    /// Fetches documents from other websites for the verifier (public addresses only;
    /// see the `fetcher` crate). One per process: it holds the connection pool and cache.
    pub fetcher: Arc<Fetcher>,
}

impl Settings {
    /// Settings for a public base URL and the key-encryption key; cookie security
    /// follows the URL's scheme.
    pub fn new(public_url: &str, secrets: KeyEncryptionKey) -> Self {
        let public_url = public_url.trim_end_matches('/').to_string();
        Self {
            secure_cookies: public_url.starts_with("https://"),
            secrets: Arc::new(secrets),
            status_list_capacity: DEFAULT_STATUS_LIST_CAPACITY,
            trusted_proxies: Vec::new(),
            forwarding_header: ForwardingHeader::default(),
            mail: MailSettings::log_only(&public_url),
            evidence: EvidenceStore::in_memory(),
            fetcher: Arc::new(Fetcher::new(FetchSettings::default())),
            public_url,
        }
    }

    /// Settings with a fresh, unsaved key-encryption key: for tests, and for work that
    /// never opens an issuer's key (verifying). Keys sealed with it are lost with it.
    pub fn for_public_url(public_url: &str) -> Self {
        Self::new(public_url, KeyEncryptionKey::generate())
    }

    /// The same settings, believing forwarding headers from these proxies.
    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: Vec<IpNet>) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    /// The same settings, delivering mail as `mail` says.
    #[must_use]
    pub fn with_mail(mut self, mail: MailSettings) -> Self {
        self.mail = mail;
        self
    }

    /// The same settings, keeping evidence files in `store`.
    #[must_use]
    pub fn with_evidence_store(mut self, store: EvidenceStore) -> Self {
        self.evidence = store;
        self
    }

    /// The same settings, fetching other websites' documents through `fetcher`.
    #[must_use]
    pub fn with_fetcher(mut self, fetcher: Arc<Fetcher>) -> Self {
        self.fetcher = fetcher;
        self
    }

    /// The same settings, reading this forwarding header from trusted proxies.
    #[must_use]
    pub fn with_forwarding_header(mut self, header: ForwardingHeader) -> Self {
        self.forwarding_header = header;
        self
    }
}

/// Entries handed out per status list: the spec's minimum list size.
pub const DEFAULT_STATUS_LIST_CAPACITY: i32 = 131_072;

/// Shared state of one running server: one allocation shared by every request (axum
/// clones the state for each extractor and middleware, so a clone is one reference
/// count, not a copy of every field).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] holds (reached through `Deref`: `state.db`).
#[derive(Clone)]
pub struct Shared {
    pub db: DatabaseConnection,
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub login_limiter: Arc<LoginLimiter>,
    /// Actors of recent sessions (see [`super::actor_cache`]).
    pub actors: ActorCache,
    /// Views of public pages not yet written (see [`super::public_pages::views`]).
    pub views: Arc<super::public_pages::views::ViewCounter>,
}

impl AppState {
    /// A state with fresh limiters.
    pub fn new(db: DatabaseConnection, leptos_options: LeptosOptions, settings: Settings) -> Self {
        Self(Arc::new(Shared {
            db,
            leptos_options,
            settings: Arc::new(settings),
            login_limiter: Arc::new(LoginLimiter::default()),
            actors: ActorCache::default(),
            views: Arc::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Changing a field before the server starts (a setting in a test, another limiter):
/// the state is copied first if a clone of it is already shared.
impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

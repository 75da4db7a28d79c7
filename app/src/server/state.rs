//! Everything a request handler needs, passed around instead of globals.

use std::sync::Arc;

use axum::extract::FromRef;
use ipnet::IpNet;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::rate_limit::LoginLimiter;

/// Settings that change behaviour at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    /// External base URL without a trailing slash, e.g. `https://badges.example.edu`.
    pub public_url: String,
    /// Whether cookies get the `Secure` attribute and the `__Host-` name prefix (the
    /// public URL is https).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` headers are believed (see
    /// `client_addr`). Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<IpNet>,
}

impl Settings {
    /// Settings for a public base URL; cookie security follows its scheme.
    pub fn for_public_url(public_url: &str) -> Self {
        let public_url = public_url.trim_end_matches('/').to_string();
        Self {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            trusted_proxies: Vec::new(),
        }
    }

    /// The same settings, believing forwarding headers from these proxies.
    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: Vec<IpNet>) -> Self {
        self.trusted_proxies = proxies;
        self
    }
}

/// Shared state of one running server.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub login_limiter: Arc<LoginLimiter>,
}

impl AppState {
    /// A state with fresh limiters.
    pub fn new(db: DatabaseConnection, leptos_options: LeptosOptions, settings: Settings) -> Self {
        Self {
            db,
            leptos_options,
            settings: Arc::new(settings),
            login_limiter: Arc::new(LoginLimiter::default()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

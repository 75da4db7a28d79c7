//! Everything a request handler needs, passed around instead of globals.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::rate_limit::LoginLimiter;

/// Settings that change behaviour at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    /// External base URL without a trailing slash, e.g. `https://badges.example.edu`.
    pub public_url: String,
    /// Whether cookies get the `Secure` attribute (the public URL is https).
    pub secure_cookies: bool,
}

impl Settings {
    /// Settings for a public base URL; cookie security follows its scheme.
    pub fn for_public_url(public_url: &str) -> Self {
        let public_url = public_url.trim_end_matches('/').to_string();
        Self {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
        }
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

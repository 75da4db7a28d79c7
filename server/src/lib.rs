//! The `badgefolio` server: configuration, startup (connect, migrate, seed), the router
//! with its security layers, and the routes that live outside the Leptos app
//! (`/healthz`, the issuers' DID documents, profiles and status lists; public badge
//! pages and images later), and the `credential` command.
//!
//! `main.rs` only parses the command line and calls into this library, so integration
//! tests drive the very same router ([`router::build`]) on SQLite and PostgreSQL.

pub mod access;
pub mod api_error;
pub mod award_cli;
pub mod bench_bulk;
pub mod bench_portfolio;
pub mod config;
pub mod credential_cli;
pub mod db;
pub mod fast;
pub mod health;
pub mod http_errors;
pub mod router;
pub mod routes;
pub mod security;
pub mod seed;
pub mod site_check;

use std::{net::SocketAddr, path::Path, time::Duration};

use app::server::{AppState, Settings, sessions};
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// Leptos settings for a built site (`site_root/pkg/badgefolio.{js,wasm,css}`).
pub fn leptos_options(site_root: &Path, addr: SocketAddr) -> LeptosOptions {
    // A release build with `hash-files` leaves `hash.txt` beside the binary; Leptos then
    // names the hashed JS, WASM and CSS in the pages it renders.
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .is_some_and(|p| p.is_file());
    LeptosOptions::builder()
        .hash_files(hashed)
        .output_name("badgefolio")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(leptos::config::Env::PROD)
        .build()
}

/// Refuses a release site (one whose build left `hash.txt` beside the binary) in which a
/// file that the pages, the JS, the split manifest or a WASM chunk names is missing or
/// not served (see [`site_check`]): hashed files are cached for a year, so serving such a
/// site would break the clients that load it for as long.
///
/// # Errors
/// The list of problems found.
pub fn verify_site(options: &LeptosOptions) -> anyhow::Result<()> {
    if !options.hash_files {
        return Ok(());
    }
    let hash_path = std::env::current_exe()?
        .parent()
        .map(|dir| dir.join(options.hash_file.as_ref()))
        .ok_or_else(|| anyhow::anyhow!("no folder for the hash file"))?;
    let hash_txt = std::fs::read_to_string(&hash_path)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", hash_path.display()))?;
    let site_root = Path::new(options.site_root.as_ref());
    let assets = routes::assets::Assets::load(site_root);
    let problems = site_check::check(
        site_root,
        options.site_pkg_dir.as_ref(),
        options.output_name.as_ref(),
        Some(&hash_txt),
        &assets,
    );
    if problems.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "the built site at {} is incomplete (rebuild it with `cargo leptos build --release --split --precompress`):\n  {}",
            site_root.display(),
            problems.join("\n  ")
        )
    }
}

/// The settings a server or command runs with.
///
/// # Errors
/// When the key-encryption key cannot be had (see `config::Config::key_encryption_key`).
pub fn settings(config: &config::Config, may_create_key: bool) -> anyhow::Result<Settings> {
    use anyhow::Context as _;
    let kek = config.key_encryption_key(may_create_key).with_context(|| {
        format!(
            "opening the secret key (BADGEFOLIO_SECRET_KEY or {})",
            config.secret_key_file().display()
        )
    })?;
    let mail = config.mail_settings();
    // A mistyped SMTP URL or sender stops the start, instead of failing every mail.
    app::server::mail::sender::Sender::from_settings(&mail)?;
    let evidence_dir = config.data_dir.join("evidence");
    let evidence = app::server::evidence::storage::EvidenceStore::local(&evidence_dir)
        .with_context(|| format!("opening the evidence folder {}", evidence_dir.display()))?;
    Ok(Settings::new(&config.public_url(), kek)
        .with_evidence_store(evidence)
        .with_trusted_proxies(config.trusted_proxies.0.clone())
        .with_forwarding_header(config.forwarding_header)
        .with_mail(mail)
        .with_fetcher(fetcher(config)))
}

/// The guarded fetcher for documents on other websites, as configured
/// (`--fetch-allow-loopback`). The server and `badgefolio credential verify` both use it.
pub fn fetcher(config: &config::Config) -> std::sync::Arc<::fetcher::Fetcher> {
    std::sync::Arc::new(::fetcher::Fetcher::new(
        ::fetcher::FetchSettings::with_allow_loopback(config.fetch_allow_loopback),
    ))
}

/// Starts the mail worker of a server: it delivers queued mail in the background (see
/// `app::server::mail::worker`).
///
/// # Errors
/// When the mail settings are unusable (checked by [`settings`] already).
pub fn spawn_mail_worker(state: &AppState) -> anyhow::Result<()> {
    use app::server::mail::{sender::Sender, worker};
    let sender = Sender::from_settings(&state.settings.mail)?;
    worker::spawn(state.db.clone(), sender, worker::WorkerConfig::default());
    Ok(())
}

/// Starts the bulk award worker of a server: it awards the rows of started bulk runs in
/// the background and, at once, resumes runs a stopped server left running (see
/// `app::server::awards::bulk`).
pub fn spawn_bulk_worker(state: &AppState) {
    use app::server::awards::bulk;
    bulk::spawn(
        state.db.clone(),
        (*state.settings).clone(),
        bulk::WorkerConfig::default(),
    );
}

/// Starts the background re-check of stored verdicts (see `app::server::recheck`):
/// `--recheck-batch` awards and imported badges every `--recheck-every-secs`.
pub fn spawn_recheck_worker(state: &AppState, config: &config::Config) {
    use app::server::recheck;
    recheck::spawn(
        state.db.clone(),
        (*state.settings).clone(),
        recheck::RecheckConfig {
            every: Duration::from_secs(config.recheck_every_secs.max(1)),
            batch: config.recheck_batch,
        },
    );
}

/// The state a server runs with.
pub fn state(db: DatabaseConnection, config: &config::Config, settings: Settings) -> AppState {
    let mut state = AppState::new(db, leptos_options(&config.site_root, config.addr), settings);
    if config.sign_in_burst != app::server::rate_limit::ACCOUNT_BURST {
        state.login_limiter = std::sync::Arc::new(
            app::server::rate_limit::LoginLimiter::new(
                config.sign_in_burst.max(1),
                app::server::rate_limit::CLIENT_BURST,
            )
            .with_sign_up_burst(app::server::rate_limit::SIGN_UP_BURST),
        );
    }
    state
}

/// The listening socket. Every accepted connection gets `TCP_NODELAY`: responses are
/// written in several pieces, and without it Nagle's algorithm meets the client's
/// delayed ACK, stalling each request on a kept-alive connection by about 40 ms.
///
/// # Errors
/// When the address cannot be bound.
pub async fn listen(
    addr: SocketAddr,
) -> std::io::Result<axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>> {
    use axum::serve::ListenerExt as _;
    fn no_delay(stream: &mut tokio::net::TcpStream) {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY on a connection");
        }
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    Ok(listener.tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

/// Background chores: drop idle rate-limit entries every minute (so a flood of keys
/// does not stay in memory), and expired sessions hourly.
pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        let mut ticks: u64 = 0;
        loop {
            every.tick().await;
            state.login_limiter.shrink();
            if ticks.is_multiple_of(60) {
                match sessions::purge_expired(&state.db).await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "session purge failed"),
                }
            }
            ticks += 1;
        }
    });
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

//! `badgefolio`: serve, migrate, seed demo data, create accounts. See `--help`.

use std::net::SocketAddr;

use anyhow::Context as _;
use clap::Parser as _;
use server::config::{Cli, Command, Config, CreateUser, LogFormat};
use tracing_subscriber::EnvFilter;

// JSON-LD processing (signing, verifying) is allocation-bound: mimalloc makes it about
// 1.5× faster than the system allocator (openbadges/examples/bench.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.config.log_format);
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config).await,
        Command::Migrate => {
            connect(&config).await?;
            tracing::info!("migrations are up to date");
            Ok(())
        }
        Command::SeedDemo => {
            let (db, settings) = prepare(&config).await?;
            server::seed::seed_demo(&db, &settings)
                .await
                .context("loading demo data")?;
            println!("{}", server::seed::demo_logins());
            Ok(())
        }
        Command::CreateUser(args) => create_user(&config, args).await,
        Command::Credential(cmd @ server::config::CredentialCommand::Verify { .. }) => {
            // Verifying opens no issuer key and changes nothing.
            let db = connect(&config).await?;
            let settings = app::server::Settings::for_public_url(&config.public_url())
                .with_fetcher(server::fetcher(&config));
            let code = server::credential_cli::run(&db, &settings, cmd).await?;
            std::process::exit(code);
        }
        Command::Credential(cmd) => {
            let (db, settings) = prepare(&config).await?;
            let code = server::credential_cli::run(&db, &settings, cmd).await?;
            std::process::exit(code);
        }
        Command::BenchBulk { rows } => {
            let (db, settings) = prepare(&config).await?;
            let backend = format!("{:?}", db.get_database_backend());
            let figures = server::bench_bulk::run(&db, &settings, rows).await?;
            println!("{}", server::bench_bulk::report(&backend, &figures));
            Ok(())
        }
        Command::BenchPortfolio { badges } => {
            let (db, settings) = prepare(&config).await?;
            let backend = format!("{:?}", db.get_database_backend());
            let options = server::state(db.clone(), &config, settings.clone())
                .leptos_options
                .clone();
            let (count, seed, pages) =
                server::bench_portfolio::run(&db, &settings, options, badges).await?;
            println!(
                "{}",
                server::bench_portfolio::report(&backend, count, seed, &pages)
            );
            Ok(())
        }
        Command::Institution(cmd) => {
            let (db, settings) = prepare(&config).await?;
            server::credential_cli::institution(&db, &settings, cmd).await
        }
        Command::Award(args) => {
            let (db, settings) = prepare(&config).await?;
            server::award_cli::run(&db, &settings, args).await
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    // Logs go to stderr: stdout is for what commands print (signed JSON, reports).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Connects, brings the schema up to date, opens the key-encryption key and readies
/// every institution's keys and status lists.
async fn prepare(
    config: &Config,
) -> anyhow::Result<(sea_orm::DatabaseConnection, app::server::Settings)> {
    let db = connect(config).await?;
    let may_create_key = !app::server::issuing::keys::has_sealed_keys(&db).await?;
    let settings = server::settings(config, may_create_key)?;
    app::server::issuing::prepare(&db, &settings)
        .await
        .context("preparing the issuers' keys")?;
    Ok((db, settings))
}

/// Connects and brings the schema up to date.
async fn connect(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    }
    let db = server::db::connect(&url)
        .await
        .context("connecting to the database")?;
    server::db::migrate(&db)
        .await
        .context("running migrations")?;
    Ok(db)
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let (db, settings) = prepare(config).await?;
    let state = server::state(db, config, settings);
    server::verify_site(&state.leptos_options)?;
    server::spawn_housekeeping(state.clone());
    server::spawn_mail_worker(&state)?;
    server::spawn_bulk_worker(&state);
    server::spawn_recheck_worker(&state, config);
    let app = server::router::build(state.clone());
    let listener = server::listen(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    tracing::info!(address = %config.addr, public_url = %config.public_url(), "Badgefolio is ready");
    println!("Badgefolio is running at {}", config.public_url());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(server::shutdown_signal())
    .await
    .context("serving")?;
    server::routes::public::flush_views(&state).await;
    Ok(())
}

async fn create_user(config: &Config, args: CreateUser) -> anyhow::Result<()> {
    let db = connect(config).await?;
    let new = app::server::accounts::NewAccount {
        email: args.email,
        display_name: args.name,
        password: args.password,
        role: args.role.into(),
        institution: args.institution,
    };
    match app::server::accounts::create(&db, new).await {
        Ok(user) => {
            // The operator vouches for the address: no confirmation link is sent.
            app::server::accounts::mark_confirmed(&db, user.id).await?;
            println!("created {} ({:?})", user.email, args.role);
            Ok(())
        }
        Err(app::server::ServerError::User(e)) => anyhow::bail!("{e}"),
        Err(e) => Err(e.into()),
    }
}

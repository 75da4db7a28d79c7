//! Connecting to the database (SQLite or PostgreSQL, chosen by the URL) and migrating it.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, sqlx::sqlite};

/// How long a request waits for a database connection before it is answered 503
/// ("try again in a moment") instead of hanging: while the database is down, every
/// request that needs it gets that answer after at most this long.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// Opens a pool with [`options`].
///
/// # Errors
/// When the database cannot be reached or opened.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    Database::connect(options(url)).await
}

/// The pool settings for a URL. SQLite gets WAL (no lost writes on crash, readers
/// never block the writer), foreign keys, a busy timeout and a small pool; PostgreSQL a
/// larger pool. Both give up on a connection after [`ACQUIRE_TIMEOUT`], and idle
/// connections are checked before use, so a database that went away and came back is
/// reconnected to without a restart.
pub fn options(url: &str) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.connect_timeout(ACQUIRE_TIMEOUT)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(true)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        opts.max_connections(4)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    .create_if_missing(true)
            });
    } else {
        opts.max_connections(16).min_connections(1);
    }
    opts
}

/// Applies every pending migration.
///
/// # Errors
/// When a migration fails (it is rolled back where the backend allows).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

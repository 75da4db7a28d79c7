//! Typed errors of the server side, and their one conversion into [`AppError`].

use sea_orm::{DbErr, RuntimeErr, SqlxPostgresError, SqlxSqliteError, sqlx};

use crate::error::AppError;

/// Seconds a client is asked to wait (`Retry-After`) when the database is unreachable.
pub const DB_RETRY_AFTER_SECS: u64 = 5;

/// Anything that can go wrong in server code.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A user mistake or refusal, already phrased for the user.
    #[error(transparent)]
    User(#[from] AppError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("password hashing: {0}")]
    Hash(String),
    #[error("background task: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("issuer key: {0}")]
    Key(String),
    #[error("signing: {0}")]
    Sign(#[from] openbadges::proof::SignError),
    #[error("evidence storage: {0}")]
    Storage(#[from] object_store::Error),
    #[error("missing server context: {0}")]
    Context(&'static str),
}

impl ServerError {
    /// Whether this is the database being out of reach (down, restarting, its file
    /// unreadable, the pool exhausted), rather than a bug or bad data.
    pub fn is_db_unavailable(&self) -> bool {
        matches!(self, Self::Db(e) if db_unavailable(e))
    }
}

/// Whether a database error means "cannot reach the database right now".
///
/// That is: no connection could be had in time or the pool is closed; the connection
/// broke (I/O); PostgreSQL says it is shutting down, starting, or out of connections
/// (SQLSTATE class 08, 57P01–57P03, 53300); SQLite cannot open, read or write its file,
/// or finds it is not a database (`SQLITE_CANTOPEN`, `SQLITE_IOERR*`, `SQLITE_NOTADB`,
/// `SQLITE_FULL`, `SQLITE_BUSY` after the busy timeout). Anything else (a constraint, a
/// bad query, corrupt data) is a fault of ours and stays an internal error.
pub fn db_unavailable(err: &DbErr) -> bool {
    match err {
        // Raised only while connecting or acquiring a connection.
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            sqlx_unavailable(e)
        }
        _ => false,
    }
}

fn sqlx_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or_default();
            if db.try_downcast_ref::<SqlxSqliteError>().is_some() {
                code.parse::<i32>().is_ok_and(sqlite_code_unavailable)
            } else if db.try_downcast_ref::<SqlxPostgresError>().is_some() {
                pg_code_unavailable(code)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// SQLite result codes (extended codes carry the primary one in the low byte).
fn sqlite_code_unavailable(extended: i32) -> bool {
    const BUSY: i32 = 5;
    const IOERR: i32 = 10;
    const FULL: i32 = 13;
    const CANTOPEN: i32 = 14;
    const NOTADB: i32 = 26;
    matches!(extended & 0xff, BUSY | IOERR | FULL | CANTOPEN | NOTADB)
}

/// PostgreSQL SQLSTATEs of a server that is going away, starting, or full.
fn pg_code_unavailable(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03" | "53300")
}

impl From<ServerError> for AppError {
    fn from(err: ServerError) -> Self {
        let app = match err {
            ServerError::User(e) => e,
            ServerError::Db(e) if db_unavailable(&e) => {
                // Not a bug of ours and nothing to quote: the operator sees it as a warning.
                tracing::warn!(error = %e, "database unreachable: answering 503");
                AppError::Unavailable {
                    retry_after_secs: DB_RETRY_AFTER_SECS,
                }
            }
            other => {
                // Never send internals to the client: log them with a reference the user can quote.
                let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
                tracing::error!(%reference, error = %other, "request failed");
                AppError::Internal { reference }
            }
        };
        if let AppError::Unavailable { retry_after_secs } = app {
            answer_unavailable(retry_after_secs);
        }
        app
    }
}

/// Makes the response being built a 503 with `Retry-After`: a page rendered on the
/// server (or a server function) that could not be served says so in its status, so
/// load balancers, crawlers and scripts do not take the error page for content.
fn answer_unavailable(retry_after_secs: u64) {
    use leptos::prelude::use_context;
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::SERVICE_UNAVAILABLE);
        res.insert_header(
            http::header::RETRY_AFTER,
            http::HeaderValue::from(retry_after_secs),
        );
    }
}

/// Short for results in server code.
pub type ServerResult<T> = Result<T, ServerError>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn sqlx_err(e: sqlx::Error) -> RuntimeErr {
        RuntimeErr::SqlxError(Arc::new(e))
    }

    #[test]
    fn connection_failures_are_unavailable() {
        for e in [
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed),
            DbErr::Conn(sqlx_err(sqlx::Error::PoolTimedOut)),
            DbErr::Query(sqlx_err(sqlx::Error::Io(std::io::Error::from(
                std::io::ErrorKind::ConnectionReset,
            )))),
            DbErr::Exec(sqlx_err(sqlx::Error::PoolClosed)),
        ] {
            assert!(db_unavailable(&e), "{e}");
            let app = AppError::from(ServerError::Db(e));
            assert_eq!(
                app,
                AppError::Unavailable {
                    retry_after_secs: DB_RETRY_AFTER_SECS
                }
            );
        }
    }

    #[test]
    fn other_database_errors_stay_internal() {
        for e in [
            DbErr::Query(sqlx_err(sqlx::Error::RowNotFound)),
            DbErr::Exec(sqlx_err(sqlx::Error::Protocol("bad".into()))),
            DbErr::RecordNotFound("x".into()),
            DbErr::Custom("x".into()),
        ] {
            assert!(!db_unavailable(&e), "{e}");
            assert_eq!(AppError::from(ServerError::Db(e)).code(), "internal");
        }
    }

    #[test]
    fn sqlite_and_postgres_codes() {
        for code in [5, 10, 13, 14, 26, 266, 522, 3850] {
            assert!(sqlite_code_unavailable(code), "{code}");
        }
        for code in [1, 11, 19, 2067] {
            assert!(!sqlite_code_unavailable(code), "{code}");
        }
        for state in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert!(pg_code_unavailable(state), "{state}");
        }
        for state in ["23505", "42P01", "40001"] {
            assert!(!pg_code_unavailable(state), "{state}");
        }
    }
}

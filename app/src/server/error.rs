//! Typed errors of the server side, and their one conversion into [`AppError`].

use crate::error::AppError;

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
    #[error("missing server context: {0}")]
    Context(&'static str),
}

impl From<ServerError> for AppError {
    fn from(err: ServerError) -> Self {
        match err {
            ServerError::User(e) => e,
            other => {
                // Never send internals to the client: log them with a reference the user can quote.
                let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
                tracing::error!(%reference, error = %other, "request failed");
                AppError::Internal { reference }
            }
        }
    }
}

/// Short for results in server code.
pub type ServerResult<T> = Result<T, ServerError>;

//! The one error type that crosses the wire.
//!
//! Server code uses typed errors of its own (`crate::server::error`); at the edge, each
//! becomes an [`AppError`], which the browser receives as JSON and the server turns into
//! an HTTP status (see `server::http_errors`). The `code` is stable: the UI and tests
//! match on it, never on the message.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Deserializer, Serialize, de::Error as _};

/// An error a user (or the browser) can be shown.
///
/// On the wire: `{"code": "<variant in snake_case>", ...its fields}` (serde's internally
/// tagged form). Read back by hand through [`Wire`], see there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// The input is not acceptable; `message` says what to change.
    #[error("{message}")]
    Invalid { message: String },
    /// Sign-up with an email that already has an account.
    #[error("An account with this email address already exists. Sign in instead?")]
    EmailTaken,
    /// Wrong email or password. Deliberately does not say which.
    #[error("The email address or password is not correct.")]
    InvalidCredentials,
    /// Too many attempts; try again after `retry_after_secs`.
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    RateLimited { retry_after_secs: u64 },
    /// The server cannot serve this right now (its database is unreachable, or it is
    /// saturated); nothing is wrong with the request. Try again after `retry_after_secs`.
    #[error("Badgefolio is briefly unavailable. Please try again in a moment.")]
    Unavailable { retry_after_secs: u64 },
    /// The request needs a signed-in user.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Signed in, but not allowed.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Nothing here.
    #[error("We could not find what you asked for.")]
    NotFound,
    /// The request itself was malformed (missing or unreadable fields).
    #[error("The request could not be understood: {message}")]
    BadRequest { message: String },
    /// Our fault. The reference is in the server log beside the cause.
    #[error(
        "Something went wrong on our side. If it keeps happening, quote reference {reference}."
    )]
    Internal { reference: String },
}

impl AppError {
    /// A validation error with a message for the user.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. } => 422,
            Self::EmailTaken => 409,
            Self::InvalidCredentials | Self::Unauthenticated => 401,
            Self::RateLimited { .. } => 429,
            Self::Unavailable { .. } => 503,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::BadRequest { .. } => 400,
            Self::Internal { .. } => 500,
        }
    }

    /// Seconds the client should wait before trying again, for the errors that say so
    /// (sent as `Retry-After`).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs } | Self::Unavailable { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }

    /// The stable machine-readable code (the serde tag).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid",
            Self::EmailTaken => "email_taken",
            Self::InvalidCredentials => "invalid_credentials",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable { .. } => "unavailable",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::BadRequest { .. } => "bad_request",
            Self::Internal { .. } => "internal",
        }
    }
}

/// Every `code` there is, in the order of the variants.
const CODES: &[&str] = &[
    "invalid",
    "email_taken",
    "invalid_credentials",
    "rate_limited",
    "unavailable",
    "unauthenticated",
    "forbidden",
    "not_found",
    "bad_request",
    "internal",
];

/// The wire form of [`AppError`] as one flat record. Deriving `Deserialize` on the
/// internally tagged enum makes serde buffer the input first (its private `Content`
/// tree), about 20 KB of the browser's first-load WASM for the one error type that every
/// page reads; this record reads the same JSON directly.
#[derive(Deserialize)]
struct Wire {
    code: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    retry_after_secs: Option<u64>,
    #[serde(default)]
    reference: Option<String>,
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(deserializer)?;
        let message = || {
            w.message
                .clone()
                .ok_or_else(|| D::Error::missing_field("message"))
        };
        let retry = || {
            w.retry_after_secs
                .ok_or_else(|| D::Error::missing_field("retry_after_secs"))
        };
        Ok(match w.code.as_str() {
            "invalid" => Self::Invalid {
                message: message()?,
            },
            "email_taken" => Self::EmailTaken,
            "invalid_credentials" => Self::InvalidCredentials,
            "rate_limited" => Self::RateLimited {
                retry_after_secs: retry()?,
            },
            "unavailable" => Self::Unavailable {
                retry_after_secs: retry()?,
            },
            "unauthenticated" => Self::Unauthenticated,
            "forbidden" => Self::Forbidden,
            "not_found" => Self::NotFound,
            "bad_request" => Self::BadRequest {
                message: message()?,
            },
            "internal" => Self::Internal {
                reference: w
                    .reference
                    .clone()
                    .ok_or_else(|| D::Error::missing_field("reference"))?,
            },
            other => return Err(D::Error::unknown_variant(other, CODES)),
        })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                Self::BadRequest { message: m }
            }
            ServerFnErrorErr::Request(_) => Self::BadRequest {
                message: "the server could not be reached; check your connection".into(),
            },
            other => Self::Internal {
                reference: other.to_string().chars().take(80).collect(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_a_stable_code() {
        let json = serde_json_like(&AppError::RateLimited {
            retry_after_secs: 12,
        });
        assert_eq!(json, r#"{"code":"rate_limited","retry_after_secs":12}"#);
    }

    #[test]
    fn code_matches_serde_tag_for_every_variant() {
        for e in [
            AppError::invalid("x"),
            AppError::EmailTaken,
            AppError::InvalidCredentials,
            AppError::RateLimited {
                retry_after_secs: 1,
            },
            AppError::Unavailable {
                retry_after_secs: 5,
            },
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::BadRequest {
                message: "m".into(),
            },
            AppError::Internal {
                reference: "r".into(),
            },
        ] {
            let json = serde_json_like(&e);
            assert!(
                json.starts_with(&format!(r#"{{"code":"{}""#, e.code())),
                "{json}"
            );
            assert!(CODES.contains(&e.code()));
            assert!((400..600).contains(&e.status()));
            // What the server sends, the browser reads back as the same error.
            assert_eq!(AppError::de(json.as_bytes().to_vec().into()), e, "{json}");
        }
    }

    #[test]
    fn unavailable_is_a_503_with_its_retry_time() {
        let e = AppError::Unavailable {
            retry_after_secs: 5,
        };
        assert_eq!(e.status(), 503);
        assert_eq!(
            serde_json_like(&e),
            r#"{"code":"unavailable","retry_after_secs":5}"#
        );
        assert_eq!(e.retry_after_secs(), Some(5));
        assert!(e.to_string().contains("try again in a moment"));
    }

    #[test]
    fn unknown_codes_and_missing_fields_are_not_read_as_some_error() {
        for bad in [
            r#"{"code":"no_such_code"}"#,
            r#"{"code":"invalid"}"#,
            r#"{"code":"rate_limited"}"#,
            r#"{"code":"internal","message":"x"}"#,
            r#"{"message":"x"}"#,
        ] {
            let e = AppError::de(bad.as_bytes().to_vec().into());
            // `de` turns an unreadable error into a deserialisation error of its own.
            assert!(matches!(e, AppError::Internal { .. }), "{bad}: {e:?}");
        }
        // Extra fields are ignored, as the derived form did.
        assert_eq!(
            AppError::de(br#"{"code":"forbidden","extra":1}"#.to_vec().into()),
            AppError::Forbidden
        );
    }

    #[test]
    fn missing_arguments_are_the_callers_mistake() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("email".into()));
        assert_eq!(e.status(), 400);
    }

    /// Fails to compile when a variant is added, as a reminder to list it in
    /// `code_matches_serde_tag_for_every_variant`.
    #[allow(dead_code)]
    fn every_variant_is_listed_above(e: &AppError) {
        match e {
            AppError::Invalid { .. }
            | AppError::EmailTaken
            | AppError::InvalidCredentials
            | AppError::RateLimited { .. }
            | AppError::Unavailable { .. }
            | AppError::Unauthenticated
            | AppError::Forbidden
            | AppError::NotFound
            | AppError::BadRequest { .. }
            | AppError::Internal { .. } => {}
        }
    }

    fn serde_json_like(e: &AppError) -> String {
        let bytes = e.ser();
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }
}

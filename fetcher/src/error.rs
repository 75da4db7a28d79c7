//! What can go wrong fetching a document, in words a person understands.

use crate::address::AddressClass;

/// Why a document could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{url} is not a web address that can be fetched")]
    InvalidUrl { url: String },
    #[error(
        "{url} uses plain http; keys, DID documents and status lists are only fetched over https"
    )]
    PlainHttp { url: String },
    #[error("{host} is a {}, which we never fetch from", class.description())]
    RefusedAddress { host: String, class: AddressClass },
    #[error("{host} is not a public web address, which we never fetch from")]
    RefusedName { host: String },
    #[error("The issuer's website could not be reached ({detail})")]
    Unreachable { detail: String },
    #[error("The issuer's website did not answer in time ({url})")]
    Timeout { url: String },
    #[error("{url} redirected more than {max} times, so we stopped following it")]
    TooManyRedirects { url: String, max: usize },
    #[error(
        "{url} redirected to another website ({to}), which we do not follow for badge documents"
    )]
    OtherWebsite { url: String, to: String },
    #[error("{url} answered with a redirect that does not say where to")]
    BadRedirect { url: String },
    #[error("There is no document at {url} (HTTP 404)")]
    NotFound { url: String },
    #[error("The document at {url} was withdrawn by its owner (HTTP 410 Gone)")]
    Gone { url: String },
    #[error("The issuer's website answered with an error (HTTP {status}) for {url}")]
    Status { url: String, status: u16 },
    #[error("The document at {url} is larger than the {limit} bytes we read")]
    TooLarge { url: String, limit: usize },
    #[error("The document at {url} is not JSON (it was served as \"{content_type}\")")]
    NotJson { url: String, content_type: String },
    #[error("The document at {url} is not valid JSON: {detail}")]
    BadJson { url: String, detail: String },
}

/// The broad kind of a [`FetchError`], for callers that map errors to their own types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Policy said no (private address, plain http, too many redirects or a redirect to
    /// another website, a bad address).
    Refused,
    /// Network trouble, a timeout, or an error answer from the server.
    Unreachable,
    /// HTTP 404.
    NotFound,
    /// HTTP 410.
    Gone,
    /// Something came back that is not a usable JSON document.
    Malformed,
}

impl FetchError {
    /// The broad kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidUrl { .. }
            | Self::PlainHttp { .. }
            | Self::RefusedAddress { .. }
            | Self::RefusedName { .. }
            | Self::TooManyRedirects { .. }
            | Self::OtherWebsite { .. } => ErrorKind::Refused,
            Self::Unreachable { .. } | Self::Timeout { .. } | Self::Status { .. } => {
                ErrorKind::Unreachable
            }
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::Gone { .. } => ErrorKind::Gone,
            Self::BadRedirect { .. }
            | Self::TooLarge { .. }
            | Self::NotJson { .. }
            | Self::BadJson { .. } => ErrorKind::Malformed,
        }
    }
}

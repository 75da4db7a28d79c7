//! What an anonymous visitor gets (issue 12, read side): the permanent credential page
//! `/c/{public_id}`, the share-link pages `/b/{token}` (one badge) and `/s/{token}` (a
//! collection or a program's stack), the embed card, the downloads under a page, and
//! the view counts they feed.
//!
//! - [`resolve`]: from a URL to what may be shown, or why not (404 / 410). A badge is
//!   shown at `/c/` only while it is public; through a share link only while the link
//!   is live (not revoked, not expired) and belongs to the badge's holder; never once
//!   the holder's account is deleted (410).
//! - [`html`]: the server-rendered pages (no WASM, no script but the embed's height
//!   message), every piece of text escaped for its place (content, attribute, JSON-LD).
//! - [`images`]: the baked badge, the Open Graph preview, the e-mail signature image
//!   and the QR codes.
//! - [`views`]: view counting, batched in memory and flushed off the request path.
//!
//! The verdict shown is the one stored on the badge (set when awarded or imported,
//! refreshed whenever its holder opens it and by the background re-check, and set to
//! revoked by a revocation), read through [`crate::server::portfolio::mark`]: anything
//! not known to be verified and active is not shown as such.

pub mod html;
pub mod images;
pub mod resolve;
pub mod views;

pub use resolve::{Gone, PublicError, Resolved, Shared};

/// Where a page was reached from (`?src=`): one of the markers on the links we make,
/// anything else is `direct`.
pub fn source_of(query: Option<&str>) -> &'static str {
    let Some(q) = query else { return "direct" };
    for pair in q.split('&') {
        if let Some(v) = pair.strip_prefix("src=") {
            return match v {
                "linkedin" => "linkedin",
                "email" => "email",
                "qr" => "qr",
                "embed" => "embed",
                _ => "direct",
            };
        }
    }
    "direct"
}

/// Whether `token` looks like a share-link token (43 base64url characters), checked
/// before any lookup.
pub fn is_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_the_known_markers_or_direct() {
        assert_eq!(source_of(None), "direct");
        assert_eq!(source_of(Some("src=qr")), "qr");
        assert_eq!(source_of(Some("a=1&src=linkedin")), "linkedin");
        assert_eq!(source_of(Some("src=evil")), "direct");
        assert_eq!(source_of(Some("src=email&src=qr")), "email");
    }

    #[test]
    fn tokens_are_checked_before_lookup() {
        assert!(is_token(&"A".repeat(43)));
        assert!(is_token("abcdefghijklmnopqrstuvwxyz0123456789-_ABCDE"));
        assert!(!is_token(&"A".repeat(42)));
        assert!(!is_token(&format!("{}=", "A".repeat(42))));
        assert!(!is_token(&format!("{}/", "A".repeat(42))));
    }
}

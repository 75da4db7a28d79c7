//! Every public URL we write into credentials, DID documents and pages is built and
//! parsed here, and the router takes its paths from here too.
//!
//! URLs inside signed credentials can never change, so these shapes are fixed now, also
//! for what later features will sign: achievement (badge class) ids, evidence ids,
//! competency ids, numbered status lists and the platform's own `did:web`. An
//! institution's slug and the public URL must not change once credentials are issued.

use openbadges::keys;

/// Route patterns (axum syntax) for what the server answers itself.
pub mod routes {
    /// The institution's OB 3.0 `Profile`.
    pub const ISSUER_PROFILE: &str = "/issuers/{slug}";
    /// The institution's DID document (`did:web:<host>:issuers:<slug>`).
    pub const ISSUER_DID_DOCUMENT: &str = "/issuers/{slug}/did.json";
    /// The first status list of a purpose (list 0 keeps its original URL).
    pub const STATUS_LIST_FIRST: &str = "/issuers/{slug}/status/{purpose}";
    /// Status list number `n` ≥ 1.
    pub const STATUS_LIST_NUMBERED: &str = "/issuers/{slug}/status/{purpose}/{n}";
    /// One version of a badge as an OB 3.0 `Achievement` (`{version}` is `v1`, `v2`…).
    pub const ACHIEVEMENT: &str = "/issuers/{slug}/achievements/{id}/{version}";
}

/// One kind of public URL, with what identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicUrl {
    /// `{base}/issuers/{slug}`: the Profile.
    IssuerProfile { slug: String },
    /// `{base}/issuers/{slug}/did.json`: the DID document of `did:web:…:issuers:{slug}`.
    IssuerDidDocument { slug: String },
    /// `{base}/issuers/{slug}/status/{purpose}` (list 0) or `…/{purpose}/{list}`.
    StatusList {
        slug: String,
        purpose: String,
        list: u32,
    },
    /// `{base}/issuers/{slug}/achievements/{id}/v{version}`: a badge class as signed;
    /// a new version gets a new id, old credentials keep theirs.
    Achievement {
        slug: String,
        id: uuid::Uuid,
        version: u32,
    },
    /// `{base}/evidence/{token}`: a piece of evidence the learner made public.
    Evidence { token: String },
    /// `{base}/competencies/{slug}`: a competency of the seeded framework.
    Competency { slug: String },
    /// `{base}/issuers/{issuer}/competencies/{slug}`: an institution's own competency.
    InstitutionCompetency { issuer: String, slug: String },
    /// `{base}/c/{id}`: the permanent page of a credential.
    CredentialPage { id: uuid::Uuid },
    /// The platform's own DID document (`did:web:<host>`): `{base}/.well-known/did.json`
    /// (`{base}/did.json` when the public URL has a path).
    PlatformDidDocument,
}

/// Whether a slug is usable in URLs and DIDs: 2–64 of `a-z`, `0-9`, `-`, not starting
/// or ending with `-`.
pub fn is_valid_slug(slug: &str) -> bool {
    (2..=64).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

fn has_path(base: &str) -> bool {
    base.split_once("://")
        .is_some_and(|(_, rest)| rest.contains('/'))
}

fn valid_purpose(p: &str) -> bool {
    matches!(p, "revocation" | "suspension")
}

impl PublicUrl {
    /// The absolute URL under `base` (the public URL, no trailing slash).
    pub fn to_url(&self, base: &str) -> String {
        let base = base.trim_end_matches('/');
        match self {
            Self::IssuerProfile { slug } => format!("{base}/issuers/{slug}"),
            Self::IssuerDidDocument { slug } => format!("{base}/issuers/{slug}/did.json"),
            Self::StatusList {
                slug,
                purpose,
                list: 0,
            } => format!("{base}/issuers/{slug}/status/{purpose}"),
            Self::StatusList {
                slug,
                purpose,
                list,
            } => format!("{base}/issuers/{slug}/status/{purpose}/{list}"),
            Self::Achievement { slug, id, version } => {
                format!("{base}/issuers/{slug}/achievements/{id}/v{version}")
            }
            Self::Evidence { token } => format!("{base}/evidence/{token}"),
            Self::Competency { slug } => format!("{base}/competencies/{slug}"),
            Self::InstitutionCompetency { issuer, slug } => {
                format!("{base}/issuers/{issuer}/competencies/{slug}")
            }
            Self::CredentialPage { id } => format!("{base}/c/{id}"),
            // did:web: a bare host resolves under /.well-known, a host with a path
            // under that path.
            Self::PlatformDidDocument if has_path(base) => format!("{base}/did.json"),
            Self::PlatformDidDocument => format!("{base}/.well-known/did.json"),
        }
    }

    /// Reads one of our URLs back; `None` for anything else (another host included).
    pub fn parse(base: &str, url: &str) -> Option<Self> {
        let base = base.trim_end_matches('/');
        let path = url.strip_prefix(base)?;
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return None;
        }
        let segments: Vec<&str> = path[1..].split('/').collect();
        let found = match segments.as_slice() {
            ["issuers", slug] => Self::IssuerProfile {
                slug: (*slug).into(),
            },
            ["issuers", slug, "did.json"] => Self::IssuerDidDocument {
                slug: (*slug).into(),
            },
            ["issuers", slug, "status", purpose] if valid_purpose(purpose) => Self::StatusList {
                slug: (*slug).into(),
                purpose: (*purpose).into(),
                list: 0,
            },
            ["issuers", slug, "status", purpose, n] if valid_purpose(purpose) => {
                let list: u32 = n.parse().ok().filter(|n| *n >= 1)?;
                // One spelling per list: no leading zeros.
                if n.starts_with('0') {
                    return None;
                }
                Self::StatusList {
                    slug: (*slug).into(),
                    purpose: (*purpose).into(),
                    list,
                }
            }
            ["issuers", slug, "achievements", id, v] => Self::Achievement {
                slug: (*slug).into(),
                id: uuid::Uuid::try_parse(id).ok()?,
                version: v
                    .strip_prefix('v')
                    .filter(|n| !n.starts_with('0'))?
                    .parse()
                    .ok()?,
            },
            ["evidence", token] if !token.is_empty() => Self::Evidence {
                token: (*token).into(),
            },
            ["competencies", slug] => Self::Competency {
                slug: (*slug).into(),
            },
            ["issuers", issuer, "competencies", slug] => Self::InstitutionCompetency {
                issuer: (*issuer).into(),
                slug: (*slug).into(),
            },
            ["c", id] => Self::CredentialPage {
                id: uuid::Uuid::try_parse(id).ok()?,
            },
            [".well-known", "did.json"] | ["did.json"] => Self::PlatformDidDocument,
            _ => return None,
        };
        // Slugs must be ones we could have made.
        let slugs_ok = match &found {
            Self::IssuerProfile { slug }
            | Self::IssuerDidDocument { slug }
            | Self::StatusList { slug, .. }
            | Self::Achievement { slug, .. }
            | Self::Competency { slug } => is_valid_slug(slug),
            Self::InstitutionCompetency { issuer, slug } => {
                is_valid_slug(issuer) && is_valid_slug(slug)
            }
            Self::Evidence { token } => token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            Self::CredentialPage { .. } | Self::PlatformDidDocument => true,
        };
        (slugs_ok && found.to_url(base) == url).then_some(found)
    }
}

/// The DID of an institution: `did:web:<host>[:path]:issuers:<slug>`.
pub fn issuer_did(base: &str, slug: &str) -> String {
    keys::did_web(base, slug)
}

/// The platform's own DID (it will sign endorsements): `did:web:<host>[:path]`.
pub fn platform_did(base: &str) -> String {
    let issuer = keys::did_web(base, "x");
    issuer
        .strip_suffix(":issuers:x")
        .unwrap_or(&issuer)
        .to_string()
}

/// Which of our documents a DID names: an institution's DID document, or the platform's.
pub fn parse_did(base: &str, did: &str) -> Option<PublicUrl> {
    if did == platform_did(base) {
        return Some(PublicUrl::PlatformDidDocument);
    }
    let slug = did.strip_prefix(&issuer_did(base, ""))?;
    is_valid_slug(slug).then(|| PublicUrl::IssuerDidDocument { slug: slug.into() })
}

/// Where a DID's document is served (the did:web resolution rule), for our DIDs.
pub fn did_document_url(base: &str, did: &str) -> Option<String> {
    parse_did(base, did).map(|u| u.to_url(base))
}

/// The verification method id of a key of an institution.
pub fn issuer_key_id(base: &str, slug: &str, public_multibase: &str) -> String {
    keys::verification_method(&issuer_did(base, slug), public_multibase)
}

/// The status list URL of an institution's list.
pub fn status_list(base: &str, slug: &str, purpose: &str, list: u32) -> String {
    PublicUrl::StatusList {
        slug: slug.into(),
        purpose: purpose.into(),
        list,
    }
    .to_url(base)
}

/// Pages of the account links sent by mail (the token travels in the query string; the
/// pages never act on a GET, a button posts it).
pub mod account {
    /// Confirms an address (a new account's, or the new one of a change of address).
    pub const CONFIRM: &str = "/account/confirm";
    /// Sets a new password with a reset link.
    pub const RESET: &str = "/account/reset";
    /// Asks for a reset link.
    pub const FORGOT: &str = "/forgot";
    /// The platform admins' view of every mail sent.
    pub const OUTBOX: &str = "/admin/outbox";
}

/// The absolute link that confirms an address: `{base}/account/confirm?token=…`.
pub fn confirm_email_link(base: &str, token: &str) -> String {
    format!(
        "{}{}?token={token}",
        base.trim_end_matches('/'),
        account::CONFIRM
    )
}

/// The absolute link that resets a password: `{base}/account/reset?token=…`.
pub fn reset_password_link(base: &str, token: &str) -> String {
    format!(
        "{}{}?token={token}",
        base.trim_end_matches('/'),
        account::RESET
    )
}

/// The absolute URL of a page of ours (`path` starts with `/`).
pub fn page(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Where a visitor came from, marked on every link to a public page we hand out
/// (`?src=`); a page reached without a known marker counts as `direct`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    LinkedIn,
    Email,
    Embed,
    Qr,
}

impl Source {
    /// The marker's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LinkedIn => "linkedin",
            Self::Email => "email",
            Self::Embed => "embed",
            Self::Qr => "qr",
        }
    }
}

/// `url` with the source marker (`?src=…`, or `&src=…` after a query).
pub fn with_source(url: &str, source: Source) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}src={}", source.as_str())
}

/// `/c/{id}`: the permanent page of a credential (an award or an imported badge).
pub fn credential_path(id: uuid::Uuid) -> String {
    format!("/c/{id}")
}

/// `{base}/c/{id}`: [`credential_path`], absolute (the URL of
/// [`PublicUrl::CredentialPage`]).
pub fn credential_url(base: &str, id: uuid::Uuid) -> String {
    page(base, &credential_path(id))
}

/// A file under a public badge page (`{page}/og.png`, `{page}/signature.png`…).
pub fn page_file(page: &str, file: &str) -> String {
    format!("{page}/{file}")
}

/// `/b/{token}`: a share link to one badge.
pub fn badge_link_path(token: &str) -> String {
    format!("/b/{token}")
}

/// `/s/{token}`: a share link to a collection or a program's stack.
pub fn set_link_path(token: &str) -> String {
    format!("/s/{token}")
}

/// `{base}/b/{token}` or `{base}/s/{token}`: a share link of this kind
/// (`share_link::KIND_*`), absolute.
pub fn share_link_url(base: &str, kind: &str, token: &str) -> String {
    let path = if kind == crate::server::entities::share_link::KIND_BADGE {
        badge_link_path(token)
    } else {
        set_link_path(token)
    };
    page(base, &path)
}

/// `{base}/embed/c/{id}`: the embed card of a credential's permanent page.
pub fn credential_embed_url(base: &str, id: uuid::Uuid) -> String {
    page(base, &format!("/embed{}", credential_path(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://badges.example.edu";

    #[test]
    fn shared_pages_and_their_source_markers() {
        let id = uuid::Uuid::nil();
        let c = format!("{BASE}/c/{id}");
        assert_eq!(credential_url(BASE, id), c);
        assert_eq!(credential_url(&format!("{BASE}/"), id), c);
        assert_eq!(
            credential_url(BASE, id),
            PublicUrl::CredentialPage { id }.to_url(BASE)
        );
        assert_eq!(
            PublicUrl::parse(BASE, &credential_url(BASE, id)),
            Some(PublicUrl::CredentialPage { id })
        );
        assert_eq!(
            credential_embed_url(BASE, id),
            format!("{BASE}/embed/c/{id}")
        );
        assert_eq!(
            share_link_url(BASE, "badge", "tok"),
            format!("{BASE}/b/tok")
        );
        assert_eq!(
            share_link_url(BASE, "collection", "tok"),
            format!("{BASE}/s/tok")
        );
        assert_eq!(
            share_link_url(BASE, "stack", "tok"),
            format!("{BASE}/s/tok")
        );
        assert_eq!(
            with_source(&c, Source::LinkedIn),
            format!("{c}?src=linkedin")
        );
        assert_eq!(
            with_source(&format!("{c}?a=1"), Source::Qr),
            format!("{c}?a=1&src=qr")
        );
        for s in [Source::LinkedIn, Source::Email, Source::Embed, Source::Qr] {
            // Every marker we hand out is one the public pages count.
            let url = with_source(&c, s);
            let query = url.split_once('?').map(|(_, q)| q);
            assert_eq!(crate::server::public_pages::source_of(query), s.as_str());
        }
    }

    fn every_kind() -> Vec<PublicUrl> {
        // A new kind of URL must be added below: this match does not compile without it.
        let _exhaustive = |k: &PublicUrl| match k {
            PublicUrl::IssuerProfile { .. }
            | PublicUrl::IssuerDidDocument { .. }
            | PublicUrl::StatusList { .. }
            | PublicUrl::Achievement { .. }
            | PublicUrl::Evidence { .. }
            | PublicUrl::Competency { .. }
            | PublicUrl::InstitutionCompetency { .. }
            | PublicUrl::CredentialPage { .. }
            | PublicUrl::PlatformDidDocument => (),
        };
        vec![
            PublicUrl::IssuerProfile {
                slug: "demo".into(),
            },
            PublicUrl::IssuerDidDocument {
                slug: "demo".into(),
            },
            PublicUrl::StatusList {
                slug: "demo".into(),
                purpose: "revocation".into(),
                list: 0,
            },
            PublicUrl::StatusList {
                slug: "demo".into(),
                purpose: "revocation".into(),
                list: 12,
            },
            PublicUrl::Achievement {
                slug: "demo".into(),
                id: uuid::Uuid::from_u128(7),
                version: 3,
            },
            PublicUrl::Evidence {
                token: "Zx9-_aB".into(),
            },
            PublicUrl::Competency {
                slug: "critical-thinking".into(),
            },
            PublicUrl::InstitutionCompetency {
                issuer: "demo".into(),
                slug: "lab-safety".into(),
            },
            PublicUrl::CredentialPage {
                id: uuid::Uuid::from_u128(9),
            },
            PublicUrl::PlatformDidDocument,
        ]
    }

    #[test]
    fn every_kind_round_trips_and_list_zero_keeps_its_url() {
        for kind in every_kind() {
            let url = kind.to_url(BASE);
            assert_eq!(PublicUrl::parse(BASE, &url), Some(kind.clone()), "{url}");
            // With a path prefix and a port too.
            let other = "http://127.0.0.1:3000/badges";
            assert_eq!(PublicUrl::parse(other, &kind.to_url(other)), Some(kind));
        }
        assert_eq!(
            status_list(BASE, "demo", "revocation", 0),
            "https://badges.example.edu/issuers/demo/status/revocation"
        );
        assert_eq!(
            status_list(BASE, "demo", "revocation", 2),
            "https://badges.example.edu/issuers/demo/status/revocation/2"
        );
    }

    #[test]
    fn foreign_and_odd_urls_are_not_ours() {
        for url in [
            "https://evil.example/issuers/demo",
            "https://badges.example.edu.evil.example/issuers/demo",
            "https://badges.example.edu/issuers/demo/status/revocation/0",
            "https://badges.example.edu/issuers/demo/status/revocation/01",
            "https://badges.example.edu/issuers/demo/status/other",
            "https://badges.example.edu/issuers/De mo",
            "https://badges.example.edu/issuers/demo?x=1",
            "https://badges.example.edu/issuers/demo/achievements/not-a-uuid/v1",
            "https://badges.example.edu/issuers/demo/achievements/00000000-0000-0000-0000-000000000007/v0",
            "https://badges.example.edu/c/123",
            "https://badges.example.edu/issuers/../did.json",
        ] {
            assert_eq!(PublicUrl::parse(BASE, url), None, "{url}");
        }
    }

    #[test]
    fn dids_resolve_to_the_urls_we_serve() {
        let did = issuer_did(BASE, "demo");
        assert_eq!(did, "did:web:badges.example.edu:issuers:demo");
        assert_eq!(
            did_document_url(BASE, &did).as_deref(),
            Some("https://badges.example.edu/issuers/demo/did.json")
        );
        assert_eq!(platform_did(BASE), "did:web:badges.example.edu");
        assert_eq!(
            did_document_url(BASE, "did:web:badges.example.edu").as_deref(),
            Some("https://badges.example.edu/.well-known/did.json")
        );
        assert_eq!(
            platform_did("http://127.0.0.1:3000"),
            "did:web:127.0.0.1%3A3000"
        );
        assert_eq!(parse_did(BASE, "did:web:other.example:issuers:demo"), None);
        assert_eq!(
            parse_did(BASE, "did:web:badges.example.edu:issuers:x:y"),
            None
        );
    }

    #[test]
    fn slugs_are_url_safe() {
        assert!(is_valid_slug("demo"));
        assert!(is_valid_slug("state-u-2"));
        for bad in ["", "a", "-demo", "demo-", "Demo", "de mo", "dé", "a/b"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn account_links_are_absolute_under_the_public_url() {
        assert_eq!(
            confirm_email_link("https://badges.example.edu/", "Zx9-_aB"),
            "https://badges.example.edu/account/confirm?token=Zx9-_aB"
        );
        assert_eq!(
            reset_password_link("http://127.0.0.1:3000/badges", "t"),
            "http://127.0.0.1:3000/badges/account/reset?token=t"
        );
    }
}

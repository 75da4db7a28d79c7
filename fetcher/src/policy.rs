//! Checks on an address before anything is sent: scheme, host name, IP literal. Host
//! names are checked again after DNS resolution (see `dns`), and every redirect goes
//! through here again.

use std::net::IpAddr;

use url::{Host, Url};

use crate::{
    DocumentKind,
    address::{self, AddressClass},
    error::FetchError,
};

/// Names that never lead to a public website: cloud metadata services and local-only
/// suffixes.
const REFUSED_SUFFIXES: &[&str] = &[
    ".internal",
    ".local",
    ".localdomain",
    ".home.arpa",
    ".intranet",
    ".corp",
    ".lan",
];
const REFUSED_NAMES: &[&str] = &["metadata.goog", "metadata", "instance-data"];

/// Whether a host name is `localhost` or under `.localhost` (always loopback, RFC 6761).
pub fn is_localhost_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// Whether the URL's host is a loopback IP literal or a `localhost` name.
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => address::classify(IpAddr::V4(ip)) == AddressClass::Loopback,
        Some(Host::Ipv6(ip)) => address::classify(IpAddr::V6(ip)) == AddressClass::Loopback,
        Some(Host::Domain(name)) => is_localhost_name(name),
        None => false,
    }
}

/// Checks a host name before it is looked up.
///
/// # Errors
/// Names of local-only or metadata hosts, single-label names, and `localhost` unless
/// loopback is allowed.
pub fn check_name(host: &str, allow_loopback: bool) -> Result<(), FetchError> {
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if is_localhost_name(&name) {
        return if allow_loopback {
            Ok(())
        } else {
            Err(FetchError::RefusedAddress {
                host: host.to_string(),
                class: AddressClass::Loopback,
            })
        };
    }
    let refused = !name.contains('.')
        || REFUSED_NAMES.contains(&name.as_str())
        || REFUSED_SUFFIXES.iter().any(|s| name.ends_with(s));
    if refused {
        return Err(FetchError::RefusedName {
            host: host.to_string(),
        });
    }
    Ok(())
}

/// Checks an IP address we are about to connect to.
///
/// # Errors
/// Anything but a public address (or loopback, when allowed).
pub fn check_ip(host: &str, ip: IpAddr, allow_loopback: bool) -> Result<(), FetchError> {
    if address::is_allowed(ip, allow_loopback) {
        Ok(())
    } else {
        Err(FetchError::RefusedAddress {
            host: host.to_string(),
            class: address::classify(ip),
        })
    }
}

/// Checks a URL before a request: scheme (https, or http where the kind allows it or
/// for an allowed loopback host), no credentials in it, and its host.
///
/// # Errors
/// The first rule it breaks.
pub fn check_url(url: &Url, kind: DocumentKind, allow_loopback: bool) -> Result<(), FetchError> {
    let invalid = || FetchError::InvalidUrl {
        url: url.to_string(),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid());
    }
    // The address first: a refusal names the real problem (a private address) rather
    // than the scheme.
    match url.host() {
        Some(Host::Ipv4(ip)) => check_ip(&ip.to_string(), IpAddr::V4(ip), allow_loopback),
        Some(Host::Ipv6(ip)) => check_ip(&format!("[{ip}]"), IpAddr::V6(ip), allow_loopback),
        Some(Host::Domain(name)) => check_name(name, allow_loopback),
        None => Err(invalid()),
    }?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback_ok = allow_loopback && is_loopback_host(url);
            if !kind.allows_plain_http() && !loopback_ok {
                return Err(FetchError::PlainHttp {
                    url: url.to_string(),
                });
            }
        }
        _ => return Err(invalid()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn check(url: &str, kind: DocumentKind, allow_loopback: bool) -> Result<(), FetchError> {
        check_url(&Url::parse(url).expect("url"), kind, allow_loopback)
    }

    #[test]
    fn literal_addresses_are_checked_in_every_spelling() {
        for url in [
            "https://127.0.0.1/x",
            "https://10.0.0.1/x",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[::ffff:a9fe:a9fe]/x",
            "https://[fd00::1]/x",
            "https://2130706433/x", // 127.0.0.1 as a number
            "https://0x7f.1/x",     // 127.0.0.1 in hex shorthand
            "https://0177.0.0.1/x", // octal
            "https://167772161/x",  // 10.0.0.1
            "https://0/x",
        ] {
            let e = check(url, DocumentKind::Document, false).expect_err(url);
            assert_eq!(e.kind(), ErrorKind::Refused, "{url}");
        }
        check("https://8.8.8.8/x", DocumentKind::Document, false).expect("public");
        check(
            "https://[2606:4700:4700::1111]/x",
            DocumentKind::Document,
            false,
        )
        .expect("public");
    }

    #[test]
    fn loopback_opens_only_with_the_setting_and_never_mapped_or_private() {
        check("https://127.0.0.1/x", DocumentKind::DidDocument, true).expect("loopback");
        check("https://[::1]/x", DocumentKind::DidDocument, true).expect("loopback");
        check("https://localhost/x", DocumentKind::DidDocument, true).expect("loopback");
        // Plain http too, for loopback hosts only.
        check("http://127.0.0.1:8080/x", DocumentKind::DidDocument, true).expect("http loopback");
        check("http://localhost:8080/x", DocumentKind::Jwks, true).expect("http loopback");
        for url in [
            "https://10.0.0.1/x",
            "https://169.254.169.254/x",
            "https://[::ffff:127.0.0.1]/x",
            "http://example.com/x",
        ] {
            check(url, DocumentKind::DidDocument, true).expect_err(url);
        }
        let e = check("https://localhost/x", DocumentKind::Document, false).expect_err("off");
        assert_eq!(
            e.to_string(),
            "localhost is a loopback address (this machine itself), which we never fetch from"
        );
    }

    #[test]
    fn plain_http_only_for_open_badges_2_objects() {
        for kind in [
            DocumentKind::DidDocument,
            DocumentKind::Jwks,
            DocumentKind::Document,
        ] {
            let e = check("http://example.com/x", kind, false).expect_err("http");
            assert!(matches!(e, FetchError::PlainHttp { .. }), "{kind:?}");
        }
        check("http://example.com/x", DocumentKind::Ob2Hosted, false).expect("ob2");
        check("ftp://example.com/x", DocumentKind::Ob2Hosted, false).expect_err("ftp");
        check("file:///etc/passwd", DocumentKind::Ob2Hosted, false).expect_err("file");
        check(
            "https://user:pw@example.com/x",
            DocumentKind::Document,
            false,
        )
        .expect_err("creds");
    }

    #[test]
    fn local_and_metadata_names_are_refused_before_lookup() {
        for host in [
            "metadata.google.internal",
            "metadata.goog",
            "metadata",
            "instance-data",
            "printer.local",
            "intranet",
            "foo.localdomain",
            "router.home.arpa",
            "localhost",
            "a.localhost",
            "LOCALHOST.",
        ] {
            check_name(host, false).expect_err(host);
        }
        check_name("example.com", false).expect("public name");
        check_name("badges.example.edu.", false).expect("public name");
    }
}

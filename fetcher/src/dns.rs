//! Name resolution that hands the HTTP client only addresses that passed the check, so
//! the connection goes to the address that was checked (no second lookup).

use std::{
    future::Future,
    io,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::Arc,
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::{address, error::FetchError, policy};

/// A future of looked-up addresses.
pub type LookupFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// Turns a host name into addresses. The system resolver in production; tests give a
/// fixed table.
pub trait Lookup: Send + Sync + 'static {
    /// Every address of `host`.
    fn lookup(&self, host: &str) -> LookupFuture;
}

/// The operating system's resolver (`getaddrinfo`, on tokio's blocking pool).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemLookup;

/// Top-level names reserved never to resolve (RFC 2606, RFC 6761): answered "no
/// address" without asking DNS, so examples and tests stay off the network.
const NEVER_RESOLVED: [&str; 3] = [".example", ".invalid", ".test"];

/// Whether `host` is under a top-level name that never resolves.
pub fn never_resolves(host: &str) -> bool {
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    NEVER_RESOLVED
        .iter()
        .any(|tld| name.ends_with(tld) || name == tld[1..])
}

impl Lookup for SystemLookup {
    fn lookup(&self, host: &str) -> LookupFuture {
        let host = host.to_string();
        Box::pin(async move {
            if never_resolves(&host) {
                return Ok(Vec::new());
            }
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// A refusal carried through the HTTP client's error chain, to be turned back into
/// the [`FetchError`] it stands for.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct Blocked(pub FetchError);

/// The addresses of `host` that may be connected to.
///
/// # Errors
/// When none is left: the refusal of the first refused address, or "could not be
/// reached" when the name had no address at all.
pub fn allowed_addresses(
    host: &str,
    addrs: &[IpAddr],
    allow_loopback: bool,
) -> Result<Vec<IpAddr>, FetchError> {
    let allowed: Vec<IpAddr> = addrs
        .iter()
        .copied()
        .filter(|ip| address::is_allowed(*ip, allow_loopback))
        .collect();
    if !allowed.is_empty() {
        return Ok(allowed);
    }
    match addrs.first() {
        Some(ip) => Err(FetchError::RefusedAddress {
            host: host.to_string(),
            class: address::classify(*ip),
        }),
        None => Err(FetchError::Unreachable {
            detail: format!("{host} has no address"),
        }),
    }
}

/// The resolver given to the HTTP client.
pub(crate) struct GuardedResolver {
    pub(crate) lookup: Arc<dyn Lookup>,
    pub(crate) allow_loopback: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let allow_loopback = self.allow_loopback;
        let lookup = self.lookup.clone();
        Box::pin(async move {
            // `Blocked` itself goes into the client's error box (not a `Box<Blocked>`), so
            // the fetcher can find it again with `downcast_ref`.
            // Names are checked before `check_url` sends anything, but a resolver that
            // refuses on its own keeps the rule where the connection is made.
            policy::check_name(&host, allow_loopback).map_err(Blocked)?;
            let addrs = lookup.lookup(&host).await.map_err(|e| {
                Blocked(FetchError::Unreachable {
                    detail: format!("{host} could not be looked up: {e}"),
                })
            })?;
            let allowed = allowed_addresses(&host, &addrs, allow_loopback).map_err(Blocked)?;
            let addrs: Addrs = Box::new(allowed.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().expect("ip")).collect()
    }

    #[test]
    fn only_checked_addresses_are_handed_on() {
        let mixed = ips(&["10.0.0.5", "93.184.215.14", "::ffff:127.0.0.1"]);
        assert_eq!(
            allowed_addresses("mixed.example", &mixed, false).expect("one public"),
            ips(&["93.184.215.14"])
        );
        let private = ips(&["10.1.2.3", "fd00::3"]);
        let e = allowed_addresses("intranet.example", &private, true).expect_err("private");
        assert_eq!(
            e.to_string(),
            "intranet.example is a private network address, which we never fetch from"
        );
        let loopback = ips(&["127.0.0.1", "::1"]);
        allowed_addresses("localhost", &loopback, false).expect_err("loopback off");
        assert_eq!(
            allowed_addresses("localhost", &loopback, true).expect("loopback on"),
            loopback
        );
        allowed_addresses("nothing.example", &[], true).expect_err("no address");
    }

    #[tokio::test]
    async fn reserved_names_are_not_looked_up() {
        for host in [
            "elsewhere.example",
            "a.b.invalid",
            "issuer.test.",
            "EXAMPLE",
        ] {
            assert!(never_resolves(host), "{host}");
            assert_eq!(
                SystemLookup.lookup(host).await.expect("no error"),
                Vec::<IpAddr>::new()
            );
        }
        for host in ["example.com", "test.org", "examples.edu"] {
            assert!(!never_resolves(host), "{host}");
        }
    }
}

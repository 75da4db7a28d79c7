//! Who is the client? The TCP peer, unless that peer is one of our trusted reverse
//! proxies; then the address that proxy says it was talking to.
//!
//! Forwarding headers are written by whoever sends them, so only the part added by our
//! own proxies can be believed: the chain in `X-Forwarded-For` (or `Forwarded: for=`) is
//! read from the right, skipping our proxies, and the first address that is not one of
//! them is the client. Anything to its left was supplied by the client itself.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use http::HeaderMap;
use ipnet::IpNet;

/// Which forwarding header our proxies write. Only that one is read: a proxy passes the
/// other one on as the client sent it, so reading it would let any client pick its
/// address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardingHeader {
    /// `X-Forwarded-For: client, proxy1, …` (nginx, most load balancers).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

impl std::str::FromStr for ForwardingHeader {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(Self::XForwardedFor),
            "forwarded" => Ok(Self::Forwarded),
            other => Err(format!(
                "`{other}` is not a forwarding header: use x-forwarded-for or forwarded"
            )),
        }
    }
}

/// The client address of a request that arrived from `peer` with `headers`, reading
/// `X-Forwarded-For`.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    resolve_with(peer, headers, trusted, ForwardingHeader::XForwardedFor)
}

/// The client address, reading the forwarding header our proxies write.
pub fn resolve_with(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardingHeader,
) -> IpAddr {
    let peer = canonical(peer);
    if !is_trusted(peer, trusted) {
        return peer;
    }
    let chain = forwarded_chain(headers, header);
    let mut leftmost = None;
    for hop in chain.iter().rev() {
        match hop {
            // The proxy passed on something that is not an address ("unknown", an
            // obfuscated name): nothing further left can be believed.
            None => return leftmost.unwrap_or(peer),
            Some(ip) if is_trusted(*ip, trusted) => leftmost = Some(*ip),
            Some(ip) => return *ip,
        }
    }
    // No header, or every hop is one of our proxies: the left-most one is the client.
    leftmost.unwrap_or(peer)
}

/// The key a client is rate limited by: its IPv4 address, or the /64 network of its
/// IPv6 address (one subscriber usually holds a whole /64), with IPv4-mapped IPv6
/// addresses treated as the IPv4 address they are.
pub fn rate_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let net = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(Ipv6Addr::from(net))
        }
        v4 => v4,
    }
}

/// Parses a comma-separated list of CIDRs (`10.0.0.0/8, ::1/128`); a bare address
/// stands for itself alone.
///
/// # Errors
/// Names the first entry that is neither a CIDR nor an address.
pub fn parse_cidrs(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| format!("`{s}` is not a CIDR such as 10.0.0.0/8 or an IP address"))
        })
        .collect()
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// The forwarding chain of the configured header, left (original client) to right (the
/// hop nearest to us); `None` for a hop that is not an address.
fn forwarded_chain(headers: &HeaderMap, header: ForwardingHeader) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    };
    if header == ForwardingHeader::XForwardedFor {
        return values("x-forwarded-for")
            .iter()
            .flat_map(|v| v.split(','))
            .map(|hop| parse_hop(hop.trim()))
            .collect();
    }
    values("forwarded")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, v)| parse_hop(v.trim().trim_matches('"')))
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:443`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(addr) = hop.parse::<SocketAddr>() {
        return Some(canonical(addr.ip()));
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, http::HeaderValue::from_static(v));
        }
        h
    }

    fn trusted() -> Vec<IpNet> {
        parse_cidrs("10.0.0.0/8, 2001:db8:ffff::/48, 192.0.2.5").expect("cidrs")
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(
            resolve(ip("203.0.113.7"), &h, &trusted()),
            ip("203.0.113.7")
        );
        assert_eq!(resolve(ip("203.0.113.7"), &h, &[]), ip("203.0.113.7"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_spoofed_hops_are_ignored() {
        let t = trusted();
        let h = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(resolve(ip("10.1.2.3"), &h, &t), ip("198.51.100.1"));
        // The client wrote "1.1.1.1" itself; our proxies appended the rest.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 198.51.100.1, 10.0.0.9")]);
        assert_eq!(resolve(ip("10.1.2.3"), &h, &t), ip("198.51.100.1"));
        // Several header lines form one list.
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "198.51.100.2"),
        ]);
        assert_eq!(resolve(ip("192.0.2.5"), &h, &t), ip("198.51.100.2"));
        // No header: the proxy itself.
        assert_eq!(
            resolve(ip("10.1.2.3"), &HeaderMap::new(), &t),
            ip("10.1.2.3")
        );
        // Only proxies: the left-most of them.
        let h = headers(&[("x-forwarded-for", "10.9.9.9, 10.0.0.9")]);
        assert_eq!(resolve(ip("10.1.2.3"), &h, &t), ip("10.9.9.9"));
        // Garbage from the nearest hop: nothing to its left is believed.
        let h = headers(&[("x-forwarded-for", "198.51.100.1, unknown")]);
        assert_eq!(resolve(ip("10.1.2.3"), &h, &t), ip("10.1.2.3"));
    }

    #[test]
    fn forwarded_header_is_read_when_configured() {
        let t = trusted();
        let fwd = |h: &HeaderMap| resolve_with(ip("10.1.2.3"), h, &t, ForwardingHeader::Forwarded);
        let h = headers(&[(
            "forwarded",
            r#"for=1.1.1.1, for="[2001:db8:cafe::17]:4711";proto=https, For=10.0.0.2;by=10.0.0.1"#,
        )]);
        assert_eq!(fwd(&h), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "for=198.51.100.3:8080")]);
        assert_eq!(fwd(&h), ip("198.51.100.3"));
        let h = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(fwd(&h), ip("10.1.2.3"));
    }

    #[test]
    fn only_the_header_our_proxy_writes_is_believed() {
        let t = trusted();
        // The proxy writes Forwarded and passes the client's own X-Forwarded-For on.
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("forwarded", "for=198.51.100.7"),
        ]);
        assert_eq!(
            resolve_with(ip("10.1.2.3"), &h, &t, ForwardingHeader::Forwarded),
            ip("198.51.100.7")
        );
        // And the other way round.
        let h = headers(&[
            ("forwarded", "for=6.6.6.6"),
            ("x-forwarded-for", "198.51.100.8"),
        ]);
        assert_eq!(resolve(ip("10.1.2.3"), &h, &t), ip("198.51.100.8"));
        assert_eq!(
            "Forwarded".parse::<ForwardingHeader>(),
            Ok(ForwardingHeader::Forwarded)
        );
        assert!("via".parse::<ForwardingHeader>().is_err());
    }

    #[test]
    fn mapped_and_ipv6_peers() {
        let t = trusted();
        let h = headers(&[("x-forwarded-for", "::ffff:198.51.100.1")]);
        // An IPv4 proxy seen through an IPv6 socket is still trusted.
        assert_eq!(resolve(ip("::ffff:10.1.2.3"), &h, &t), ip("198.51.100.1"));
        let h = headers(&[("x-forwarded-for", "2001:db8:1::1")]);
        assert_eq!(resolve(ip("2001:db8:ffff::1"), &h, &t), ip("2001:db8:1::1"));
    }

    #[test]
    fn rate_keys_are_ipv4_addresses_or_ipv6_slash_64s() {
        assert_eq!(rate_key(ip("198.51.100.1")), ip("198.51.100.1"));
        assert_eq!(rate_key(ip("::ffff:198.51.100.1")), ip("198.51.100.1"));
        assert_eq!(rate_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            rate_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            rate_key(ip("2001:db8:1:2::5"))
        );
        assert_ne!(
            rate_key(ip("2001:db8:1:2::1")),
            rate_key(ip("2001:db8:1:3::1"))
        );
    }

    #[test]
    fn cidr_lists_parse_and_errors_name_the_entry() {
        let nets = parse_cidrs(" 10.0.0.0/8 ,192.0.2.1,::1/128,").expect("parse");
        assert_eq!(nets.len(), 3);
        assert!(nets[1].contains(&ip("192.0.2.1")));
        assert!(!nets[1].contains(&ip("192.0.2.2")));
        assert!(parse_cidrs("").expect("empty").is_empty());
        let err = parse_cidrs("10.0.0.0/8, bogus").expect_err("bogus");
        assert!(err.contains("bogus"), "{err}");
        assert!(parse_cidrs("10.0.0.0/33").is_err());
    }
}

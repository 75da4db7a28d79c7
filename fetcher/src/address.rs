//! Which IP addresses we may connect to. Pure functions, so every range is unit-tested.
//!
//! Public means globally reachable unicast. Everything else is refused: loopback (unless
//! the `allow_loopback` setting), private and unique-local ranges, link-local (with the
//! cloud metadata address), shared address space (CGNAT), multicast, unspecified,
//! broadcast, documentation, benchmarking and reserved ranges. IPv6 forms that carry an
//! IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the address they carry,
//! and IPv6 outside the global unicast block `2000::/3` is refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address something is, for the check and for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    Loopback,
    Private,
    LinkLocal,
    /// A cloud provider's instance metadata service (169.254.169.254 and friends).
    Metadata,
    /// Shared address space of carrier-grade NAT, 100.64.0.0/10.
    SharedAddressSpace,
    Multicast,
    Unspecified,
    Broadcast,
    Documentation,
    Benchmarking,
    Reserved,
}

impl AddressClass {
    /// Words for "… is a {description}".
    pub fn description(self) -> &'static str {
        match self {
            Self::Public => "public address",
            Self::Loopback => "loopback address (this machine itself)",
            Self::Private => "private network address",
            Self::LinkLocal => "link-local network address",
            Self::Metadata => "cloud metadata address",
            Self::SharedAddressSpace => "carrier-grade NAT address",
            Self::Multicast => "multicast address",
            Self::Unspecified => "unspecified address",
            Self::Broadcast => "broadcast address",
            Self::Documentation => "documentation address",
            Self::Benchmarking => "benchmarking address",
            Self::Reserved => "reserved address",
        }
    }
}

/// The class of an address (IPv4 forms inside IPv6 are judged by the IPv4 address,
/// except that a mapped or compatible loopback is never "loopback": it is refused even
/// when loopback is allowed).
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// Whether we may connect to `ip`.
pub fn is_allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    match classify(ip) {
        AddressClass::Public => true,
        AddressClass::Loopback => allow_loopback,
        _ => false,
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    let n = Ipv6Addr::new(
        net[0], net[1], net[2], net[3], net[4], net[5], net[6], net[7],
    );
    (u128::from(ip) & mask) == (u128::from(n) & mask)
}

/// The IPv4 class; see the module docs.
pub fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    use AddressClass::*;
    const METADATA: [[u8; 4]; 3] = [
        [169, 254, 169, 254], // AWS, GCP, Azure, OpenStack, …
        [100, 100, 100, 200], // Alibaba Cloud
        [192, 0, 0, 192],     // Oracle Cloud
    ];
    if METADATA.iter().any(|m| ip.octets() == *m) {
        return Metadata;
    }
    let table: &[([u8; 4], u32, AddressClass)] = &[
        ([255, 255, 255, 255], 32, Broadcast),
        ([0, 0, 0, 0], 32, Unspecified),
        ([0, 0, 0, 0], 8, Reserved), // "this network"
        ([10, 0, 0, 0], 8, Private),
        ([100, 64, 0, 0], 10, SharedAddressSpace),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([172, 16, 0, 0], 12, Private),
        ([192, 0, 0, 0], 24, Reserved), // IETF protocol assignments
        ([192, 0, 2, 0], 24, Documentation),
        ([192, 88, 99, 0], 24, Reserved), // 6to4 relay anycast (deprecated)
        ([192, 168, 0, 0], 16, Private),
        ([198, 18, 0, 0], 15, Benchmarking),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([224, 0, 0, 0], 4, Multicast),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    table
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map_or(Public, |(_, _, class)| *class)
}

/// An IPv4-derived class seen through IPv6: loopback stays refused (only `::1` and
/// 127/8 are the loopback the setting opens).
fn embedded(v4: Ipv4Addr) -> AddressClass {
    match classify_v4(v4) {
        AddressClass::Loopback => AddressClass::Reserved,
        other => other,
    }
}

/// The IPv6 class; see the module docs.
pub fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    use AddressClass::*;
    if ip == Ipv6Addr::LOCALHOST {
        return Loopback;
    }
    if ip == Ipv6Addr::UNSPECIFIED {
        return Unspecified;
    }
    let s = ip.segments();
    let low_v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96) {
        return embedded(low_v4);
    }
    if in_v6(ip, [0; 8], 96) {
        return match embedded(low_v4) {
            Public => Reserved,
            other => other,
        };
    }
    // NAT64: the well-known prefix carries a public IPv4 address; the local-use one is private.
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return embedded(low_v4);
    }
    if in_v6(ip, [0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48) {
        return Private;
    }
    // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return embedded(v4);
    }
    let table: &[([u16; 8], u32, AddressClass)] = &[
        ([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254], 128, Metadata), // AWS over IPv6
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, Reserved),           // discard-only
        ([0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48, Benchmarking),
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, Documentation),
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, Reserved), // IETF protocol assignments, Teredo
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, Documentation),
        ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, Reserved), // SRv6 SIDs
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, Private),   // unique local
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, LinkLocal),
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, Private), // site-local (deprecated)
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, Multicast),
    ];
    if let Some((_, _, class)) = table
        .iter()
        .find(|(net, prefix, _)| in_v6(ip, *net, *prefix))
    {
        return *class;
    }
    // Only 2000::/3 is handed out as global unicast.
    if in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        Public
    } else {
        Reserved
    }
}

#[cfg(test)]
mod tests {
    use super::AddressClass::*;
    use super::*;

    fn c(s: &str) -> AddressClass {
        classify(s.parse().expect("address"))
    }

    #[test]
    fn ipv4_ranges() {
        for (ip, class) in [
            ("8.8.8.8", Public),
            ("1.1.1.1", Public),
            ("93.184.215.14", Public),
            ("172.15.255.255", Public),
            ("172.32.0.1", Public),
            ("100.63.255.255", Public),
            ("100.128.0.0", Public),
            ("198.17.255.255", Public),
            ("198.20.0.0", Public),
            ("223.255.255.255", Public),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("10.0.0.1", Private),
            ("10.255.255.255", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.168.1.1", Private),
            ("169.254.0.1", LinkLocal),
            ("169.254.169.254", Metadata),
            ("100.100.100.200", Metadata),
            ("192.0.0.192", Metadata),
            ("100.64.0.1", SharedAddressSpace),
            ("100.127.255.255", SharedAddressSpace),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Reserved),
            ("255.255.255.255", Broadcast),
            ("192.0.2.1", Documentation),
            ("198.51.100.7", Documentation),
            ("203.0.113.9", Documentation),
            ("198.18.0.1", Benchmarking),
            ("198.19.255.255", Benchmarking),
            ("192.0.0.8", Reserved),
            ("192.88.99.1", Reserved),
            ("240.0.0.1", Reserved),
            ("254.255.255.255", Reserved),
        ] {
            assert_eq!(c(ip), class, "{ip}");
        }
    }

    #[test]
    fn ipv6_ranges() {
        for (ip, class) in [
            ("2606:4700:4700::1111", Public),
            ("2a00:1450:4001:82b::200e", Public),
            ("::1", Loopback),
            ("::", Unspecified),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fc00::1", Private),
            ("fd12:3456::1", Private),
            ("fd00:ec2::254", Metadata),
            ("fec0::1", Private),
            ("ff02::1", Multicast),
            ("ff0e::1", Multicast),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("2001:2::1", Benchmarking),
            ("2001::1", Reserved), // Teredo
            ("100::1", Reserved),
            ("5f00::1", Reserved),
            ("4000::1", Reserved),
            ("1::1", Reserved),
            ("64:ff9b:1::a00:1", Private),
        ] {
            assert_eq!(c(ip), class, "{ip}");
        }
    }

    #[test]
    fn ipv4_inside_ipv6_is_judged_by_the_ipv4_address() {
        for (ip, class) in [
            // mapped
            ("::ffff:127.0.0.1", Reserved),
            ("::ffff:10.0.0.1", Private),
            ("::ffff:192.168.0.1", Private),
            ("::ffff:169.254.169.254", Metadata),
            ("::ffff:100.64.0.1", SharedAddressSpace),
            ("::ffff:0.0.0.0", Unspecified),
            ("::ffff:8.8.8.8", Public),
            // compatible (deprecated): never public
            ("::127.0.0.1", Reserved),
            ("::10.0.0.1", Private),
            ("::8.8.8.8", Reserved),
            // NAT64
            ("64:ff9b::7f00:1", Reserved),
            ("64:ff9b::a9fe:a9fe", Metadata),
            ("64:ff9b::c0a8:1", Private),
            ("64:ff9b::808:808", Public),
            // 6to4
            ("2002:7f00:1::1", Reserved),
            ("2002:a00:1::1", Private),
            ("2002:a9fe:a9fe::", Metadata),
            ("2002:808:808::1", Public),
        ] {
            assert_eq!(c(ip), class, "{ip}");
        }
    }

    #[test]
    fn only_public_and_opted_in_loopback_are_allowed() {
        let ip = |s: &str| -> IpAddr { s.parse().expect("address") };
        assert!(is_allowed(ip("8.8.8.8"), false));
        assert!(is_allowed(ip("2606:4700:4700::1111"), false));
        assert!(!is_allowed(ip("127.0.0.1"), false));
        assert!(!is_allowed(ip("::1"), false));
        assert!(is_allowed(ip("127.0.0.1"), true));
        assert!(is_allowed(ip("127.1.2.3"), true));
        assert!(is_allowed(ip("::1"), true));
        for never in [
            "10.0.0.1",
            "169.254.169.254",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "fd00::1",
            "fe80::1",
            "0.0.0.0",
            "::",
            "100.64.0.1",
            "224.0.0.1",
        ] {
            assert!(!is_allowed(ip(never), true), "{never}");
        }
    }
}

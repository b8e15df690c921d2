//! Where NICEPAY's notifications come from: an allow-list of source networks to check the
//! peer address of an inbound notification against, with NICEPAY's published ranges as the
//! overridable default.
//!
//! The notification signature covers only `clientId|X-TIMESTAMP` (not the body), so a source
//! check is a useful second fence. Behind a proxy or load balancer, check the address the proxy
//! reports for the original client, not the proxy's own.

use std::fmt;
use std::net::IpAddr;

use nicepay_snap::error::echo;

/// NICEPAY's published notification source networks (spec §8.1, medium confidence): one
/// documentation page lists `103.20.51.0/24` and `103.117.8.0/24`; another lists the production
/// senders `103.20.51.33`, `103.20.51.34` and the development senders `103.20.51.39`,
/// `103.20.51.40`, all inside the first network. Confirm the list with NICEPAY when going live
/// and pass your own to [`SourceAllowList::parse`] if it differs.
pub const NICEPAY_NOTIFICATION_SOURCES: &[&str] = &["103.20.51.0/24", "103.117.8.0/24"];

/// Most networks one allow-list holds.
pub const MAX_SOURCE_NETWORKS: usize = 1024;

/// A set of IPv4/IPv6 networks (`a.b.c.d/len`, `x::y/len`, or single addresses).
#[derive(Clone, PartialEq, Eq)]
pub struct SourceAllowList {
    networks: Vec<(IpAddr, u8)>,
}

impl SourceAllowList {
    /// NICEPAY's published ranges ([`NICEPAY_NOTIFICATION_SOURCES`]).
    pub fn nicepay() -> Self {
        Self::parse(NICEPAY_NOTIFICATION_SOURCES).expect("the built-in ranges parse")
    }

    /// Parses networks in CIDR form (`103.20.51.0/24`) or single addresses (`103.20.51.33`,
    /// `::1`). An empty list allows nothing. Bad entries are an `InvalidInput` error naming the
    /// entry.
    pub fn parse<I, S>(ranges: I) -> nicepay_snap::Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut networks = Vec::new();
        for range in ranges {
            if networks.len() == MAX_SOURCE_NETWORKS {
                return Err(invalid(format!("holds more than {MAX_SOURCE_NETWORKS} networks")));
            }
            networks.push(parse_network(range.as_ref().trim())?);
        }
        Ok(Self { networks })
    }

    /// Whether `ip` lies in one of the networks. An IPv4-mapped IPv6 address
    /// (`::ffff:103.20.51.33`, as dual-stack servers report IPv4 peers) is checked as IPv4.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.networks.iter().any(|&(net, len)| contains(net, len, ip))
    }

    /// [`allows`](Self::allows) for an address in text form (a `host:port` or `[v6]:port` peer
    /// string is accepted too); text that is not an address is not allowed.
    pub fn allows_str(&self, ip: &str) -> bool {
        parse_peer(ip).is_some_and(|ip| self.allows(ip))
    }

    /// The networks, in CIDR form.
    pub fn networks(&self) -> Vec<String> {
        self.networks.iter().map(|(ip, len)| format!("{ip}/{len}")).collect()
    }
}

impl Default for SourceAllowList {
    fn default() -> Self {
        Self::nicepay()
    }
}

impl fmt::Debug for SourceAllowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SourceAllowList").field(&self.networks()).finish()
    }
}

fn invalid(reason: String) -> nicepay_snap::Error {
    nicepay_snap::Error::InvalidInput {
        field: "sources".into(),
        reason,
    }
}

fn parse_network(text: &str) -> nicepay_snap::Result<(IpAddr, u8)> {
    let bad = |why: &str| invalid(format!("{} is not a network: {why}", echo(text)));
    let (addr, len) = match text.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (text, None),
    };
    let ip: IpAddr = addr.parse().map_err(|_| bad("expected an IPv4 or IPv6 address"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = match len {
        None => max,
        Some(l) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) && l.len() <= 3 => {
            l.parse::<u8>().map_err(|_| bad("prefix length out of range"))?
        }
        Some(_) => return Err(bad("the prefix length must be a number")),
    };
    if len > max {
        return Err(bad(&format!("the prefix length must be at most {max}")));
    }
    if !contains(ip, len, ip) || masked(ip, len) != ip {
        return Err(bad("host bits are set below the prefix length"));
    }
    Ok((ip, len))
}

fn masked(ip: IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4((u32::from(v4) & mask).into())
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6((u128::from(v6) & mask).into())
        }
    }
}

fn contains(net: IpAddr, len: u8, ip: IpAddr) -> bool {
    net.is_ipv4() == ip.is_ipv4() && masked(ip, len) == net
}

fn parse_peer(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(sock) = text.parse::<std::net::SocketAddr>() {
        return Some(sock.ip());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicepay_ranges_allow_the_published_senders_only() {
        let list = SourceAllowList::default();
        for ok in [
            "103.20.51.33",
            "103.20.51.34",
            "103.20.51.39",
            "103.117.8.200",
            "::ffff:103.20.51.40",
            "103.20.51.33:443",
            "[::ffff:103.20.51.33]:8080",
        ] {
            assert!(list.allows_str(ok), "{ok}");
        }
        for no in [
            "103.20.52.1",
            "127.0.0.1",
            "::1",
            "",
            "localhost",
            "103.20.51",
            "103.20.51.33/32",
        ] {
            assert!(!list.allows_str(no), "{no}");
        }
        assert_eq!(list.networks(), vec!["103.20.51.0/24", "103.117.8.0/24"]);
    }

    #[test]
    fn custom_lists_and_their_errors() {
        let list = SourceAllowList::parse(["127.0.0.1", "10.0.0.0/8", "fd00::/8", "0.0.0.0/0"]).unwrap();
        assert!(list.allows_str("8.8.8.8"));
        assert!(list.allows_str("fd12::1"));
        assert!(!list.allows_str("fe80::1"));
        let v6_all = SourceAllowList::parse(["::/0"]).unwrap();
        assert!(v6_all.allows_str("2001:db8::1") && !v6_all.allows_str("1.2.3.4"));
        assert!(!SourceAllowList::parse(Vec::<String>::new())
            .unwrap()
            .allows_str("1.2.3.4"));
        for bad in [
            "10.0.0.1/8",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "x/8",
            "::/129",
            "10.0.0.0/0008",
        ] {
            let err = SourceAllowList::parse([bad]).unwrap_err();
            assert!(matches!(err, nicepay_snap::Error::InvalidInput { .. }), "{bad}");
        }
        let huge = "9".repeat(100_000);
        let err = SourceAllowList::parse([huge.as_str()]).unwrap_err().to_string();
        assert!(err.len() < 300, "{err}");
        let many = vec!["10.0.0.0/8"; MAX_SOURCE_NETWORKS + 1];
        assert!(SourceAllowList::parse(many).is_err());
    }
}

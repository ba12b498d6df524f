//! `Cidr`: an address with its prefix length, parsed, printed and compared by
//! subnet.

use crate::error::CidrParseError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An address with its prefix length, as written on an interface (`10.0.0.1/24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    /// `None` when the prefix is longer than the address (33 for IPv4, 129 for IPv6).
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Cidr> {
        (prefix <= max_prefix(addr)).then_some(Cidr { addr, prefix })
    }

    /// Parses `10.0.0.1/24` or `fd00::1/64`; the host bits may be set.
    pub fn parse(s: &str) -> Result<Cidr, CidrParseError> {
        let err = || CidrParseError::new(s);
        let (addr, prefix) = s.split_once('/').ok_or_else(err)?;
        // `u8::from_str` takes a leading `+`; a prefix is digits only.
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let addr = IpAddr::from_str(addr).map_err(|_| err())?;
        let prefix = prefix.parse::<u8>().map_err(|_| err())?;
        Cidr::new(addr, prefix).ok_or_else(err)
    }

    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }

    pub fn is_ipv6(&self) -> bool {
        self.addr.is_ipv6()
    }

    /// The subnet: the address with its host bits cleared (`10.0.0.0/24` for `10.0.0.1/24`).
    pub fn network(&self) -> Cidr {
        let addr = match self.addr {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask32(self.prefix))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask128(self.prefix))),
        };
        Cidr {
            addr,
            prefix: self.prefix,
        }
    }

    /// Whether `ip` is in this subnet (an address of the other family never is).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let m = mask32(self.prefix);
                u32::from(a) & m == u32::from(b) & m
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let m = mask128(self.prefix);
                u128::from(a) & m == u128::from(b) & m
            }
            _ => false,
        }
    }
}

fn max_prefix(addr: IpAddr) -> u8 {
    if addr.is_ipv4() {
        32
    } else {
        128
    }
}

// `checked_shl` because a shift by the full width (prefix 0) overflows.
fn mask32(prefix: u8) -> u32 {
    u32::MAX
        .checked_shl(32u32.saturating_sub(prefix.into()))
        .unwrap_or(0)
}

fn mask128(prefix: u8) -> u128 {
    u128::MAX
        .checked_shl(128u32.saturating_sub(prefix.into()))
        .unwrap_or(0)
}

impl FromStr for Cidr {
    type Err = CidrParseError;

    fn from_str(s: &str) -> Result<Cidr, CidrParseError> {
        Cidr::parse(s)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_parse_and_display() {
        assert_eq!(
            Cidr::parse("10.0.0.1/24"),
            Ok(Cidr {
                addr: ip("10.0.0.1"),
                prefix: 24,
            })
        );
        assert_eq!(cidr("FD00:0::1/64").to_string(), "fd00::1/64");
        assert_eq!(cidr("10.0.0.1/0").prefix, 0);
        assert_eq!(cidr("::1/128").prefix, 128);
        for bad in [
            "",
            "/",
            "10.0.0.1",
            "10.0.0.1/",
            "10.0.0.1/33",
            "::/129",
            "x/1",
            "1.2.3.4/-1",
        ] {
            let e = Cidr::parse(bad).unwrap_err();
            assert_eq!(e.input(), bad);
            assert_eq!(
                e.to_string(),
                format!("expected an address like 10.0.0.1/24, found {bad:?}")
            );
        }
        assert_eq!(Cidr::new(ip("10.0.0.1"), 33), None);
        assert_eq!(Cidr::new(ip("::"), 128), Some(cidr("::/128")));
    }

    #[test]
    fn cidr_network_and_contains() {
        assert_eq!(cidr("10.1.2.3/16").network(), cidr("10.1.0.0/16"));
        assert_eq!(cidr("10.1.2.3/0").network(), cidr("0.0.0.0/0"));
        assert_eq!(cidr("10.1.2.3/32").network(), cidr("10.1.2.3/32"));
        assert_eq!(
            cidr("fd00:1:8002::3/33").network(),
            cidr("fd00:1:8000::/33")
        );
        assert_eq!(cidr("fd00::3/0").network(), cidr("::/0"));
        let net = cidr("10.1.2.3/24");
        assert!(net.contains(ip("10.1.2.255")));
        assert!(!net.contains(ip("10.1.3.1")));
        assert!(!net.contains(ip("::a01:201")));
        assert!(cidr("10.0.0.1/0").contains(ip("192.0.2.1")));
        assert!(cidr("fd00::1/64").contains(ip("fd00::ffff")));
        assert!(!cidr("fd00::1/64").contains(ip("fd00:0:0:1::1")));
        assert!(cidr("fd00::1/128").contains(ip("fd00::1")));
        assert!(cidr("10.0.0.1/24").is_ipv4() && !cidr("10.0.0.1/24").is_ipv6());
        assert!(cidr("fd00::1/64").is_ipv6());
    }
}

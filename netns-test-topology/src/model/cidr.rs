//! Addresses with their prefix length (`10.0.0.1/24`) are `ipnet::IpNet`: the
//! language reads them more strictly than `IpNet::from_str` does, so that every
//! accepted text prints back the same.

use crate::error::CidrParseError;
use ipnet::IpNet;
use std::net::IpAddr;
use std::str::FromStr;

/// Parses `10.0.0.1/24` or `fd00::1/64`, as the language writes an address on an
/// interface: the host bits may be set; the prefix is one to three digits (no sign),
/// at most the address's length.
pub fn parse_cidr(s: &str) -> Result<IpNet, CidrParseError> {
    let err = || CidrParseError::new(s);
    let (addr, prefix) = s.split_once('/').ok_or_else(err)?;
    // `u8::from_str` takes a leading `+`; a prefix is digits only.
    if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let addr = IpAddr::from_str(addr).map_err(|_| err())?;
    let prefix = prefix.parse::<u8>().map_err(|_| err())?;
    IpNet::new(addr, prefix).map_err(|_| err())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> IpNet {
        parse_cidr(s).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_parse_and_display() {
        assert_eq!(
            parse_cidr("10.0.0.1/24"),
            Ok(IpNet::new(ip("10.0.0.1"), 24).unwrap())
        );
        assert_eq!(cidr("FD00:0::1/64").to_string(), "fd00::1/64");
        assert_eq!(cidr("10.0.0.1/0").prefix_len(), 0);
        assert_eq!(cidr("::1/128").prefix_len(), 128);
        for bad in [
            "",
            "/",
            "10.0.0.1",
            "10.0.0.1/",
            "10.0.0.1/33",
            "::/129",
            "x/1",
            "1.2.3.4/-1",
            "1.2.3.4/+1",
        ] {
            let e = parse_cidr(bad).unwrap_err();
            assert_eq!(e.input(), bad);
            assert_eq!(
                e.to_string(),
                format!("expected an address like 10.0.0.1/24, found {bad:?}")
            );
        }
    }

    /// What the language relies on from `IpNet`: the subnet with host bits cleared,
    /// membership by subnet, an address of the other family never inside.
    #[test]
    fn cidr_network_and_contains() {
        assert_eq!(cidr("10.1.2.3/16").trunc(), cidr("10.1.0.0/16"));
        assert_eq!(cidr("10.1.2.3/0").trunc(), cidr("0.0.0.0/0"));
        assert_eq!(cidr("10.1.2.3/32").trunc(), cidr("10.1.2.3/32"));
        assert_eq!(cidr("fd00:1:8002::3/33").trunc(), cidr("fd00:1:8000::/33"));
        assert_eq!(cidr("fd00::3/0").trunc(), cidr("::/0"));
        let net = cidr("10.1.2.3/24");
        assert!(net.contains(&ip("10.1.2.255")));
        assert!(!net.contains(&ip("10.1.3.1")));
        assert!(!net.contains(&ip("::a01:201")));
        assert!(cidr("10.0.0.1/0").contains(&ip("192.0.2.1")));
        assert!(cidr("fd00::1/64").contains(&ip("fd00::ffff")));
        assert!(!cidr("fd00::1/64").contains(&ip("fd00:0:0:1::1")));
        assert!(cidr("fd00::1/128").contains(&ip("fd00::1")));
    }
}

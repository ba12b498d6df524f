//! Automatic addresses, for segments written without any.
//!
//! Segment `s` (1-based, counting every segment in order) gets `10.S/256.S%256.0/24`
//! and `fd00:S::/64`; its node ends are numbered from 1 in order of appearance, so
//! an address says at a glance which segment and which end it is.

use crate::error::ParseError;
use crate::model::{End, IpNet, SegmentKind, Topology};
use crate::spans::Spans;
use ipnet::{Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The last segment number that fits in `10.S/256.S%256.0/24`.
const MAX_SEGMENT: usize = 65535;
/// Hosts in a /24, without the network and broadcast addresses.
const MAX_ENDS: usize = 254;

/// The automatic addresses of end `n` (1-based) on segment `s` (1-based):
/// `10.<s/256>.<s%256>.<n>/24` and `fd00:<s>::<n>/64`.
pub fn automatic(s: u16, n: u8) -> [IpNet; 2] {
    let [hi, lo] = s.to_be_bytes();
    [
        IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(10, hi, lo, n), 24)),
        IpNet::V6(Ipv6Net::new_assert(
            Ipv6Addr::new(0xfd00, s, 0, 0, 0, 0, 0, n.into()),
            64,
        )),
    ]
}

/// Gives automatic addresses to the node ends of every segment on which nothing
/// carries an address.
pub(crate) fn assign(topo: &mut Topology, spans: &Spans) -> Result<(), ParseError> {
    for (i, layout) in topo.layouts().into_iter().enumerate() {
        let bridge_addressed = match layout.kind {
            SegmentKind::Bridge(b) => !topo.bridges[b].addrs.is_empty(),
            SegmentKind::Veth(_) => false,
        };
        let end_addressed = layout.ends.iter().any(
            |&(l, side)| matches!(topo.links[l].end(side), End::Node(n) if !n.addrs.is_empty()),
        );
        if layout.ends.is_empty() || bridge_addressed || end_addressed {
            continue;
        }
        let s = i + 1;
        let at = match layout.kind {
            SegmentKind::Bridge(b) => spans.bridges[b].name,
            SegmentKind::Veth(l) => spans.links[l].start,
        };
        let Ok(s16) = u16::try_from(s) else {
            return Err(at.error(format!(
                "segment {s} needs automatic addresses, but they stop at segment \
                 {MAX_SEGMENT} (10.255.255.0/24): give this segment addresses"
            )));
        };
        if layout.ends.len() > MAX_ENDS {
            let name = match layout.kind {
                SegmentKind::Bridge(b) => topo.bridges[b].name.as_str(),
                SegmentKind::Veth(_) => "",
            };
            return Err(at.error(format!(
                "bridge {name} has {} ends, too many for automatic addresses (at most \
                 {MAX_ENDS} in one /24): give them addresses, e.g. in a /16",
                layout.ends.len()
            )));
        }
        for (n, (l, side)) in layout.ends.into_iter().enumerate() {
            let n = u8::try_from(n + 1).expect("at most 254 ends");
            if let End::Node(end) = topo.links[l].end_mut(side) {
                end.addrs = automatic(s16, n).to_vec();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Side;
    use crate::parse;

    fn ok(src: &str) -> Topology {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn err(src: &str) -> String {
        parse(src).unwrap_err().to_string()
    }

    fn addrs(t: &Topology, l: usize, side: Side) -> Vec<String> {
        let end = t.links[l].end(side).as_node().expect("a node end");
        end.addrs.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_veth_pair_gets_ipv4_then_ipv6() {
        let t = ok("a -- b");
        assert_eq!(addrs(&t, 0, Side::A), ["10.0.1.1/24", "fd00:1::1/64"]);
        assert_eq!(addrs(&t, 0, Side::B), ["10.0.1.2/24", "fd00:1::2/64"]);
    }

    #[test]
    fn bridge_ends_are_numbered_and_the_bridge_gets_none() {
        let t = ok("bridge br0\na -- br0\nbr0 -- b\nc -- br0");
        assert_eq!(addrs(&t, 0, Side::A), ["10.0.1.1/24", "fd00:1::1/64"]);
        assert_eq!(addrs(&t, 1, Side::B), ["10.0.1.2/24", "fd00:1::2/64"]);
        assert_eq!(addrs(&t, 2, Side::A), ["10.0.1.3/24", "fd00:1::3/64"]);
        assert!(t.bridges[0].addrs.is_empty());
    }

    #[test]
    fn every_segment_counts_addressed_or_not() {
        let t = ok("a 192.168.0.1/24 -- b
            bridge br0
            c -- d
            bridge br1 192.168.9.1/24
            e -- br1
            bridge x
            bridge y
            x -- y
            f -- g
            h -- br0");
        // Segments: a-b (1), br0 (2), c-d (3), br1 (4), x (5), y (6), f-g (7).
        assert_eq!(addrs(&t, 0, Side::A), ["192.168.0.1/24"]);
        assert!(addrs(&t, 0, Side::B).is_empty());
        assert_eq!(addrs(&t, 1, Side::A), ["10.0.3.1/24", "fd00:3::1/64"]);
        assert_eq!(addrs(&t, 1, Side::B), ["10.0.3.2/24", "fd00:3::2/64"]);
        assert!(addrs(&t, 2, Side::A).is_empty());
        assert_eq!(addrs(&t, 4, Side::A), ["10.0.7.1/24", "fd00:7::1/64"]);
        assert_eq!(addrs(&t, 5, Side::A), ["10.0.2.1/24", "fd00:2::1/64"]);
    }

    #[test]
    fn one_address_anywhere_on_a_segment_turns_them_off() {
        let t = ok("bridge br0\na -- br0\nb fd00::2/64 -- br0");
        assert!(addrs(&t, 0, Side::A).is_empty());
        let t = ok("a -- b 10.0.0.2/24");
        assert!(addrs(&t, 0, Side::A).is_empty());
    }

    #[test]
    fn segment_numbers_past_255_carry_into_the_second_byte() {
        let mut src = String::new();
        for _ in 0..256 {
            src.push_str("a -- b\n");
        }
        let t = ok(&src);
        assert_eq!(addrs(&t, 254, Side::A), ["10.0.255.1/24", "fd00:ff::1/64"]);
        assert_eq!(addrs(&t, 255, Side::B), ["10.1.0.2/24", "fd00:100::2/64"]);
    }

    #[test]
    fn segment_numbers_stop_at_65535() {
        let mut src = String::new();
        for i in 0..65534 {
            src.push_str(&format!("bridge b{i}\n"));
        }
        let t = ok(&format!("{src}x -- y"));
        assert_eq!(
            addrs(&t, 0, Side::B),
            ["10.255.255.2/24", "fd00:ffff::2/64"]
        );
        // Segments without ends need no address, wherever they are.
        ok(&format!(
            "{src}bridge more\nbridge more2\nx 10.0.0.1/8 -- y"
        ));
        assert_eq!(
            err(&format!("{src}bridge more\nx -- y")),
            "topology:65536:1: segment 65536 needs automatic addresses, but they stop at \
             segment 65535 (10.255.255.0/24): give this segment addresses"
        );
    }

    #[test]
    fn at_most_254_ends_on_one_bridge() {
        let ends = |n: usize| -> String { (0..n).map(|i| format!("n{i} -- br0\n")).collect() };
        let t = ok(&format!("bridge br0\n{}", ends(254)));
        assert_eq!(addrs(&t, 253, Side::A), ["10.0.1.254/24", "fd00:1::fe/64"]);
        assert_eq!(
            err(&format!("bridge br0\n{}", ends(255))),
            "topology:1:8: bridge br0 has 255 ends, too many for automatic addresses (at \
             most 254 in one /24): give them addresses, e.g. in a /16"
        );
        ok(&format!("bridge br0 10.1.0.254/16\n{}", ends(300)));
    }

    #[test]
    fn the_formula() {
        assert_eq!(
            automatic(258, 7).map(|c| c.to_string()),
            ["10.1.2.7/24", "fd00:102::7/64"]
        );
    }
}

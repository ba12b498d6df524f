//! The NAT tables without a kernel: every message of every kind read back by an
//! independent parser (netlink-packet-netfilter), and the `nft` text of a table. The
//! kernel's own answer, and behaviour with real sockets, are the integration tests'
//! (`tests/tests/nat_*.rs`).

use super::ruleset::{self, Ruleset};
use super::{PortForward, Setup, Wan};
use crate::kernel::nftables::concat_len;
use crate::topology::{Nat, NatKind, Proto};
use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
use netlink_packet_netfilter::nftables::{
    ExpressionAttribute, ListAttribute, NfTablesMessage, RuleAttribute, SetAttribute,
};
use netlink_packet_netfilter::{NetfilterMessage, NetfilterMessageInner};

fn setup(kind: NatKind, options: impl FnOnce(&mut Nat)) -> Setup {
    let mut nat = Nat::new("r1", "wan", kind);
    options(&mut nat);
    Setup {
        nat,
        wan: Wan {
            name: "wan".into(),
            index: 7,
            addr: "203.0.113.1".parse().unwrap(),
        },
        forwards: vec![PortForward {
            proto: Proto::Udp,
            port: 4000,
            to: "192.168.1.2:4000".parse().unwrap(),
        }],
    }
}

fn parse(bytes: &[u8], what: &str) -> NfTablesMessage {
    let msg = NetlinkMessage::<NetfilterMessage>::deserialize(bytes)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(msg.header.length as usize, bytes.len(), "{what}: length");
    match msg.payload {
        NetlinkPayload::InnerMessage(NetfilterMessage {
            inner: NetfilterMessageInner::NfTables(m),
            ..
        }) => m,
        other => panic!("{what}: not an nf_tables message: {other:?}"),
    }
}

/// Checks every message of `rs` against the independent parser.
fn read_back(rs: &Ruleset) {
    let mut rules = rs.rules.iter();
    for (m, what) in rs.messages(false, b"nat r1:wan full-cone\n203.0.113.1") {
        match parse(&m.finish(1), &what) {
            NfTablesMessage::NewTable(_)
            | NfTablesMessage::NewChain(_)
            | NfTablesMessage::NewSetElement(_) => {}
            NfTablesMessage::NewSet(s) => {
                let set = rs.sets.iter().find(|x| what.ends_with(x.name)).unwrap();
                let key_len = s.attributes.iter().find_map(|a| match a {
                    SetAttribute::KeyLen(l) => Some(*l),
                    _ => None,
                });
                assert_eq!(key_len, Some(concat_len(&set.key)), "{what}");
            }
            NfTablesMessage::NewRule(r) => {
                let rule = rules.next().expect("as many rules as messages");
                let exprs = r
                    .attributes
                    .iter()
                    .find_map(|a| match a {
                        RuleAttribute::Expressions(e) => Some(e),
                        _ => None,
                    })
                    .unwrap_or_else(|| panic!("{what}: no expressions"));
                assert_eq!(exprs.len(), rule.exprs.len(), "{what}");
                for e in exprs {
                    let ListAttribute::Element(attrs) = e else {
                        panic!("{what}: not an element: {e:?}");
                    };
                    assert!(
                        matches!(attrs.first(), Some(ExpressionAttribute::Name(_))),
                        "{what}: {attrs:?}"
                    );
                }
            }
            other => panic!("{what}: unexpected {other:?}"),
        }
    }
    assert!(rules.next().is_none(), "a rule without its message");
}

#[test]
fn every_message_of_every_variant_reads_back() {
    for kind in NatKind::all() {
        for (hairpin, pp) in [(true, true), (false, false), (true, false)] {
            let rs = ruleset::build(&setup(kind, |n| {
                n.hairpin = hairpin;
                n.port_preservation = pp;
            }));
            read_back(&rs);
        }
    }
}

#[test]
fn the_sets_follow_the_kind() {
    let names = |kind, pp| -> Vec<&str> {
        ruleset::build(&setup(kind, |n| n.port_preservation = pp))
            .sets
            .iter()
            .map(|s| s.name)
            .collect()
    };
    assert_eq!(
        names(NatKind::FULL_CONE, true),
        ["inbound", "outbound", "forwards"]
    );
    assert_eq!(
        names(NatKind::RESTRICTED_CONE, true),
        ["inbound", "outbound", "contacted", "forwards"]
    );
    assert_eq!(
        names(NatKind::SYMMETRIC, true),
        ["inbound", "mapped", "forwards"]
    );
    assert_eq!(names(NatKind::SYMMETRIC, false), ["inbound", "forwards"]);
}

#[test]
fn a_port_restricted_cone_in_nft_syntax() {
    let text = ruleset::build(&setup(NatKind::PORT_RESTRICTED_CONE, |_| ())).text();
    let expected = r#"table ip netns_test_nat {
	# every mapping: proto . external port -> internal address . port
	map inbound {
		type inet_proto . inet_service : ipv4_addr . inet_service
		size 65535
		flags dynamic,timeout
		timeout 2m
	}

	# endpoint-independent mapping: internal endpoint -> its external endpoint
	map outbound {
		type inet_proto . ipv4_addr . inet_service : ipv4_addr . inet_service
		size 65535
		flags dynamic,timeout
		timeout 2m
	}

	# static port forwards: proto . external port -> internal address . port
	map forwards {
		type inet_proto . inet_service : ipv4_addr . inet_service
		elements = { udp . 4000 : 192.168.1.2 . 4000 }
	}

	chain refresh {
		type filter hook prerouting priority dstnat - 1; policy accept;
		iif "wan" ip daddr 203.0.113.1 ct state established meta l4proto udp meta l4proto . th dport @inbound update @inbound { meta l4proto . th dport timeout 2m : ip daddr . th dport }
		iif "wan" ip daddr 203.0.113.1 ct state established meta l4proto tcp meta l4proto . th dport @inbound update @inbound { meta l4proto . th dport timeout 2h4m : ip daddr . th dport }
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iif "wan" dnat ip to meta l4proto . th dport map @forwards
		iif != "wan" ip daddr 203.0.113.1 meta mark set 0x006e6174 counter dnat ip to meta l4proto . th dport map @forwards
		iif != "wan" ip daddr 203.0.113.1 meta mark set 0x006e6174 counter dnat ip to meta l4proto . th dport map @inbound
	}
	chain mapping {
		snat ip to meta l4proto . ip saddr . th sport map @outbound
		meta l4proto . th sport @inbound snat to 203.0.113.1 random
		meta l4proto . th sport @forwards snat to 203.0.113.1 random
		snat to 203.0.113.1
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oif "wan" jump mapping
		meta mark 0x006e6174 jump mapping
	}
	chain record {
		type filter hook postrouting priority srcnat + 1; policy accept;
		ct direction original ct status snat meta l4proto udp update @inbound { meta l4proto . th sport timeout 2m : ct original ip saddr . ct original proto-src } update @outbound { meta l4proto . ct original ip saddr . ct original proto-src timeout 2m : ip saddr . th sport }
		ct direction original ct status snat meta l4proto tcp update @inbound { meta l4proto . th sport timeout 2h4m : ct original ip saddr . ct original proto-src } update @outbound { meta l4proto . ct original ip saddr . ct original proto-src timeout 2h4m : ip saddr . th sport }
		oif "wan" ip saddr 203.0.113.1 meta l4proto udp meta l4proto . th sport @inbound update @inbound { meta l4proto . th sport timeout 2m : ip saddr . th sport }
		oif "wan" ip saddr 203.0.113.1 meta l4proto tcp meta l4proto . th sport @inbound update @inbound { meta l4proto . th sport timeout 2h4m : ip saddr . th sport }
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iif "wan" ct state established,related accept
		iif "wan" ct status dnat accept
		iif "wan" counter drop
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iif "wan" meta l4proto udp ct state new counter drop
		iif "wan" meta l4proto tcp ct state new counter drop
	}
}
"#;
    assert_eq!(text, expected, "{text}");
}

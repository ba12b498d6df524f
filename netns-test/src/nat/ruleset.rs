//! A NAT's setup → its table: sets, chains and rules (the design is in `nat/mod.rs`),
//! the transaction that installs it, and its text in `nft` syntax.

use super::rules::{Load, RuleBuilder};
use super::sets::Sets;
use super::{Setup, TABLE, TCP_TIMEOUT};
use crate::kernel::nfnetlink::Msg;
use crate::kernel::nftables::{self, Chain, CmpOp, Hook, Rule, Set, Verdict};
use crate::topology::{Behaviour, Proto};
use std::fmt::Write as _;

/// The mark of hairpinned packets, from prerouting to postrouting ("nat").
const HAIRPIN_MARK: u32 = 0x006e_6174;
// IPS_* status bits and NF_CT_STATE_* bits.
const IPS_SRC_NAT: u32 = 1 << 4;
const IPS_DST_NAT: u32 = 1 << 5;
const CT_ESTABLISHED: u32 = 1 << 1;
const CT_RELATED: u32 = 1 << 2;
const CT_NEW: u32 = 1 << 3;

/// Everything one NAT puts into its router's namespace.
#[derive(Debug, Clone)]
pub(crate) struct Ruleset {
    pub sets: Vec<Set>,
    pub chains: Vec<Chain>,
    pub rules: Vec<Rule>,
}

/// The table for `setup`.
pub(crate) fn build(setup: &Setup) -> Ruleset {
    use Load::*;
    let nat = &setup.nat;
    let wan = &setup.wan;
    let Sets {
        inbound,
        outbound,
        mapped,
        contacted,
        forwards,
    } = Sets::new(setup);
    let wan_index = wan.index.to_ne_bytes();
    let wan_name = format!("\"{}\"", wan.name);
    let from_wan = || RuleBuilder::new("prerouting").cmp(Iif, CmpOp::Eq, &wan_index, &wan_name);
    let mut rules = Vec::new();

    // prerouting: what comes in from outside, and what inside hosts send to the
    // external address (hairpinning).
    rules.push(
        from_wan()
            .nat_map(true, &[L4proto, ThDport], &forwards)
            .done(),
    );
    match nat.kind.filtering {
        Behaviour::EndpointIndependent => rules.push(
            from_wan()
                .counter()
                .nat_map(true, &[L4proto, ThDport], &inbound)
                .done(),
        ),
        Behaviour::AddressDependent => rules.push(
            from_wan()
                .in_set(&[L4proto, ThDport, IpSaddr], contacted.as_ref().unwrap())
                .counter()
                .nat_map(true, &[L4proto, ThDport], &inbound)
                .done(),
        ),
        // Conntrack lets in replies only, from the exact endpoint: nothing to add.
        Behaviour::AddressAndPortDependent => {}
    }
    if nat.hairpin {
        for map in [&forwards, &inbound] {
            rules.push(
                RuleBuilder::new("prerouting")
                    .cmp(Iif, CmpOp::Neq, &wan_index, &wan_name)
                    .cmp(
                        IpDaddr,
                        CmpOp::Eq,
                        &wan.addr.octets(),
                        &wan.addr.to_string(),
                    )
                    .set_mark(HAIRPIN_MARK)
                    .counter()
                    .nat_map(true, &[L4proto, ThDport], map)
                    .done(),
            );
        }
    }

    // postrouting: outbound packets, and hairpinned ones, get a mapping.
    let jump = || Verdict::Jump("mapping");
    rules.push(
        RuleBuilder::new("postrouting")
            .cmp(Oif, CmpOp::Eq, &wan_index, &wan_name)
            .verdict(jump())
            .done(),
    );
    if nat.hairpin {
        let mark = HAIRPIN_MARK.to_ne_bytes();
        rules.push(
            RuleBuilder::new("postrouting")
                .cmp(Mark, CmpOp::Eq, &mark, &format!("{HAIRPIN_MARK:#010x}"))
                .verdict(jump())
                .done(),
        );
    }
    rules.extend(mapping_rules(
        setup,
        outbound.as_ref(),
        &inbound,
        mapped.as_ref(),
        &forwards,
    ));

    // record: after the NAT the packet shows the external endpoint, and conntrack
    // still the internal one. One rule per protocol, for their timeouts.
    for (proto, timeout) in [(Proto::Udp, nat.udp_timeout), (Proto::Tcp, TCP_TIMEOUT)] {
        let mut b = RuleBuilder::new("record")
            .cmp(CtDirection, CmpOp::Eq, &[0], "original")
            .has_bits(CtStatus, IPS_SRC_NAT, "snat")
            .cmp(L4proto, CmpOp::Eq, &[proto.number()], proto.word())
            .update(
                &inbound,
                &[L4proto, ThSport],
                Some(&[CtOrigSaddr, CtOrigSport]),
                timeout,
            );
        if let Some(out) = &outbound {
            let key: &[Load] = if nat.kind.mapping == Behaviour::AddressDependent {
                &[L4proto, CtOrigSaddr, CtOrigSport, CtOrigDaddr]
            } else {
                &[L4proto, CtOrigSaddr, CtOrigSport]
            };
            b = b.update(out, key, Some(&[IpSaddr, ThSport]), timeout);
        }
        if let Some(m) = &mapped {
            b = b.update(m, &[L4proto, CtOrigSaddr, CtOrigSport], None, timeout);
        }
        if let Some(c) = &contacted {
            b = b.update(c, &[L4proto, ThSport, IpDaddr], None, timeout);
        }
        rules.push(b.done());
    }

    rules.extend(refresh_rules(setup, &inbound));

    // forward: from outside, only replies and what a dnat let in reach the inside.
    let wan_forward = || RuleBuilder::new("forward").cmp(Iif, CmpOp::Eq, &wan_index, &wan_name);
    rules.push(
        wan_forward()
            .has_bits(CtState, CT_ESTABLISHED | CT_RELATED, "established,related")
            .verdict(Verdict::Accept)
            .done(),
    );
    rules.push(
        wan_forward()
            .has_bits(CtStatus, IPS_DST_NAT, "dnat")
            .verdict(Verdict::Accept)
            .done(),
    );
    rules.push(wan_forward().counter().verdict(Verdict::Drop).done());
    // input: unsolicited UDP and TCP to the NAT itself go before conntrack confirms
    // an entry for them: the entry would hold the tuple a later mapping (a hole
    // punch's) needs. ICMP is left alone: ping through and to the NAT works.
    for proto in [Proto::Udp, Proto::Tcp] {
        rules.push(
            RuleBuilder::new("input")
                .cmp(Iif, CmpOp::Eq, &wan_index, &wan_name)
                .cmp(L4proto, CmpOp::Eq, &[proto.number()], proto.word())
                .has_bits(CtState, CT_NEW, "new")
                .counter()
                .verdict(Verdict::Drop)
                .done(),
        );
    }

    let chains = vec![
        base("refresh", "filter", Hook::Prerouting, -101),
        base("prerouting", "nat", Hook::Prerouting, -100),
        Chain {
            name: "mapping",
            base: None,
        },
        base("postrouting", "nat", Hook::Postrouting, 100),
        base("record", "filter", Hook::Postrouting, 101),
        base("forward", "filter", Hook::Forward, 0),
        base("input", "filter", Hook::Input, 0),
    ];
    let sets = [Some(inbound), outbound, mapped, contacted, Some(forwards)]
        .into_iter()
        .flatten()
        .collect();
    Ruleset {
        sets,
        chains,
        rules,
    }
}

fn base(name: &'static str, kind: &'static str, hook: Hook, priority: i32) -> Chain {
    Chain {
        name,
        base: Some((kind, hook, priority)),
    }
}

/// The chain `mapping`: the mapping the behaviour reuses if there is one, else a new
/// one, keeping the port when port preservation allows and nobody holds it.
fn mapping_rules(
    setup: &Setup,
    outbound: Option<&Set>,
    inbound: &Set,
    mapped: Option<&Set>,
    forwards: &Set,
) -> Vec<Rule> {
    use Load::*;
    let r = || RuleBuilder::new("mapping");
    let addr = setup.wan.addr;
    let mut rules = Vec::new();
    match (outbound, setup.nat.kind.mapping) {
        (Some(out), Behaviour::EndpointIndependent) => {
            rules.push(r().nat_map(false, &[L4proto, IpSaddr, ThSport], out).done())
        }
        (Some(out), Behaviour::AddressDependent) => rules.push(
            r().nat_map(false, &[L4proto, IpSaddr, ThSport, CtOrigDaddr], out)
                .done(),
        ),
        _ => {}
    }
    if !setup.nat.port_preservation {
        rules.push(r().snat_to(addr, true).done());
        return rules;
    }
    if let Some(m) = mapped {
        // An endpoint that has a mapping already gets a new port for a new one.
        rules.push(
            r().in_set(&[L4proto, IpSaddr, ThSport], m)
                .snat_to(addr, true)
                .done(),
        );
    }
    // A port another mapping or a forward holds is not given out again (Linux would,
    // to another remote: port overloading).
    rules.push(
        r().in_set(&[L4proto, ThSport], inbound)
            .snat_to(addr, true)
            .done(),
    );
    rules.push(
        r().in_set(&[L4proto, ThSport], forwards)
            .snat_to(addr, true)
            .done(),
    );
    rules.push(r().snat_to(addr, false).done());
    rules
}

/// Traffic through a mapping in either direction keeps it: outbound (RFC 4787
/// REQ-6 requires it), and inbound packets of established flows (which REQ-6 allows,
/// and conntrack does for the flows themselves: without it a mapping would expire
/// while its flows still carry packets). Packets that filtering drops are new, not
/// established, and refresh nothing. Each rule looks the mapping up first, so it
/// only refreshes one that exists (an update of a missing key would add it, with the
/// placeholder data these rules give).
fn refresh_rules(setup: &Setup, inbound: &Set) -> Vec<Rule> {
    use Load::*;
    let (wan, addr) = (&setup.wan, setup.wan.addr);
    let (index, name) = (wan.index.to_ne_bytes(), format!("\"{}\"", wan.name));
    let mut rules = Vec::new();
    for (proto, timeout) in [
        (Proto::Udp, setup.nat.udp_timeout),
        (Proto::Tcp, TCP_TIMEOUT),
    ] {
        rules.push(
            RuleBuilder::new("refresh")
                .cmp(Iif, CmpOp::Eq, &index, &name)
                .cmp(IpDaddr, CmpOp::Eq, &addr.octets(), &addr.to_string())
                .has_bits(CtState, CT_ESTABLISHED, "established")
                .cmp(L4proto, CmpOp::Eq, &[proto.number()], proto.word())
                .in_set(&[L4proto, ThDport], inbound)
                .update(
                    inbound,
                    &[L4proto, ThDport],
                    Some(&[IpDaddr, ThDport]),
                    timeout,
                )
                .done(),
        );
        rules.push(
            RuleBuilder::new("record")
                .cmp(Oif, CmpOp::Eq, &index, &name)
                .cmp(IpSaddr, CmpOp::Eq, &addr.octets(), &addr.to_string())
                .cmp(L4proto, CmpOp::Eq, &[proto.number()], proto.word())
                .in_set(&[L4proto, ThSport], inbound)
                .update(
                    inbound,
                    &[L4proto, ThSport],
                    Some(&[IpSaddr, ThSport]),
                    timeout,
                )
                .done(),
        );
    }
    rules
}

impl Ruleset {
    /// The transaction that installs the table, `userdata` attached to it. With
    /// `replace`, the old table goes first in the same transaction: there is never a
    /// moment without a NAT.
    pub(crate) fn messages(&self, replace: bool, userdata: &[u8]) -> Vec<(Msg, String)> {
        let mut out = Vec::new();
        if replace {
            out.push((
                nftables::destroy_table(TABLE),
                format!("destroy table {TABLE}"),
            ));
        }
        out.push((
            nftables::new_table(TABLE, userdata),
            format!("add table ip {TABLE}"),
        ));
        for s in &self.sets {
            out.push((s.encode(TABLE), format!("add set {}", s.name)));
            if let Some(m) = s.encode_elements(TABLE) {
                out.push((m, format!("add elements to {}", s.name)));
            }
        }
        for c in &self.chains {
            out.push((c.encode(TABLE), format!("add chain {}", c.name)));
        }
        for r in &self.rules {
            out.push((r.encode(TABLE), format!("add rule {}: {}", r.chain, r.text)));
        }
        out
    }

    /// Whether the table has the dynamic set `name`.
    pub(crate) fn has_set(&self, name: &str) -> bool {
        self.sets.iter().any(|s| s.name == name)
    }

    /// The table in `nft` syntax, as `nft list table ip netns_test_nat` prints it.
    pub(crate) fn text(&self) -> String {
        let mut t = format!("table ip {TABLE} {{\n");
        for s in &self.sets {
            t += &s.text();
            t.push('\n');
        }
        for c in &self.chains {
            let _ = writeln!(t, "\tchain {} {{", c.name);
            if let Some(h) = c.header() {
                let _ = writeln!(t, "\t\t{h}");
            }
            for r in self.rules.iter().filter(|r| r.chain == c.name) {
                let _ = writeln!(t, "\t\t{}", r.text);
            }
            t.push_str("\t}\n");
        }
        t.push_str("}\n");
        t
    }
}

//! Writing one rule: each step appends its expressions and its words of `nft` syntax,
//! so a rule's text always says what its expressions do.
//!
//! Registers are laid out as nft lays them out: each component of a concatenation
//! takes whole 32-bit registers from NFT_REG32_00, and a map's data goes to the
//! registers from 16 (keys never need more than the 8 before).

use crate::kernel::nftables::expr::{DYNSET_UPDATE, NAT_RANDOM};
use crate::kernel::nftables::{text, CmpOp, Expr, Rule, Set, Verdict, REG};
use std::net::Ipv4Addr;
use std::time::Duration;

/// Where a map's data, or an update's data, is loaded.
const DATA_REG: u32 = REG + 8;

/// A value a rule loads into a register, by its `nft` name.
#[derive(Debug, Clone, Copy)]
pub(super) enum Load {
    L4proto,
    Iif,
    Oif,
    Mark,
    IpSaddr,
    IpDaddr,
    ThSport,
    ThDport,
    CtOrigSaddr,
    CtOrigDaddr,
    CtOrigSport,
    CtStatus,
    CtState,
    CtDirection,
}

impl Load {
    fn len(self) -> u32 {
        match self {
            Load::L4proto | Load::CtDirection => 1,
            Load::ThSport | Load::ThDport | Load::CtOrigSport => 2,
            _ => 4,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Load::L4proto => "meta l4proto",
            Load::Iif => "iif",
            Load::Oif => "oif",
            Load::Mark => "meta mark",
            Load::IpSaddr => "ip saddr",
            Load::IpDaddr => "ip daddr",
            Load::ThSport => "th sport",
            Load::ThDport => "th dport",
            Load::CtOrigSaddr => "ct original ip saddr",
            Load::CtOrigDaddr => "ct original ip daddr",
            Load::CtOrigSport => "ct original proto-src",
            Load::CtStatus => "ct status",
            Load::CtState => "ct state",
            Load::CtDirection => "ct direction",
        }
    }

    fn expr(self, dreg: u32) -> Expr {
        let ct = |key, dir| Expr::Ct { key, dir, dreg };
        let payload = |base, offset, len| Expr::Payload {
            base,
            offset,
            len,
            dreg,
        };
        // NFT_META_*, NFT_CT_*, and the offsets in the IPv4 and transport headers.
        match self {
            Load::L4proto => Expr::Meta { key: 16, dreg },
            Load::Iif => Expr::Meta { key: 4, dreg },
            Load::Oif => Expr::Meta { key: 5, dreg },
            Load::Mark => Expr::Meta { key: 3, dreg },
            Load::IpSaddr => payload(1, 12, 4),
            Load::IpDaddr => payload(1, 16, 4),
            Load::ThSport => payload(2, 0, 2),
            Load::ThDport => payload(2, 2, 2),
            Load::CtOrigSaddr => ct(19, Some(0)), // NFT_CT_SRC_IP
            Load::CtOrigDaddr => ct(20, Some(0)), // NFT_CT_DST_IP
            Load::CtOrigSport => ct(11, Some(0)), // NFT_CT_PROTO_SRC
            Load::CtStatus => ct(2, None),
            Load::CtState => ct(0, None),
            Load::CtDirection => ct(1, None),
        }
    }
}

/// One rule under construction.
pub(super) struct RuleBuilder {
    chain: &'static str,
    exprs: Vec<Expr>,
    words: Vec<String>,
}

impl RuleBuilder {
    pub(super) fn new(chain: &'static str) -> RuleBuilder {
        RuleBuilder {
            chain,
            exprs: Vec::new(),
            words: Vec::new(),
        }
    }

    /// Loads `loads` into consecutive registers from `start`; returns their text.
    fn concat(&mut self, loads: &[Load], start: u32) -> String {
        let mut reg = start;
        for l in loads {
            self.exprs.push(l.expr(reg));
            reg += l.len().div_ceil(4);
        }
        let words: Vec<&str> = loads.iter().map(|l| l.text()).collect();
        words.join(" . ")
    }

    /// `LOAD [!=] VALUE`; `shown` is the value as nft prints it.
    pub(super) fn cmp(mut self, load: Load, op: CmpOp, value: &[u8], shown: &str) -> Self {
        self.exprs.push(load.expr(REG));
        self.exprs.push(Expr::Cmp {
            sreg: REG,
            op,
            data: value.to_vec(),
        });
        let op = if op == CmpOp::Neq { "!= " } else { "" };
        self.words.push(format!("{} {op}{shown}", load.text()));
        self
    }

    /// `LOAD FLAGS`: any of `bits` set (ct status, ct state).
    pub(super) fn has_bits(mut self, load: Load, bits: u32, shown: &str) -> Self {
        self.exprs.push(load.expr(REG));
        self.exprs.push(Expr::Bitwise {
            sreg: REG,
            dreg: REG,
            mask: bits.to_ne_bytes().to_vec(),
            xor: vec![0; 4],
        });
        self.exprs.push(Expr::Cmp {
            sreg: REG,
            op: CmpOp::Neq,
            data: vec![0; 4],
        });
        self.words.push(format!("{} {shown}", load.text()));
        self
    }

    /// `KEY @set`: the rule goes on only if the key is in the set.
    pub(super) fn in_set(mut self, keys: &[Load], set: &Set) -> Self {
        let text = self.concat(keys, REG);
        self.exprs.push(Expr::Lookup {
            set: set.name,
            set_id: set.id,
            sreg: REG,
            dreg: None,
        });
        self.words.push(format!("{text} @{}", set.name));
        self
    }

    /// `update @set { KEY timeout T [: DATA] }`: adds the element, or refreshes the
    /// timeout of one that exists, keeping its data.
    pub(super) fn update(
        mut self,
        set: &Set,
        keys: &[Load],
        data: Option<&[Load]>,
        timeout: Duration,
    ) -> Self {
        let key = self.concat(keys, REG);
        let data_text = data.map(|d| self.concat(d, DATA_REG));
        let ms = timeout.as_millis() as u64;
        self.exprs.push(Expr::Dynset {
            set: set.name,
            set_id: set.id,
            op: DYNSET_UPDATE,
            sreg_key: REG,
            sreg_data: data.map(|_| DATA_REG),
            timeout_ms: ms,
        });
        let t = text::duration(ms);
        self.words.push(match data_text {
            Some(d) => format!("update @{} {{ {key} timeout {t} : {d} }}", set.name),
            None => format!("update @{} {{ {key} timeout {t} }}", set.name),
        });
        self
    }

    /// `snat|dnat ip to KEY map @map`: the map's data is an address and a port.
    pub(super) fn nat_map(mut self, dnat: bool, keys: &[Load], map: &Set) -> Self {
        let key = self.concat(keys, REG);
        self.exprs.push(Expr::Lookup {
            set: map.name,
            set_id: map.id,
            sreg: REG,
            dreg: Some(DATA_REG),
        });
        self.exprs.push(Expr::Nat {
            dnat,
            reg_addr: DATA_REG,
            reg_proto: Some(DATA_REG + 1),
            flags: 0,
        });
        let kind = if dnat { "dnat" } else { "snat" };
        self.words
            .push(format!("{kind} ip to {key} map @{}", map.name));
        self
    }

    /// `snat to ADDR [random]`: the kernel picks the port (the same one when it is
    /// free and not `random`).
    pub(super) fn snat_to(mut self, addr: Ipv4Addr, random: bool) -> Self {
        self.exprs.push(Expr::Immediate {
            dreg: REG,
            data: addr.octets().to_vec(),
        });
        self.exprs.push(Expr::Nat {
            dnat: false,
            reg_addr: REG,
            reg_proto: None,
            flags: if random { NAT_RANDOM } else { 0 },
        });
        let random = if random { " random" } else { "" };
        self.words.push(format!("snat to {addr}{random}"));
        self
    }

    pub(super) fn set_mark(mut self, mark: u32) -> Self {
        self.exprs.push(Expr::Immediate {
            dreg: REG,
            data: mark.to_ne_bytes().to_vec(),
        });
        self.exprs.push(Expr::MetaSet { key: 3, sreg: REG });
        self.words.push(format!("meta mark set {mark:#010x}"));
        self
    }

    /// Counts the packets that get this far (a lookup after it may still end the
    /// rule: "reached", not "matched").
    pub(super) fn counter(mut self) -> Self {
        self.exprs.push(Expr::Counter);
        self.words.push("counter".into());
        self
    }

    pub(super) fn verdict(mut self, v: Verdict) -> Self {
        self.words.push(match &v {
            Verdict::Accept => "accept".into(),
            Verdict::Drop => "drop".into(),
            Verdict::Jump(c) => format!("jump {c}"),
        });
        self.exprs.push(Expr::Verdict(v));
        self
    }

    pub(super) fn done(self) -> Rule {
        Rule {
            chain: self.chain,
            exprs: self.exprs,
            text: self.words.join(" "),
        }
    }
}

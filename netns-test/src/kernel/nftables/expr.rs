//! The expressions of a rule, each a nested NFTA_LIST_ELEM { name, data }.
//!
//! A rule is a little program over registers: loads (meta, payload, ct) write a
//! register, cmp/lookup end the rule on a mismatch, dynset and nat act, a verdict
//! ends it. Values compare in the byte order they are loaded in: payload and conntrack
//! tuples in network order, meta and ct scalars (iif, mark, status) in host order.

use super::super::nfnetlink::message::Msg;
use super::NFPROTO_IPV4;

/// How a rule ends when it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accept,
    Drop,
    Jump(&'static str),
}

/// NFT_CMP_*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq = 0,
    Neq = 1,
}

/// NFT_DYNSET_OP_UPDATE: adds an element, or refreshes the timeout of one that
/// exists and keeps its data (the first mapping recorded wins).
pub(crate) const DYNSET_UPDATE: u32 = 1;
/// NF_NAT_RANGE_PROTO_RANDOM: the kernel picks a random port.
pub(crate) const NAT_RANDOM: u32 = 0x4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// `meta KEY` into `dreg` (NFT_META_*: MARK 3, IIF 4, OIF 5, L4PROTO 16).
    Meta { key: u32, dreg: u32 },
    /// `meta KEY set` from `sreg`.
    MetaSet { key: u32, sreg: u32 },
    /// Packet bytes: `base` 1 the network header, 2 the transport header.
    Payload {
        base: u32,
        offset: u32,
        len: u32,
        dreg: u32,
    },
    /// Compares a register with `data`; a mismatch ends the rule.
    Cmp { sreg: u32, op: CmpOp, data: Vec<u8> },
    /// `dreg = (sreg & mask) ^ xor`, over `mask.len()` bytes.
    Bitwise {
        sreg: u32,
        dreg: u32,
        mask: Vec<u8>,
        xor: Vec<u8>,
    },
    /// A conntrack field (NFT_CT_*), of one direction (0 original, 1 reply) for the
    /// tuple's fields.
    Ct {
        key: u32,
        dir: Option<u8>,
        dreg: u32,
    },
    /// A constant into `dreg`.
    Immediate { dreg: u32, data: Vec<u8> },
    /// The rule's verdict.
    Verdict(Verdict),
    /// Set membership (no `dreg`), or a map's data into `dreg`; a miss ends the rule.
    Lookup {
        set: &'static str,
        set_id: u32,
        sreg: u32,
        dreg: Option<u32>,
    },
    /// Adds or updates an element of a dynamic set from the packet path.
    Dynset {
        set: &'static str,
        set_id: u32,
        op: u32,
        sreg_key: u32,
        sreg_data: Option<u32>,
        timeout_ms: u64,
    },
    /// snat or dnat: the address from `reg_addr`, the port (if any) from `reg_proto`,
    /// with NF_NAT_RANGE_* `flags`.
    Nat {
        dnat: bool,
        reg_addr: u32,
        reg_proto: Option<u32>,
        flags: u32,
    },
    /// Packet and byte counters.
    Counter,
}

impl Expr {
    fn name(&self) -> &'static str {
        match self {
            Expr::Meta { .. } | Expr::MetaSet { .. } => "meta",
            Expr::Payload { .. } => "payload",
            Expr::Cmp { .. } => "cmp",
            Expr::Bitwise { .. } => "bitwise",
            Expr::Ct { .. } => "ct",
            Expr::Immediate { .. } | Expr::Verdict(_) => "immediate",
            Expr::Lookup { .. } => "lookup",
            Expr::Dynset { .. } => "dynset",
            Expr::Nat { .. } => "nat",
            Expr::Counter => "counter",
        }
    }

    /// Appends the expression to a rule's NFTA_RULE_EXPRESSIONS.
    pub(crate) fn encode(&self, m: &mut Msg) {
        // NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { ... } }
        m.nest(1).str(1, self.name()).nest(2);
        match self {
            Expr::Meta { key, dreg } => {
                m.be32(1, *dreg).be32(2, *key); // NFTA_META_DREG, _KEY
            }
            Expr::MetaSet { key, sreg } => {
                m.be32(2, *key).be32(3, *sreg); // NFTA_META_KEY, _SREG
            }
            Expr::Payload {
                base,
                offset,
                len,
                dreg,
            } => {
                // NFTA_PAYLOAD_DREG, _BASE, _OFFSET, _LEN
                m.be32(1, *dreg)
                    .be32(2, *base)
                    .be32(3, *offset)
                    .be32(4, *len);
            }
            Expr::Cmp { sreg, op, data } => {
                m.be32(1, *sreg).be32(2, *op as u32); // NFTA_CMP_SREG, _OP
                m.nest(3).bytes(1, data).end(); // NFTA_CMP_DATA { NFTA_DATA_VALUE }
            }
            Expr::Bitwise {
                sreg,
                dreg,
                mask,
                xor,
            } => {
                // NFTA_BITWISE_SREG, _DREG, _LEN, _MASK { value }, _XOR { value }
                m.be32(1, *sreg).be32(2, *dreg).be32(3, mask.len() as u32);
                m.nest(4).bytes(1, mask).end();
                m.nest(5).bytes(1, xor).end();
            }
            Expr::Ct { key, dir, dreg } => {
                m.be32(1, *dreg).be32(2, *key); // NFTA_CT_DREG, _KEY
                if let Some(d) = dir {
                    m.bytes(3, &[*d]); // NFTA_CT_DIRECTION: a u8, unlike the others
                }
            }
            Expr::Immediate { dreg, data } => {
                m.be32(1, *dreg); // NFTA_IMMEDIATE_DREG
                m.nest(2).bytes(1, data).end(); // NFTA_IMMEDIATE_DATA { value }
            }
            Expr::Verdict(v) => {
                m.be32(1, 0); // NFT_REG_VERDICT
                m.nest(2).nest(2); // NFTA_IMMEDIATE_DATA { NFTA_DATA_VERDICT {
                match v {
                    Verdict::Accept => m.be32(1, 1), // NF_ACCEPT
                    Verdict::Drop => m.be32(1, 0),   // NF_DROP
                    Verdict::Jump(chain) => m.be32(1, -3i32 as u32).str(2, chain), // NFT_JUMP
                };
                m.end().end();
            }
            Expr::Lookup {
                set,
                set_id,
                sreg,
                dreg,
            } => {
                // NFTA_LOOKUP_SET, _SREG, _SET_ID, _DREG
                m.str(1, set).be32(2, *sreg).be32(4, *set_id);
                if let Some(d) = dreg {
                    m.be32(3, *d);
                }
            }
            Expr::Dynset {
                set,
                set_id,
                op,
                sreg_key,
                sreg_data,
                timeout_ms,
            } => {
                // NFTA_DYNSET_SET_NAME, _SET_ID, _OP, _SREG_KEY, _SREG_DATA, _TIMEOUT
                m.str(1, set)
                    .be32(2, *set_id)
                    .be32(3, *op)
                    .be32(4, *sreg_key);
                if let Some(d) = sreg_data {
                    m.be32(5, *d);
                }
                m.be64(6, *timeout_ms);
            }
            Expr::Nat {
                dnat,
                reg_addr,
                reg_proto,
                flags,
            } => {
                // NFTA_NAT_TYPE (NFT_NAT_SNAT 0, DNAT 1), _FAMILY, _REG_ADDR_MIN/MAX,
                // _REG_PROTO_MIN/MAX (min = max: exactly that), _FLAGS
                m.be32(1, u32::from(*dnat)).be32(2, u32::from(NFPROTO_IPV4));
                m.be32(3, *reg_addr).be32(4, *reg_addr);
                if let Some(r) = reg_proto {
                    m.be32(5, *r).be32(6, *r);
                }
                if *flags != 0 {
                    m.be32(7, *flags);
                }
            }
            Expr::Counter => {}
        }
        m.end().end();
    }
}

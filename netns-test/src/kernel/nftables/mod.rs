//! nf_tables objects as netlink messages: tables, chains, sets and maps, their
//! elements, rules (their expressions are in `expr`), and the dump of a set.
//!
//! Only what the harness needs, for the `ip` family. Numbers are those of
//! include/uapi/linux/netfilter/nf_tables.h; integer attributes are big endian.
//! Messages go to the kernel in transactions (`NfSocket::batch`); rules may name a set
//! made in the same transaction, by name and by the set's id.

/// Rule expressions: loads, comparisons, lookups, dynamic set updates, NAT, verdicts.
pub(crate) mod expr;
/// The objects in `nft` syntax, as `nft list ruleset` prints them.
pub(crate) mod text;

use super::nfnetlink::message::{Attrs, Msg};
use super::nfnetlink::socket::{
    NFNL_SUBSYS_NFTABLES, NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_DUMP, NLM_F_REQUEST,
};
pub(crate) use expr::{CmpOp, Expr, Verdict};

pub(crate) const NFPROTO_IPV4: u8 = 2;

// Message types (NFT_MSG_*).
const NEWTABLE: u16 = 0;
const GETTABLE: u16 = 1;
const NEWCHAIN: u16 = 3;
const NEWRULE: u16 = 6;
const NEWSET: u16 = 9;
const NEWSETELEM: u16 = 12;
const GETSETELEM: u16 = 13;
const DELSETELEM: u16 = 14;
const DESTROYTABLE: u16 = 26;

// Set flags (NFT_SET_*).
const SET_MAP: u32 = 0x8;
const SET_TIMEOUT: u32 = 0x10;
const SET_EVAL: u32 = 0x20;

/// The first of the 32-bit registers (NFT_REG32_00); a rule has 8 to 23.
pub(crate) const REG: u32 = 8;

fn msg(kind: u16, flags: u16) -> Msg {
    Msg::new(
        (NFNL_SUBSYS_NFTABLES << 8) | kind,
        NLM_F_REQUEST | NLM_F_ACK | flags,
        NFPROTO_IPV4,
        0,
    )
}

/// `add table ip NAME`, with `userdata` kept by the kernel for whoever reads the
/// table back (at most 256 bytes).
pub(crate) fn new_table(name: &str, userdata: &[u8]) -> Msg {
    let mut m = msg(NEWTABLE, NLM_F_CREATE);
    m.str(1, name).be32(2, 0); // NFTA_TABLE_NAME, NFTA_TABLE_FLAGS
    if !userdata.is_empty() {
        m.bytes(6, userdata); // NFTA_TABLE_USERDATA
    }
    m
}

/// Deletes a table and everything in it, if it exists (NFT_MSG_DESTROYTABLE, Linux
/// 6.3: no ENOENT when it does not).
pub(crate) fn destroy_table(name: &str) -> Msg {
    let mut m = msg(DESTROYTABLE, 0);
    m.str(1, name);
    m
}

/// A request for one table (not a dump): the answer carries its userdata.
pub(crate) fn get_table(name: &str) -> Msg {
    let mut m = Msg::new(
        (NFNL_SUBSYS_NFTABLES << 8) | GETTABLE,
        NLM_F_REQUEST,
        NFPROTO_IPV4,
        0,
    );
    m.str(1, name);
    m
}

/// The userdata of a table in the answer to [`get_table`].
pub(crate) fn table_userdata(attrs: Attrs<'_>) -> Option<Vec<u8>> {
    attrs.get(6).map(|a| a.value.to_vec())
}

/// Netfilter hooks (NF_INET_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hook {
    Prerouting = 0,
    Input = 1,
    Forward = 2,
    Postrouting = 4,
}

/// A chain: a base chain on a hook (`kind` "nat" or "filter", a priority), or a
/// regular one that rules `jump` to.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub name: &'static str,
    pub base: Option<(&'static str, Hook, i32)>,
}

impl Chain {
    pub(crate) fn encode(&self, table: &str) -> Msg {
        let mut m = msg(NEWCHAIN, NLM_F_CREATE);
        m.str(1, table).str(3, self.name); // NFTA_CHAIN_TABLE, NFTA_CHAIN_NAME
        if let Some((kind, hook, priority)) = self.base {
            m.nest(4) // NFTA_CHAIN_HOOK
                .be32(1, hook as u32) // NFTA_HOOK_HOOKNUM
                .be32(2, priority as u32) // NFTA_HOOK_PRIORITY
                .end();
            m.be32(5, 1); // NFTA_CHAIN_POLICY: accept
            m.str(7, kind); // NFTA_CHAIN_TYPE
        }
        m
    }
}

/// A component of a set's key or data: nft's datatype (for `nft list`, which shows
/// elements by type; the kernel checks only lengths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    L4proto,
    Port,
    Ipv4,
}

impl Field {
    pub(crate) fn len(self) -> u32 {
        match self {
            Field::L4proto => 1,
            Field::Port => 2,
            Field::Ipv4 => 4,
        }
    }

    /// nft's `enum datatypes`: TYPE_IPADDR 7, TYPE_INET_PROTOCOL 12, TYPE_INET_SERVICE 13.
    fn nft_type(self) -> u32 {
        match self {
            Field::L4proto => 12,
            Field::Port => 13,
            Field::Ipv4 => 7,
        }
    }
}

/// The length of a concatenation: each component takes whole 32-bit registers.
pub(crate) fn concat_len(fields: &[Field]) -> u32 {
    fields.iter().map(|f| f.len().next_multiple_of(4)).sum()
}

/// nft's id of a concatenated type: 6 bits a component, the first highest.
fn concat_type(fields: &[Field]) -> u32 {
    fields.iter().fold(0, |acc, f| (acc << 6) | f.nft_type())
}

/// A key or data value in register layout: each component zero-padded to 4 bytes.
pub(crate) fn reg_bytes(parts: &[&[u8]]) -> Vec<u8> {
    let mut v = Vec::new();
    for p in parts {
        v.extend_from_slice(p);
        v.resize(v.len().next_multiple_of(4), 0);
    }
    v
}

/// An element: key bytes and, in a map, data bytes, in register layout.
pub(crate) type Element = (Vec<u8>, Option<Vec<u8>>);

/// A named set (no `data`) or map: constant, or filled by rules from the packet path.
#[derive(Debug, Clone)]
pub(crate) struct Set {
    pub name: &'static str,
    /// Unique within a transaction: rules made in it refer to the set by it.
    pub id: u32,
    pub key: Vec<Field>,
    pub data: Option<Vec<Field>>,
    /// `flags dynamic,timeout`: rules `update` it.
    pub dynamic: bool,
    /// The elements' default timeout (dynamic sets).
    pub timeout_ms: Option<u64>,
    /// Elements it is made with.
    pub elements: Vec<Element>,
    /// The elements in `nft` syntax (`udp . 4000 : 192.168.1.2 . 4000`).
    pub elements_text: Vec<String>,
    /// What the set is for, printed above it in the `nft` text.
    pub comment: &'static str,
}

impl Set {
    /// NFT_MSG_NEWSET. No NFTA_SET_DESC_SIZE: given, the kernel preallocates a hash
    /// table of that size (65535 made an install 6x slower); without it the table
    /// grows on demand, and a dynamic set bound to a rule is limited to 65535
    /// elements anyway. No NFTA_SET_DESC_CONCAT either: the kernel takes it only for
    /// interval sets (EINVAL otherwise).
    pub(crate) fn encode(&self, table: &str) -> Msg {
        let mut flags = 0;
        if self.data.is_some() {
            flags |= SET_MAP;
        }
        if self.dynamic {
            flags |= SET_TIMEOUT | SET_EVAL;
        }
        let mut m = msg(NEWSET, NLM_F_CREATE);
        m.str(1, table).str(2, self.name).be32(3, flags); // TABLE, NAME, FLAGS
        m.be32(4, concat_type(&self.key))
            .be32(5, concat_len(&self.key)); // KEY_TYPE, _LEN
        if let Some(data) = &self.data {
            m.be32(6, concat_type(data)).be32(7, concat_len(data)); // DATA_TYPE, _LEN
        }
        m.be32(10, self.id); // NFTA_SET_ID
        if let Some(t) = self.timeout_ms {
            m.be64(11, t); // NFTA_SET_TIMEOUT, in ms
        }
        m
    }

    /// The set's initial elements, if it has any.
    pub(crate) fn encode_elements(&self, table: &str) -> Option<Msg> {
        (!self.elements.is_empty()).then(|| add_elements(table, self.name, &self.elements))
    }
}

/// NFT_MSG_NEWSETELEM: adds `elems` to a set.
pub(crate) fn add_elements(table: &str, set: &str, elems: &[Element]) -> Msg {
    let mut m = msg(NEWSETELEM, NLM_F_CREATE);
    m.str(1, table).str(2, set); // NFTA_SET_ELEM_LIST_TABLE, _SET
    m.nest(3); // NFTA_SET_ELEM_LIST_ELEMENTS
    for (key, data) in elems {
        m.nest(1); // NFTA_LIST_ELEM
        m.nest(1).bytes(1, key).end(); // NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE }
        if let Some(d) = data {
            m.nest(2).bytes(1, d).end(); // NFTA_SET_ELEM_DATA { NFTA_DATA_VALUE }
        }
        m.end();
    }
    m.end();
    m
}

/// Empties a set, as `nft flush set` does (NFT_MSG_DELSETELEM without elements).
pub(crate) fn flush_set(table: &str, set: &str) -> Msg {
    let mut m = msg(DELSETELEM, 0);
    m.str(1, table).str(2, set);
    m
}

/// A dump of a set's elements.
pub(crate) fn get_elements(table: &str, set: &str) -> Msg {
    let mut m = Msg::new(
        (NFNL_SUBSYS_NFTABLES << 8) | GETSETELEM,
        NLM_F_REQUEST | NLM_F_DUMP,
        NFPROTO_IPV4,
        0,
    );
    m.str(1, table).str(2, set);
    m
}

/// An element of a dumped set, and the milliseconds left before it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dumped {
    pub key: Vec<u8>,
    pub data: Option<Vec<u8>>,
    pub expires_ms: Option<u64>,
}

/// The elements in one message of a [`get_elements`] dump.
pub(crate) fn parse_elements(attrs: Attrs<'_>) -> Vec<Dumped> {
    let Some(list) = attrs.get(3) else {
        return Vec::new();
    };
    list.nested()
        .map(|elem| {
            let e = elem.nested();
            let value = |kind| {
                e.get(kind)
                    .and_then(|a| a.nested().get(1))
                    .map(|v| v.value.to_vec())
            };
            Dumped {
                key: value(1).unwrap_or_default(),
                data: value(2),
                expires_ms: e.get(5).and_then(|a| a.be64()), // NFTA_SET_ELEM_EXPIRATION
            }
        })
        .collect()
}

/// A rule: its chain, its expressions, and its `nft` text.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub chain: &'static str,
    pub exprs: Vec<Expr>,
    pub text: String,
}

impl Rule {
    /// NFT_MSG_NEWRULE, appended to the chain (without NLM_F_APPEND a rule goes to
    /// the chain's head).
    pub(crate) fn encode(&self, table: &str) -> Msg {
        let mut m = msg(NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
        m.str(1, table).str(2, self.chain); // NFTA_RULE_TABLE, NFTA_RULE_CHAIN
        m.nest(4); // NFTA_RULE_EXPRESSIONS
        for e in &self.exprs {
            e.encode(&mut m);
        }
        m.end();
        m
    }
}

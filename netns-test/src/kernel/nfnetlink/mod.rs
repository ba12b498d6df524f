//! Netfilter's netlink (NETLINK_NETFILTER): what nf_tables and conntrack speak.
//!
//! Written here rather than taken from a crate: the one that covers nf_tables
//! (rustables) is GPL-3.0 and needs libclang at build time; nftnl and mnl bind C
//! libraries; netlink-packet-netfilter 0.4 has none of the expressions a NAT needs
//! (nat, ct, dynset, counter) beyond a generic attribute list. The messages are an
//! `nfgenmsg` header and nested attributes, which `message` writes and reads; the
//! socket (`socket`, on netlink-sys) sends transactions, requests and dumps.

/// The message writer and the attribute reader.
pub(crate) mod message;
/// The socket: transactions, requests, dumps.
pub(crate) mod socket;

pub(crate) use message::Msg;
pub(crate) use socket::NfSocket;

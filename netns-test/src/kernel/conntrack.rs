//! Conntrack over ctnetlink: the IPv4 flows of a namespace, and a flush.
//!
//! Rootless like the rest: the requests go to a namespace the sandbox's user
//! namespace owns, where it has CAP_NET_ADMIN. A dump walks the kernel's global
//! conntrack hash, which every namespace shares (~10 ms whatever the namespace
//! holds): for reports, never in a loop.

use super::nfnetlink::message::{Attrs, Msg};
use super::nfnetlink::socket::{NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};
use super::nfnetlink::NfSocket;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};

const NFNL_SUBSYS_CTNETLINK: u16 = 1;
const IPCTNL_MSG_CT_GET: u16 = 1;
const IPCTNL_MSG_CT_DELETE: u16 = 2;
const AF_INET: u8 = 2;

// IPS_* status bits.
const SEEN_REPLY: u32 = 1 << 1;
const SRC_NAT: u32 = 1 << 4;
const DST_NAT: u32 = 1 << 5;

/// One direction of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tuple {
    pub proto: u8,
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
}

/// A conntrack entry: its original and reply directions, status, seconds left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Flow {
    pub orig: Tuple,
    pub reply: Tuple,
    pub status: u32,
    pub timeout_s: u32,
}

impl Flow {
    pub(crate) fn snat(&self) -> bool {
        self.status & SRC_NAT != 0
    }

    pub(crate) fn dnat(&self) -> bool {
        self.status & DST_NAT != 0
    }

    fn replied(&self) -> bool {
        self.status & SEEN_REPLY != 0
    }
}

/// `udp 192.168.1.2:40000 -> 203.0.113.10:3478 | reply 203.0.113.10:3478 ->
/// 203.0.113.1:40000 [snat] 119s`, as the report shows it.
impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proto = match self.orig.proto {
            17 => "udp".to_string(),
            6 => "tcp".to_string(),
            1 => "icmp".to_string(),
            p => format!("proto {p}"),
        };
        let mut flags = Vec::new();
        if self.snat() {
            flags.push("snat");
        }
        if self.dnat() {
            flags.push("dnat");
        }
        if !self.replied() {
            flags.push("unreplied");
        }
        write!(
            f,
            "{proto} {} -> {} | reply {} -> {} [{}] {}s",
            self.orig.src,
            self.orig.dst,
            self.reply.src,
            self.reply.dst,
            flags.join(","),
            self.timeout_s
        )
    }
}

/// CTA_TUPLE_ORIG or _REPLY: { CTA_TUPLE_IP { SRC_V4, DST_V4 }, CTA_TUPLE_PROTO
/// { NUM, SRC_PORT, DST_PORT, or ICMP_ID } }.
fn tuple(a: Attrs<'_>) -> Option<Tuple> {
    let ip = a.get(1)?.nested();
    let proto = a.get(2)?.nested();
    let v4 = |k| {
        let b: [u8; 4] = ip.get(k)?.value.get(..4)?.try_into().ok()?;
        Some(Ipv4Addr::from(b))
    };
    // ICMP has an id (CTA_PROTO_ICMP_ID 4) instead of ports: shown as both.
    let port = |k| {
        proto
            .get(k)
            .or_else(|| proto.get(4))
            .and_then(|a| a.be16())
            .unwrap_or(0)
    };
    Some(Tuple {
        proto: *proto.get(1)?.value.first()?,
        src: SocketAddrV4::new(v4(1)?, port(2)),
        dst: SocketAddrV4::new(v4(2)?, port(3)),
    })
}

/// Every IPv4 conntrack entry of the socket's namespace.
pub(crate) fn dump(sock: &mut NfSocket) -> io::Result<Vec<Flow>> {
    let m = Msg::new(
        (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
        NLM_F_REQUEST | NLM_F_DUMP,
        AF_INET,
        0,
    );
    let mut flows = Vec::new();
    for reply in sock.dump(m)? {
        let a = reply.attrs();
        let orig = a.get(1).and_then(|t| tuple(t.nested()));
        let back = a.get(2).and_then(|t| tuple(t.nested()));
        let (Some(orig), Some(reply_tuple)) = (orig, back) else {
            continue;
        };
        flows.push(Flow {
            orig,
            reply: reply_tuple,
            status: a.get(3).and_then(|s| s.be32()).unwrap_or(0), // CTA_STATUS
            timeout_s: a.get(7).and_then(|s| s.be32()).unwrap_or(0), // CTA_TIMEOUT
        });
    }
    Ok(flows)
}

/// Deletes every conntrack entry of the namespace (`conntrack -F`): the kernel's NAT
/// bindings go with them.
pub(crate) fn flush(sock: &mut NfSocket) -> io::Result<()> {
    sock.request(Msg::new(
        (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
        NLM_F_REQUEST | NLM_F_ACK,
        AF_INET,
        0,
    ))
}

//! What the probes answer: why a ping failed, a neighbour table's entries. Plain
//! data, the same on every OS (the public API names them).

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// Why a ping got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeError {
    /// Echo requests went out, no reply came back.
    NoReply {
        /// The address pinged.
        to: IpAddr,
        /// How long the probe waited in all.
        within: Duration,
        /// How many echo requests it sent.
        tries: u32,
    },
    /// A router (or the sender's own kernel) answered that the destination is
    /// unreachable, or that reaching it is administratively prohibited.
    Unreachable {
        /// The address pinged.
        to: IpAddr,
        /// Who answered with the error.
        by: IpAddr,
        /// The ICMP error, in words.
        why: String,
    },
    /// Another ICMP error came back instead of a reply (time exceeded, ...).
    IcmpError {
        /// The address pinged.
        to: IpAddr,
        /// Who answered with the error.
        by: IpAddr,
        /// The ICMP error, in words.
        why: String,
    },
    /// The kernel refused to send; `errno` is its error number.
    Send {
        /// The address pinged.
        to: IpAddr,
        /// The kernel's error.
        error: String,
        /// Its error number, when the kernel gave one.
        errno: Option<i32>,
    },
    /// No ICMP socket could be made inside the node.
    Socket {
        /// The node the probe ran in.
        node: String,
        /// The kernel's error.
        error: String,
    },
    /// A name that is neither a node nor an address.
    Unknown(String),
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeError::NoReply { to, within, tries } => {
                let plural = if *tries == 1 { "try" } else { "tries" };
                write!(
                    f,
                    "no echo reply from {to} within {} ({tries} {plural})",
                    crate::error::human(*within)
                )
            }
            ProbeError::Unreachable { to, by, why } => {
                write!(f, "{to} is unreachable: {by} answered {why}")
            }
            ProbeError::IcmpError { to, by, why } => {
                write!(f, "no echo reply from {to}: {by} answered {why}")
            }
            ProbeError::Send { to, error, .. } => {
                write!(f, "cannot send an echo request to {to}: {error}")
            }
            ProbeError::Socket { node, error } => {
                write!(f, "cannot open an ICMP socket in node {node}: {error}")
            }
            ProbeError::Unknown(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for ProbeError {}

impl ProbeError {
    /// Whether this failure to ping proves that the target is unreachable: no reply
    /// within the wait, an ICMP "destination unreachable" or "administratively
    /// prohibited" answer, or the sender's own kernel refusing for the topology's
    /// reasons: no route (ENETUNREACH), no neighbour answered (EHOSTUNREACH), a
    /// firewall rule in the sandbox (EPERM). Anything else (a socket that could not
    /// be opened, a full neighbour table's EINVAL, EACCES for a broadcast address,
    /// ENOBUFS, another ICMP error) says nothing about the network: an isolation
    /// check fails on it.
    pub fn proves_isolation(&self) -> bool {
        match self {
            ProbeError::NoReply { .. } | ProbeError::Unreachable { .. } => true,
            ProbeError::Send { errno, .. } => errno.is_some_and(refused_for_the_topology),
            ProbeError::IcmpError { .. } | ProbeError::Socket { .. } | ProbeError::Unknown(_) => {
                false
            }
        }
    }
}

/// ENETUNREACH, EHOSTUNREACH, EPERM: what the sender's kernel says when the topology
/// (no route, no neighbour, a firewall rule) keeps the packet in.
#[cfg(target_os = "linux")]
fn refused_for_the_topology(errno: i32) -> bool {
    matches!(errno, libc::ENETUNREACH | libc::EHOSTUNREACH | libc::EPERM)
}

/// Elsewhere no probe runs, so no `Send` carries a Linux kernel's errno to judge.
#[cfg(not(target_os = "linux"))]
fn refused_for_the_topology(_errno: i32) -> bool {
    false
}

/// One entry of a node's neighbour table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// The neighbour's address.
    pub ip: IpAddr,
    /// None while the entry is unresolved (INCOMPLETE, FAILED).
    pub mac: Option<[u8; 6]>,
    /// The entry's state (`REACHABLE`, `STALE`, ...).
    pub state: NeighbourStateName,
    /// The interface index the entry belongs to.
    pub ifindex: u32,
    /// The interface name, when the node knows it.
    pub iface: String,
}

/// A neighbour state as `ip neigh` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighbourStateName {
    /// Being resolved: a request went out, no answer yet.
    Incomplete,
    /// Resolved and recently confirmed.
    Reachable,
    /// Resolved, not confirmed lately; still used.
    Stale,
    /// Used, waiting for a confirmation before probing.
    Delay,
    /// Being confirmed by unicast probes.
    Probe,
    /// Resolution failed.
    Failed,
    /// No resolution needed (point-to-point or loopback).
    Noarp,
    /// Set by hand; never expires.
    Permanent,
    /// No state (an entry the kernel reports without one).
    None,
}

impl NeighbourStateName {
    /// REACHABLE, STALE, DELAY, PROBE or PERMANENT: the kernel will use the mapping.
    pub fn is_usable(self) -> bool {
        use NeighbourStateName::*;
        matches!(self, Reachable | Stale | Delay | Probe | Permanent)
    }
}

impl fmt::Display for NeighbourStateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use NeighbourStateName::*;
        f.write_str(match self {
            Incomplete => "INCOMPLETE",
            Reachable => "REACHABLE",
            Stale => "STALE",
            Delay => "DELAY",
            Probe => "PROBE",
            Failed => "FAILED",
            Noarp => "NOARP",
            Permanent => "PERMANENT",
            None => "NONE",
        })
    }
}

impl fmt::Display for Neighbour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} dev {}", self.ip, self.iface)?;
        if let Some(m) = &self.mac {
            write!(f, " lladdr {}", mac(m))?;
        }
        write!(f, " {}", self.state)
    }
}

/// `02:00:00:00:00:01`
pub(crate) fn mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

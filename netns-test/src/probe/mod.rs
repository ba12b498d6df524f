//! Probes: ICMP echo from inside a node, and neighbour tables.

/// Neighbour (ARP/NDP) tables read over rtnetlink.
#[cfg(target_os = "linux")]
mod neigh;
/// ICMP echo from inside a node, with retries and an honest verdict.
#[cfg(target_os = "linux")]
mod ping;
/// What the probes answer: `ProbeError`, `Neighbour` (on every OS).
mod results;

#[cfg(target_os = "linux")]
pub(crate) use neigh::dump as dump_neighbours;
#[cfg(target_os = "linux")]
pub(crate) use ping::{Pinger, Tries};
pub(crate) use results::mac;
pub use results::{Neighbour, NeighbourStateName, ProbeError};

//! Probes: ICMP echo from inside a node, and neighbour tables.

/// Neighbour (ARP/NDP) tables read over rtnetlink.
mod neigh;
/// ICMP echo from inside a node, with retries and an honest verdict.
mod ping;

pub(crate) use neigh::dump as dump_neighbours;
pub use neigh::{Neighbour, NeighbourStateName};
pub use ping::ProbeError;
pub(crate) use ping::{Pinger, Tries};

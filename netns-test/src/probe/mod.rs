//! Probes: ICMP echo from inside a node, and neighbour tables.

mod neigh;
mod ping;

pub(crate) use neigh::dump as dump_neighbours;
pub use neigh::{Neighbour, NeighbourStateName};
pub use ping::ProbeError;
pub(crate) use ping::{Pinger, Tries};

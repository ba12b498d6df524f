//! The kernel layer: network namespaces, netlink requests, links, addresses, routes,
//! nf_tables and conntrack, sysctls, packet sockets and waiting for kernel state. It
//! knows nothing of topologies: the builder, the faults, the probes, the NATs, the
//! impairment relay and the report all speak to the kernel through it.

/// Addresses and IPv6 address readiness.
pub(crate) mod address;
/// Asking the kernel again, with a growing pause, until a deadline.
pub(crate) mod backoff;
/// Carrier mirrored across a spliced link, from the relay namespace's link events.
pub(crate) mod carrier;
/// Conntrack's flows, read and flushed over ctnetlink.
pub(crate) mod conntrack;
/// Bridges, veth pairs, admin state, MTU, link state.
pub(crate) mod link;
/// Neighbour entries the kernel re-confirms with a unicast probe.
pub(crate) mod neigh;
/// rtnetlink connections, and requests queued now and awaited later.
pub(crate) mod netlink;
/// One rtnetlink request answered on the calling thread, without a runtime.
pub(crate) mod netlink_blocking;
/// Network namespaces held by file descriptor, and running code inside one.
pub(crate) mod netns;
/// Netfilter's netlink: messages and a socket for transactions, requests and dumps.
pub(crate) mod nfnetlink;
/// nf_tables objects and expressions as messages.
pub(crate) mod nftables;
/// AF_PACKET sockets with offload headers and driver-direct sends (the relay's).
pub(crate) mod packet;
/// The RX ring of a packet socket.
pub(crate) mod ring;
/// Static routes.
pub(crate) mod route;
/// `net.*` sysctls of the calling thread's namespace.
pub(crate) mod sysctl;

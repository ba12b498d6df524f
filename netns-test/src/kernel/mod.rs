//! The kernel layer: network namespaces, netlink requests, links, addresses, routes,
//! qdiscs, sysctls and waiting for kernel state. It knows nothing of topologies: the
//! builder, the faults, the probes and the report all speak to the kernel through it.

/// Addresses and IPv6 address readiness.
pub(crate) mod address;
/// Asking the kernel again, with a growing pause, until a deadline.
pub(crate) mod backoff;
/// Bridges, veth pairs, admin state, MTU, link state.
pub(crate) mod link;
/// rtnetlink connections, and requests queued now and awaited later.
pub(crate) mod netlink;
/// Network namespaces held by file descriptor, and running code inside one.
pub(crate) mod netns;
/// Queueing disciplines (tbf, netem) built as raw netlink attributes.
pub(crate) mod qdisc;
/// Static routes.
pub(crate) mod route;
/// `net.*` sysctls of the calling thread's namespace.
pub(crate) mod sysctl;

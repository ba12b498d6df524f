//! What a [`TopologyBuilder`](super::TopologyBuilder) statement says, as written:
//! a node's options, a bridge's, a link's ends and options. What is left out
//! (an interface name, addresses) the language fills in when the topology is built.

use crate::impair::Impairment;
use crate::model::{Bridge, End, IpNet, Link, Node, NodeEnd, HOST};

/// `From` a name (`&str`, `String`, `&String`): what `new` makes of it.
macro_rules! by_name {
    ($spec:ident) => {
        impl From<&str> for $spec {
            fn from(name: &str) -> $spec {
                $spec::new(name)
            }
        }
        impl From<String> for $spec {
            fn from(name: String) -> $spec {
                $spec::new(name)
            }
        }
        impl From<&String> for $spec {
            fn from(name: &String) -> $spec {
                $spec::new(name.as_str())
            }
        }
    };
}

/// A `node` statement: a node declared, with its options.
///
/// A node needs no statement of its own to exist: naming it in a link, a route or a
/// bridge's `@` makes it. Declare one to give it options, to have it without links,
/// or to fix its place in [`Topology::nodes`](crate::Topology::nodes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct NodeSpec(pub(super) Node);

impl NodeSpec {
    /// `node NAME`.
    pub fn new(name: impl Into<String>) -> NodeSpec {
        NodeSpec(Node {
            name: name.into(),
            forward: false,
            sysctls: Vec::new(),
        })
    }

    /// `forward`: IPv4 and IPv6 forwarding on, a router.
    pub fn forward(mut self) -> Self {
        self.0.forward = true;
        self
    }

    /// `sysctl KEY=VALUE`: a `net.*` sysctl written inside the node.
    pub fn sysctl(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.sysctls.push((key.into(), value.into()));
        self
    }
}

by_name!(NodeSpec);

/// A `bridge` statement. A bridge must come before the links that use it, as in the
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct BridgeSpec(pub(super) Bridge);

impl BridgeSpec {
    /// `bridge NAME`, in `host`.
    pub fn new(name: impl Into<String>) -> BridgeSpec {
        BridgeSpec(Bridge {
            name: name.into(),
            node: HOST.to_string(),
            addrs: Vec::new(),
            mtu: None,
            links_before: 0,
        })
    }

    /// `@NODE`: the bridge lives in this node's namespace.
    pub fn at(mut self, node: impl Into<String>) -> Self {
        self.0.node = node.into();
        self
    }

    /// An address of the bridge interface itself (a bridge with one is its segment's
    /// hub).
    pub fn addr(mut self, addr: IpNet) -> Self {
        self.0.addrs.push(addr);
        self
    }

    /// `mtu N`.
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.0.mtu = Some(mtu);
        self
    }
}

by_name!(BridgeSpec);

/// One end of a link: a node (with an interface name and addresses, or without to
/// have the language's: `eth0`, `eth1`, ... and automatic addresses), or a bridge
/// declared before (by its name alone).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct EndSpec {
    pub(super) name: String,
    pub(super) ifname: Option<String>,
    pub(super) addrs: Vec<IpNet>,
}

impl EndSpec {
    /// The node or bridge `name`.
    pub fn new(name: impl Into<String>) -> EndSpec {
        EndSpec {
            name: name.into(),
            ifname: None,
            addrs: Vec::new(),
        }
    }

    /// `NODE:IFNAME`: the interface's name in the node.
    pub fn ifname(mut self, ifname: impl Into<String>) -> Self {
        self.ifname = Some(ifname.into());
        self
    }

    /// An address of the interface. A segment written without any gets automatic
    /// ones, as in the language.
    pub fn addr(mut self, addr: IpNet) -> Self {
        self.addrs.push(addr);
        self
    }

    /// The end as the model writes it: a node end, its interface name empty where the
    /// language is to choose it (a bridge's name prints the same, and parses as the
    /// bridge).
    pub(super) fn written(&self) -> End {
        End::Node(NodeEnd {
            node: self.name.clone(),
            ifname: self.ifname.clone().unwrap_or_default(),
            addrs: self.addrs.clone(),
        })
    }
}

by_name!(EndSpec);

/// A link statement with options: `END -- END [mtu N] [impairments]`. A plain link
/// needs none of this: [`TopologyBuilder::link`](super::TopologyBuilder::link).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct LinkSpec {
    pub(super) a: EndSpec,
    pub(super) b: EndSpec,
    pub(super) mtu: Option<u32>,
    pub(super) impair: [Impairment; 2],
}

impl LinkSpec {
    /// `A -- B`.
    pub fn new(a: impl Into<EndSpec>, b: impl Into<EndSpec>) -> LinkSpec {
        LinkSpec {
            a: a.into(),
            b: b.into(),
            mtu: None,
            impair: Default::default(),
        }
    }

    /// `mtu N`, on both ends.
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }

    /// The same impairment both ways.
    pub fn impair(mut self, impairment: Impairment) -> Self {
        self.impair = [impairment; 2];
        self
    }

    /// One impairment each way: `[a to b, b to a]` (`A->B: ... B->A: ...`).
    pub fn impair_each(mut self, impairments: [Impairment; 2]) -> Self {
        self.impair = impairments;
        self
    }

    /// The link as the model writes it, to print.
    pub(super) fn written(&self) -> Link {
        Link {
            a: self.a.written(),
            b: self.b.written(),
            mtu: self.mtu,
            impair: self.impair,
        }
    }
}

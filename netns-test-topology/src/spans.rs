//! Where the parts of the model were written, kept beside it so that every phase
//! after the statements can point at the offending word.

use crate::lex::Pos;
use crate::model::Side;

/// Where the parts of the model were written, index for index.
#[derive(Debug, Default)]
pub(crate) struct Spans {
    pub bridges: Vec<BridgeSpan>,
    pub links: Vec<LinkSpan>,
    pub routes: Vec<RouteSpan>,
    pub expects: Vec<ExpectSpan>,
    pub nats: Vec<NatSpan>,
    pub forwards: Vec<ForwardSpan>,
}

#[derive(Debug)]
pub(crate) struct BridgeSpan {
    pub name: Pos,
    pub addrs: Vec<Pos>,
    /// The MTU's value, if written.
    pub mtu: Option<Pos>,
}

#[derive(Debug)]
pub(crate) struct LinkSpan {
    pub start: Pos,
    pub a: EndSpan,
    pub b: EndSpan,
    /// The MTU's value, if written.
    pub mtu: Option<Pos>,
}

#[derive(Debug)]
pub(crate) struct EndSpan {
    /// The node or bridge name.
    pub name: Pos,
    /// `None` when the interface name is left to the default.
    pub ifname: Option<Pos>,
    /// One per written address; automatic addresses have none.
    pub addrs: Vec<Pos>,
}

#[derive(Debug)]
pub(crate) struct RouteSpan {
    pub node: Pos,
    pub dest: Pos,
    pub via: Pos,
}

#[derive(Debug)]
pub(crate) struct ExpectSpan {
    pub from: Pos,
    pub target: Pos,
}

impl LinkSpan {
    pub(crate) fn end(&self, side: Side) -> &EndSpan {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }
}

#[derive(Debug)]
pub(crate) struct NatSpan {
    pub router: Pos,
    pub iface: Pos,
}

#[derive(Debug)]
pub(crate) struct ForwardSpan {
    pub router: Pos,
    pub iface: Pos,
    pub port: Pos,
    pub target: Pos,
}

//! The splice round, after every namespace's links and addresses: the relay opens the
//! relay ends' sockets (all at once) and takes each impaired link's two directions;
//! then the relay ends come up, and with them, at the barrier, the nodes' ends.

use super::plan::Plan;
use crate::impair::splice::ToSplice;
use crate::impair::Impairer;
use crate::kernel::netns::NetNs;
use crate::sandbox::vault::Vault;
use netns_test_topology::{End, Link, Topology};
use rtnetlink::Handle;

/// Splices the plan's impaired links through the relay of `impairer`; `spaces` are
/// the plan's namespaces, made.
pub(super) async fn links(
    topo: &Topology,
    plan: &Plan,
    spaces: &[(NetNs, Handle)],
    impairer: &mut Impairer,
    vault: &Vault,
) -> Result<(), String> {
    let todo: Vec<ToSplice> = plan
        .spliced
        .iter()
        .map(|&(l, ends)| {
            let link = &topo.links[l];
            ToSplice {
                link: l,
                name: name(link),
                imps: link.impair,
                ends: ends.map(|(s, pos)| (&spaces[s].0, plan.spaces[s].ifaces[pos].index)),
            }
        })
        .collect();
    impairer.open(&todo, Some(vault)).await
}

/// A link as it names its directions in decision keys and reports: its ends by
/// node and interface (a bridge by its name), the same in every run.
pub(crate) fn name(link: &Link) -> String {
    let end = |e: &End| match e {
        End::Node(n) => format!("{}:{}", n.node, n.ifname),
        End::Bridge { bridge, .. } => bridge.clone(),
    };
    format!("{} -- {}", end(&link.a), end(&link.b))
}

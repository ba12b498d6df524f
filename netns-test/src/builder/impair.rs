//! After the links: a root qdisc on every end whose link has impairments.

use super::plan::Plan;
use crate::kernel::netlink::CREATE;
use crate::kernel::netns::NetNs;
use crate::kernel::qdisc;
use futures::future::try_join_all;
use rtnetlink::Handle;

/// A root qdisc on every end whose link has impairments, all requests at once.
pub(super) async fn links(
    plan: &Plan,
    spaces: &[(NetNs, Handle)],
    step: &dyn Fn(&str),
) -> Result<(), String> {
    let mut qdiscs = Vec::new();
    for (space, (_, handle)) in plan.spaces.iter().zip(spaces) {
        for iface in space.ifaces.iter().filter(|i| !i.impair.is_none()) {
            let what = format!(
                "building node {}: impairing {} ({})",
                space.name, iface.name, iface.impair
            );
            qdiscs.push(qdisc::install(
                handle,
                iface.index,
                iface.mtu.unwrap_or(1500),
                &iface.impair,
                CREATE,
                what,
            ));
        }
    }
    if !qdiscs.is_empty() {
        step("impairing links");
        try_join_all(qdiscs).await?;
    }
    Ok(())
}

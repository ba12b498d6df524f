//! After addresses and routes: each NAT's table, one nf_tables transaction in its
//! router's namespace (see `crate::nat`).

use super::plan::Plan;
use crate::kernel::netns::NetNs;
use crate::nat::table::{self, Installed};
use rtnetlink::Handle;

/// Installs every NAT of the plan; returns them by the plan position of their router.
pub(super) fn install(
    plan: &Plan,
    spaces: &[(NetNs, Handle)],
    step: &dyn Fn(&str),
) -> Result<Vec<(usize, Installed)>, String> {
    let mut out = Vec::with_capacity(plan.nats.len());
    for (s, setup) in &plan.nats {
        let router = &plan.spaces[*s].name;
        step(&format!("installing the NAT of {router}"));
        let installed = table::install(&spaces[*s].0, setup.clone())
            .map_err(|e| format!("building node {router}: {e}"))?;
        out.push((*s, installed));
    }
    Ok(out)
}

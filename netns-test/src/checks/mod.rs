//! The checks after the body: every `expect`, then (unless turned off) every segment:
//! each member and the segment's hub resolve each other over ARP/ND and ping, and
//! both neighbour tables must be right; or, on request, every pair of members.
//!
//! The expects and the segments run side by side, and the probes of each stage all at
//! once: twenty isolation expectations cost one isolation timeout.

/// `expect` statements as probes.
mod expects;
/// Pings and the neighbour entries they must leave, judged.
mod probes;
/// The segment checks (hub or all pairs) as plans of probes.
mod segments;
/// Members introduce themselves to their hub with a unicast probe.
mod unicast;

pub(crate) use probes::neighbour_verdict;

use crate::failed_checks::{CheckKind, FailedCheck};
use crate::net::Net;
pub(crate) use crate::options::Checks;
use std::time::Duration;

/// Runs the checks; `Err` lists the failed ones (the report adds every node's state).
/// `expects`: the `expect` statements too (off for `netns-test up --no-checks`).
pub(crate) async fn run(
    net: &Net,
    expects: bool,
    checks: Checks,
    isolation: Duration,
) -> Result<(), Vec<FailedCheck>> {
    let expects = if expects {
        expects::probes(net).map_err(|e| vec![FailedCheck::new(CheckKind::Expect, e)])?
    } else {
        Vec::new()
    };
    let plan =
        segments::plan(net, checks).map_err(|e| vec![FailedCheck::new(CheckKind::Plan, e)])?;
    let expects = async {
        let expects: Vec<&probes::Probe> = expects.iter().collect();
        let (mut failures, entries) = probes::ping_all(net, &expects, isolation).await;
        failures.extend(probes::judge(net, &entries, &unicast::Seeded::new()).await);
        failures
    };
    let (mut failures, more) = futures::join!(expects, run_segments(net, &plan, isolation));
    failures.extend(more);
    if failures.is_empty() {
        return Ok(());
    }
    Err(failures)
}

/// The plan's first probes, then the members' introductions to their hubs and their
/// pings, then every neighbour entry the answered probes must have left. When all
/// passed, the entries the introductions made are given back (`unicast::release`);
/// a failure keeps them for the report.
async fn run_segments(net: &Net, plan: &segments::Plan, isolation: Duration) -> Vec<FailedCheck> {
    let first: Vec<&probes::Probe> = plan.first.iter().collect();
    let (mut failures, mut entries) = probes::ping_all(net, &first, isolation).await;
    let seeded = unicast::introduce(net, &plan.to_hub).await;
    let to_hub: Vec<&probes::Probe> = plan.to_hub.iter().map(|m| &m.probe).collect();
    let (more, more_entries) = probes::ping_all(net, &to_hub, isolation).await;
    failures.extend(more);
    entries.extend(more_entries);
    failures.extend(probes::judge(net, &entries, &seeded).await);
    if failures.is_empty() {
        unicast::release(net, &plan.to_hub, &seeded).await;
    }
    failures
}

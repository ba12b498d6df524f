//! `expect` statements as probes: `->` and `<->` must be answered (both ways for
//! `<->`), `-x-` must not.

use super::probes::{Must, Probe};
use crate::failed_checks::CheckKind;
use crate::net::Net;
use crate::topology::{ExpectKind, Target};

/// One probe per direction of every `expect`, in the order of the text.
pub(super) fn probes(net: &Net) -> Result<Vec<Probe>, String> {
    let topo = net.topology();
    let mut probes = Vec::new();
    for e in &topo.expects {
        let from = net.index_of(&e.from);
        let to = topo
            .target_addr(&e.from, &e.target)
            .ok_or_else(|| format!("{e}: {} has no address", target_name(&e.target)))?;
        let must = if e.kind == ExpectKind::Isolated {
            Must::NotReach
        } else {
            Must::Reach
        };
        probes.push(Probe {
            kind: CheckKind::Expect,
            label: e.to_string(),
            from,
            to,
            must,
            entries: Vec::new(),
        });
        if e.kind == ExpectKind::Both {
            let Target::Node(back_from) = &e.target else {
                unreachable!("the language requires a node on the right of <->")
            };
            let back = topo
                .target_addr(back_from, &Target::Node(e.from.clone()))
                .ok_or_else(|| format!("{e}: {} has no address", e.from))?;
            probes.push(Probe {
                kind: CheckKind::Expect,
                label: format!("{e} (the way back)"),
                from: net.index_of(back_from),
                to: back,
                must: Must::Reach,
                entries: Vec::new(),
            });
        }
    }
    Ok(probes)
}

fn target_name(t: &Target) -> String {
    match t {
        Target::Node(n) => n.clone(),
        Target::Ip(ip) => ip.to_string(),
    }
}

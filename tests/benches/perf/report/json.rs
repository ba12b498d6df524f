//! `netns-test-bench.json`: every sample, the targets, the machine and its load.

use super::{kernel, ratio, Report, GATEFLOW_W1_MS, PATCHBAY_W1_MS, PATCHBAY_W2_128_MS};
use crate::stats::Stats;
use crate::workloads::w1::capture_cost;
use crate::workloads::w2::Phases;
use crate::workloads::{W1_TOPOLOGY, W3_TESTS};
use netns_test::Timings;
use serde_json::{json, Value};
use std::time::Duration;

fn phases(p: &Phases) -> Value {
    json!({
        "total": p.total.json(),
        "build": p.build.json(),
        "checks": p.checks.json(),
    })
}

impl Report {
    pub fn json(&self) -> Value {
        let phase = |f: fn(&Timings) -> Duration| {
            let mut s = Stats::default();
            self.w1.timings.iter().for_each(|t| s.push(f(t)));
            s.json()
        };
        json!({
            "quick": self.quick,
            "machine": {
                "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
                "kernel": kernel(),
                "loadavg_start": self.load[0],
                "loadavg_end": self.load[1],
            },
            "shell_skipped": self.shell_skipped,
            "w1": {
                "topology": W1_TOPOLOGY,
                "netns_test": {
                    "failures": self.w1.failures,
                    "back_to_back": self.w1.b2b.json(),
                    "idle_settled": self.w1.settled.json(),
                    "capture_off": self.w1.no_capture.json(),
                    "capture_cost_ms": capture_cost(&self.w1),
                    "setup": phase(|t| t.setup),
                    "build": phase(|t| t.build),
                    "checks": phase(|t| t.checks),
                },
                "shell": self.w1.shell.json(),
                "ratio": ratio(&self.w1.shell, &self.w1.b2b),
                "one_process_per_test": self.per_process.as_ref().map(|p| json!({
                    "test": p.test.json(),
                    "process_start": p.start.json(),
                })),
            },
            "w4": {
                "plain": crate::impaired::PLAIN,
                "spliced": crate::impaired::SPLICED,
                "failures": self.w4.failures,
                "gbits_plain": self.w4.plain.gbits,
                "gbits_spliced": self.w4.spliced.gbits,
                "rtt_us_plain": self.w4.plain.rtt_us,
                "rtt_us_spliced": self.w4.spliced.rtt_us,
                "added_us_per_packet": self.w4.added_us(),
            },
            "w2": self.w2.iter().map(|w| json!({
                "n": w.n,
                "netns_test": {
                    "failures": w.failures,
                    "back_to_back": phases(&w.b2b),
                    "warm_up_runs_per_stream": w.warm_runs,
                    "idle_settled": phases(&w.settled),
                },
                "shell": w.shell.json(),
                "ratio": ratio(&w.shell, &w.b2b.total),
                "kernel_floor": match &w.floor.skipped {
                    Some(why) => json!({ "skipped": why }),
                    None => json!({
                        "total": w.floor.total.json(),
                        "namespaces": w.floor.namespaces.json(),
                        "veth_pairs": w.floor.veths.json(),
                        "up_and_addresses": w.floor.up.json(),
                    }),
                },
            })).collect::<Vec<_>>(),
            "w3": self.w3.as_ref().map(|w| json!({
                "tests": W3_TESTS,
                "wall": w.wall.json(),
                "tests_per_second": w.wall.median().map(|m| W3_TESTS as f64 / (m / 1e3)),
            })),
            "rss_kib": {
                "parent_after_w1": self.parent_rss,
                "child_w1": self.child_rss_w1,
                "child_w2_256": self.child_rss_w2,
            },
            "targets": self.checks().iter().map(|c| json!({
                "name": c.name,
                "target": c.target,
                "measured": c.measured,
                "ok": c.ok,
            })).collect::<Vec<_>>(),
            "peers_published": {
                "patchbay": { "w1_ms": PATCHBAY_W1_MS, "w2_128_ms": PATCHBAY_W2_128_MS },
                "gateflow": { "w1_ms": GATEFLOW_W1_MS, "w2": "cannot express" },
            },
        })
    }
}

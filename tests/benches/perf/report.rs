//! The report: every workload's results and the targets, met or not.

// Written in this order: the table printed at the end of a run,
mod table;
// then the two files.
mod json;
mod svg;

use crate::impaired::W4;
use crate::stats::{ShellStats, Stats};
use crate::workloads::processes::{PerProcess, W3};
use crate::workloads::w1::{capture_cost, W1};
use crate::workloads::w2::W2;

// The issues' targets: back to back unless said otherwise.
const W1_MAX_MS: f64 = 3.0;
const W1_SETTLED_MAX_MS: f64 = 2.5;
const W1_MIN_RATIO: f64 = 25.0;
/// One process per test may cost its own start, the in-process W1 and this much more.
const PER_PROCESS_SLACK_MS: f64 = 1.0;
const W2_128_MAX_MS: f64 = 150.0;
const W2_128_SETTLED_MAX_MS: f64 = 100.0;
const W2_MIN_RATIO: f64 = 10.0;
const W2_256_MAX_FACTOR: f64 = 2.1;
const W3_MAX_MS: f64 = 2000.0;
const CHILD_RSS_MAX_KIB: u64 = 16 * 1024;
/// What packet capture, on by default, may add to W1's median.
const CAPTURE_MAX_MS: f64 = 0.3;
/// TCP through a link spliced through the impairment relay, all zero.
const W4_MIN_GBITS: f64 = 1.0;
/// What the relay may add per packet.
const W4_MAX_ADDED_US: f64 = 50.0;

// Peers' published figures (not measured here), for context.
const PATCHBAY_W1_MS: f64 = 144.0;
const PATCHBAY_W2_128_MS: f64 = 5306.0;
const GATEFLOW_W1_MS: f64 = 3.0;

pub struct Report {
    pub quick: bool,
    /// /proc/loadavg at the start and the end: other work on the machine skews both sides.
    pub load: [String; 2],
    pub shell_skipped: Option<String>,
    pub w1: W1,
    pub w2: Vec<W2>,
    pub per_process: Option<PerProcess>,
    pub w3: Option<W3>,
    pub w4: W4,
    pub parent_rss: Option<u64>,
    pub child_rss_w1: Option<u64>,
    pub child_rss_w2: Option<u64>,
}

/// One target: its words, and whether it was met (None: not measured).
struct Check {
    name: &'static str,
    target: String,
    measured: String,
    ok: Option<bool>,
}

fn ratio(shell: &ShellStats, ours: &Stats) -> Option<f64> {
    Some(shell.times.median()? / ours.median()?)
}

fn fmt_ms(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

fn med_p90(s: &Stats) -> String {
    match (s.median(), s.p90()) {
        (Some(m), Some(p)) => format!("{} / {} ms", fmt_ms(m), fmt_ms(p)),
        _ => "–".into(),
    }
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("–".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn mark(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "✓",
        Some(false) => "✗",
        None => "–",
    }
}

impl Report {
    pub(crate) fn w2(&self, n: usize) -> Option<&W2> {
        self.w2.iter().find(|w| w.n == n)
    }

    fn checks(&self) -> Vec<Check> {
        let mut v = Vec::new();
        let ms = |m: Option<f64>| m.map_or("–".into(), |m| format!("{} ms", fmt_ms(m)));
        let times = |r: Option<f64>| r.map_or("–".into(), |r| format!("{r:.0}×"));
        let w1_med = self.w1.b2b.median();
        v.push(Check {
            name: "W1 back to back",
            target: format!("≤ {W1_MAX_MS} ms"),
            measured: ms(w1_med),
            ok: w1_med.map(|m| m <= W1_MAX_MS),
        });
        let r1 = ratio(&self.w1.shell, &self.w1.b2b);
        v.push(Check {
            name: "W1 vs shell",
            target: format!("≥ {W1_MIN_RATIO}×"),
            measured: times(r1),
            ok: r1.map(|r| r >= W1_MIN_RATIO),
        });
        let settled = self.w1.settled.median();
        v.push(Check {
            name: "W1 idle-settled",
            target: format!("≤ {W1_SETTLED_MAX_MS} ms"),
            measured: ms(settled),
            ok: settled.map(|m| m <= W1_SETTLED_MAX_MS),
        });
        let cost = capture_cost(&self.w1);
        v.push(Check {
            name: "W1 capture cost",
            target: format!("≤ {CAPTURE_MAX_MS} ms"),
            measured: cost.map_or("–".into(), |c| format!("{c:+.2} ms")),
            ok: cost.map(|c| c <= CAPTURE_MAX_MS),
        });
        let per = self.per_process_limit();
        let test = self.per_process.as_ref().and_then(|p| p.test.median());
        v.push(Check {
            name: "W1 one process per test",
            target: per.map_or("≤ start + W1 + 1 ms".into(), |l| {
                format!(
                    "≤ start + W1 + {PER_PROCESS_SLACK_MS} ms = {} ms",
                    fmt_ms(l)
                )
            }),
            measured: ms(test),
            ok: test.zip(per).map(|(t, l)| t <= l),
        });
        let w128 = self.w2(128);
        let m128 = w128.and_then(|w| w.b2b.total.median());
        v.push(Check {
            name: "W2 N=128 back to back",
            target: format!("≤ {W2_128_MAX_MS} ms"),
            measured: ms(m128),
            ok: m128.map(|m| m <= W2_128_MAX_MS),
        });
        let s128 = w128.and_then(|w| w.settled.total.median());
        v.push(Check {
            name: "W2 N=128 idle-settled",
            target: format!("≤ {W2_128_SETTLED_MAX_MS} ms"),
            measured: ms(s128),
            ok: s128.map(|m| m <= W2_128_SETTLED_MAX_MS),
        });
        let r128 = w128.and_then(|w| ratio(&w.shell, &w.b2b.total));
        v.push(Check {
            name: "W2 N=128 vs shell",
            target: format!("≥ {W2_MIN_RATIO}×"),
            measured: times(r128),
            ok: r128.map(|r| r >= W2_MIN_RATIO),
        });
        let f256 = self.w2_256_factors();
        v.push(Check {
            name: "W2 N=256 / N=128",
            target: format!("≤ {W2_256_MAX_FACTOR}× back to back, medians and means"),
            measured: f256.map_or("–".into(), |(m, a)| format!("{m:.2}× / {a:.2}×")),
            ok: f256.map(|(m, a)| m.max(a) <= W2_256_MAX_FACTOR),
        });
        let w3 = self.w3.as_ref().and_then(|w| w.wall.median());
        v.push(Check {
            name: "W3 200 tests wall",
            target: format!("≤ {} s", W3_MAX_MS / 1e3),
            measured: ms(w3),
            ok: w3.map(|m| m <= W3_MAX_MS),
        });
        let gbits = self.w4.gbits();
        v.push(Check {
            name: "W4 TCP through the relay",
            target: format!("≥ {W4_MIN_GBITS} Gbit/s"),
            measured: gbits.map_or("–".into(), |g| format!("{g:.2} Gbit/s")),
            ok: gbits.map(|g| g >= W4_MIN_GBITS),
        });
        let added = self.w4.added_us();
        v.push(Check {
            name: "W4 added latency",
            target: format!("≤ {W4_MAX_ADDED_US} µs per packet"),
            measured: added.map_or("–".into(), |a| format!("{a:.1} µs")),
            ok: added.map(|a| a <= W4_MAX_ADDED_US),
        });
        v.push(Check {
            name: "child RSS W1",
            target: format!("≤ {} MiB", CHILD_RSS_MAX_KIB / 1024),
            measured: mib(self.child_rss_w1),
            ok: self.child_rss_w1.map(|k| k <= CHILD_RSS_MAX_KIB),
        });
        v
    }

    /// The process's start, plus W1 back to back in one process, plus the slack.
    fn per_process_limit(&self) -> Option<f64> {
        let start = self.per_process.as_ref()?.start.median()?;
        Some(start + self.w1.b2b.median()? + PER_PROCESS_SLACK_MS)
    }

    /// N=256 over N=128 back to back: (between the medians, between the means). The
    /// mean is what a suite pays; the median is the common run. They part when the
    /// teardowns land unevenly (when several sandboxes were freed in one `cleanup_net`
    /// batch, one run in four or five paid hundreds of milliseconds), and either
    /// alone could then hide what grows with N.
    pub(crate) fn w2_256_factors(&self) -> Option<(f64, f64)> {
        let (w128, w256) = (self.w2(128)?, self.w2(256)?);
        let median = w256.b2b.total.median()? / w128.b2b.total.median()?;
        let mean = w256.b2b.total.mean()? / w128.b2b.total.mean()?;
        Some((median, mean))
    }
}

fn kernel() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

//! The table printed at the end of a run, with the targets met and the peers' figures.

// The stars' rows.
mod w2;

use super::{
    fmt_ms, kernel, mark, med_p90, mib, ratio, Report, CAPTURE_MAX_MS, CHILD_RSS_MAX_KIB,
    GATEFLOW_W1_MS, PATCHBAY_W1_MS, PATCHBAY_W2_128_MS, PER_PROCESS_SLACK_MS, W1_MAX_MS,
    W1_MIN_RATIO, W1_SETTLED_MAX_MS, W3_MAX_MS, W4_MAX_ADDED_US, W4_MIN_GBITS,
};
use crate::stats::{ShellStats, Stats};
use crate::workloads::w1::capture_cost;
use crate::workloads::W3_TESTS;
use netns_test::Timings;
use std::fmt::Write as _;
use std::time::Duration;

impl Report {
    pub fn table(&self) -> String {
        let checks = self.checks();
        let ok = |name: &str| checks.iter().find(|c| c.name == name).and_then(|c| c.ok);
        let mut t = String::new();
        let _ = writeln!(
            t,
            "\nnetns-test bench{} — {} cores, kernel {}",
            if self.quick { " (--quick)" } else { "" },
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            kernel()
        );
        let _ = writeln!(
            t,
            "load average (1, 5, 15 min): {} at the start, {} at the end",
            self.load[0], self.load[1]
        );
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let busy = self.load.iter().any(|l| {
            l.split_whitespace()
                .next()
                .and_then(|x| x.parse::<f64>().ok())
                .is_some_and(|x| x > cores)
        });
        if busy {
            let _ = writeln!(
                t,
                "note: the machine was busy (1-min load above {cores} cores): both sides are skewed, ratios less so"
            );
        }
        if let Some(why) = &self.shell_skipped {
            let _ = writeln!(t, "shell side skipped: {why}");
        }
        t.push('\n');
        row(
            &mut t,
            [
                "workload",
                "netns-test med / p90",
                "shell med / p90",
                "ratio",
                "target",
                "ok",
            ],
        );
        let _ = writeln!(t, "{}", "─".repeat(112));
        let w1 = &self.w1;
        row(
            &mut t,
            [
                "W1 2 nodes + checks",
                &ours_s(&w1.b2b, w1.failures),
                &shell_s(&w1.shell),
                &ratio_s(ratio(&w1.shell, &w1.b2b)),
                &format!("≤ {W1_MAX_MS} ms, ≥ {W1_MIN_RATIO}×"),
                &format!(
                    "{} {}",
                    mark(ok("W1 back to back")),
                    mark(ok("W1 vs shell"))
                ),
            ],
        );
        let phase = |f: fn(&Timings) -> Duration| {
            let mut s = Stats::default();
            w1.timings.iter().for_each(|t| s.push(f(t)));
            s
        };
        for (name, s) in [
            ("  setup", phase(|t| t.setup)),
            ("  build", phase(|t| t.build)),
            ("  checks", phase(|t| t.checks)),
        ] {
            row(&mut t, [name, &med_p90(&s), "", "", "", ""]);
        }
        row(
            &mut t,
            [
                "  idle-settled",
                &med_p90(&w1.settled),
                "",
                &ratio_s(ratio(&w1.shell, &w1.settled)),
                &format!("≤ {W1_SETTLED_MAX_MS} ms"),
                mark(ok("W1 idle-settled")),
            ],
        );
        row(
            &mut t,
            [
                "  teardown paid by next",
                &difference(&w1.b2b, &w1.settled),
                "",
                "",
                "",
                "",
            ],
        );
        row(
            &mut t,
            ["  capture off", &med_p90(&w1.no_capture), "", "", "", ""],
        );
        let cost = capture_cost(w1);
        row(
            &mut t,
            [
                "  capture on − off",
                &cost.map_or("–".into(), |c| format!("{c:+.2} ms")),
                "",
                "",
                &format!("≤ {CAPTURE_MAX_MS} ms"),
                mark(ok("W1 capture cost")),
            ],
        );
        match &self.per_process {
            Some(p) => {
                let limit = self
                    .per_process_limit()
                    .map_or(String::new(), |l| format!(" = {}", fmt_ms(l)));
                row(
                    &mut t,
                    [
                        "  one process per test",
                        &med_p90(&p.test),
                        "",
                        "",
                        &format!("≤ start + W1 + {PER_PROCESS_SLACK_MS}{limit} ms"),
                        mark(ok("W1 one process per test")),
                    ],
                );
                row(
                    &mut t,
                    ["    process start", &med_p90(&p.start), "", "", "", ""],
                );
                let surplus = p
                    .test
                    .median()
                    .zip(p.start.median())
                    .zip(w1.b2b.median())
                    .map(|((test, start), w1)| test - start - w1);
                row(
                    &mut t,
                    [
                        "    − start − W1",
                        &surplus.map_or("–".into(), |s| format!("{s:+.2} ms")),
                        "",
                        "",
                        "",
                        "",
                    ],
                );
            }
            None => row(
                &mut t,
                ["  one process per test", "skipped", "", "", "", "–"],
            ),
        }
        self.w2_rows(&mut t, &ok);
        let w4 = &self.w4;
        let g = |s: &crate::impaired::Side| {
            crate::impaired::median(&s.gbits).map_or("–".into(), |g| format!("{g:.2} Gbit/s"))
        };
        let failed = if w4.failures > 0 {
            format!(" ({} failed)", w4.failures)
        } else {
            String::new()
        };
        row(
            &mut t,
            [
                "W4 relay, all zero: TCP",
                &format!("{}{failed}", g(&w4.spliced)),
                "",
                "",
                &format!("≥ {W4_MIN_GBITS} Gbit/s"),
                mark(ok("W4 TCP through the relay")),
            ],
        );
        row(&mut t, ["  plain link: TCP", &g(&w4.plain), "", "", "", ""]);
        let rtt = |s: &crate::impaired::Side| {
            crate::impaired::median(&s.rtt_us).map_or("–".into(), |r| format!("{r:.1} µs"))
        };
        row(
            &mut t,
            [
                "  added per packet",
                &w4.added_us().map_or("–".into(), |a| format!("{a:.1} µs")),
                "",
                "",
                &format!("≤ {W4_MAX_ADDED_US} µs"),
                mark(ok("W4 added latency")),
            ],
        );
        row(
            &mut t,
            [
                "  UDP RTT plain / spliced",
                &format!("{} / {}", rtt(&w4.plain), rtt(&w4.spliced)),
                "",
                "",
                "",
                "",
            ],
        );
        match &self.w3 {
            Some(w3) => {
                row(
                    &mut t,
                    [
                        &format!("W3 {W3_TESTS} tests, wall"),
                        &med_p90(&w3.wall),
                        "",
                        "",
                        &format!("≤ {} s", W3_MAX_MS / 1e3),
                        mark(ok("W3 200 tests wall")),
                    ],
                );
                if let Some(m) = w3.wall.median() {
                    let rate = format!("{:.0} tests/s", W3_TESTS as f64 / (m / 1e3));
                    row(&mut t, ["  throughput", &rate, "", "", "", ""]);
                }
            }
            None => row(
                &mut t,
                [
                    &format!("W3 {W3_TESTS} tests, wall"),
                    "skipped",
                    "",
                    "",
                    "",
                    "–",
                ],
            ),
        }
        row(
            &mut t,
            [
                "RSS child W1 (VmHWM)",
                &mib(self.child_rss_w1),
                "",
                "",
                &format!("≤ {} MiB", CHILD_RSS_MAX_KIB / 1024),
                mark(ok("child RSS W1")),
            ],
        );
        row(
            &mut t,
            [
                "RSS child W2 N=256",
                &mib(self.child_rss_w2),
                "",
                "",
                "",
                "",
            ],
        );
        row(
            &mut t,
            ["RSS parent after W1", &mib(self.parent_rss), "", "", "", ""],
        );

        let met = checks.iter().filter(|c| c.ok == Some(true)).count();
        let measured = checks.iter().filter(|c| c.ok.is_some()).count();
        let _ = writeln!(
            t,
            "\ntargets met: {met} of {measured} measured ({} in all)",
            checks.len()
        );
        for c in checks.iter().filter(|c| c.ok != Some(true)) {
            let _ = writeln!(
                t,
                "  {} {}: {} (target {})",
                mark(c.ok),
                c.name,
                c.measured,
                c.target
            );
        }

        let _ = writeln!(t, "\npeers' published figures (not measured here):");
        let vs = |peer: f64, ours: Option<f64>| {
            ours.map_or(String::new(), |m| {
                if peer >= m {
                    format!(" (netns-test: {:.1}× faster)", peer / m)
                } else {
                    format!(" (netns-test: {:.1}× slower)", m / peer)
                }
            })
        };
        let w1m = w1.b2b.median();
        let w128 = self.w2(128).and_then(|w| w.b2b.total.median());
        let _ = writeln!(
            t,
            "  patchbay  W1 {PATCHBAY_W1_MS} ms{}   W2 N=128 {PATCHBAY_W2_128_MS} ms{}",
            vs(PATCHBAY_W1_MS, w1m),
            vs(PATCHBAY_W2_128_MS, w128)
        );
        let _ = writeln!(
            t,
            "  gateflow  W1 {GATEFLOW_W1_MS:.1} ms{}   W2: cannot express a bridge star",
            vs(GATEFLOW_W1_MS, w1m)
        );
        t
    }
}

/// One line of the table: name, ours, shell, ratio, target, mark.
pub(super) fn row(t: &mut String, cells: [&str; 6]) {
    let line = format!(
        "{:<22} {:>21}  {:>21}  {:>7}  {:<26} {}",
        cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
    );
    let _ = writeln!(t, "{}", line.trim_end());
}

pub(super) fn ratio_s(r: Option<f64>) -> String {
    r.map_or(String::new(), |r| format!("{r:.0}×"))
}

pub(super) fn shell_s(s: &ShellStats) -> String {
    if !s.ran {
        "skipped".into()
    } else if s.failures > 0 {
        format!("{} ({} failed)", med_p90(&s.times), s.failures)
    } else {
        med_p90(&s.times)
    }
}

pub(super) fn ours_s(s: &Stats, failures: usize) -> String {
    if failures > 0 {
        format!("{} ({failures} failed)", med_p90(s))
    } else {
        med_p90(s)
    }
}

/// Back to back minus idle-settled, of the medians: what a run pays for the teardown
/// of the one before it (negative where waking idle CPUs costs the settled run more).
pub(super) fn difference(b2b: &Stats, settled: &Stats) -> String {
    b2b.median()
        .zip(settled.median())
        .map_or("–".into(), |(b, s)| format!("{:+.2} ms", b - s))
}

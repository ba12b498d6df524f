//! W1: `a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24` with the checks, capture on (the
//! default) and off, in streams of runs back to back; vs the seeds' shell steps.

use super::{parse, run_with, settle, stream, Plan, W1_TOPOLOGY};
use crate::shell::w1_script;
use crate::stats::{ShellStats, Stats};
use netns_test::{CaptureMode, Options, Timings};

/// Measured runs per stream (`super::stream`), back to back after the first (idle-settled)
/// and the unmeasured ones until its sandbox process has exited.
pub const W1_STREAM: usize = 9;

pub struct W1 {
    /// The measured runs of every stream: back to back, as in a suite. With the
    /// default options: packet capture on (written only for a failure).
    pub b2b: Stats,
    /// The phases of those runs.
    pub timings: Vec<Timings>,
    /// The first run of every stream: on a machine idle since the settle pause.
    pub settled: Stats,
    /// Back to back with capture off (`CaptureMode::Never`), in streams alternating
    /// with the ones above: what the default capture costs is the difference.
    pub no_capture: Stats,
    pub failures: usize,
    pub shell: ShellStats,
}

pub fn bench_w1(plan: &Plan, shell: bool) -> Result<W1, String> {
    let mut w1 = W1 {
        b2b: Stats::default(),
        timings: Vec::new(),
        settled: Stats::default(),
        no_capture: Stats::default(),
        failures: 0,
        shell: ShellStats::default(),
    };
    for i in 0..plan.w1_warm + plan.w1 {
        let measured = i >= plan.w1_warm;
        for capture in [true, false] {
            settle(2 * W1_STREAM);
            let mut failures = 0;
            let stream = stream(W1_STREAM, || {
                // Parsed per run, as the macro's expansion does.
                let topology = parse(W1_TOPOLOGY)?;
                let options = if capture {
                    Options::new()
                } else {
                    Options::new().capture(CaptureMode::Never)
                };
                run_with(&topology, options, &mut failures)
            })?;
            if !measured {
                continue;
            }
            w1.failures += failures;
            if capture {
                if let Some((wall, _)) = stream.first {
                    w1.settled.push(wall);
                }
            }
            for (wall, timings) in stream.steady.into_iter().flatten() {
                if capture {
                    w1.b2b.push(wall);
                    w1.timings.push(timings);
                } else {
                    w1.no_capture.push(wall);
                }
            }
        }
        if shell {
            settle(2 * W1_STREAM);
            let r = w1_script().run();
            if measured {
                w1.shell.record(r);
            }
        }
    }
    settle(2 * W1_STREAM);
    Ok(w1)
}

/// W1's back-to-back median with capture on (the default) minus with capture off, in ms.
pub fn capture_cost(w1: &W1) -> Option<f64> {
    Some(w1.b2b.median()? - w1.no_capture.median()?)
}

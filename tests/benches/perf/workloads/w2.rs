//! W2: a star of N nodes on one bridge, in streams of runs back to back; vs the same
//! steps in bash with the bridge in a namespace of its own (the host's namespace must
//! not keep links).

use super::{parse, run_with, settle, star_topology, stream};
use crate::shell::w2_script;
use crate::stats::{ShellStats, Stats};
use netns_test::{Options, Timings};

/// The phases of some runs, from `run_timed`.
#[derive(Default)]
pub struct Phases {
    pub total: Stats,
    pub build: Stats,
    pub checks: Stats,
}

impl Phases {
    fn push(&mut self, t: &Timings) {
        self.total.push(t.total);
        self.build.push(t.build);
        self.checks.push(t.checks);
    }
}

pub struct W2 {
    pub n: usize,
    pub failures: usize,
    /// The runs of every stream once it is in its steady state: after the stream's
    /// first sandbox process has exited, so that the kernel frees the stars before
    /// them while they run, as in a suite.
    pub b2b: Phases,
    /// How many unmeasured runs each stream took to get there.
    pub warm_runs: Vec<usize>,
    /// The first run of every stream, after the settle pause.
    pub settled: Phases,
    pub shell: ShellStats,
    /// What the kernel alone takes to make the same star.
    pub floor: crate::floor::Floor,
}

/// `streams` measured streams, after `warm` unmeasured ones; each a [`stream`] with
/// `runs` measured runs. The shell side runs after each of the first `shell_runs`
/// streams (and once in the warm-up for small stars: a large star's shell run takes
/// seconds and is bound by process starts and the kernel, which the smaller stars
/// have warmed up).
pub fn bench_w2(
    n: usize,
    (warm, streams, runs, shell_runs): (usize, usize, usize, usize),
    shell: bool,
) -> Result<W2, String> {
    let topology = parse(&star_topology(n))?;
    let mut w2 = W2 {
        n,
        failures: 0,
        b2b: Phases::default(),
        warm_runs: Vec::new(),
        settled: Phases::default(),
        shell: ShellStats::default(),
        floor: Default::default(),
    };
    for i in 0..warm + streams {
        let measured = i >= warm;
        settle(n * runs);
        let mut failures = 0;
        let stream = stream(runs, || run_with(&topology, Options::new(), &mut failures))?;
        if !measured {
            continue;
        }
        w2.failures += failures;
        w2.warm_runs.push(stream.warm_runs);
        if let Some((_wall, timings)) = stream.first {
            w2.settled.push(&timings);
        }
        for (_wall, timings) in stream.steady.into_iter().flatten() {
            w2.b2b.push(&timings);
        }
        let shell_turn = if measured {
            i - warm < shell_runs
        } else {
            n <= 32
        };
        if shell && shell_turn {
            settle(n * runs);
            let r = w2_script(n).run();
            if measured {
                w2.shell.record(r);
            }
        }
    }
    settle(n * runs);
    w2.floor = crate::floor::measure(n, streams.max(3));
    Ok(w2)
}

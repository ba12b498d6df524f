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

/// Every star size of the plan, `(N, warm-up streams, measured streams, runs per
/// stream, shell runs)` each, measured in rounds: round r runs stream r of every size
/// that has one, then the floors likewise, a run of each size per round. So the sizes
/// are measured in the same minutes and the machine's drift (up to 40% from one hour
/// to the next, and within a run) hits them alike, as it hits netns-test and the shell
/// alike: the N=256/N=128 ratio is judged between them. Measured one size after the
/// other, minutes apart, the kernel floor alone came out at 1.9× to 2.9× between
/// N=128 and N=256, where making 512 namespaces in a row costs the same per namespace
/// from the first to the last. Each step settles for the namespaces of the step
/// before it, or its own if more: an N=8 stream follows an N=256 one.
pub fn bench_w2(
    plan: &[(usize, usize, usize, usize, usize)],
    shell: bool,
) -> Result<Vec<W2>, String> {
    let topologies = plan
        .iter()
        .map(|&(n, ..)| parse(&star_topology(n)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut all: Vec<W2> = plan.iter().map(|&(n, ..)| W2::new(n)).collect();
    for &(n, warm, streams, runs, _) in plan {
        eprintln!("bench: W2 N={n}, {warm} warm-up + {streams} measured streams of {runs} runs");
    }
    // The namespaces the step before tore down.
    let mut torn = 0;
    let rounds = plan.iter().map(|&(_, w, s, ..)| w + s).max().unwrap_or(0);
    for round in 0..rounds {
        eprintln!("bench: W2 round {} of {rounds}", round + 1);
        for ((w2, topology), &(n, warm, streams, runs, shell_runs)) in
            all.iter_mut().zip(&topologies).zip(plan)
        {
            if round < warm + streams {
                let plan = (warm, runs, shell_runs);
                w2.stream(topology, round, plan, shell, torn)?;
                torn = n * runs;
            }
        }
    }
    let floor_runs = |streams: usize| streams.max(3);
    let rounds = plan
        .iter()
        .map(|&(_, _, s, ..)| floor_runs(s))
        .max()
        .unwrap_or(0);
    for round in 0..rounds {
        for (w2, &(n, _, streams, ..)) in all.iter_mut().zip(plan) {
            if round < floor_runs(streams) && w2.floor.skipped.is_none() {
                settle(torn.max(n));
                crate::floor::measure(&mut w2.floor, n);
                torn = n;
            }
        }
    }
    Ok(all)
}

impl W2 {
    fn new(n: usize) -> W2 {
        W2 {
            n,
            failures: 0,
            b2b: Phases::default(),
            warm_runs: Vec::new(),
            settled: Phases::default(),
            shell: ShellStats::default(),
            floor: Default::default(),
        }
    }

    /// Stream `i` (measured from `warm` on), a [`stream`] with `runs` measured runs,
    /// after a pause for the `torn` namespaces the step before tore down. The shell
    /// side runs after each of the first `shell_runs` measured streams (and after
    /// every warm-up stream of small stars: a large star's shell run takes seconds and
    /// is bound by process starts and the kernel, which the smaller stars have warmed
    /// up).
    fn stream(
        &mut self,
        topology: &netns_test::Topology,
        i: usize,
        (warm, runs, shell_runs): (usize, usize, usize),
        shell: bool,
        torn: usize,
    ) -> Result<(), String> {
        let n = self.n;
        let measured = i >= warm;
        settle(torn.max(n * runs));
        let mut failures = 0;
        let stream = stream(runs, || run_with(topology, Options::new(), &mut failures))?;
        if measured {
            self.failures += failures;
            self.warm_runs.push(stream.warm_runs);
            if let Some((_wall, timings)) = stream.first {
                self.settled.push(&timings);
            }
            for (_wall, timings) in stream.steady.into_iter().flatten() {
                self.b2b.push(&timings);
            }
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
                self.shell.record(r);
            }
        }
        Ok(())
    }
}

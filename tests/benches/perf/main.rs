//! The measuring program behind `cargo xtask bench`: netns-test against the classic
//! shell steps (`ip netns add`, …) that the seeds run, interleaved A B A B after a
//! warm-up, so that drift of the machine (other load, the kernel freeing namespaces in
//! the background) hits both sides alike.
//!
//! ```text
//! cargo bench -p netns-test-tests --bench perf -- [--quick] [--fixture PATH] [--out DIR]
//! ```
//!
//! Every workload runs in streams: a pause until the CPUs are idle, then runs back to
//! back. The first run of a stream is the *idle-settled* sample, the others the
//! *back-to-back* ones: as a suite runs its tests, each while the kernel still frees
//! the sandbox before it (`workloads/mod.rs`).
//!
//! - W1: a 2-node line through `netns_test::run` with the checks on, capture on and
//!   off, vs one bash script of the seeds' steps (root and `ping` needed; skipped with a
//!   message otherwise).
//! - W2: a star of N nodes on one bridge, N = 8, 32, 128, 256: build, checks and total
//!   from `run_timed`, vs the same steps in bash with the bridge in a namespace of its
//!   own (the host's namespace must not keep links).
//! - One process per test: the `w1x200` fixture binary (`--fixture`, built by xtask)
//!   started once per test as nextest does, beside the same binary selecting no test.
//! - Beside each W2: the kernel's floor for the same star, on one thread without
//!   the harness (`floor.rs`).
//! - W3: the fixture binary whole, with libtest's default thread count: wall time and
//!   tests per second.
//! - W4: a link spliced through the impairment relay with an all-zero impairment
//!   (`loss 0%`) against the same plain link: TCP goodput and the latency added per
//!   packet (`impaired.rs`).
//! - Peak RSS (VmHWM) of this process after W1, and of the sandbox's worker for W1 and
//!   W2 N=256, read inside the body and sent back over a socket made before `run`.
//!
//! Results go to `DIR/netns-test-bench.json` and `DIR/netns-test-bench.svg`
//! (DIR defaults to the workspace's `target`).

// The modules in data-flow order: the workloads, timing netns-test's runs
mod workloads;
// against the seeds' shell steps;
mod shell;
// the cost of the impairment relay;
mod impaired;
// what the kernel alone takes to make a star;
mod floor;
// the statistics of their samples;
mod stats;
// the report, written as a table, JSON and SVG.
mod report;

use report::{loadavg, Report};
use shell::shell_availability;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use workloads::processes::{bench_per_process, bench_w3};
use workloads::rss::{child_peak_rss, vm_hwm_kib};
use workloads::w1::bench_w1;
use workloads::w2::bench_w2;
use workloads::{parse, star_topology, Plan, W1_TOPOLOGY};

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    quick: bool,
    fixture: Option<PathBuf>,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        fixture: None,
        out: Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => args.quick = true,
            "--fixture" => args.fixture = Some(it.next().ok_or("--fixture needs a path")?.into()),
            "--out" => args.out = it.next().ok_or("--out needs a directory")?.into(),
            // `cargo bench` passes `--bench` to harness = false targets.
            "--bench" => {}
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: perf [--quick] [--fixture PATH] [--out DIR]"
                ))
            }
        }
    }
    Ok(args)
}

fn real_main() -> Result<(), String> {
    // This program again, in a process of its own, measuring the kernel's floor.
    let argv: Vec<String> = std::env::args().collect();
    if let [_, flag, n] = &argv[..] {
        if flag == floor::FLAG {
            return floor::main(n);
        }
    }
    let args = parse_args()?;
    let plan = Plan::new(args.quick);
    let load_start = loadavg();
    let shell = shell_availability();
    if let Err(why) = &shell {
        eprintln!("bench: the shell side is skipped: {why}");
    }
    let shell_ok = shell.is_ok();

    eprintln!(
        "bench: W1, {} warm-up + {} measured streams",
        plan.w1_warm, plan.w1
    );
    let w1 = bench_w1(&plan, shell_ok)?;
    let w1_topology = parse(W1_TOPOLOGY)?;
    let child_rss_w1 = child_peak_rss(&w1_topology)?;
    // After W1 only, as the issue asks: the parent's own peak while running sandboxes,
    // before the large stars and their bigger topologies are parsed.
    let parent_rss = vm_hwm_kib("/proc/self/status");

    let w2 = bench_w2(&plan.w2, shell_ok)?;
    let child_rss_w2 = child_peak_rss(&parse(&star_topology(256))?)?;

    let (per_process, w3) = match &args.fixture {
        Some(path) => {
            eprintln!(
                "bench: one process per test, {} streams of {}",
                plan.processes,
                path.display()
            );
            let per_process = bench_per_process(path, plan.processes)?;
            eprintln!(
                "bench: W3, {} warm-up + {} runs of {}",
                plan.w3_warm,
                plan.w3,
                path.display()
            );
            (
                Some(per_process),
                Some(bench_w3(path, plan.w3_warm, plan.w3)?),
            )
        }
        None => {
            eprintln!(
                "bench: one process per test and W3 are skipped: no --fixture PATH \
                 (cargo xtask bench builds it)"
            );
            (None, None)
        }
    };

    eprintln!("bench: W4, {} pairs of runs plain / spliced", plan.w4);
    let w4 = impaired::bench_w4(plan.w4, plan.w4_mib)?;

    let report = Report {
        quick: args.quick,
        load: [load_start, loadavg()],
        shell_skipped: shell.err(),
        w1,
        w2,
        per_process,
        w3,
        w4,
        parent_rss,
        child_rss_w1,
        child_rss_w2,
    };
    print!("{}", report.table());
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("creating {}: {e}", args.out.display()))?;
    let json_path = args.out.join("netns-test-bench.json");
    let svg_path = args.out.join("netns-test-bench.svg");
    let json = serde_json::to_string_pretty(&report.json()).expect("JSON of plain values");
    std::fs::write(&json_path, json + "\n")
        .map_err(|e| format!("writing {}: {e}", json_path.display()))?;
    std::fs::write(&svg_path, report.svg())
        .map_err(|e| format!("writing {}: {e}", svg_path.display()))?;
    println!("\nwritten: {}", canonical(&json_path));
    println!("         {}", canonical(&svg_path));
    Ok(())
}

fn canonical(p: &Path) -> String {
    p.canonicalize()
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

//! One sandboxed run from start to verdict: fork the sandbox, build the topology,
//! run the body, run the checks; for a failure, the report and its files.

use crate::error::{Cause, Error, Phase, Timings};
use crate::kernel::netns::NetNs;
use crate::net::Net;
use crate::options::CaptureMode;
use crate::options::{Backtrace, Options};
use crate::report::{self, Report};
use crate::sandbox::{self, Ending, Failure};
use crate::test_result::TestResult;
use crate::topology::{ParseError, Topology};
use crate::{builder, checks, forensics};
use std::time::Instant;

/// Runs `body` inside a fresh sandbox built from `topology`.
///
/// Returns the failure (what failed, the phase, and the report with every node's
/// state) instead of panicking, so callers can assert on it; the macro panics with it.
pub fn run<F, R>(topology: &Topology, options: Options, body: F) -> Result<(), Error>
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    run_timed(topology, options, body).0
}

/// [`run`], and how long each phase took: what the smoke suite and the benchmark report.
pub fn run_timed<F, R>(
    topology: &Topology,
    options: Options,
    body: F,
) -> (Result<(), Error>, Timings)
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    before_the_first_fork();
    // A topology built in code gets the checks the parser gives a text: the builder
    // relies on them.
    if let Err(e) = validate(topology) {
        let e = format!("the topology breaks a rule of the language: {e}");
        return (
            Err(Error::new(Cause::Misconfigured(e), Phase::Setup)),
            Timings::default(),
        );
    }
    let options = match options.with_env() {
        Ok(o) => o,
        Err(e) => {
            let e = Error::new(Cause::Misconfigured(e), Phase::Setup);
            return (Err(e), Timings::default());
        }
    };
    let outside = match NetNs::current().and_then(|ns| ns.inode()) {
        Ok(inode) => inode,
        Err(e) => {
            let e = format!("reading the test process's network namespace: {e}");
            return (
                Err(Error::new(Cause::Spawn(e), Phase::Setup)),
                Timings::default(),
            );
        }
    };
    // The builder's own waits give up a little before the parent's deadline, so a
    // build that cannot finish says which wait failed instead of just timing out.
    let margin = (options.timeout / 10).min(std::time::Duration::from_secs(1));
    let deadline = Instant::now() + options.timeout - margin;
    // Per node: its namespace, the builder's netlink socket, a probe socket or two, and
    // two descriptors queued to the sandbox process (the kernel counts those against
    // the sender's open-files limit too).
    let fds = 64 + 6 * (topology.nodes.len() + 1);
    let orders = sandbox::witness::Orders {
        capture: options.capture_mode(),
        dir: options.forensics.clone(),
        backtrace: options.backtrace,
        nats: topology.nats.iter().map(|n| n.router.clone()).collect(),
        // The nodes' namespaces and the sandbox's own (the bridges').
        sockets: topology.nodes.len() + 1,
    };
    let capture = options.capture_mode() != CaptureMode::Never;
    if capture {
        crate::forensics::capture::keep_timestamps_on();
    }
    let (node, checks, expects, isolation) = (
        options.node.clone(),
        options.checks,
        options.expects,
        options.isolation_timeout,
    );
    let (keep, name, hooks) = (options.keep, options.name.clone(), options.hooks);
    let seed = options.seed_value();
    let (ending, timings) = sandbox::run(
        options.timeout,
        fds,
        options.relay_output,
        &orders,
        Box::new(move |reporter: &sandbox::Reporter| {
            reporter.phase(Phase::Build);
            let mut net = setup(topology, outside, deadline, reporter, capture, hooks, seed)
                .map_err(|e| (Phase::Build, Failure::Build(e)))?;
            (net.checks, net.isolation) = (checks, isolation);
            reporter.phase(Phase::Body);
            let outcome = run_body(&net, node.as_deref(), body)
                .map_err(|f| (Phase::Body, f))
                .and_then(|()| {
                    reporter.phase(Phase::Checks);
                    net.block(checks::run(&net, expects, checks, isolation))
                        .map_err(|c| (Phase::Checks, Failure::Checks(c)))
                });
            impair_summary(&net, reporter);
            if let (Err((_, why)), Some(keep)) = (&outcome, keep) {
                let why = why.summary();
                forensics::keep_for_a_developer(&net, reporter, name.as_deref(), &why, keep);
            }
            // Runtimes are never dropped: dropping one waits for its blocking tasks,
            // and the kernel reclaims everything when the sandbox exits anyway.
            std::mem::forget(net);
            outcome
        }),
    );
    (verdict(ending, topology, &options), timings)
}

/// `Topology::validate`, remembering the last topology that passed: a suite runs the
/// same one again and again, and comparing costs less than printing and parsing.
fn validate(topology: &Topology) -> Result<(), ParseError> {
    static LAST: std::sync::Mutex<Option<Topology>> = std::sync::Mutex::new(None);
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if last.as_ref() == Some(topology) {
        return Ok(());
    }
    topology.validate()?;
    *last = Some(topology.clone());
    Ok(())
}

/// What sandboxes need of the test process, settled once, before the first fork.
fn before_the_first_fork() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // See the fork-safety argument in `sandbox/panics.rs`.
        sandbox::panics::install();
        // std reads RUST_MIN_STACK, under the environment lock, when a process
        // starts its first thread with std, and keeps the value: start one here, so
        // a sandbox's threads never read the environment (`sandbox/held_locks.rs`).
        let _ = std::thread::spawn(|| {}).join();
        // Read once per process; a sandbox inherits the value.
        builder::cores();
    });
}

/// The sandbox's runtime and the built topology.
fn setup(
    topology: &Topology,
    outside: u64,
    deadline: Instant,
    reporter: &sandbox::Reporter,
    capture: bool,
    hooks: builder::Hooks,
    seed: u64,
) -> Result<Net, String> {
    // The namespaces are on their way before the runtime exists.
    reporter.step("making the namespaces");
    let started = builder::start(topology, outside, capture, hooks)?;
    // Single-threaded: the build, the checks and the harness's blocking calls run on
    // the thread that also drives the netlink sockets, so a request and its answer
    // never cross threads (with a worker thread, each round trip cost two wake-ups,
    // about half of a two-node build). Async bodies get a runtime of their own
    // (`Net::block_on`), and handles given to test code are served by the node's
    // (`Node::netlink`).
    reporter.step("starting the sandbox's runtime");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the sandbox's runtime: {e}"))?;
    let (built, impairer) = rt.block_on(builder::finish(
        started,
        seed,
        deadline,
        &|s| reporter.step(s),
        &reporter.vault,
    ))?;
    let net = Net::new(rt, topology.clone(), built, impairer, seed);
    Ok(net)
}

/// What the relay did, to the parent (for a failure's report) and, when the kernel
/// dropped frames before the relay could read them, to the test's output: those
/// losses were decided by no seed, and a run must never hide them.
fn impair_summary(net: &Net, reporter: &sandbox::Reporter) {
    let impairer = net.impairer.lock().unwrap_or_else(|p| p.into_inner());
    let Some(impairer) = impairer.as_ref() else {
        return;
    };
    let mut text = String::new();
    let mut drops = 0;
    for link in impairer.report() {
        let (a, b) = link.name.split_once(" -- ").unwrap_or(("a", "b"));
        for ((imp, c), (from, to)) in link.dirs.iter().zip([(a, b), (b, a)]) {
            drops += c.kernel_drops;
            let imp = if imp.is_none() {
                "no impairment".to_string()
            } else {
                imp.to_string()
            };
            text.push_str(&format!(
                "{from} -> {to} ({imp}): {}\n",
                crate::impair::describe(c)
            ));
        }
    }
    if drops > 0 {
        eprintln!(
            "netns-test: the kernel dropped {drops} frame(s) of impaired links before the \
             relay could read them (its ring was full): losses no seed decided or \
             reproduces\n{text}"
        );
    }
    reporter.impairments(text);
}

/// Runs the body (inside `node` if given) and turns a panic or an `Err` into a failure.
fn run_body<F, R>(net: &Net, node: Option<&str>, body: F) -> Result<(), Failure>
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    let call = || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            __netns_test_begin_body(net, body)
        }))
    };
    let caught = match node {
        Some(name) => net
            .node(name)
            .enter_while(call)
            .map_err(|e| Failure::Harness(format!("entering node {name}: {e}")))?,
        None => call(),
    };
    match caught {
        Ok(r) => r.into_result().map_err(Failure::Returned),
        Err(payload) => {
            let message = sandbox::panic_message(&*payload);
            let (panic, others) = sandbox::panics::take(&message);
            let panic = panic.unwrap_or(sandbox::panics::PanicRecord {
                message,
                ..Default::default()
            });
            Err(Failure::Panicked {
                panic: Box::new(panic),
                others,
            })
        }
    }
}

/// The frame below the body: a short backtrace ends here (`report::backtrace`).
#[inline(never)]
fn __netns_test_begin_body<F: FnOnce(&Net) -> R, R>(net: &Net, body: F) -> R {
    let r = body(net);
    // Keeps this frame on the stack (no tail call), so backtraces find it.
    std::hint::black_box(());
    r
}

/// What the report says of impairments: for a topology with impaired links, or a
/// run whose relay reported (a link impaired from the body).
fn impairments(
    topology: &Topology,
    options: &Options,
    relay: Option<String>,
) -> Option<report::Impairments> {
    let impaired = topology
        .links
        .iter()
        .any(|l| l.impair.iter().any(|i| !i.is_none()));
    let (seed, from) = options.seed?;
    (impaired || relay.is_some()).then_some(report::Impairments { seed, from, relay })
}

/// The ending as the run's result; a failure gets its report, written to the
/// forensics directory.
fn verdict(ending: Ending, topology: &Topology, options: &Options) -> Result<(), Error> {
    use sandbox::Outcome;
    let mut frames = Vec::new();
    let mut others = Vec::new();
    let mut failed_checks = Vec::new();
    let cause = match ending.outcome {
        Outcome::Passed => return Ok(()),
        Outcome::Unavailable(why) => return Err(Error::new(Cause::Unavailable(why), Phase::Setup)),
        Outcome::Spawn(why) => return Err(Error::new(Cause::Spawn(why), Phase::Setup)),
        Outcome::Retry(why) => {
            let why = format!("{why}, in every one of the sandboxes tried");
            return Err(Error::new(Cause::Spawn(why), Phase::Setup));
        }
        Outcome::Failed(Failure::Panicked { panic, others: o }) => {
            let panic = *panic;
            frames = panic.frames;
            others = o;
            Cause::Panicked {
                message: panic.message,
                location: panic.location,
            }
        }
        Outcome::Failed(Failure::Returned(e)) => Cause::Returned(e),
        Outcome::Failed(Failure::Build(e)) => Cause::Build(e),
        Outcome::Failed(Failure::Checks(c)) => {
            failed_checks = c.iter().map(|f| f.message.clone()).collect();
            Cause::Checks(c)
        }
        Outcome::Failed(Failure::Harness(e)) => Cause::Harness(e),
        Outcome::TimedOut(after) => Cause::TimedOut { after },
        Outcome::Killed(signal) => Cause::Killed { signal },
        Outcome::Exited(code) => Cause::Exited { code },
    };
    let timed_out = matches!(cause, Cause::TimedOut { .. });
    let build_failed = matches!(ending.phase, Phase::Setup | Phase::Build);
    let states = ending.states.or_else(|| {
        timed_out.then(|| {
            let why = format!(
                "the sandbox did not answer within {} of the deadline",
                crate::error::human(sandbox::GRACE)
            );
            report::States {
                when: String::new(),
                nodes: Err(why),
            }
        })
    });
    let backtrace = (!frames.is_empty())
        .then(|| report::backtrace::format(&frames, options.backtrace == Backtrace::Full));
    let mut error = Error {
        cause,
        phase: ending.phase,
        step: ending.step,
        report: Some(Box::new(Report {
            test: options.name.clone(),
            topology: topology.clone(),
            states,
            other_panics: others,
            backtrace,
            capture: ending.capture,
            forensics: None,
            failed_checks,
            build_failed,
            impairments: impairments(topology, options, ending.impairments),
        })),
    };
    if let Some(dir) = &options.forensics {
        let written = forensics::write_report(dir, &mut error);
        if let (Err(why), Some(report)) = (written, error.report.as_mut()) {
            report.forensics = Some(Err(why));
        }
    }
    Err(error)
}

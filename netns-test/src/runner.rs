//! One sandboxed run from start to verdict: fork the sandbox, build the topology,
//! run the body, run the checks, and leave forensics for a failure.

use crate::error::{Error, Phase, Timings};
use crate::forensics::capture::{self, CaptureMode};
use crate::kernel::netns::NetNs;
use crate::net::Net;
use crate::options::Options;
use crate::test_result::TestResult;
use crate::topology::Topology;
use crate::{builder, checks, forensics, sandbox};
use std::time::Instant;

/// Runs `body` inside a fresh sandbox built from `topology`.
///
/// Returns the failure (with its phase and the child's message) instead of
/// panicking, so callers can assert on it; the macro panics with it.
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
    let outside = match NetNs::current().and_then(|ns| ns.inode()) {
        Ok(inode) => inode,
        Err(e) => {
            let e = Error::Spawn(format!("reading the test process's network namespace: {e}"));
            return (Err(e), Timings::default());
        }
    };
    // The builder's own waits give up a little before the parent's deadline, so a
    // build that cannot finish says which wait failed instead of just timing out.
    let options = options.with_env();
    let margin = (options.timeout / 10).min(std::time::Duration::from_secs(1));
    let deadline = Instant::now() + options.timeout - margin;
    // Read here, in the test process, once: a sandbox inherits the value.
    builder::cores();
    // Per node: its namespace, the builder's netlink socket, a probe socket or two.
    let fds = 64 + 4 * (topology.nodes.len() + 1);
    sandbox::run(
        options.timeout,
        fds,
        Box::new(move |reporter: &sandbox::Reporter| {
            reporter.phase(Phase::Build);
            let mut capture =
                (options.capture != CaptureMode::Never).then(capture::Capture::default);
            let net = setup(topology, outside, deadline, reporter, capture.as_mut())
                .map_err(|e| (Phase::Build, e))?;
            reporter.phase(Phase::Body);
            let result = run_body(&net, options.node.as_deref(), body);
            // Runtimes are never dropped: dropping one waits for its blocking tasks,
            // and the kernel reclaims everything when the sandbox exits anyway.
            let outcome = result.map_err(|e| (Phase::Body, e)).and_then(|()| {
                reporter.phase(Phase::Checks);
                net.block(checks::run(&net, options.checks, options.isolation_timeout))
                    .map_err(|e| (Phase::Checks, e))
            });
            let mut outcome = outcome;
            let save = outcome.is_err() || options.capture == CaptureMode::Always;
            if let (Some(capture), Some(dir), true) = (&capture, &options.forensics, save) {
                let note = forensics::save(
                    &net,
                    capture,
                    dir,
                    outcome.as_ref().err().map(|e| e.1.as_str()),
                );
                if let Err((_, why)) = &mut outcome {
                    why.push_str(&note);
                }
            }
            if let (Err((_, why)), Some(keep)) = (&outcome, options.keep) {
                forensics::keep_for_a_developer(&net, reporter, options.name.as_deref(), why, keep);
            }
            std::mem::forget(net);
            outcome
        }),
    )
}

/// The sandbox's runtime and the built topology.
fn setup(
    topology: &Topology,
    outside: u64,
    deadline: Instant,
    reporter: &sandbox::Reporter,
    capture: Option<&mut capture::Capture>,
) -> Result<Net, String> {
    // The namespaces are on their way before the runtime exists.
    reporter.step("making the namespaces");
    let started = builder::start(topology, outside)?;
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
    let built = rt.block_on(builder::finish(
        started,
        deadline,
        &|s| reporter.step(s),
        capture,
    ))?;
    let net = Net::new(rt, topology.clone(), built);
    Ok(net)
}

/// Runs the body (inside `node` if given) and turns a panic or an `Err` into a message.
fn run_body<F, R>(net: &Net, node: Option<&str>, body: F) -> Result<(), String>
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    let call = || std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(net)));
    let caught = match node {
        Some(name) => net
            .node(name)
            .enter_while(call)
            .map_err(|e| format!("entering node {name}: {e}"))?,
        None => call(),
    };
    match caught {
        Ok(r) => r.into_result(),
        Err(panic) => Err(format!(
            "the body panicked: {}",
            sandbox::panic_message(&*panic)
        )),
    }
}

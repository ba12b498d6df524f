//! The table `cargo xtask smoke` prints after libtest's report: how big each topology
//! is, what building and checking it cost, and how it ended.

use super::{FileResult, Outcome};
use crate::Cause;
use std::fmt::Write;
use std::time::Duration;

/// One row per result, in the given order, then a line of totals.
///
/// `nodes` counts namespaces (`host` included), `links` veth pairs; `build ms` is
/// the topology's build inside the sandbox, `checks ms` every `expect`, segment ping and
/// neighbour check plus the sandbox's exit.
pub fn table(results: &[FileResult]) -> String {
    let rows: Vec<[String; 6]> = results
        .iter()
        .map(|r| {
            let ran = matches!(r.outcome, Outcome::Passed | Outcome::Failed(_));
            let count = |n: usize| {
                if r.nodes > 0 {
                    n.to_string()
                } else {
                    "-".into()
                }
            };
            let ms = |d: Duration| {
                if ran {
                    format!("{:.1}", d.as_secs_f64() * 1000.0)
                } else {
                    "-".into()
                }
            };
            [
                r.name.clone(),
                count(r.nodes),
                count(r.links),
                ms(r.timings.build),
                ms(r.timings.checks),
                verdict(&r.outcome),
            ]
        })
        .collect();
    let header = [
        "topology",
        "nodes",
        "links",
        "build ms",
        "checks ms",
        "result",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 6]| {
        // The name left-aligned, the numbers right-aligned, the verdict last and ragged.
        let _ = write!(out, "{:<w$}", cells[0], w = widths[0]);
        for i in 1..5 {
            let _ = write!(out, "  {:>w$}", cells[i], w = widths[i]);
        }
        let _ = writeln!(out, "  {}", cells[5]);
    };
    line(header);
    for row in &rows {
        line(row.each_ref().map(String::as_str));
    }
    let count = |f: fn(&Outcome) -> bool| results.iter().filter(|r| f(&r.outcome)).count();
    let passed = count(|o| matches!(o, Outcome::Passed));
    let ignored = count(|o| matches!(o, Outcome::Unavailable(_)));
    let failed = results.len() - passed - ignored;
    let total: Duration = results.iter().map(|r| r.timings.total).sum();
    let _ = writeln!(
        out,
        "{} topolog{}: {passed} ok, {failed} failed, {ignored} ignored; {:.1} ms in sandboxes",
        results.len(),
        if results.len() == 1 { "y" } else { "ies" },
        total.as_secs_f64() * 1000.0
    );
    out
}

/// `ok`, or what failed, in a few words.
fn verdict(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Passed => "ok".into(),
        Outcome::Unreadable(_) => "FAILED: unreadable".into(),
        Outcome::Invalid(_) => "FAILED: parse error".into(),
        Outcome::Unavailable(_) => "ignored: no user namespaces here".into(),
        Outcome::Failed(e) => match e.cause() {
            Cause::TimedOut { .. } => format!("FAILED: timed out in {}", e.phase()),
            Cause::Killed { signal } => format!("FAILED: killed by {signal} in {}", e.phase()),
            Cause::Spawn(_) => "FAILED: could not start the sandbox".into(),
            _ => format!("FAILED in {}", e.phase()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, Phase, Timings};

    fn result(name: &str, nodes: usize, links: usize, outcome: Outcome) -> FileResult {
        FileResult {
            name: name.into(),
            path: format!("{name}.topo").into(),
            nodes,
            links,
            diagram: String::new(),
            timings: Timings {
                build: Duration::from_micros(1300),
                checks: Duration::from_micros(40),
                total: Duration::from_millis(2),
                ..Timings::default()
            },
            outcome,
        }
    }

    #[test]
    fn rows_align_and_totals_count() {
        let t = table(&[
            result("router", 4, 2, Outcome::Passed),
            result("mesh32", 33, 496, Outcome::Passed),
            result(
                "broken",
                0,
                0,
                Outcome::Invalid(
                    crate::topology::ParseError::new(1, 1, "x").with_source_name("broken.topo"),
                ),
            ),
            result(
                "lossy",
                2,
                1,
                Outcome::Failed(Error::new(
                    Cause::Checks(vec![crate::FailedCheck::new(
                        crate::CheckKind::Reachability,
                        "a check",
                    )]),
                    Phase::Checks,
                )),
            ),
        ]);
        assert_eq!(
            t,
            "topology  nodes  links  build ms  checks ms  result\n\
             router        4      2       1.3        0.0  ok\n\
             mesh32       33    496       1.3        0.0  ok\n\
             broken        -      -         -          -  FAILED: parse error\n\
             lossy         2      1       1.3        0.0  FAILED in checks\n\
             4 topologies: 2 ok, 2 failed, 0 ignored; 8.0 ms in sandboxes\n"
        );
    }
}

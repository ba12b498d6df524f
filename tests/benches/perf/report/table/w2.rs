//! The stars' rows of the table: each size's totals, phases, idle-settled figures,
//! the teardown the next run pays, and the kernel's floor.

use super::{difference, ours_s, ratio_s, row, shell_s};
use crate::report::{
    fmt_ms, mark, med_p90, ratio, Report, W2_128_MAX_MS, W2_128_SETTLED_MAX_MS, W2_256_MAX_FACTOR,
    W2_MIN_RATIO,
};
use crate::stats::Stats;

impl Report {
    pub(super) fn w2_rows(&self, t: &mut String, ok: &dyn Fn(&str) -> Option<bool>) {
        for w in &self.w2 {
            let (target, mark_s) = match w.n {
                128 => (
                    format!("≤ {W2_128_MAX_MS} ms, ≥ {W2_MIN_RATIO}×"),
                    format!(
                        "{} {}",
                        mark(ok("W2 N=128 back to back")),
                        mark(ok("W2 N=128 vs shell"))
                    ),
                ),
                256 => (
                    format!("≤ {W2_256_MAX_FACTOR} × N=128"),
                    mark(ok("W2 N=256 / N=128")).to_string(),
                ),
                _ => (String::new(), String::new()),
            };
            row(
                t,
                [
                    &format!("W2 star N={} total", w.n),
                    &ours_s(&w.b2b.total, w.failures),
                    &shell_s(&w.shell),
                    &ratio_s(ratio(&w.shell, &w.b2b.total)),
                    &target,
                    &mark_s,
                ],
            );
            let mean = w
                .b2b
                .total
                .mean()
                .map_or("–".into(), |m| format!("{} ms", fmt_ms(m)));
            row(t, ["  mean (a suite's cost)", &mean, "", "", "", ""]);
            if w.n == 256 {
                let f = self
                    .w2_256_factors()
                    .map_or("–".into(), |(m, a)| format!("{m:.2}× / {a:.2}×"));
                row(t, ["  / N=128, med / mean", &f, "", "", "", ""]);
            }
            let mut warm = w.warm_runs.clone();
            warm.sort_unstable();
            let warm = warm
                .get(warm.len() / 2)
                .map_or("–".into(), |k| k.to_string());
            row(t, ["  warm-up runs, median", &warm, "", "", "", ""]);
            row(t, ["  build", &med_p90(&w.b2b.build), "", "", "", ""]);
            row(t, ["  checks", &med_p90(&w.b2b.checks), "", "", "", ""]);
            let (target, mark_s) = if w.n == 128 {
                (
                    format!("≤ {W2_128_SETTLED_MAX_MS} ms"),
                    mark(ok("W2 N=128 idle-settled")),
                )
            } else {
                (String::new(), "")
            };
            row(
                t,
                [
                    "  idle-settled",
                    &med_p90(&w.settled.total),
                    "",
                    "",
                    &target,
                    mark_s,
                ],
            );
            for (name, s) in [
                ("    build", &w.settled.build),
                ("    checks", &w.settled.checks),
            ] {
                row(t, [name, &med_p90(s), "", "", "", ""]);
            }
            row(
                t,
                [
                    "  teardown paid by next",
                    &difference(&w.b2b.total, &w.settled.total),
                    "",
                    "",
                    "",
                    "",
                ],
            );
            floor_rows(t, &w.floor);
        }
    }
}

/// The kernel's floor for a star: its total, then namespaces / pairs / ups.
fn floor_rows(t: &mut String, f: &crate::floor::Floor) {
    if let Some(why) = &f.skipped {
        let why = format!("skipped: {why}");
        row(t, ["  kernel floor, one thread", &why, "", "", "", ""]);
        return;
    }
    row(
        t,
        [
            "  kernel floor, one thread",
            &med_p90(&f.total),
            "",
            "",
            "",
            "",
        ],
    );
    let m = |s: &Stats| s.median().map_or("–".into(), fmt_ms);
    let parts = format!("{} / {} / {} ms", m(&f.namespaces), m(&f.veths), m(&f.up));
    row(t, ["    netns / veths / up+addr", &parts, "", "", "", ""]);
}

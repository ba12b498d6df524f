//! `netns-test-bench.svg`: W2's time against N, both sides, on log–log axes.

use super::{fmt_ms, Report, PATCHBAY_W2_128_MS};
use crate::workloads::w2::W2;
use crate::workloads::W2_SIZES;
use std::fmt::Write as _;

impl Report {
    /// Time against N on log–log axes: netns-test's total (back to back and
    /// idle-settled) and build, the shell steps,
    /// and patchbay's published N=128 point.
    pub fn svg(&self) -> String {
        const W: f64 = 760.0;
        const H: f64 = 440.0;
        const L: f64 = 70.0;
        const R: f64 = 200.0;
        const T: f64 = 40.0;
        const B: f64 = 50.0;
        type Series<'a> = (&'a str, &'a str, bool, Vec<(usize, f64)>);
        let pick = |f: &dyn Fn(&W2) -> Option<f64>| -> Vec<(usize, f64)> {
            self.w2
                .iter()
                .filter_map(|w| f(w).map(|m| (w.n, m)))
                .collect()
        };
        let series: Vec<Series> = vec![
            (
                "netns-test total",
                "#1f77b4",
                false,
                pick(&|w| w.b2b.total.median()),
            ),
            (
                "netns-test build",
                "#7fb3e0",
                true,
                pick(&|w| w.b2b.build.median()),
            ),
            (
                "idle-settled total",
                "#2ca02c",
                true,
                pick(&|w| w.settled.total.median()),
            ),
            (
                "shell steps (ip netns)",
                "#d62728",
                false,
                pick(&|w| w.shell.times.median()),
            ),
        ];
        let peer = (128usize, PATCHBAY_W2_128_MS);
        let all: Vec<f64> = series
            .iter()
            .flat_map(|s| s.3.iter().map(|p| p.1))
            .chain([peer.1])
            .filter(|y| *y > 0.0)
            .collect();
        let lo = all.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = all.iter().cloned().fold(0.0, f64::max);
        let (y0, y1) = if all.is_empty() {
            (0.0, 4.0)
        } else {
            (
                lo.log10().floor(),
                hi.log10().ceil().max(lo.log10().floor() + 1.0),
            )
        };
        let (x0, x1) = (3.0f64, 8.0f64); // log2 of 8 and 256
        let px = |n: usize| L + ((n as f64).log2() - x0) / (x1 - x0) * (W - L - R);
        let py = |ms: f64| T + (y1 - ms.log10()) / (y1 - y0) * (H - T - B);

        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{L}" y="22" font-size="15">netns-test bench W2: star of N nodes on one bridge (median, log–log)</text>"#
        );
        for n in W2_SIZES {
            let x = px(n);
            let _ = writeln!(
                s,
                r##"<line x1="{x:.1}" y1="{T}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{n}</text>"##,
                H - B,
                H - B + 16.0
            );
        }
        let mut d = y0;
        while d <= y1 + 1e-9 {
            let ms = 10f64.powf(d);
            let y = py(ms);
            let label = if ms >= 1000.0 {
                format!("{} s", ms / 1000.0)
            } else {
                format!("{ms} ms")
            };
            let _ = writeln!(
                s,
                r##"<line x1="{L}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"##,
                W - R,
                L - 6.0,
                y + 4.0
            );
            d += 1.0;
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">nodes N</text>"#,
            (L + W - R) / 2.0,
            H - 12.0
        );
        let _ = writeln!(
            s,
            r#"<text transform="rotate(-90)" x="{:.1}" y="14" text-anchor="middle">time per run (median)</text>"#,
            -(T + H - B) / 2.0
        );
        let mut legend_y = T + 10.0;
        for (name, color, dashed, points) in &series {
            if points.is_empty() {
                continue;
            }
            let path: Vec<String> = points
                .iter()
                .map(|&(n, ms)| format!("{:.1},{:.1}", px(n), py(ms)))
                .collect();
            let dash = if *dashed {
                r#" stroke-dasharray="5,4""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"{dash}/>"#,
                path.join(" ")
            );
            for &(n, ms) in points {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{color}"><title>{name}, N={n}: {} ms</title></circle>"#,
                    px(n),
                    py(ms),
                    fmt_ms(ms)
                );
            }
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" y1="{legend_y:.1}" x2="{:.1}" y2="{legend_y:.1}" stroke="{color}" stroke-width="2"{dash}/><text x="{:.1}" y="{:.1}">{name}</text>"#,
                W - R + 12.0,
                W - R + 36.0,
                W - R + 42.0,
                legend_y + 4.0
            );
            legend_y += 20.0;
        }
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="#888"><title>patchbay, published: {} ms</title></rect>"##,
            px(peer.0) - 4.0,
            py(peer.1) - 4.0,
            peer.1
        );
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="#888"/><text x="{:.1}" y="{:.1}">patchbay (published)</text>"##,
            W - R + 20.0,
            legend_y - 4.0,
            W - R + 42.0,
            legend_y + 4.0
        );
        s.push_str("</svg>\n");
        s
    }
}

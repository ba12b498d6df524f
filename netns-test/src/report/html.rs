//! The report as one self-contained page (`report.html`): no external assets and no
//! scripts. The topology is drawn as SVG, nodes and bridges on a circle with their
//! addresses, each veth pair a line labelled with its interfaces; links and nodes that
//! a failed check names are drawn in red. Then what failed, every node's state, how to
//! run the test again and the capture file.

use super::Report;
use crate::topology::{End, Topology, HOST};
use std::fmt::Write as _;

/// `<`, `>`, `&`, `"` as entities.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:80em}\
pre{background:#f6f6f6;padding:.6em;overflow-x:auto}\
.failed{color:#b00}\
svg text{font-family:monospace;font-size:11px}\
svg .node rect{fill:#eef;stroke:#446}\
svg .bridge ellipse{fill:#efe;stroke:#464}\
svg .bad rect,svg .bad ellipse{stroke:#c00;stroke-width:3}\
svg line{stroke:#666;stroke-width:1.5}\
svg line.failed{stroke:#d00;stroke-width:4}";

/// The whole page; `headline` is what failed.
pub(super) fn page(report: &Report, headline: &str) -> String {
    let test = report.test.as_deref().unwrap_or("a netns-test run");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{t} failed</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{t} failed</h1>\n<pre class=\"failed\">{h}</pre>\n",
        t = esc(test),
        h = esc(headline)
    );
    out.push_str("<h2>Topology</h2>\n");
    out.push_str(&svg(&report.topology, &report.failed_checks));
    if !report.failed_checks.is_empty() {
        out.push_str("<h2>Failed checks</h2>\n<ul>\n");
        for c in &report.failed_checks {
            let _ = writeln!(out, "<li class=\"failed\">{}</li>", esc(c));
        }
        out.push_str("</ul>\n");
    }
    if let Some(bt) = &report.backtrace {
        let _ = writeln!(out, "<h2>Backtrace</h2>\n<pre>{}</pre>", esc(bt));
    }
    out.push_str("<h2>Nodes</h2>\n");
    match &report.states {
        None => out.push_str("<p>Not read.</p>\n"),
        Some(super::States {
            nodes: Err(why), ..
        }) => {
            let _ = writeln!(out, "<p>Could not be read: {}</p>", esc(why));
        }
        Some(super::States {
            when,
            nodes: Ok(nodes),
        }) => {
            let _ = writeln!(out, "<p>Read {}.</p>", esc(when));
            for (name, state) in nodes {
                let _ = writeln!(
                    out,
                    "<h3 id=\"node-{n}\">{n}</h3>\n<pre>{}</pre>",
                    esc(state),
                    n = esc(name)
                );
            }
        }
    }
    out.push_str("<h2>Run</h2>\n<dl>\n");
    if let Some((cmd, target)) = super::rerun(report.test.as_deref()) {
        let target = target
            .map(|t| format!(" (in the test target {})", esc(t)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<dt>run it again</dt><dd><code>{}</code>{target}</dd>",
            esc(&cmd)
        );
    }
    match &report.impairments {
        Some(imp) => {
            let _ = writeln!(
                out,
                "<dt>seed</dt><dd>{}</dd>",
                esc(&imp.seed_line(report.test.as_deref()))
            );
            if let Some(relay) = &imp.relay {
                let _ = writeln!(
                    out,
                    "<dt>impairments</dt><dd><pre>{}</pre></dd>",
                    esc(relay)
                );
            }
        }
        None => {
            let _ = writeln!(
                out,
                "<dt>seed</dt><dd>none: the run has no random input; the topology below, \
                 as built (automatic addresses filled in), is all it needs</dd>"
            );
        }
    }
    match &report.capture {
        Some(Ok(what)) => {
            let _ = writeln!(
                out,
                "<dt>capture</dt><dd><a href=\"{f}\">{}</a> (open it with Wireshark or \
                 <code>tshark -r {f}</code>)</dd>",
                esc(what),
                f = crate::forensics::pcapng::CAPTURE_FILE
            );
        }
        Some(Err(why)) => {
            let _ = writeln!(out, "<dt>capture</dt><dd>none: {}</dd>", esc(why));
        }
        None => {
            let _ = writeln!(
                out,
                "<dt>capture</dt><dd>none (NETNS_TEST_CAPTURE=never)</dd>"
            );
        }
    }
    let _ = writeln!(
        out,
        "<dt>topology</dt><dd><pre>{}</pre></dd>\n</dl>\n</body>\n</html>",
        esc(&report.topology.to_string())
    );
    out
}

/// A vertex of the drawing: a node or a bridge.
struct Vertex {
    id: String,
    label: String,
    addrs: Vec<String>,
    bridge: bool,
}

/// Does a failed check name `node:iface` (or `node's iface`)?
fn names_end(check: &str, node: &str, iface: &str) -> bool {
    check.contains(&format!("{node}:{iface}")) || check.contains(&format!("{node}'s {iface}"))
}

/// Does a failed check name the node as a word?
fn names_node(check: &str, node: &str) -> bool {
    check
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .any(|w| w == node)
}

/// The topology as SVG: vertices on a circle, links as lines with interface labels.
pub(crate) fn svg(t: &Topology, failed: &[String]) -> String {
    let mut vertices: Vec<Vertex> = Vec::new();
    let host_used = t.links.iter().any(|l| {
        [&l.a, &l.b]
            .iter()
            .any(|e| matches!(e, End::Node(n) if n.node == HOST))
    });
    for name in t.node_names() {
        let addrs: Vec<String> = t
            .ifaces(name)
            .iter()
            .flat_map(|(_, a)| a.iter().map(|c| c.to_string()))
            .collect();
        if name == HOST && !host_used {
            continue;
        }
        vertices.push(Vertex {
            id: name.to_string(),
            label: name.to_string(),
            addrs,
            bridge: false,
        });
    }
    for b in &t.bridges {
        vertices.push(Vertex {
            id: format!("br:{}", b.name),
            label: format!("{} (bridge in {})", b.name, b.node),
            addrs: b.addrs.iter().map(|c| c.to_string()).collect(),
            bridge: true,
        });
    }
    let n = vertices.len().max(1);
    let radius = (60.0 * n as f64 / std::f64::consts::PI).max(140.0);
    let (w, h) = (2.0 * radius + 360.0, 2.0 * radius + 160.0);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let at = |i: usize| {
        let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
        (cx + radius * a.cos(), cy + radius * a.sin())
    };
    let index = |id: &str| vertices.iter().position(|v| v.id == id);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.0} {h:.0}\">\n"
    );
    for link in &t.links {
        let end = |e: &End| match e {
            End::Node(n) => (n.node.clone(), Some(n.ifname.clone())),
            End::Bridge { bridge, .. } => (format!("br:{bridge}"), None),
        };
        let ((a, ia), (b, ib)) = (end(&link.a), end(&link.b));
        let (Some(pa), Some(pb)) = (index(&a), index(&b)) else {
            continue;
        };
        let node_ends: Vec<(&str, &str)> = [(&a, &ia), (&b, &ib)]
            .into_iter()
            .filter_map(|(n, i)| i.as_deref().map(|i| (n.as_str(), i)))
            .collect();
        let bad = !node_ends.is_empty()
            && failed
                .iter()
                .any(|c| node_ends.iter().all(|(n, i)| names_end(c, n, i)));
        let ((x1, y1), (x2, y2)) = (at(pa), at(pb));
        let class = if bad { " class=\"failed\"" } else { "" };
        let title = format!(
            "{}{} -- {}{}",
            a.trim_start_matches("br:"),
            ia.as_deref().map(|i| format!(":{i}")).unwrap_or_default(),
            b.trim_start_matches("br:"),
            ib.as_deref().map(|i| format!(":{i}")).unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\"{class}>\
             <title>{}{}</title></line>",
            esc(&title),
            if bad { " (a failed check)" } else { "" }
        );
        for ((x, y), (ox, oy), i) in [((x1, y1), (x2, y2), &ia), ((x2, y2), (x1, y1), &ib)] {
            if let Some(i) = i {
                let (lx, ly) = (x + (ox - x) * 0.28, y + (oy - y) * 0.28);
                let _ = writeln!(
                    out,
                    "<text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">{}</text>",
                    esc(i)
                );
            }
        }
    }
    for (i, v) in vertices.iter().enumerate() {
        let (x, y) = at(i);
        let bad = !v.bridge && failed.iter().any(|c| names_node(c, &v.id));
        let class = match (v.bridge, bad) {
            (true, _) => "bridge",
            (false, true) => "node bad",
            (false, false) => "node",
        };
        let lines = 1 + v.addrs.len();
        let width = std::iter::once(v.label.len())
            .chain(v.addrs.iter().map(String::len))
            .max()
            .unwrap_or(4) as f64
            * 7.0
            + 16.0;
        let height = lines as f64 * 14.0 + 8.0;
        let _ = writeln!(out, "<g class=\"{class}\" id=\"{}\">", esc(&v.id));
        if v.bridge {
            let _ = writeln!(
                out,
                "<ellipse cx=\"{x:.1}\" cy=\"{y:.1}\" rx=\"{:.1}\" ry=\"{:.1}\"/>",
                width / 2.0 + 8.0,
                height / 2.0 + 4.0
            );
        } else {
            let _ = writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" rx=\"4\"/>",
                x - width / 2.0,
                y - height / 2.0
            );
        }
        let top = y - height / 2.0 + 16.0;
        for (k, text) in std::iter::once(&v.label).chain(&v.addrs).enumerate() {
            let weight = if k == 0 { " font-weight=\"bold\"" } else { "" };
            let _ = writeln!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\"{weight}>{}</text>",
                top + k as f64 * 14.0,
                esc(text)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_reachability_check_marks_its_link_and_nodes() {
        let t = crate::topology::parse("a 10.0.0.1/24 -- b 10.0.0.2/24; b:eth1 -- c").unwrap();
        let failed = [
            "reachability check on segment 1 (veth): a:eth0 10.0.0.1 -> b:eth0 10.0.0.2: no reply"
                .to_string(),
        ];
        let s = svg(&t, &failed);
        assert_eq!(s.matches("class=\"failed\"").count(), 1, "{s}");
        assert!(
            s.contains("<title>a:eth0 -- b:eth0 (a failed check)</title>"),
            "{s}"
        );
        assert!(s.contains("<g class=\"node bad\" id=\"a\">"), "{s}");
        assert!(s.contains("<g class=\"node\" id=\"c\">"), "{s}");
        assert!(s.contains(">10.0.0.1/24</text>"), "{s}");
    }
}

//! A topology file read and parsed, or its mistake as `#[netns_test]` reports it at
//! compile time: `FILE:LINE:COL: message`, then the line with a caret under the column.

use netns_test::topology::{self, ParseError, Topology};
use std::fmt::Write;
use std::path::Path;

/// Why a file gave no topology: the text to print (a read error, or a parse error with
/// its line shown).
#[derive(Debug)]
pub struct Unusable(pub String);

/// Reads and parses `path`.
pub fn topology(path: &Path) -> Result<Topology, Unusable> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Unusable(format!("{}: {e}", path.display())))?;
    topology::parse(&text).map_err(|e| Unusable(with_line(&text, e, path)))
}

/// `FILE:LINE:COL: message`, then the line and a caret under the column (tabs kept, so
/// the caret lines up however the terminal draws them).
fn with_line(text: &str, e: ParseError, path: &Path) -> String {
    let (line, col) = (e.line(), e.col());
    let mut out = e.with_source_name(path.display().to_string()).to_string();
    let Some(source) = text.lines().nth(line.saturating_sub(1)) else {
        return out;
    };
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let before: String = source
        .chars()
        .take(col.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = write!(out, "\n{pad} |\n{number} | {source}\n{pad} | {before}^");
    out
}

#[cfg(test)]
mod tests {
    use super::with_line;
    use std::path::Path;

    #[test]
    fn the_mistake_is_shown_under_its_line() {
        let text = "# two nodes\na -- b 10.0.0.300/24\n";
        let e = netns_test::topology::parse(text).unwrap_err();
        assert_eq!(
            with_line(text, e, Path::new("x.topo")),
            "x.topo:2:8: expected an address like 10.0.0.1/24, found \"10.0.0.300/24\"\n  \
             |\n\
             2 | a -- b 10.0.0.300/24\n  \
             |        ^"
        );
    }

    #[test]
    fn tabs_before_the_column_are_kept() {
        let text = "\ta -- via";
        let e = netns_test::topology::parse(text).unwrap_err();
        let shown = with_line(text, e, Path::new("t"));
        assert!(shown.ends_with("\n  | \t     ^"), "{shown:?}");
    }
}

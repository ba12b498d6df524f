//! Node, bridge and interface names: the keywords they cannot be, and the
//! characters and lengths they may have.

use crate::error::ParseError;
use crate::ifnames::MAX_NAME;
use crate::lex::Pos;

/// Words that start statements or options; they cannot be names, so that a typo
/// in a statement never silently becomes a node.
pub(super) const KEYWORDS: [&str; 17] = [
    "node",
    "bridge",
    "route",
    "expect",
    "nat",
    "forward",
    "sysctl",
    "mtu",
    "default",
    "via",
    "delay",
    "jitter",
    "loss",
    "duplicate",
    "reorder",
    "corrupt",
    "rate",
];

/// Checks a node or bridge name written at `pos`.
pub(super) fn check_name(name: &str, pos: Pos) -> Result<(), ParseError> {
    if KEYWORDS.contains(&name) {
        return Err(pos.error(format!("{name:?} is a keyword and cannot be a name")));
    }
    let mut chars = name.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !well_formed {
        return Err(pos.error(format!(
            "invalid name {name:?}: a name is a lowercase letter followed by lowercase \
             letters, digits, \"_\" or \"-\""
        )));
    }
    if name.len() > MAX_NAME {
        return Err(pos.error(format!(
            "name {name:?} is too long: at most {MAX_NAME} bytes"
        )));
    }
    Ok(())
}

/// Checks an interface name against the kernel's rules, and the language's: it
/// cannot hold the characters that end a word, and `lo` exists in every node.
pub(super) fn check_ifname(name: &str, pos: Pos) -> Result<(), ParseError> {
    if name.is_empty() {
        return Err(pos.error("expected an interface name after \":\""));
    }
    if name.len() > MAX_NAME {
        return Err(pos.error(format!(
            "interface name {name:?} is too long: at most {MAX_NAME} bytes"
        )));
    }
    if name == "." || name == ".." {
        return Err(pos.error(format!("{name:?} cannot be an interface name")));
    }
    if name == "lo" {
        return Err(
            pos.error("interface name \"lo\" is taken: every node has its loopback interface lo")
        );
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c == '/' || c == ':' || c.is_whitespace() || c.is_control())
    {
        return Err(pos.error(format!(
            "interface name {name:?} cannot contain {:?}",
            c.to_string()
        )));
    }
    Ok(())
}

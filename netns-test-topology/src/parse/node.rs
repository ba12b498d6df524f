//! The statement `node NAME [forward] [sysctl KEY=VALUE]...`.

use super::cursor::{unexpected, Cursor};
use super::names::check_name;
use super::Parser;
use crate::error::ParseError;
use crate::lex::Pos;
use crate::model::HOST;

impl Parser {
    pub(super) fn node(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let t = cur.next_or("a node name")?;
        let name = t.text;
        check_name(name, t.pos)?;
        if name == HOST {
            return Err(t.pos.error(
                "\"host\" cannot be declared with node: it is the sandbox's own namespace, \
                 which always exists",
            ));
        }
        if !self.declared.insert(name.to_string()) {
            return Err(t.pos.error(format!("node {name} declared twice")));
        }
        self.use_node(name, t.pos)?;
        let mut forward = false;
        let mut sysctls: Vec<(String, String)> = Vec::new();
        while let Some(opt) = cur.next() {
            match opt.text {
                "forward" if forward => {
                    return Err(opt
                        .pos
                        .error(format!("\"forward\" given twice for node {name}")));
                }
                "forward" => forward = true,
                "sysctl" => {
                    let (key, value) = sysctl(cur)?;
                    if sysctls.iter().any(|(k, _)| *k == key.0) {
                        return Err(key
                            .1
                            .error(format!("sysctl {} set twice for node {name}", key.0)));
                    }
                    sysctls.push((key.0, value));
                }
                _ => {
                    return Err(unexpected(
                        opt,
                        "\"forward\", \"sysctl\" or end of statement",
                    ))
                }
            }
        }
        let node = &mut self.topo.nodes[self.node_index[name]];
        node.forward = forward;
        node.sysctls = sysctls;
        Ok(())
    }
}

/// `KEY=VALUE` after `sysctl`, checked: only `net.*`, since any other sysctl is
/// global and would change the machine running the tests.
fn sysctl(cur: &mut Cursor<'_, '_>) -> Result<((String, Pos), String), ParseError> {
    const EXPECTED: &str = "KEY=VALUE after sysctl";
    let t = cur.next_or(EXPECTED)?;
    let Some((key, value)) = t.text.split_once('=') else {
        return Err(unexpected(t, EXPECTED));
    };
    if !key.starts_with("net.") {
        return Err(t.pos.error(format!(
            "sysctl {key:?} is not a network sysctl: only keys starting with \"net.\" are \
             per namespace, any other would change the machine running the tests"
        )));
    }
    if let Some(c) = key
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c)))
    {
        return Err(t.pos.error(format!(
            "sysctl key {key:?} cannot contain {:?}: only a-z, 0-9, \"_\", \".\" and \"-\"",
            c.to_string()
        )));
    }
    if key.contains("..") || key.ends_with('.') {
        return Err(t
            .pos
            .error(format!("sysctl key {key:?} has an empty component")));
    }
    if value.is_empty() {
        return Err(t
            .pos
            .plus(key.chars().count() + 1)
            .error(format!("expected a value after \"{key}=\"")));
    }
    Ok(((key.to_string(), t.pos), value.to_string()))
}

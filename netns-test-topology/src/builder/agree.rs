//! The statements of a builder against the topology their text parsed to: each must
//! read back as it was written, its interface name and addresses filled in where it
//! left them out. The language has no quoting, so a name holding a space, `;` or `:`
//! writes other words than the ones meant, which may parse; this is where that shows.

use super::specs::{EndSpec, LinkSpec};
use super::Statement;
use crate::error::ParseError;
use crate::model::{End, Link, Topology};
use std::fmt::Display;

/// What a statement that reads back otherwise usually has wrong.
const HINT: &str = "each name and interface name must be one word of the language \
                    (no whitespace, ';', '#', ':' or '@'; not empty)";

/// Where the parsed counterpart of each kind of statement is: the `n`th bridge
/// statement made `topology.bridges[n]`, and so on.
#[derive(Debug, Default, PartialEq, Eq)]
struct Next {
    bridges: usize,
    links: usize,
    routes: usize,
    expects: usize,
    nats: usize,
    forwards: usize,
}

/// `Ok` when every statement reads back from `topology` as written; else the first
/// that does not, at its line of the text.
pub(super) fn check(statements: &[Statement], topology: &Topology) -> Result<(), ParseError> {
    let mut next = Next::default();
    for (i, statement) in statements.iter().enumerate() {
        if let Err(why) = agree(statement, topology, &mut next) {
            let message = format!("{why} (in the statement `{statement}`)");
            return Err(ParseError::new(i + 1, 1, message));
        }
    }
    let parsed = Next {
        bridges: topology.bridges.len(),
        links: topology.links.len(),
        routes: topology.routes.len(),
        expects: topology.expects.len(),
        nats: topology.nats.len(),
        forwards: topology.forwards.len(),
    };
    if next != parsed {
        return Err(ParseError::new(
            1,
            1,
            format!("the text holds statements that were not written: {HINT}"),
        ));
    }
    Ok(())
}

/// One statement against its counterpart: `Err` says how it reads back.
fn agree(statement: &Statement, t: &Topology, next: &mut Next) -> Result<(), String> {
    match statement {
        Statement::Node(n) => {
            let back = t.nodes.iter().find(|p| p.name == n.name);
            same(n, back)
        }
        Statement::Bridge(b) => same(b, nth(&t.bridges, &mut next.bridges)),
        Statement::Link(l) => link(l, nth(&t.links, &mut next.links)),
        Statement::Route(r) => same(r, nth(&t.routes, &mut next.routes)),
        Statement::Expect(e) => same(e, nth(&t.expects, &mut next.expects)),
        Statement::Nat(n) => same(n, nth(&t.nats, &mut next.nats)),
        Statement::Forward(f) => same(f, nth(&t.forwards, &mut next.forwards)),
    }
}

fn nth<'t, T>(list: &'t [T], next: &mut usize) -> Option<&'t T> {
    let item = list.get(*next);
    *next += 1;
    item
}

fn same<T: PartialEq + Display>(written: &T, back: Option<&T>) -> Result<(), String> {
    match back {
        Some(back) if back == written => Ok(()),
        back => Err(reads_back(
            &written.to_string(),
            back.map(ToString::to_string),
        )),
    }
}

/// A link agrees with the parsed one where it says something: ends, the interface
/// names and addresses it gives, options.
fn link(written: &LinkSpec, back: Option<&Link>) -> Result<(), String> {
    let Some(back) = back else {
        return Err(reads_back(&written.written().to_string(), None));
    };
    if written.impair != back.impair {
        // Parsed from its own text: only a value the language cannot write differs.
        for imp in &written.impair {
            imp.validate().map_err(|e| e.message)?;
        }
    }
    let agrees = end(&written.a, &back.a)
        && end(&written.b, &back.b)
        && written.mtu == back.mtu
        && written.impair == back.impair;
    if agrees {
        return Ok(());
    }
    Err(reads_back(
        &written.written().to_string(),
        Some(back.to_string()),
    ))
}

fn end(written: &EndSpec, back: &End) -> bool {
    match back {
        End::Node(n) => {
            n.node == written.name
                && written.ifname.as_ref().is_none_or(|i| *i == n.ifname)
                && (written.addrs.is_empty() || written.addrs == n.addrs)
        }
        End::Bridge { bridge, .. } => {
            *bridge == written.name && written.ifname.is_none() && written.addrs.is_empty()
        }
    }
}

fn reads_back(written: &str, back: Option<String>) -> String {
    match back {
        None => format!("nothing in the text reads back as this statement: {HINT}"),
        Some(back) if back == written => format!(
            "`{written}` holds a value the language cannot write exactly (a time finer than \
             its unit), so it reads back as something else"
        ),
        Some(back) => format!("it reads back as `{back}`: {HINT}"),
    }
}

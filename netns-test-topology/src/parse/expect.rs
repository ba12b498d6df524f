//! The statement `expect NODE (-> | <-> | -x-) TARGET`.

use super::cursor::{unexpected, Cursor};
use super::names::check_name;
use super::Parser;
use crate::error::ParseError;
use crate::model::{parse_cidr, Expect, ExpectKind, Target};
use crate::spans::ExpectSpan;
use std::net::IpAddr;
use std::str::FromStr;

impl Parser {
    pub(super) fn expect(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let from = cur.next_or("a node name")?;
        check_name(from.text, from.pos)?;
        const ARROW: &str = "\"->\", \"<->\" or \"-x-\"";
        let op = cur.next_or(ARROW)?;
        let kind = match op.text {
            "->" => ExpectKind::Reach,
            "<->" => ExpectKind::Both,
            "-x-" => ExpectKind::Isolated,
            _ => return Err(unexpected(op, ARROW)),
        };
        const TARGET: &str = "a node name or an address like 10.0.0.1";
        let t = cur.next_or(TARGET)?;
        let target = if let Ok(ip) = IpAddr::from_str(t.text) {
            Target::Ip(ip)
        } else if parse_cidr(t.text).is_ok() {
            return Err(t.pos.error(format!(
                "expected a node name or an address without prefix length, found {:?}",
                t.text
            )));
        } else if !t.text.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(unexpected(t, TARGET));
        } else {
            check_name(t.text, t.pos)?;
            Target::Node(t.text.to_string())
        };
        if let (ExpectKind::Both, Target::Ip(ip)) = (kind, &target) {
            return Err(t.pos.error(format!(
                "\"<->\" needs a node on the right to ping back from, found the address {ip}"
            )));
        }
        cur.finish("end of statement")?;
        self.topo.expects.push(Expect {
            from: from.text.to_string(),
            kind,
            target,
        });
        self.spans.expects.push(ExpectSpan {
            from: from.pos,
            target: t.pos,
        });
        Ok(())
    }
}

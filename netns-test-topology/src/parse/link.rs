//! The statement `END -- END [OPTIONS]`: a veth pair between two nodes, or a
//! node and a bridge, with its ends' interface names and addresses.

use super::addrs::interface_addr;
use super::cursor::{unexpected, Cursor};
use super::link_options::{link_option, link_options};
use super::names::{check_ifname, check_name};
use super::{Kind, Parser};
use crate::error::ParseError;
use crate::lex::Pos;
use crate::model::{parse_cidr, End, Link, NodeEnd};
use crate::spans::{EndSpan, LinkSpan};
use std::net::IpAddr;
use std::str::FromStr;

impl Parser {
    fn end(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(End, EndSpan), ParseError> {
        const EXPECTED: &str = "a node or bridge name";
        let t = cur.next_or(EXPECTED)?;
        if t.text == "--" || link_option(&t) {
            return Err(unexpected(t, EXPECTED));
        }
        if parse_cidr(t.text).is_ok() || IpAddr::from_str(t.text).is_ok() {
            return Err(t.pos.error(format!(
                "expected a node or bridge name before the addresses, found {:?}",
                t.text
            )));
        }
        let (name, ifname) = match t.text.split_once(':') {
            Some((name, ifname)) => (name, Some(ifname)),
            None => (t.text, None),
        };
        if name.is_empty() {
            return Err(t.pos.error(format!(
                "expected a node name before \":\", found {:?}",
                t.text
            )));
        }
        check_name(name, t.pos)?;
        let ifname_pos = t.pos.plus(name.chars().count() + 1);
        let at_end =
            |cur: &Cursor<'_, '_>| cur.peek().is_none_or(|t| t.text == "--" || link_option(&t));

        if self.kinds.get(name) == Some(&Kind::Bridge) {
            if ifname.is_some() {
                return Err(ifname_pos.error(format!(
                    "bridge {name} used as a node: a bridge end takes no interface name, \
                     its port is named for it (write just {name})"
                )));
            }
            if !at_end(cur) {
                let addr = cur.next_or("an address")?;
                return Err(addr.pos.error(format!(
                    "bridge {name} used as a node: a bridge end takes no addresses \
                     (give them to the bridge statement, or to the other end)"
                )));
            }
            let end = End::Bridge {
                bridge: name.to_string(),
                port: String::new(),
            };
            let span = EndSpan {
                name: t.pos,
                ifname: None,
                addrs: Vec::new(),
            };
            return Ok((end, span));
        }

        self.use_node(name, t.pos)?;
        if let Some(ifname) = ifname {
            check_ifname(ifname, ifname_pos)?;
        }
        let mut addrs = Vec::new();
        let mut addr_spans = Vec::new();
        while !at_end(cur) {
            let a = cur.next_or("an address")?;
            addrs.push(interface_addr(a)?);
            addr_spans.push(a.pos);
        }
        let end = End::Node(NodeEnd {
            node: name.to_string(),
            ifname: ifname.unwrap_or_default().to_string(),
            addrs,
        });
        let span = EndSpan {
            name: t.pos,
            ifname: ifname.map(|_| ifname_pos),
            addrs: addr_spans,
        };
        Ok((end, span))
    }

    pub(super) fn link(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        let start = cur.peek().map(|t| t.pos).unwrap_or(Pos { line: 1, col: 1 });
        let (a, a_span) = self.end(cur)?;
        let dash = cur.next_or("\"--\"")?;
        if dash.text != "--" {
            return Err(unexpected(dash, "\"--\""));
        }
        let (b, b_span) = self.end(cur)?;
        match (&a, &b) {
            (End::Node(x), End::Node(y)) if x.node == y.node => {
                return Err(b_span
                    .name
                    .error(format!("link from node {} to itself", x.node)));
            }
            (End::Bridge { bridge: x, .. }, End::Bridge { bridge: y, .. }) if x == y => {
                return Err(b_span.name.error(format!("link from bridge {x} to itself")));
            }
            _ => {}
        }
        let (mtu, impair) = link_options(cur, [a.name(), b.name()])?;
        self.topo.links.push(Link {
            a,
            b,
            mtu: mtu.map(|(n, _)| n),
            impair,
        });
        self.spans.links.push(LinkSpan {
            start,
            a: a_span,
            b: b_span,
            mtu: mtu.map(|(_, at)| at),
        });
        Ok(())
    }
}

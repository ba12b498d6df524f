//! The statement `bridge NAME [@NODE] [ADDR]... [mtu N]`.

use super::addrs::interface_addr;
use super::cursor::Cursor;
use super::link_options::mtu;
use super::names::check_name;
use super::{Kind, Parser};
use crate::error::ParseError;
use crate::model::{Bridge, HOST};
use crate::spans::BridgeSpan;

impl Parser {
    pub(super) fn bridge(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let t = cur.next_or("a bridge name")?;
        let name = t.text;
        check_name(name, t.pos)?;
        if name == HOST {
            return Err(t
                .pos
                .error("\"host\" cannot be a bridge name: it is the sandbox's own namespace"));
        }
        if name == "lo" {
            return Err(t.pos.error(
                "\"lo\" cannot be a bridge name: every node has its loopback interface lo",
            ));
        }
        match self.kinds.get(name) {
            Some(Kind::Bridge) => {
                return Err(t.pos.error(format!("bridge {name} declared twice")));
            }
            Some(Kind::Node) if !self.declared.contains(name) => {
                return Err(t.pos.error(format!(
                    "{name:?} declared both as node and bridge (a bridge must be declared \
                     before the links that use it)"
                )));
            }
            Some(Kind::Node) => {
                return Err(t
                    .pos
                    .error(format!("{name:?} declared both as node and bridge")));
            }
            None => {}
        }
        self.kinds.insert(name.to_string(), Kind::Bridge);

        let mut node = HOST;
        if let Some(at) = cur.peek().filter(|t| t.text.starts_with('@')) {
            cur.next();
            node = &at.text[1..];
            if node.is_empty() {
                return Err(at.pos.error("expected a node name after \"@\""));
            }
            check_name(node, at.pos.plus(1))?;
            self.use_node(node, at.pos.plus(1))?;
        }
        let mut addrs = Vec::new();
        let mut addr_spans = Vec::new();
        while cur.peek().is_some() && !cur.peek_is(&["mtu"]) {
            let t = cur.next_or("an address")?;
            addrs.push(interface_addr(t)?);
            addr_spans.push(t.pos);
        }
        let mtu = if cur.next().is_some() {
            Some(mtu(cur)?)
        } else {
            None
        };
        cur.finish("end of statement")?;
        self.topo.bridges.push(Bridge {
            name: name.to_string(),
            node: node.to_string(),
            addrs,
            mtu: mtu.map(|(n, _)| n),
            links_before: self.topo.links.len(),
        });
        self.spans.bridges.push(BridgeSpan {
            name: t.pos,
            addrs: addr_spans,
            mtu: mtu.map(|(_, at)| at),
        });
        Ok(())
    }
}

//! The statement `route NODE (default | CIDR) via IP`.

use super::addrs::unusable;
use super::cursor::{unexpected, Cursor};
use super::names::check_name;
use super::Parser;
use crate::error::ParseError;
use crate::model::{parse_cidr, Destination, Route};
use crate::spans::RouteSpan;
use std::net::IpAddr;
use std::str::FromStr;

impl Parser {
    pub(super) fn route(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let node = cur.next_or("a node name")?;
        check_name(node.text, node.pos)?;
        const DEST: &str = "\"default\" or a destination like 10.0.0.0/24";
        let d = cur.next_or(DEST)?;
        let dest = if d.text == "default" {
            Destination::Default
        } else {
            let c = parse_cidr(d.text).map_err(|_| unexpected(d, DEST))?;
            if c.trunc() != c {
                return Err(d.pos.error(format!(
                    "route destination {c} has host bits set: did you mean {}?",
                    c.trunc()
                )));
            }
            Destination::Net(c)
        };
        let via = cur.next_or("\"via\"")?;
        if via.text != "via" {
            return Err(unexpected(via, "\"via\""));
        }
        const GATEWAY: &str = "a gateway address like 10.0.0.1";
        let g = cur.next_or(GATEWAY)?;
        let gw = IpAddr::from_str(g.text).map_err(|_| unexpected(g, GATEWAY))?;
        if let Some(what) = unusable(gw) {
            return Err(g
                .pos
                .error(format!("{gw} cannot be a gateway: it is {what}")));
        }
        if let Destination::Net(c) = dest {
            if c.addr().is_ipv4() != gw.is_ipv4() {
                return Err(g.pos.error(format!(
                    "gateway {gw} is {} but the destination {c} is {}",
                    family(gw),
                    family(c.addr())
                )));
            }
        }
        cur.finish("end of statement")?;
        self.topo.routes.push(Route {
            node: node.text.to_string(),
            dest,
            via: gw,
        });
        self.spans.routes.push(RouteSpan {
            node: node.pos,
            dest: d.pos,
            via: g.pos,
        });
        Ok(())
    }
}

fn family(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

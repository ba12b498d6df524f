//! The statements `nat ROUTER:IFACE KIND [OPTION]...` and
//! `forward ROUTER:IFACE PROTO PORT -> TARGET:PORT`. Whether the router forwards,
//! has the interface and reaches the target is checked with the whole network
//! (`validate::nat`).

use super::cursor::{unexpected, Cursor};
use super::names::{check_ifname, check_name};
use super::Parser;
use crate::error::ParseError;
use crate::lex::{Pos, Token};
use crate::nat::{self, Behaviour, Forward, ForwardTarget, Nat, NatKind, Proto};
use crate::spans::{ForwardSpan, NatSpan};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

/// The kinds, as an error lists them.
const KINDS: &str = "full-cone, restricted-cone, port-restricted-cone, symmetric, \
                     or mapping BEHAVIOUR filtering BEHAVIOUR";
const BEHAVIOURS: &str = "endpoint-independent, address-dependent or address-and-port-dependent";
const OPTIONS: &str = "hairpin, port-preservation, udp-timeout or end of statement";

impl Parser {
    pub(super) fn nat(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let (router, iface, at) = router_iface(cur)?;
        let mut nat = Nat::new(router.text, iface.text, NatKind::FULL_CONE);
        let first = cur.next_or(&format!("a NAT kind ({KINDS})"))?;
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        if let Some(kind) = NatKind::from_name(first.text) {
            nat.kind = kind;
        } else if first.text == "mapping" || first.text == "filtering" {
            nat.kind = behaviours(cur, first, &mut seen)?;
        } else {
            return Err(first.pos.error(format!(
                "unknown NAT kind {:?}: the kinds are {KINDS}",
                first.text
            )));
        }
        while let Some(opt) = cur.next() {
            let known = [
                "hairpin",
                "port-preservation",
                "udp-timeout",
                "mapping",
                "filtering",
            ];
            if known.contains(&opt.text) {
                if let Some(first) = seen.insert(opt.text, opt.pos) {
                    return Err(given_twice(opt, first));
                }
            }
            match opt.text {
                "hairpin" => nat.hairpin = on_off(cur, "hairpin")?,
                "port-preservation" => nat.port_preservation = on_off(cur, "port-preservation")?,
                "udp-timeout" => {
                    nat.udp_timeout = nat::udp_timeout(cur.next_or("a udp-timeout like 30s")?)?
                }
                "mapping" | "filtering" => {
                    let kind = nat.kind;
                    return Err(opt.pos.error(format!(
                        "{:?} after the kind {kind}, which sets mapping {} and filtering {}: \
                         write a kind, or mapping and filtering",
                        opt.text, kind.mapping, kind.filtering
                    )));
                }
                w if NatKind::from_name(w).is_some() => {
                    return Err(opt.pos.error(format!(
                        "a second kind {w:?}: a NAT has one kind, right after {}:{}",
                        router.text, iface.text
                    )));
                }
                _ => return Err(unexpected(opt, OPTIONS)),
            }
        }
        self.topo.nats.push(nat);
        self.spans.nats.push(NatSpan {
            router: router.pos,
            iface: at,
        });
        Ok(())
    }

    pub(super) fn forward(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let (router, iface, at) = router_iface(cur)?;
        const PROTO: &str = "udp or tcp";
        let p = cur.next_or(PROTO)?;
        let proto = match p.text {
            "udp" => Proto::Udp,
            "tcp" => Proto::Tcp,
            _ => return Err(unexpected(p, PROTO)),
        };
        let port_word = cur.next_or("a port from 1 to 65535")?;
        let port = nat::port(port_word, port_word.text, 0)?;
        let arrow = cur.next_or("\"->\"")?;
        if arrow.text != "->" {
            return Err(unexpected(arrow, "\"->\""));
        }
        const TARGET: &str = "the forward's target like a:4000 or 192.168.1.2:4000";
        let t = cur.next_or(TARGET)?;
        let Some((name, to_port)) = t.text.rsplit_once(':') else {
            return Err(unexpected(t, TARGET));
        };
        let to = if name.starts_with('[') || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_ipv6()) {
            return Err(t.pos.error(format!(
                "forward to {:?}: a NAT forwards IPv4 only (IPv6 is routed through it)",
                t.text
            )));
        } else if let Ok(ip) = name.parse::<Ipv4Addr>() {
            ForwardTarget::Ip(ip)
        } else if name.starts_with(|c: char| c.is_ascii_lowercase()) {
            check_name(name, t.pos)?;
            ForwardTarget::Node(name.to_string())
        } else {
            return Err(unexpected(t, TARGET));
        };
        let to_port = nat::port(t, to_port, name.chars().count() + 1)?;
        cur.finish("end of statement")?;
        self.topo.forwards.push(Forward {
            router: router.text.to_string(),
            iface: iface.text.to_string(),
            proto,
            port,
            to,
            to_port,
        });
        self.spans.forwards.push(ForwardSpan {
            router: router.pos,
            iface: at,
            port: port_word.pos,
            target: t.pos,
        });
        Ok(())
    }
}

/// `ROUTER:IFACE`, each part checked: (router, interface, where the interface is).
fn router_iface<'a>(cur: &mut Cursor<'_, 'a>) -> Result<(Token<'a>, Token<'a>, Pos), ParseError> {
    const EXPECTED: &str = "ROUTER:IFACE like r1:wan (the router and its outside interface)";
    let t = cur.next_or(EXPECTED)?;
    let Some((router, iface)) = t.text.split_once(':') else {
        return Err(unexpected(t, EXPECTED));
    };
    check_name(router, t.pos)?;
    let at = t.pos.plus(router.chars().count() + 1);
    check_ifname(iface, at)?;
    let router = Token {
        text: router,
        pos: t.pos,
    };
    let iface = Token {
        text: iface,
        pos: at,
    };
    Ok((router, iface, at))
}

/// `mapping B filtering B` (either order) where a kind word would be; `first` is the
/// one just read.
fn behaviours<'a>(
    cur: &mut Cursor<'_, 'a>,
    first: Token<'a>,
    seen: &mut HashMap<&'a str, Pos>,
) -> Result<NatKind, ParseError> {
    let mut mapping = None;
    let mut filtering = None;
    let mut which = first;
    loop {
        if let Some(at) = seen.insert(which.text, which.pos) {
            return Err(given_twice(which, at));
        }
        let expected = format!("a {} behaviour ({BEHAVIOURS})", which.text);
        let b = cur.next_or(&expected)?;
        let behaviour = Behaviour::from_word(b.text).ok_or_else(|| unexpected(b, &expected))?;
        if which.text == "mapping" {
            mapping = Some(behaviour);
        } else {
            filtering = Some(behaviour);
        }
        match (mapping, filtering) {
            (Some(mapping), Some(filtering)) => return Ok(NatKind { mapping, filtering }),
            (Some(_), None) => which = need(cur, "filtering", b)?,
            (None, _) => which = need(cur, "mapping", b)?,
        }
    }
}

/// The word `word`, which must come next (after `prev`).
fn need<'a>(
    cur: &mut Cursor<'_, 'a>,
    word: &str,
    prev: Token<'_>,
) -> Result<Token<'a>, ParseError> {
    let missing = || {
        prev.after().error(format!(
            "a NAT without a kind needs both mapping and filtering: expected {word:?} next"
        ))
    };
    match cur.peek() {
        Some(t) if t.text == word => {
            cur.next();
            Ok(t)
        }
        Some(t) => Err(t.pos.error(format!(
            "a NAT without a kind needs both mapping and filtering: expected {word:?}, \
             found {:?}",
            t.text
        ))),
        None => Err(missing()),
    }
}

/// `on` or `off` after `option`.
fn on_off(cur: &mut Cursor<'_, '_>, option: &str) -> Result<bool, ParseError> {
    let expected = format!("on or off after {option}");
    let t = cur.next_or(&expected)?;
    match t.text {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(unexpected(t, &expected)),
    }
}

fn given_twice(t: Token<'_>, first: Pos) -> ParseError {
    t.pos.error(format!(
        "{} given twice (first at {}:{})",
        t.text, first.line, first.col
    ))
}

//! The addresses a statement writes: what no interface or gateway can be.

use crate::error::ParseError;
use crate::lex::Token;
use crate::model::{parse_cidr, IpNet};
use std::net::IpAddr;

/// Parses an interface address and rejects those no interface can carry.
pub(super) fn interface_addr(t: Token<'_>) -> Result<IpNet, ParseError> {
    let c = parse_cidr(t.text).map_err(|e| t.pos.error(e.to_string()))?;
    if let Some(what) = unusable(c.addr()) {
        return Err(t.pos.error(format!(
            "{} cannot be an interface address: it is {what}",
            c.addr()
        )));
    }
    Ok(c)
}

/// What makes `ip` no address of an interface or gateway, if anything.
pub(super) fn unusable(ip: IpAddr) -> Option<&'static str> {
    if ip.is_unspecified() {
        Some("the unspecified address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if matches!(ip, IpAddr::V4(v4) if v4.is_broadcast()) {
        Some("the broadcast address")
    } else {
        None
    }
}

//! rtnetlink requests that are sent at once and awaited later.
//!
//! `Handle::request` queues the message synchronously; the connection writes queued
//! messages to the socket in order, and the kernel handles a socket's requests one
//! after the other. So requests for one namespace can be queued back to back (link,
//! then its address, then a route through it) without waiting for each answer, and
//! the answers of all namespaces are awaited together.

use super::netns::NetNs;
use futures::StreamExt;
use netlink_packet_core::{
    NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use rtnetlink::Handle;
use std::future::Future;
use std::io;

pub(crate) const CREATE: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
pub(crate) const CHANGE: u16 = NLM_F_REQUEST | NLM_F_ACK;
pub(crate) const GET: u16 = NLM_F_REQUEST;

/// Opens an rtnetlink socket inside `ns` (the calling thread's namespace if `None`)
/// and drives it on the current tokio runtime.
pub(crate) fn connect(ns: Option<&NetNs>) -> io::Result<Handle> {
    let open = || rtnetlink::new_connection();
    let (conn, handle, _) = match ns {
        Some(ns) => ns.run(open)??,
        None => open()?,
    };
    tokio::spawn(conn);
    Ok(handle)
}

/// Queues `msg` now; the returned future yields the replies, or the kernel's error
/// prefixed with `what` (`adding 10.0.0.2/24 to eth0: File exists (os error 17)`).
pub(crate) fn send(
    handle: &Handle,
    msg: RouteNetlinkMessage,
    flags: u16,
    what: String,
) -> impl Future<Output = Result<Vec<RouteNetlinkMessage>, String>> + use<> {
    let replies = request(handle, msg, flags);
    async move { replies.await.map_err(|e| format!("{what}: {e}")) }
}

/// [`send`] with the kernel's error as it is, for callers that explain some errnos.
pub(crate) fn request(
    handle: &Handle,
    msg: RouteNetlinkMessage,
    flags: u16,
) -> impl Future<Output = io::Result<Vec<RouteNetlinkMessage>>> + use<> {
    let mut req = NetlinkMessage::from(msg);
    req.header.flags = flags;
    let queued = handle.clone().request(req);
    async move {
        let mut replies = queued.map_err(|e| io::Error::other(e.to_string()))?;
        let mut out = Vec::new();
        while let Some(reply) = replies.next().await {
            match reply.payload {
                NetlinkPayload::InnerMessage(m) => out.push(m),
                NetlinkPayload::Error(e) if e.code.is_some() => return Err(e.to_io()),
                _ => {}
            }
        }
        Ok(out)
    }
}

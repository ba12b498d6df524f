//! Links: bridges and veth pairs, each made by one RTM_NEWLINK; admin state, MTU,
//! and what the kernel reports of a link.

use netlink_packet_route::link::{
    BridgePortState, InfoBridgePort, InfoData, InfoPortData, InfoVeth, LinkAttribute, LinkInfo,
    LinkMessage, State,
};
use netlink_packet_route::RouteNetlinkMessage as Msg;
use rtnetlink::{LinkBridge, LinkMessageBuilder, LinkUnspec};
use std::io;
use std::os::fd::RawFd;

/// A link to make: the name and index we choose (the kernel does not return the index
/// of a new link, so the caller picks it and never has to look it up), its MTU and
/// the bridge (by index, in the same namespace) it is a port of.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkSpec<'a> {
    pub name: &'a str,
    pub index: u32,
    pub mtu: Option<u32>,
    pub master: Option<u32>,
}

/// [`veth`] whose asking end keeps the MAC address `mac` (a link made again at run
/// time looks the same to its node).
pub(crate) fn veth_with_mac(
    end: LinkSpec<'_>,
    mac: [u8; 6],
    peer: LinkSpec<'_>,
    peer_ns: Option<RawFd>,
) -> LinkMessage {
    let mut m = veth(end, peer, peer_ns);
    m.attributes.push(LinkAttribute::Address(mac.to_vec()));
    m
}

/// Deletes link `index` (a veth pair goes with either end).
pub(crate) fn delete(index: u32) -> LinkMessage {
    LinkUnspec::new_with_index(index).build()
}

/// A bridge, up, with STP off (the default: ports forward as soon as they are up).
pub(crate) fn bridge(spec: LinkSpec<'_>) -> LinkMessage {
    let mut b = LinkBridge::new(spec.name)
        .forward_delay(0)
        .index(spec.index)
        .up();
    if let Some(mtu) = spec.mtu {
        b = b.mtu(mtu);
    }
    b.build()
}

/// One queue each way, said explicitly: without the attributes, veth shrinks its
/// default of one queue per CPU after registering the device, and that waits for an
/// RCU grace period (synchronize_rcu_expedited) per end, milliseconds per link.
fn single_queue<T>(b: LinkMessageBuilder<T>) -> LinkMessageBuilder<T> {
    b.append_extra_attribute(LinkAttribute::NumTxQueues(1))
        .append_extra_attribute(LinkAttribute::NumRxQueues(1))
}

/// A veth pair in one request: `end` up in the asking socket's namespace, `peer` made
/// directly in the namespace `peer_ns` (moving it there later would cost an RCU grace
/// period, ~19 ms). The peer cannot be set up in this request (ENOTCONN): its own
/// namespace's socket does that ([`set_up`]). The peer's master, if any, too.
pub(crate) fn veth(end: LinkSpec<'_>, peer: LinkSpec<'_>, peer_ns: Option<RawFd>) -> LinkMessage {
    let mut p = single_queue(LinkUnspec::new_with_name(peer.name).index(peer.index));
    if let Some(mtu) = peer.mtu {
        p = p.mtu(mtu);
    }
    if let Some(fd) = peer_ns {
        p = p.setns_by_fd(fd);
    }
    let mut v = single_queue(LinkMessageBuilder::<rtnetlink::LinkVeth>::new(
        end.name, peer.name,
    ))
    .set_info_data(InfoData::Veth(InfoVeth::Peer(p.build())))
    .index(end.index)
    .up();
    if let Some(mtu) = end.mtu {
        v = v.mtu(mtu);
    }
    if let Some(master) = end.master {
        v = v.controller(master);
    }
    v.build()
}

/// Sets link `index` up, as a port of `master` if given.
pub(crate) fn set_up(index: u32, master: Option<u32>) -> LinkMessage {
    let mut set = LinkUnspec::new_with_index(index).up();
    if let Some(master) = master {
        set = set.controller(master);
    }
    set.build()
}

/// Sets link `index` administratively up or down.
pub(crate) fn set_state(index: u32, up: bool) -> LinkMessage {
    if up {
        LinkUnspec::new_with_index(index).up().build()
    } else {
        LinkUnspec::new_with_index(index).down().build()
    }
}

/// Sets the MTU of link `index`.
pub(crate) fn set_mtu(index: u32, mtu: u32) -> LinkMessage {
    LinkUnspec::new_with_index(index).mtu(mtu).build()
}

/// The non-dump RTM_GETLINK for link `index`. Asking also forces a new veth's
/// activation on kernels before 6.8 (without it the first packet was often lost).
pub(crate) fn get(index: u32) -> LinkMessage {
    LinkUnspec::new_with_index(index).build()
}

/// (up, MAC) from the answer to an RTM_GETLINK. Up is operationally up and, for a
/// bridge's port, forwarding: the kernel reports the port's operational state before
/// the bridge hears of its carrier (both from the same link-watch work), and a frame
/// that comes in between is dropped at the port. A `heal` was seen to return there,
/// and the first ARP request after it was lost.
pub(crate) fn link_state(answer: &[Msg]) -> (bool, [u8; 6]) {
    let mut oper_up = false;
    let mut port_forwarding = true;
    let mut mac = [0u8; 6];
    for msg in answer {
        if let Msg::NewLink(link) = msg {
            for attr in &link.attributes {
                match attr {
                    LinkAttribute::OperState(State::Up) => oper_up = true,
                    LinkAttribute::Address(a) if a.len() == 6 => mac.copy_from_slice(a),
                    LinkAttribute::LinkInfo(infos) => {
                        for info in infos {
                            if let LinkInfo::PortData(InfoPortData::BridgePort(port)) = info {
                                port_forwarding = port.iter().any(|p| {
                                    matches!(p, InfoBridgePort::State(BridgePortState::Forwarding))
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    (oper_up && port_forwarding, mac)
}

/// The highest interface index in the calling thread's namespace, learnt with one
/// dump (lo is 1). A new namespace is not always empty: the ipip, sit, gre and
/// ip6_tunnel modules put their fallback devices (`tunl0`, `sit0`, `gre0`,
/// `ip6tnl0`, …) in every new namespace, unless `net.core.fb_tunnels_only_for_init_net`
/// is set, with the indexes from 2 up; so the builder picks its indexes above them.
pub(crate) fn highest_index() -> io::Result<u32> {
    let dump = netlink_packet_core::NLM_F_REQUEST | netlink_packet_core::NLM_F_DUMP;
    let links = super::netlink_blocking::request(Msg::GetLink(LinkMessage::default()), dump)?;
    Ok(links
        .iter()
        .filter_map(|m| match m {
            Msg::NewLink(l) => Some(l.header.index),
            _ => None,
        })
        .max()
        .unwrap_or(1))
}

/// Test-only: `pairs` veth pairs with indexes the kernel chooses, in the calling
/// thread's namespace, as the fallback tunnels of a host with tunnel modules take
/// the low indexes of every new namespace (`Options::occupy_low_indexes`).
pub(crate) fn occupy_low_indexes(pairs: u32) -> io::Result<()> {
    let flags = super::netlink::CREATE;
    for i in 0..pairs {
        let pair = LinkMessageBuilder::<rtnetlink::LinkVeth>::new(
            &format!("occupied{i}"),
            &format!("occupied{i}b"),
        );
        super::netlink_blocking::request(Msg::NewLink(single_queue(pair).build()), flags)?;
    }
    Ok(())
}

/// `ip link set lo up` in the calling thread's namespace, with the classic ioctl: one
/// system call, and no netlink socket needed yet. Needs CAP_NET_ADMIN there.
pub(crate) fn lo_up() -> io::Result<()> {
    // SAFETY: a socket used for one ioctl and closed; ifreq is plain data.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
            *dst = *src as libc::c_char;
        }
        let mut rc = libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req);
        if rc == 0 {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            rc = libc::ioctl(fd, libc::SIOCSIFFLAGS, &req);
        }
        let err = io::Error::last_os_error();
        libc::close(fd);
        if rc != 0 {
            return Err(err);
        }
    }
    Ok(())
}

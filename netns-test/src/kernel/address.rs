//! Addresses: the RTM_NEWADDR that adds one, and the IPv6 readiness the kernel
//! reaches after it (the solicited-node multicast group joined).

use netlink_packet_route::address::{AddressAttribute, AddressFlags, AddressMessage};
use netns_test_topology::IpNet;
use rtnetlink::AddressMessageBuilder;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Adds `addr` to link `index`; an IPv6 address is usable at once (NODAD: no duplicate
/// address detection inside a sandbox, which would delay the first packet by ~2 s).
pub(crate) fn add(index: u32, addr: &IpNet) -> AddressMessage {
    match addr.addr() {
        IpAddr::V4(ip) => AddressMessageBuilder::<Ipv4Addr>::new()
            .index(index)
            .address(ip, addr.prefix_len())
            .build(),
        IpAddr::V6(ip) => {
            let mut m = AddressMessageBuilder::<Ipv6Addr>::new()
                .index(index)
                .address(ip, addr.prefix_len())
                .build();
            m.attributes
                .push(AddressAttribute::Flags(AddressFlags::Nodad));
            m
        }
    }
}

/// Whether every `(device, address)` has its solicited-node group (`ff02::1:ffXX:XXXX`)
/// joined in the calling thread's namespace, per /proc/net/igmp6. The kernel joins it
/// in a work item after the address is added; a neighbour solicitation that comes
/// first is dropped (and retried only after 1 s).
pub(crate) fn solicited_groups_joined(wanted: &[(&str, Ipv6Addr)]) -> std::io::Result<bool> {
    let table = std::fs::read_to_string("/proc/thread-self/net/igmp6")?;
    Ok(wanted.iter().all(|(dev, addr)| {
        let group = solicited_node_hex(*addr);
        table.lines().any(|l| {
            let mut f = l.split_whitespace();
            f.nth(1) == Some(*dev) && f.next() == Some(group.as_str())
        })
    }))
}

/// `ff0200000000000000000001ffXXXXXX` as /proc/net/igmp6 prints it.
fn solicited_node_hex(addr: Ipv6Addr) -> String {
    let o = addr.octets();
    format!(
        "ff0200000000000000000001ff{:02x}{:02x}{:02x}",
        o[13], o[14], o[15]
    )
}

//! Routes: the RTM_NEWROUTE of a static route through a gateway.

use netlink_packet_route::route::RouteMessage;
use netns_test_topology::{Destination, IpNet};
use rtnetlink::RouteMessageBuilder;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A route to `dest` via the gateway `via`; both of one family (the language checks it).
pub(crate) fn add(dest: Destination, via: IpAddr) -> RouteMessage {
    match (via, dest) {
        (IpAddr::V4(gw), Destination::Default) => {
            RouteMessageBuilder::<Ipv4Addr>::new().gateway(gw).build()
        }
        (IpAddr::V4(gw), Destination::Net(IpNet::V4(net))) => {
            RouteMessageBuilder::<Ipv4Addr>::new()
                .destination_prefix(net.addr(), net.prefix_len())
                .gateway(gw)
                .build()
        }
        (IpAddr::V6(gw), Destination::Default) => {
            RouteMessageBuilder::<Ipv6Addr>::new().gateway(gw).build()
        }
        (IpAddr::V6(gw), Destination::Net(IpNet::V6(net))) => {
            RouteMessageBuilder::<Ipv6Addr>::new()
                .destination_prefix(net.addr(), net.prefix_len())
                .gateway(gw)
                .build()
        }
        _ => unreachable!("the language rejects a route whose families differ"),
    }
}

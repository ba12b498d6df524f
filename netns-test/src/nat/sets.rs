//! The sets and maps of a NAT's table: which ones its kind and options need, and
//! what each holds.

use super::Setup;
use crate::kernel::nftables::{reg_bytes, Field, Set};
use crate::topology::Behaviour;
use std::time::Duration;

/// The dynamic sets a NAT may have, in the order `flush` empties them.
pub(crate) const DYNAMIC_SETS: [&str; 4] = ["inbound", "outbound", "mapped", "contacted"];

/// The sets of one NAT; those its kind does not need are `None`.
#[derive(Debug)]
pub(super) struct Sets {
    /// Every mapping (recorded from the packet path), for inbound `dnat`, hairpinning
    /// and `mappings()`.
    pub inbound: Set,
    /// The mapping to reuse: endpoint-independent and address-dependent mapping.
    pub outbound: Option<Set>,
    /// Endpoints that have a mapping: with address(-and-port)-dependent mapping and
    /// port preservation, only an endpoint's first mapping keeps its port.
    pub mapped: Option<Set>,
    /// (external port, remote address) sent to: address-dependent filtering.
    pub contacted: Option<Set>,
    /// The static forwards, a constant map.
    pub forwards: Set,
}

fn dynamic(
    name: &'static str,
    id: u32,
    key: Vec<Field>,
    data: Option<Vec<Field>>,
    timeout: Duration,
    comment: &'static str,
) -> Set {
    Set {
        name,
        id,
        key,
        data,
        dynamic: true,
        timeout_ms: Some(timeout.as_millis() as u64),
        elements: Vec::new(),
        elements_text: Vec::new(),
        comment,
    }
}

impl Sets {
    pub(super) fn new(setup: &Setup) -> Sets {
        use Field::{Ipv4, L4proto, Port};
        let (kind, t) = (setup.nat.kind, setup.nat.udp_timeout);
        let endpoint = vec![Ipv4, Port];
        let inbound = dynamic(
            "inbound",
            1,
            vec![L4proto, Port],
            Some(endpoint.clone()),
            t,
            "every mapping: proto . external port -> internal address . port",
        );
        let outbound = match kind.mapping {
            Behaviour::EndpointIndependent => Some(dynamic(
                "outbound",
                2,
                vec![L4proto, Ipv4, Port],
                Some(endpoint.clone()),
                t,
                "endpoint-independent mapping: internal endpoint -> its external endpoint",
            )),
            Behaviour::AddressDependent => Some(dynamic(
                "outbound",
                2,
                vec![L4proto, Ipv4, Port, Ipv4],
                Some(endpoint.clone()),
                t,
                "address-dependent mapping: internal endpoint . remote address -> external \
                 endpoint",
            )),
            Behaviour::AddressAndPortDependent => None,
        };
        let mapped = (kind.mapping != Behaviour::EndpointIndependent
            && setup.nat.port_preservation)
            .then(|| {
                dynamic(
                    "mapped",
                    3,
                    vec![L4proto, Ipv4, Port],
                    None,
                    t,
                    "internal endpoints with a mapping: only the first keeps its port",
                )
            });
        let contacted = (kind.filtering == Behaviour::AddressDependent).then(|| {
            dynamic(
                "contacted",
                4,
                vec![L4proto, Port, Ipv4],
                None,
                t,
                "address-dependent filtering: external port . remote address sent to",
            )
        });
        Sets {
            inbound,
            outbound,
            mapped,
            contacted,
            forwards: forwards(setup, endpoint),
        }
    }
}

fn forwards(setup: &Setup, endpoint: Vec<Field>) -> Set {
    Set {
        name: "forwards",
        id: 5,
        key: vec![Field::L4proto, Field::Port],
        data: Some(endpoint),
        dynamic: false,
        timeout_ms: None,
        elements: setup
            .forwards
            .iter()
            .map(|f| {
                let key = reg_bytes(&[&[f.proto.number()], &f.port.to_be_bytes()]);
                let data = reg_bytes(&[&f.to.ip().octets(), &f.to.port().to_be_bytes()]);
                (key, Some(data))
            })
            .collect(),
        elements_text: setup
            .forwards
            .iter()
            .map(|f| format!("{} . {} : {} . {}", f.proto, f.port, f.to.ip(), f.to.port()))
            .collect(),
        comment: "static port forwards: proto . external port -> internal address . port",
    }
}

//! The NAT lab and the probes the NAT tests share.
//!
//! The lab: c1 and c2 behind r1 (a LAN bridge inside r1), d1 behind r2, and an
//! "internet" bridge with r1, r2 and three servers s1, s2, s3 (s3 also routes r1's
//! LAN at r1, to try to reach inside addresses directly). Reflectors run on s1 and s2,
//! two ports each: enough to tell every RFC 4787 behaviour apart.
//!
//! A negative result ("not delivered") is fenced, not guessed from a timeout: after
//! the probe, an endpoint that is surely let in (the reflector the client contacted)
//! sends a marker from the same thread, and the probe is judged lost once the marker
//! has arrived and a short grace has passed. The grace covers two packets of one
//! sender overtaking each other on their way through the same NAT (the sending thread
//! may move to another CPU between them); it bounds a negative check, it does not
//! wait for the kernel to get somewhere.

use netns_test::reflector::{self, Reflector};
use netns_test::topology::{parse, Behaviour, Topology};
use netns_test::Net;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::time::{Duration, Instant};

/// r1's and r2's external addresses, and the servers'.
pub const R1: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);
pub const R2: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 2);
pub const S1: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 10);
pub const S2: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 11);
pub const S3: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 12);
pub const C1: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 2);
pub const C2: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 3);

/// The lab with `nat r1:wan R1_NAT` and `nat r2:wan R2_NAT` (the words after the
/// interface), and `extra` statements.
pub fn lab(r1_nat: &str, r2_nat: &str, extra: &str) -> Topology {
    let text = format!(
        "node r1 forward
         node r2 forward
         bridge lan1 @r1 192.168.1.1/24
         c1 192.168.1.2/24 -- lan1
         c2 192.168.1.3/24 -- lan1
         d1 192.168.2.2/24 -- r2:lan 192.168.2.1/24
         bridge inet
         r1:wan 203.0.113.1/24 -- inet
         r2:wan 203.0.113.2/24 -- inet
         s1 203.0.113.10/24 -- inet
         s2 203.0.113.11/24 -- inet
         s3 203.0.113.12/24 -- inet
         route c1 default via 192.168.1.1
         route c2 default via 192.168.1.1
         route d1 default via 192.168.2.1
         route s3 192.168.1.0/24 via 203.0.113.1
         nat r1:wan {r1_nat}
         nat r2:wan {r2_nat}
         {extra}"
    );
    parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The reflectors: s1 and s2, ports 3478 and 3479 each.
#[derive(Debug)]
pub struct Servers {
    pub s1a: Reflector,
    pub s1b: Reflector,
    pub s2a: Reflector,
    pub s2b: Reflector,
}

impl Servers {
    pub fn start(net: &Net) -> Servers {
        Servers {
            s1a: net.node("s1").reflector(3478),
            s1b: net.node("s1").reflector(3479),
            s2a: net.node("s2").reflector(3478),
            s2b: net.node("s2").reflector(3479),
        }
    }
}

pub fn at(ip: Ipv4Addr, port: u16) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(ip, port))
}

/// A UDP socket of `node` on `port` of all its addresses.
pub fn udp(net: &Net, node: &str, port: u16) -> UdpSocket {
    net.node(node)
        .run(|| UdpSocket::bind(("0.0.0.0", port)))
        .unwrap_or_else(|e| panic!("binding UDP port {port} in {node}: {e}"))
}

/// The mapping `sock` has toward `server`, as the reflector there sees it.
pub fn ask(sock: &UdpSocket, server: SocketAddr) -> SocketAddr {
    reflector::ask(sock, server).unwrap_or_else(|e| panic!("asking {server}: {e}"))
}

/// A datagram received: its source and payload.
pub type Datagram = (SocketAddr, Vec<u8>);

/// How long a fence may take to come (it is sent right after the probe), and the
/// grace after it (see the module's comment).
const FENCE: Duration = Duration::from_secs(2);
const GRACE: Duration = Duration::from_millis(30);

/// Reads `sock` until the datagram `marker` arrives and the grace after it has
/// passed; every other datagram is returned. Panics if the marker never comes.
pub fn until_marker(sock: &UdpSocket, marker: &[u8]) -> Vec<Datagram> {
    until(sock, |_, d| d == marker)
}

/// [`until_marker`] with any datagram from `fence` as the marker.
pub fn until_from(sock: &UdpSocket, fence: SocketAddr) -> Vec<Datagram> {
    until(sock, |from, _| from == fence)
}

fn until(sock: &UdpSocket, is_fence: impl Fn(SocketAddr, &[u8]) -> bool) -> Vec<Datagram> {
    let mut out = Vec::new();
    let mut deadline = Instant::now() + FENCE;
    let mut fenced = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            assert!(
                fenced,
                "the fence never arrived: the test's own path is broken"
            );
            return out;
        }
        match recv_within(sock, left) {
            Some((from, d)) if !fenced && is_fence(from, &d) => {
                fenced = true;
                deadline = Instant::now() + GRACE;
            }
            Some(datagram) => out.push(datagram),
            None => {}
        }
    }
}

/// What arrives at `sock` within `within`: for a negative check where no endpoint
/// can send a fence (after a NAT dropped every mapping, nothing from outside reaches
/// the inside), the bound is the check.
pub fn nothing_within(sock: &UdpSocket, within: Duration) -> Vec<Datagram> {
    let mut out = Vec::new();
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return out;
        }
        out.extend(recv_within(sock, left));
    }
}

/// One datagram within `left`, or `None` when the time ran out first.
fn recv_within(sock: &UdpSocket, left: Duration) -> Option<Datagram> {
    let mut buf = [0u8; 1500];
    sock.set_read_timeout(Some(left)).unwrap();
    match sock.recv_from(&mut buf) {
        Ok((n, from)) => Some((from, buf[..n].to_vec())),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            None
        }
        Err(e) => panic!("receiving: {e}"),
    }
}

/// Whether `payload` is among `got`, and from where.
pub fn from_where(got: &[Datagram], payload: &[u8]) -> Option<SocketAddr> {
    got.iter()
        .find(|(_, d)| d == payload)
        .map(|(from, _)| *from)
}

/// RFC 4787 §4.1 seen from one socket: its external endpoints toward s1:3478,
/// s1:3479 (same address, other port) and s2:3478 (other address).
#[derive(Debug, Clone, Copy)]
pub struct MappingSeen {
    pub local_port: u16,
    pub s1a: SocketAddr,
    pub s1b: SocketAddr,
    pub s2a: SocketAddr,
}

impl MappingSeen {
    /// `_servers` are the reflectors it asks: they must run.
    pub fn new(net: &Net, _servers: &Servers, client: &str, port: u16) -> MappingSeen {
        let s = udp(net, client, port);
        MappingSeen {
            local_port: s.local_addr().unwrap().port(),
            s1a: ask(&s, at(S1, 3478)),
            s1b: ask(&s, at(S1, 3479)),
            s2a: ask(&s, at(S2, 3478)),
        }
    }

    /// The behaviour these endpoints show, if they are consistent with one.
    pub fn behaviour(&self) -> Option<Behaviour> {
        let (a, b, c) = (self.s1a, self.s1b, self.s2a);
        if a == b && a == c {
            Some(Behaviour::EndpointIndependent)
        } else if a == b {
            Some(Behaviour::AddressDependent)
        } else if a != c && b != c {
            Some(Behaviour::AddressAndPortDependent)
        } else {
            None
        }
    }
}

/// RFC 4787 §5: after `client` contacted s1:3478 only, whether unsolicited packets
/// from s1:3479 (same address, other port) and from s2:3478 (other address) reach its
/// mapping.
pub fn filtering_seen(net: &Net, srv: &Servers, client: &str, port: u16) -> (bool, bool) {
    let s = udp(net, client, port);
    let mapped = ask(&s, at(S1, 3478));
    srv.s1b.send_to(b"same-address", mapped).unwrap();
    srv.s2a.send_to(b"other-address", mapped).unwrap();
    srv.s1a.send_to(b"marker", mapped).unwrap();
    let got = until_marker(&s, b"marker");
    (
        from_where(&got, b"same-address").is_some(),
        from_where(&got, b"other-address").is_some(),
    )
}

/// The filtering behaviour of what [`filtering_seen`] saw.
pub fn filtering_behaviour(seen: (bool, bool)) -> Option<Behaviour> {
    match seen {
        (true, true) => Some(Behaviour::EndpointIndependent),
        (true, false) => Some(Behaviour::AddressDependent),
        (false, false) => Some(Behaviour::AddressAndPortDependent),
        (false, true) => None,
    }
}

/// What became of a packet sent from inside to an inside host's mapping (RFC 4787 §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hairpin {
    /// Delivered from the sender's mapping toward the reflector: the one external
    /// endpoint of an endpoint-independent mapping.
    SameMapping,
    /// Delivered from another external endpoint of the NAT: with address(-and-port)-
    /// dependent mapping, the NAT's own address is a new destination, so a new
    /// mapping.
    OtherMapping(SocketAddr),
    /// Delivered with the sender's internal address (REQ-9b violated).
    Internal(SocketAddr),
    NotDelivered,
}

fn judge(got: &[Datagram], payload: &[u8], sender_mapping: SocketAddr) -> Hairpin {
    match from_where(got, payload) {
        Some(from) if from == sender_mapping => Hairpin::SameMapping,
        Some(from) if from.ip() == sender_mapping.ip() => Hairpin::OtherMapping(from),
        Some(from) => Hairpin::Internal(from),
        None => Hairpin::NotDelivered,
    }
}

/// `from` sends to `to`'s mapping (both learned from s1:3478).
pub fn hairpin(net: &Net, srv: &Servers, from: (&str, u16), to: (&str, u16)) -> Hairpin {
    let a = udp(net, from.0, from.1);
    let b = udp(net, to.0, to.1);
    let ma = ask(&a, at(S1, 3478));
    let mb = ask(&b, at(S1, 3478));
    a.send_to(b"hairpin", mb).unwrap();
    srv.s1a.send_to(b"marker", mb).unwrap();
    judge(&until_marker(&b, b"marker"), b"hairpin", ma)
}

/// Hairpinning to one's own mapping: another socket of the same host sends to it,
/// then the socket sends to its own mapping. (other socket, same socket).
pub fn hairpin_self(net: &Net, srv: &Servers, client: &str, port: u16) -> (Hairpin, Hairpin) {
    let a = udp(net, client, port);
    let a2 = udp(net, client, port + 1);
    let ma = ask(&a, at(S1, 3478));
    let ma2 = ask(&a2, at(S1, 3478));
    a2.send_to(b"other-socket", ma).unwrap();
    srv.s1a.send_to(b"marker", ma).unwrap();
    let other = judge(&until_marker(&a, b"marker"), b"other-socket", ma2);
    a.send_to(b"own-socket", ma).unwrap();
    srv.s1a.send_to(b"marker2", ma).unwrap();
    let own = judge(&until_marker(&a, b"marker2"), b"own-socket", ma);
    (other, own)
}

/// One side of a hole punch: its socket, where it sends, whom it heard.
struct Side {
    sock: UdpSocket,
    target: SocketAddr,
    heard: Option<SocketAddr>,
    tag: &'static [u8],
}

impl Side {
    fn send(&self) {
        self.sock.send_to(self.tag, self.target).unwrap();
    }

    /// Reads what came; the first packet from the peer makes its source the target
    /// (ICE's peer-reflexive candidate: answer where the peer is seen from).
    fn recv(&mut self, reflector: SocketAddr) {
        let mut buf = [0u8; 64];
        loop {
            match self.sock.recv_from(&mut buf) {
                Ok((_, from)) if from == reflector => {}
                Ok((_, from)) => {
                    if self.heard.is_none() {
                        self.target = from;
                    }
                    self.heard = Some(from);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => panic!("hole punching: {e}"),
            }
        }
    }
}

/// How long a punch tries, and how often each side sends.
const PUNCH_FOR: Duration = Duration::from_millis(400);
const PUNCH_EVERY: Duration = Duration::from_millis(10);

/// UDP hole punching (RFC 5128 §3.3) between c1 (behind r1) and d1 (behind r2), from
/// `port` on both: each learns its mapping from s1:3478 (the rendezvous), then both
/// send to the other's mapping every 10 ms for at most 400 ms, `c1_first` saying who
/// sends first in each round. Whether each heard the other, and what they saw.
pub fn punch(net: &Net, port: u16, c1_first: bool) -> (bool, String) {
    let side = |node: &str, tag| {
        let sock = udp(net, node, port);
        let mapped = ask(&sock, at(S1, 3478));
        sock.set_nonblocking(true).unwrap();
        Side {
            sock,
            target: mapped,
            heard: None,
            tag,
        }
    };
    let (mut c1, mut d1) = (side("c1", b"from-c1"), side("d1", b"from-d1"));
    // Each sends to the other's mapping, as a rendezvous server would tell them.
    std::mem::swap(&mut c1.target, &mut d1.target);
    let (c1_mapped, d1_mapped) = (d1.target, c1.target);
    let reflector = at(S1, 3478);
    let deadline = Instant::now() + PUNCH_FOR;
    // Rounds after both heard each other, for the late side's answers to arrive.
    let mut extra = 3;
    while Instant::now() < deadline && extra > 0 {
        let (first, second) = if c1_first { (&c1, &d1) } else { (&d1, &c1) };
        first.send();
        second.send();
        // The punching protocol's own pace, as ICE's connectivity checks have one.
        std::thread::sleep(PUNCH_EVERY);
        c1.recv(reflector);
        d1.recv(reflector);
        if c1.heard.is_some() && d1.heard.is_some() {
            extra -= 1;
        }
    }
    let show = |h: Option<SocketAddr>| h.map_or("nobody".to_string(), |a| a.to_string());
    (
        c1.heard.is_some() && d1.heard.is_some(),
        format!(
            "c1 (mapped {c1_mapped}) heard {}, d1 (mapped {d1_mapped}) heard {}",
            show(c1.heard),
            show(d1.heard)
        ),
    )
}

//! ICMP echo from inside a node, with surge-ping.

use super::ProbeError;
use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};
use surge_ping::{Client, Config, PingIdentifier, PingSequence, ICMP};

/// How hard to try: a reply is expected within the sum of `waits`, one echo request
/// per entry. Short first waits make a lost first packet cost milliseconds, not a second.
#[derive(Debug, Clone)]
pub(crate) struct Tries {
    pub waits: Vec<Duration>,
}

impl Tries {
    /// For "must reach": 3 tries, 1 s in all.
    pub(crate) fn reach() -> Tries {
        Tries {
            waits: vec![
                Duration::from_millis(20),
                Duration::from_millis(180),
                Duration::from_millis(800),
            ],
        }
    }

    /// For "must not reach": one request and a bounded wait for the reply that must not come.
    pub(crate) fn isolation(wait: Duration) -> Tries {
        Tries { waits: vec![wait] }
    }

    fn total(&self) -> Duration {
        self.waits.iter().sum()
    }
}

/// An ICMP client whose socket lives in one node (one per address family).
#[derive(Clone)]
pub(crate) struct Pinger {
    client: Client,
}

impl fmt::Debug for Pinger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pinger").finish_non_exhaustive()
    }
}

static NEXT_IDENT: AtomicU16 = AtomicU16::new(1);

/// The sequence number of the next echo request, for every ping of the process.
/// On a Linux ICMP datagram socket the kernel owns the identifier, so surge-ping
/// matches a reply by (address, sequence) alone: were each ping to count from 0, the
/// late reply to an earlier ping's timed-out first try would be taken for the next
/// ping's reply (an RTT shorter than the path, or a reply from a request that is not
/// this one). Counting on across pings, a reply only ever answers its own request.
static NEXT_SEQ: AtomicU16 = AtomicU16::new(0);

/// The kernel's neighbour tables are shared by every network namespace of the
/// machine, 1024 entries per family by default (gc_thresh3, settable only in the
/// initial namespace): many large sandboxes at once, or namespaces still being
/// freed, can fill them.
const NEIGHBOUR_TABLE_HINT: &str =
    "; the kernel's neighbour table may be full: it is shared by all \
     network namespaces of the machine (net.ipv4.neigh.default.gc_thresh3 and \
     net.ipv6.neigh.default.gc_thresh3, 1024 by default)";

impl Pinger {
    /// Opens the socket with the calling thread inside the node (`enter` runs a
    /// closure there). Raw ICMP first: the user namespace grants CAP_NET_RAW inside.
    /// If raw is refused, datagram ICMP, which needs `ping_group_range` to cover us.
    pub(crate) fn open(
        node: &str,
        v6: bool,
        enter: impl Fn(&mut dyn FnMut()) -> std::io::Result<()>,
    ) -> Result<Pinger, ProbeError> {
        let kind = if v6 { ICMP::V6 } else { ICMP::V4 };
        let make = |ty: socket2::Type| {
            Client::new(&Config::builder().kind(kind).sock_type_hint(ty).build())
        };
        let socket_err = |e: std::io::Error| ProbeError::Socket {
            node: node.to_string(),
            error: e.to_string(),
        };
        let mut made = None;
        enter(&mut || {
            made = Some(make(socket2::Type::RAW).or_else(|_| {
                // The user namespace maps only gid 0: let it open ping sockets.
                let _ = crate::kernel::sysctl::write("net.ipv4.ping_group_range", "0 0");
                make(socket2::Type::DGRAM)
            }))
        })
        .map_err(socket_err)?;
        let client = made.expect("enter ran the closure").map_err(socket_err)?;
        Ok(Pinger { client })
    }

    /// Pings `to`, retrying per `tries`; the round-trip time of the first reply.
    pub(crate) async fn ping(&self, to: IpAddr, tries: &Tries) -> Result<Duration, ProbeError> {
        let ident = PingIdentifier(NEXT_IDENT.fetch_add(1, Ordering::Relaxed));
        let mut pinger = self.client.pinger(to, ident).await;
        let payload = [0u8; 16];
        let mut last_send_error = None;
        for wait in &tries.waits {
            pinger.timeout(*wait);
            let seq = PingSequence(NEXT_SEQ.fetch_add(1, Ordering::Relaxed));
            // Timed from before the send: surge-ping starts its clock once the send
            // has returned, and a thread preempted in between (a whole time slice on a
            // loaded machine) made an RTT shorter than the path: 36.9 ms across a
            // link delayed 20 ms each way. Timed from here, an RTT is never shorter.
            let sent = Instant::now();
            match pinger.ping(seq, &payload).await {
                // surge-ping hands over ICMP errors that quote our request as if they
                // were replies: only an echo reply is one.
                Ok((packet, _)) => match icmp_error(&packet) {
                    None => return Ok(sent.elapsed()),
                    Some((by, why, true)) => return Err(ProbeError::Unreachable { to, by, why }),
                    Some((by, why, false)) => return Err(ProbeError::IcmpError { to, by, why }),
                },
                Err(surge_ping::SurgeError::Timeout { .. }) => last_send_error = None,
                // No route is final: waiting will not make one.
                Err(surge_ping::SurgeError::IOError(e))
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::ENETUNREACH | libc::EHOSTUNREACH)
                    ) =>
                {
                    return Err(ProbeError::Send {
                        to,
                        error: e.to_string(),
                        errno: e.raw_os_error(),
                    })
                }
                // Anything else the kernel says while sending (seen: EINVAL from an
                // IPv6 raw socket right after the build) gets the rest of the tries.
                Err(e) => {
                    let kind = if self.client.get_socket().get_type() == socket2::Type::RAW {
                        "raw"
                    } else {
                        "datagram"
                    };
                    let mut why = format!("{e} (ICMP {kind} socket)");
                    let errno = match &e {
                        surge_ping::SurgeError::IOError(io) => io.raw_os_error(),
                        _ => None,
                    };
                    if errno == Some(libc::EINVAL) {
                        // What the kernel answers when it cannot make a neighbour entry.
                        why.push_str(NEIGHBOUR_TABLE_HINT);
                    }
                    last_send_error = Some((why, errno));
                    tokio::time::sleep(*wait).await;
                }
            }
        }
        if let Some((error, errno)) = last_send_error {
            return Err(ProbeError::Send { to, error, errno });
        }
        Err(ProbeError::NoReply {
            to,
            within: tries.total(),
            tries: tries.waits.len() as u32,
        })
    }
}

/// `Some((sender, description, destination unreachable))` unless the packet is an
/// echo reply.
fn icmp_error(packet: &surge_ping::IcmpPacket) -> Option<(IpAddr, String, bool)> {
    match packet {
        surge_ping::IcmpPacket::V4(p) => {
            let (t, c) = (p.get_icmp_type().0, p.get_icmp_code().0);
            (t != 0).then(|| (IpAddr::V4(p.get_source()), describe_v4(t, c), t == 3))
        }
        surge_ping::IcmpPacket::V6(p) => {
            let (t, c) = (p.get_icmpv6_type().0, p.get_icmpv6_code().0);
            (t != 129).then(|| (IpAddr::V6(p.get_source()), describe_v6(t, c), t == 1))
        }
    }
}

fn describe_v4(t: u8, c: u8) -> String {
    let what = match (t, c) {
        (3, 0) => "destination net unreachable",
        (3, 1) => "destination host unreachable",
        (3, 3) => "destination port unreachable",
        (3, 13) => "communication administratively prohibited",
        (3, _) => "destination unreachable",
        (11, _) => "time exceeded",
        (5, _) => "redirect",
        _ => "an ICMP error",
    };
    format!("{what} (ICMP type {t} code {c})")
}

fn describe_v6(t: u8, c: u8) -> String {
    let what = match (t, c) {
        (1, 0) => "no route to destination",
        (1, 1) => "communication administratively prohibited",
        (1, 3) => "address unreachable",
        (1, _) => "destination unreachable",
        (3, _) => "time exceeded",
        _ => "an ICMPv6 error",
    };
    format!("{what} (ICMPv6 type {t} code {c})")
}

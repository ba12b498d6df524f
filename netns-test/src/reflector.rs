//! A reflector for tests: it answers a UDP datagram, or a TCP connection, with the
//! source address and port it saw, as text (`203.0.113.1:40000`), which is what a
//! STUN server tells a client about its NAT mapping. Any node can run one
//! (`net.node("s").reflector(3478)`); [`ask`](crate::reflector::ask) and
//! [`ask_tcp`](crate::reflector::ask_tcp) read what it says.
//!
//! ```no_run
//! # use netns_test::{netns_test, Net};
//! use netns_test::reflector;
//! use std::net::UdpSocket;
//!
//! #[netns_test(topology = "
//!     node r1 forward
//!     c1 192.168.1.2/24 -- r1:lan 192.168.1.1/24
//!     r1:wan 203.0.113.1/24 -- s 203.0.113.10/24
//!     route c1 default via 192.168.1.1
//!     nat r1:wan port-restricted-cone
//! ")]
//! fn my_mapping(net: &Net) {
//!     let _server = net.node("s").reflector(3478);
//!     let sock = net.node("c1").run(|| UdpSocket::bind("0.0.0.0:40000").unwrap());
//!     let seen = reflector::ask(&sock, "203.0.113.10:3478".parse().unwrap()).unwrap();
//!     assert_eq!(seen.ip(), net.nat("r1").external_addr());
//!     assert_eq!(seen.port(), 40000); // port preservation
//! }
//! ```

use crate::net::Node;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Datagrams that start with this byte are not answered: traffic *to* a reflector
/// that must not come back (to open a mapping without a reply, say).
pub const QUIET: u8 = b'!';

/// How long [`ask`] waits for an answer in all, and between two tries.
const ASK_WITHIN: Duration = Duration::from_secs(2);
const RETRY: Duration = Duration::from_millis(100);

/// A running reflector: a UDP socket and a TCP listener on one port of every address
/// of its node, each served by a thread inside the node. Dropping it stops both.
#[derive(Debug)]
pub struct Reflector {
    node: String,
    udp: Arc<UdpSocket>,
    tcp: TcpListener,
    stop: Arc<AtomicBool>,
    udp_thread: Option<JoinHandle<()>>,
    tcp_thread: Option<JoinHandle<()>>,
}

impl Node {
    /// Starts a [`Reflector`] on `port` (UDP and TCP, every address of the node).
    /// Panics if the port is taken.
    #[track_caller]
    pub fn reflector(&self, port: u16) -> Reflector {
        let bind = || -> io::Result<(UdpSocket, TcpListener)> {
            let udp = UdpSocket::bind(("0.0.0.0", port))?;
            let port = udp.local_addr()?.port();
            Ok((udp, TcpListener::bind(("0.0.0.0", port))?))
        };
        let (udp, tcp) = self
            .run(bind)
            .unwrap_or_else(|e| panic!("starting a reflector on {}:{port}: {e}", self.name()));
        let udp = Arc::new(udp);
        let stop = Arc::new(AtomicBool::new(false));
        let spawn = |name: String, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name)
                .spawn(f)
                .unwrap_or_else(|e| panic!("starting a reflector's thread: {e}"))
        };
        let port = udp.local_addr().map_or(port, |a| a.port());
        let (u, s) = (udp.clone(), stop.clone());
        let udp_thread = spawn(
            format!("reflect-udp-{port}"),
            Box::new(move || serve_udp(&u, &s)),
        );
        let (t, s) = (tcp.try_clone(), stop.clone());
        let tcp_thread = match t {
            Ok(t) => spawn(
                format!("reflect-tcp-{port}"),
                Box::new(move || serve_tcp(&t, &s)),
            ),
            Err(e) => panic!("starting a reflector on {}:{port}: {e}", self.name()),
        };
        Reflector {
            node: self.name().to_string(),
            udp,
            tcp,
            stop,
            udp_thread: Some(udp_thread),
            tcp_thread: Some(tcp_thread),
        }
    }
}

/// Answers every datagram but the quiet ones with the source it came from.
fn serve_udp(sock: &UdpSocket, stop: &AtomicBool) {
    let mut buf = [0u8; 2048];
    loop {
        let (n, from) = match sock.recv_from(&mut buf) {
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if buf[..n].first() != Some(&QUIET) {
            let _ = sock.send_to(from.to_string().as_bytes(), from);
        }
    }
}

/// Writes every connecting peer's address to it, and closes the connection.
fn serve_tcp(listener: &TcpListener, stop: &AtomicBool) {
    loop {
        let (mut stream, peer) = match listener.accept() {
            Ok(got) => got,
            // A client that gave up before the accept, or a signal: go on.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
                ) && !stop.load(Ordering::Relaxed) =>
            {
                continue
            }
            Err(_) => return,
        };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let _ = stream.write_all(peer.to_string().as_bytes());
    }
}

impl Reflector {
    /// The node it runs in.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Its port (UDP and TCP).
    pub fn port(&self) -> u16 {
        self.udp.local_addr().map_or(0, |a| a.port())
    }

    /// Sends `payload` from the reflector's own UDP socket (its address and port) to
    /// `to`: an unsolicited packet from an endpoint a test controls, to see what a
    /// NAT's filtering lets in.
    pub fn send_to(&self, payload: &[u8], to: SocketAddr) -> io::Result<()> {
        self.udp.send_to(payload, to).map(|_| ())
    }
}

impl Drop for Reflector {
    /// Stops both threads and waits for them, so the port is free again. The UDP one
    /// is woken by a datagram to itself over the node's loopback (a shutdown would
    /// wake `recv_from` without a source address, which std's `recv_from` refuses
    /// with a panic); the TCP one by a shutdown, which makes `accept` fail.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let woken = self
            .udp
            .send_to(&[QUIET], (Ipv4Addr::LOCALHOST, self.port()))
            .is_ok();
        wake_accept(&self.tcp);
        // A thread that could not be woken ends with the sandbox.
        if let (true, Some(t)) = (woken, self.udp_thread.take()) {
            let _ = t.join();
        }
        if let Some(t) = self.tcp_thread.take() {
            let _ = t.join();
        }
    }
}

/// Makes a blocked `accept` on `listener` fail.
#[cfg(target_os = "linux")]
fn wake_accept(listener: &TcpListener) {
    use nix::sys::socket::{shutdown, Shutdown};
    use std::os::fd::AsRawFd;
    let _ = shutdown(listener.as_raw_fd(), Shutdown::Both);
}

/// Elsewhere no `Reflector` exists (`Node::reflector` cannot run: no `Node` does).
#[cfg(not(target_os = "linux"))]
fn wake_accept(_listener: &TcpListener) {}

/// Asks the reflector at `reflector` which source it sees `sock` send from: the
/// mapping a NAT gave the socket toward it. Tries again every 100 ms, for 2 s in all
/// (a datagram may be lost); datagrams from elsewhere that arrive meanwhile are read
/// and dropped.
pub fn ask(sock: &UdpSocket, reflector: SocketAddr) -> io::Result<SocketAddr> {
    let timeout = sock.read_timeout()?;
    let answer = ask_within(sock, reflector, ASK_WITHIN);
    sock.set_read_timeout(timeout)?;
    answer
}

fn ask_within(sock: &UdpSocket, reflector: SocketAddr, within: Duration) -> io::Result<SocketAddr> {
    let deadline = Instant::now() + within;
    let mut buf = [0u8; 128];
    while Instant::now() < deadline {
        sock.send_to(b"?", reflector)?;
        let retry = Instant::now() + RETRY;
        loop {
            let left = retry
                .min(deadline)
                .saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            sock.set_read_timeout(Some(left))?;
            match sock.recv_from(&mut buf) {
                Ok((n, from)) if from == reflector => return parse(&buf[..n]),
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    break
                }
                Err(e) => return Err(e),
            }
        }
    }
    Err(io::Error::new(
        io::ErrorKind::TimedOut,
        format!("no answer from the reflector at {reflector} within {within:?}"),
    ))
}

/// Reads what a reflector wrote on a TCP connection to it: the source it saw.
pub fn ask_tcp(stream: &mut TcpStream) -> io::Result<SocketAddr> {
    stream.set_read_timeout(Some(ASK_WITHIN))?;
    let mut text = Vec::new();
    stream.read_to_end(&mut text)?;
    parse(&text)
}

fn parse(answer: &[u8]) -> io::Result<SocketAddr> {
    let text = String::from_utf8_lossy(answer);
    text.parse().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not a reflector's answer: {text:?}"),
        )
    })
}

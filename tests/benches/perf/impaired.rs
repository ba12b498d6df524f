//! W4: what the impairment relay costs a link whose impairment is all zero
//! (`loss 0%`: spliced through the relay, nothing decided): TCP goodput and the
//! latency it adds per packet, against the same plain link, A B A B.
//!
//! Each side is one sandbox: the body measures and writes its figures to a file the
//! bench names (the body runs in a forked process that gets none of the test
//! process's descriptors).

use netns_test::{Net, Options, Topology};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

pub const PLAIN: &str = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24";
pub const SPLICED: &str = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24 loss 0%";

/// Samples of one side.
#[derive(Debug, Default)]
pub struct Side {
    /// TCP goodput of each transfer, Gbit/s.
    pub gbits: Vec<f64>,
    /// Median UDP round trip of each batch of back-to-back ping-pongs, µs.
    pub rtt_us: Vec<f64>,
}

#[derive(Debug, Default)]
pub struct W4 {
    pub plain: Side,
    pub spliced: Side,
    pub failures: usize,
}

pub fn median(xs: &[f64]) -> Option<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

impl W4 {
    /// Median goodput through the relay, Gbit/s.
    pub fn gbits(&self) -> Option<f64> {
        median(&self.spliced.gbits)
    }

    /// What the relay adds per packet (one direction), µs: half the difference of the
    /// median round trips.
    pub fn added_us(&self) -> Option<f64> {
        Some((median(&self.spliced.rtt_us)? - median(&self.plain.rtt_us)?) / 2.0)
    }
}

/// `rounds` pairs of runs, plain then spliced; each run does one transfer of `mib`
/// MiB and 2000 ping-pongs.
pub fn bench_w4(rounds: usize, mib: usize) -> Result<W4, String> {
    let plain = netns_test::topology::parse(PLAIN).map_err(|e| e.to_string())?;
    let spliced = netns_test::topology::parse(SPLICED).map_err(|e| e.to_string())?;
    let mut w4 = W4::default();
    for _ in 0..rounds {
        for (topo, side) in [(&plain, 0), (&spliced, 1)] {
            match measure(topo, mib) {
                Ok((g, r)) => {
                    let s = if side == 0 {
                        &mut w4.plain
                    } else {
                        &mut w4.spliced
                    };
                    s.gbits.push(g);
                    s.rtt_us.push(r);
                }
                Err(e) => {
                    eprintln!("bench: a W4 run failed: {e}");
                    w4.failures += 1;
                }
            }
        }
    }
    Ok(w4)
}

/// One sandbox: (goodput in Gbit/s, median round trip in µs).
fn measure(topo: &Topology, mib: usize) -> Result<(f64, f64), String> {
    let path = std::env::temp_dir().join(format!("netns-test-bench-w4-{}", std::process::id()));
    std::fs::write(&path, "").map_err(|e| format!("{}: {e}", path.display()))?;
    let target = path.clone();
    let result = netns_test::run(topo, Options::new().checks(false), move |net| {
        let g = goodput(net, mib << 20);
        let r = round_trip(net, 2000);
        std::fs::write(&target, format!("{g} {r}\n"))
    });
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    result.map_err(|e| e.to_string())?;
    let mut it = text.split_whitespace().map(|x| x.parse::<f64>());
    match (it.next(), it.next()) {
        (Some(Ok(g)), Some(Ok(r))) => Ok((g, r)),
        _ => Err(format!("the sandbox sent {text:?}")),
    }
}

/// Sends `bytes` a → b over TCP in 128 KiB writes; Gbit/s from the receiver's first
/// byte to its last.
fn goodput(net: &Net, bytes: usize) -> f64 {
    let at: SocketAddr = "10.0.0.2:7300".parse().unwrap();
    let listener = net.node("b").run(|| TcpListener::bind(at).unwrap());
    let receiver = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 256 * 1024];
        let (mut got, mut first) = (0usize, None);
        loop {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            first.get_or_insert_with(Instant::now);
            got += n;
        }
        (got, first.map_or(Duration::ZERO, |f| f.elapsed()))
    });
    let mut c = net.node("a").run(|| TcpStream::connect(at).unwrap());
    let chunk = vec![7u8; 128 * 1024];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        c.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let (got, took) = receiver.join().unwrap();
    got as f64 * 8.0 / took.as_secs_f64() / 1e9
}

/// `count` back-to-back UDP ping-pongs of 64 bytes a → b → a; the median, µs.
fn round_trip(net: &Net, count: usize) -> f64 {
    let at: SocketAddr = "10.0.0.2:7301".parse().unwrap();
    let echo = net.node("b").run(|| UdpSocket::bind(at).unwrap());
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        for _ in 0..count + 10 {
            let (n, from) = echo.recv_from(&mut buf).unwrap();
            echo.send_to(&buf[..n], from).unwrap();
        }
    });
    let s = net.node("a").run(|| UdpSocket::bind("10.0.0.1:0").unwrap());
    s.connect(at).unwrap();
    let mut buf = [0u8; 64];
    let mut rtts: Vec<f64> = Vec::with_capacity(count);
    for i in 0..count + 10 {
        let t = Instant::now();
        s.send(&[1u8; 64]).unwrap();
        s.recv(&mut buf).unwrap();
        // The first ten pay for ARP and warm the caches.
        if i >= 10 {
            rtts.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    server.join().unwrap();
    median(&rtts).unwrap_or(0.0)
}

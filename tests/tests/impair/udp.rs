//! Numbered UDP datagrams from one node to another, and what arrived: the receiver's
//! view of an impaired link, with one clock for both ends (both threads are in the
//! sandbox's process), so one-way delays are exact.

use netns_test::Net;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver saw.
#[derive(Debug)]
pub struct Arrivals {
    /// Sequence numbers in the order they arrived (duplicates included).
    pub seqs: Vec<u32>,
    /// One-way delay of each arrival, in the same order.
    pub delays: Vec<Duration>,
    pub sent: u32,
}

impl Arrivals {
    /// The numbers that never arrived.
    pub fn lost(&self) -> Vec<u32> {
        let mut seen = vec![false; self.sent as usize];
        for &s in &self.seqs {
            seen[s as usize] = true;
        }
        (0..self.sent).filter(|&s| !seen[s as usize]).collect()
    }

    /// How many arrivals repeated a number that had arrived already.
    pub fn duplicates(&self) -> usize {
        let mut seen = vec![false; self.sent as usize];
        self.seqs
            .iter()
            .filter(|&&s| std::mem::replace(&mut seen[s as usize], true))
            .count()
    }

    /// How many arrived before a lower number did: the ones that overtook others.
    pub fn early(&self) -> usize {
        let mut lowest_after = u32::MAX;
        self.seqs
            .iter()
            .rev()
            .filter(|&&s| {
                let early = lowest_after < s;
                lowest_after = lowest_after.min(s);
                early
            })
            .count()
    }
}

/// Sends `count` datagrams from `from` to `to` (port 7200) every `gap`, each carrying
/// its number, and collects what arrives until `quiet` passes without a datagram
/// after the last was sent (a lost one never comes: that is the end of the
/// measurement, not a wait for the kernel).
pub fn send_numbered(
    net: &Net,
    from: &str,
    to: &str,
    count: u32,
    gap: Duration,
    quiet: Duration,
) -> Arrivals {
    // Neighbours first: the first datagram would otherwise wait for ARP (whose
    // request may be lost too on a lossy link: ask again).
    let warm = (0..5).find(|_| net.ping(from, to).is_ok());
    assert!(
        warm.is_some(),
        "no ping {from} -> {to} before the datagrams: {:?}",
        net.link(from, to).counters()
    );
    let dest = SocketAddr::new(net.node(to).addr(), 7200);
    let rx = net.node(to).run(|| UdpSocket::bind(dest).unwrap());
    rx.set_read_timeout(Some(quiet)).unwrap();
    let sent_at: Arc<Mutex<Vec<Instant>>> =
        Arc::new(Mutex::new(Vec::with_capacity(count as usize)));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let receiver = {
        let (sent_at, done) = (sent_at.clone(), done.clone());
        std::thread::spawn(move || {
            let (mut seqs, mut delays) = (Vec::new(), Vec::new());
            let mut buf = [0u8; 2048];
            loop {
                match rx.recv(&mut buf) {
                    Ok(n) if n >= 4 => {
                        let now = Instant::now();
                        let seq = u32::from_be_bytes(buf[..4].try_into().unwrap());
                        let at = sent_at.lock().unwrap()[seq as usize];
                        seqs.push(seq);
                        delays.push(now - at);
                    }
                    Ok(_) => {}
                    Err(_) if done.load(std::sync::atomic::Ordering::SeqCst) => break,
                    Err(_) => {}
                }
            }
            (seqs, delays)
        })
    };
    let tx = net.node(from).run(|| UdpSocket::bind("0.0.0.0:0").unwrap());
    tx.connect(dest).unwrap();
    let start = Instant::now();
    let mut next = start;
    for seq in 0..count {
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        } else if now - next > gap * 10 {
            // Descheduled: start the pace again rather than send the backlog in one
            // burst (a burst longer than the relay's ring is dropped by the kernel).
            next = now;
        }
        let mut payload = [0u8; 16];
        payload[..4].copy_from_slice(&seq.to_be_bytes());
        sent_at.lock().unwrap().push(Instant::now());
        // A full socket buffer drops the datagram here; it counts as lost.
        let _ = tx.send(&payload);
        next += gap;
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (seqs, delays) = receiver.join().unwrap();
    Arrivals {
        seqs,
        delays,
        sent: count,
    }
}

/// Mean and standard deviation, in milliseconds.
pub fn mean_sd(xs: &[Duration]) -> (f64, f64) {
    let ms: Vec<f64> = xs.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    let var = ms.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / ms.len() as f64;
    (mean, var.sqrt())
}

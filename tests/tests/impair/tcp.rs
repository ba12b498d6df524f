//! A TCP transfer between two nodes, timed by the receiver and checked byte for byte.

use netns_test::Net;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The byte at offset `i` of a transfer: a pattern whose corruption cannot go unseen.
fn byte(i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

/// Sends `bytes` over TCP from `from` to `to` (port 7100); returns how long the
/// receiver took from its first byte to its last, so that connecting is not counted.
/// Panics if a byte arrived different from what was sent.
pub fn transfer(net: &Net, from: &str, to: &str, bytes: usize) -> Duration {
    let at = SocketAddr::new(net.node(to).addr(), 7100);
    let listener: TcpListener = net.node(to).run(|| TcpListener::bind(at).unwrap());
    let receiver = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let (mut got, mut first) = (0usize, None);
        loop {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            first.get_or_insert_with(Instant::now);
            for (k, b) in buf[..n].iter().enumerate() {
                assert_eq!(*b, byte(got + k), "byte {} arrived changed", got + k);
            }
            got += n;
        }
        (got, first.map_or(Duration::ZERO, |f| f.elapsed()))
    });
    let mut c = net
        .node(from)
        .run(|| TcpStream::connect_timeout(&at, Duration::from_secs(5)).unwrap());
    let data: Vec<u8> = (0..bytes).map(byte).collect();
    c.write_all(&data).unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let (got, took) = receiver.join().unwrap();
    assert_eq!(got, bytes);
    took
}

/// Goodput of a transfer, in bits per second.
pub fn goodput(bytes: usize, took: Duration) -> f64 {
    bytes as f64 * 8.0 / took.as_secs_f64()
}

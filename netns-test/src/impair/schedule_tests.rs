//! The scheduler over a fake clock.

use super::*;
use crate::impair::model::Prob;
use std::time::Duration;

const MS: u64 = 1_000_000;

/// A UDP datagram from 10.0.0.1 to 10.0.0.2 whose payload is `n`, `len` bytes long.
fn udp(n: u32, len: usize) -> Vec<u8> {
    let payload_len = len.max(4);
    let total = 20 + 8 + payload_len;
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    f.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0x40,
        0,
        64,
        17,
        0,
        0,
    ]);
    f.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x40, 0x1b, 0x58]);
    f.extend_from_slice(&((8 + payload_len) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&n.to_be_bytes());
    f.resize(14 + total, 0);
    f
}

/// An ARP request for 10.0.0.`n`: background traffic.
fn arp(n: u8) -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]);
    f.extend_from_slice(&[2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, n]);
    f
}

fn dir(params: Params) -> Direction {
    Direction::new(7, 1, params)
}

fn feed(d: &mut Direction, frame: &[u8], now: u64) {
    d.frame(VnetHdr::default(), frame, now, &mut Vec::new());
}

/// Every frame sent, in order, as (time, payload number).
fn sent(d: &mut Direction) -> Vec<(u64, u32)> {
    std::iter::from_fn(|| d.pop_due(u64::MAX))
        .map(|q| (q.at, u32::from_be_bytes(q.buf[42..46].try_into().unwrap())))
        .collect()
}

#[test]
fn a_rate_spaces_frames_by_their_wire_size() {
    let mut d = dir(Params {
        rate: Some(8_000_000), // a byte per µs
        ..Params::default()
    });
    let frame = udp(0, 958); // 1000 bytes on the wire
    for _ in 0..3 {
        feed(&mut d, &frame, 0);
    }
    let times: Vec<u64> = sent(&mut d).iter().map(|s| s.0).collect();
    assert_eq!(times, [1_000_000, 2_000_000, 3_000_000]);
}

#[test]
fn jitter_never_reorders_and_reorder_skips_the_delay() {
    let mut d = dir(Params {
        delay: Duration::from_millis(10),
        jitter: Duration::from_millis(5),
        ..Params::default()
    });
    for n in 0..500 {
        feed(&mut d, &udp(n, 10), u64::from(n) * MS / 10);
    }
    let order: Vec<u32> = sent(&mut d).iter().map(|s| s.1).collect();
    assert_eq!(order, (0..500).collect::<Vec<_>>());

    let mut d = dir(Params {
        delay: Duration::from_millis(10),
        reorder: Prob::ONE,
        ..Params::default()
    });
    feed(&mut d, &udp(1, 10), 3 * MS);
    assert_eq!(
        sent(&mut d),
        [(3 * MS, 1)],
        "sent when serialised, without the delay"
    );
    assert_eq!(d.counters.reordered, 1);
}

#[test]
fn limit_counts_only_frames_waiting_for_the_serialiser() {
    let mut d = dir(Params {
        delay: Duration::from_secs(1),
        limit: 2,
        ..Params::default()
    });
    for n in 0..10 {
        feed(&mut d, &udp(n, 10), 0);
    }
    assert_eq!(
        d.counters.overlimit, 0,
        "propagating frames are on the wire"
    );
    let mut d = dir(Params {
        rate: Some(1000),
        limit: 2,
        ..Params::default()
    });
    for n in 0..10 {
        feed(&mut d, &udp(n, 10), 0);
    }
    assert_eq!(d.counters.overlimit, 8);
}

#[test]
fn copies_are_one_plus_duplicate_minus_loss() {
    let mut d = dir(Params {
        loss: Loss::Random(Prob::ONE),
        duplicate: Prob::ONE,
        ..Params::default()
    });
    feed(&mut d, &udp(1, 10), 0);
    assert_eq!(sent(&mut d).len(), 1);
    let mut d = dir(Params {
        duplicate: Prob::ONE,
        ..Params::default()
    });
    feed(&mut d, &udp(1, 10), 0);
    assert_eq!(sent(&mut d), [(0, 1), (0, 1)]);
    let mut d = dir(Params {
        loss: Loss::Random(Prob::ONE),
        ..Params::default()
    });
    feed(&mut d, &udp(1, 10), 0);
    assert!(sent(&mut d).is_empty());
    assert_eq!((d.counters.lost, d.counters.decided), (1, 1));
}

#[test]
fn corruption_flips_one_bit_after_the_ethernet_header() {
    let mut d = dir(Params {
        corrupt: Prob::ONE,
        ..Params::default()
    });
    let frame = udp(1, 100);
    feed(&mut d, &frame, 0);
    let out = d.pop_due(0).unwrap().buf;
    let flipped: u32 = frame
        .iter()
        .zip(&out)
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    assert_eq!(flipped, 1);
    assert_eq!(out[..14], frame[..14], "the MACs are left alone");
}

#[test]
fn background_frames_never_shift_the_tests_decisions() {
    let lost = |background: usize| {
        let mut d = dir(Params {
            loss: Loss::Random(Prob(u32::MAX / 5)),
            ..Params::default()
        });
        let mut pool = Vec::new();
        for n in 0..2000u32 {
            if (n as usize) < background * 10 && n % 10 == 0 {
                d.frame(VnetHdr::default(), &arp((n % 200) as u8), 0, &mut pool);
            }
            d.frame(VnetHdr::default(), &udp(n, 20), 0, &mut pool);
        }
        let kept: Vec<u32> = std::iter::from_fn(|| d.pop_due(u64::MAX))
            .filter(|q| q.buf[12..14] == [0x08, 0x00])
            .map(|q| u32::from_be_bytes(q.buf[42..46].try_into().unwrap()))
            .collect();
        (0..2000)
            .filter(|n| !kept.contains(n))
            .collect::<Vec<u32>>()
    };
    let quiet = lost(0);
    assert!((300..500).contains(&quiet.len()), "{} lost", quiet.len());
    assert_eq!(lost(37), quiet);
    assert_eq!(lost(150), quiet);
}

#[test]
fn the_same_datagram_again_gets_a_fresh_decision() {
    let mut d = dir(Params {
        loss: Loss::Random(Prob(u32::MAX / 2)),
        ..Params::default()
    });
    for _ in 0..200 {
        feed(&mut d, &udp(9, 20), 0);
    }
    let through = sent(&mut d).len();
    assert!(
        (60..140).contains(&through),
        "{through} of 200 identical datagrams"
    );
}

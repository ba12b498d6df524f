//! Reproducible decisions: what a frame "is", independent of its position in the
//! stream, so that the same seed makes the same decisions for the test's packets
//! however much background traffic the kernel sends around them.
//!
//! Every decision about a frame (lost? duplicated? its jitter, ...) is drawn from a
//! key = SipHash(seed, direction, class, content, occurrence), where
//!
//! * `content` is a hash of the parts of the frame that are the same in every run
//!   of the same test: addresses, protocol, payload; and *not* the parts the kernel
//!   randomises per run: MACs (random per veth unless the harness fixes them), IPv4
//!   ID and checksums, IPv6 flow label, TTL/hop limit, TOS/ECN, TCP/UDP ports (an
//!   unbound client socket gets a random ephemeral port), TCP sequence and ack
//!   numbers (random ISN), TCP options (timestamps), ICMP echo identifier and
//!   payload (ping puts a timestamp there; the sequence number is kept);
//! * `occurrence` counts earlier frames with the same content in the same direction
//!   and class, so identical datagrams (or a retransmission) get fresh decisions,
//!   the same ones in every run;
//! * `class` separates the kernel's background traffic (ARP, IPv6 ND/RS/RA/MLD, IGMP,
//!   802.1D/LLDP control frames), whose count and timing vary from run to run, from
//!   the test's own traffic: background frames get decisions of their own and never
//!   advance the test traffic's occurrence counts or Gilbert-Elliott chain.

use siphasher::sip::SipHasher13;
use std::collections::HashMap;
use std::hash::Hasher;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    Test = 0,
    Background = 1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Content {
    pub(crate) class: Class,
    pub(crate) hash: u64,
}

/// Payloads longer than this are hashed by their first and last halves of it and
/// their length: TCP bulk data would otherwise cost a full pass per frame.
const SAMPLE: usize = 1024;

fn sample(h: &mut SipHasher13, payload: &[u8]) {
    h.write_usize(payload.len());
    if payload.len() <= SAMPLE {
        h.write(payload);
    } else {
        h.write(&payload[..SAMPLE / 2]);
        h.write(&payload[payload.len() - SAMPLE / 2..]);
    }
}

/// Classifies an Ethernet frame and hashes its run-invariant content.
pub(crate) fn content(frame: &[u8]) -> Content {
    let mut h = SipHasher13::new_with_keys(0x6e65_746e_735f_7465, 0x7374_5f69_6d70_6169);
    let class = classify_into(frame, &mut h);
    Content {
        class,
        hash: h.finish(),
    }
}

fn classify_into(frame: &[u8], h: &mut SipHasher13) -> Class {
    if frame.len() < 14 {
        h.write(frame);
        return Class::Test;
    }
    // 802.1D / LLDP / pause: 01:80:c2:00:00:0X.
    if frame[..5] == [0x01, 0x80, 0xc2, 0x00, 0x00] && frame[5] & 0xf0 == 0 {
        h.write(&frame[12..]);
        return Class::Background;
    }
    let (mut ethertype, mut off) = (u16::from_be_bytes([frame[12], frame[13]]), 14);
    // Skip VLAN tags (the tag itself is configuration: kept).
    while matches!(ethertype, 0x8100 | 0x88a8) && frame.len() >= off + 4 {
        h.write(&frame[off..off + 2]);
        ethertype = u16::from_be_bytes([frame[off + 2], frame[off + 3]]);
        off += 4;
    }
    h.write_u16(ethertype);
    let l3 = &frame[off..];
    match ethertype {
        0x0806 => {
            // ARP: operation, sender and target protocol addresses (not the MACs).
            if l3.len() >= 28 {
                h.write(&l3[6..8]);
                h.write(&l3[14..18]);
                h.write(&l3[24..28]);
            }
            Class::Background
        }
        0x0800 => ipv4(l3, h),
        0x86dd => ipv6(l3, h),
        _ => {
            sample(h, l3);
            Class::Test
        }
    }
}

fn ipv4(p: &[u8], h: &mut SipHasher13) -> Class {
    if p.len() < 20 {
        sample(h, p);
        return Class::Test;
    }
    let ihl = usize::from(p[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([p[2], p[3]])).clamp(ihl.min(p.len()), p.len());
    let proto = p[9];
    h.write_u8(proto);
    h.write(&p[12..20]); // addresses
    let frag = u16::from_be_bytes([p[6], p[7]]) & 0x3fff; // MF + offset
    if ihl < 20 || ihl > total {
        return Class::Test;
    }
    let l4 = &p[ihl..total];
    if frag & 0x1fff != 0 {
        // A non-first fragment: no L4 header, its offset identifies it.
        h.write_u16(frag);
        sample(h, l4);
        return Class::Test;
    }
    match proto {
        2 => {
            // IGMP: type and group.
            h.write(&l4[..l4.len().min(1)]);
            h.write(l4.get(4..8).unwrap_or(&[]));
            Class::Background
        }
        1 => {
            icmp_echo_or_type(l4, 8, 0, h);
            Class::Test
        }
        _ => {
            l4_content(proto, l4, h);
            Class::Test
        }
    }
}

fn ipv6(p: &[u8], h: &mut SipHasher13) -> Class {
    if p.len() < 40 {
        sample(h, p);
        return Class::Test;
    }
    h.write(&p[8..40]); // addresses; not the flow label, traffic class or hop limit
    let end = (40 + usize::from(u16::from_be_bytes([p[4], p[5]]))).min(p.len());
    let (mut next, mut off) = (p[6], 40usize);
    // Extension headers: hop-by-hop, routing, destination options, fragment, AH.
    loop {
        match next {
            0 | 43 | 60 if off + 8 <= end => {
                let len = (usize::from(p[off + 1]) + 1) * 8;
                next = p[off];
                off += len;
            }
            44 if off + 8 <= end => {
                let frag = u16::from_be_bytes([p[off + 2], p[off + 3]]) & 0xfff8;
                next = p[off];
                off += 8;
                if frag != 0 {
                    h.write_u16(frag);
                    sample(h, p.get(off..end).unwrap_or(&[]));
                    return Class::Test;
                }
            }
            51 if off + 8 <= end => {
                let len = (usize::from(p[off + 1]) + 2) * 4;
                next = p[off];
                off += len;
            }
            _ => break,
        }
    }
    h.write_u8(next);
    let l4 = p.get(off..end).unwrap_or(&[]);
    if next == 58 {
        let ty = l4.first().copied().unwrap_or(0);
        // MLD (130-132, 143), router/neighbour discovery and redirect (133-137),
        // inverse ND (141-142), multicast router discovery (151-153).
        if matches!(ty, 130..=137 | 141..=143 | 151..=153) {
            h.write(&l4[..l4.len().min(2)]);
            h.write(l4.get(4..).map(|r| &r[..r.len().min(64)]).unwrap_or(&[]));
            return Class::Background;
        }
        icmp_echo_or_type(l4, 128, 129, h);
        return Class::Test;
    }
    l4_content(next, l4, h);
    Class::Test
}

/// ICMP: echo request/reply by type and sequence number (not the identifier, not
/// the payload, where ping keeps a timestamp); anything else by type and code (an
/// error quotes the offending packet, IPv4 ID and all).
fn icmp_echo_or_type(l4: &[u8], request: u8, reply: u8, h: &mut SipHasher13) {
    if l4.len() < 8 {
        h.write(l4);
        return;
    }
    h.write(&l4[..2]);
    if l4[0] == request || l4[0] == reply {
        h.write(&l4[6..8]);
    }
}

/// TCP: SYN/FIN/RST flags and the payload (not ports, sequence numbers, window or
/// options); UDP: the payload; anything else: all of it.
fn l4_content(proto: u8, l4: &[u8], h: &mut SipHasher13) {
    match proto {
        6 if l4.len() >= 20 => {
            let doff = (usize::from(l4[12] >> 4) * 4).clamp(20, l4.len());
            h.write_u8(l4[13] & 0x07); // FIN, SYN, RST
            sample(h, &l4[doff..]);
        }
        17 if l4.len() >= 8 => sample(h, &l4[8..]),
        _ => sample(h, l4),
    }
}

/// How many frames with each content a direction has seen, per class, bounded: two
/// generations of at most `CAP` entries; a key not seen for two generations starts
/// over at 0 (a retransmission that late gets the first decision again).
#[derive(Debug, Default)]
pub(crate) struct Occurrences {
    now: HashMap<(Class, u64), u32>,
    old: HashMap<(Class, u64), u32>,
}

const CAP: usize = 1 << 16;

impl Occurrences {
    /// The number of earlier frames with this content (0 for the first).
    pub(crate) fn bump(&mut self, c: Content) -> u32 {
        let k = (c.class, c.hash);
        let seen = match self.now.get(&k) {
            Some(&n) => n,
            None => self.old.get(&k).copied().unwrap_or(0),
        };
        if self.now.len() >= CAP {
            self.old = std::mem::take(&mut self.now);
        }
        self.now.insert(k, seen + 1);
        seen
    }
}

/// The decision key of one frame.
pub(crate) fn decision_key(seed: u64, direction: u64, c: Content, occurrence: u32) -> u64 {
    let mut h = SipHasher13::new_with_keys(seed, direction);
    h.write_u8(c.class as u8);
    h.write_u64(c.hash);
    h.write_u32(occurrence);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eth(ethertype: u16, src_mac: u8, body: &[u8]) -> Vec<u8> {
        let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, src_mac];
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.extend_from_slice(body);
        f
    }

    fn udp4(id: u16, sport: u16, ttl: u8, payload: &[u8]) -> Vec<u8> {
        let total = 20 + 8 + payload.len();
        let mut p = vec![
            0x45, 0, 0, 0, 0, 0, 0x40, 0, ttl, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        p[2..4].copy_from_slice(&(total as u16).to_be_bytes());
        p[4..6].copy_from_slice(&id.to_be_bytes());
        p.extend_from_slice(&sport.to_be_bytes());
        p.extend_from_slice(&7000u16.to_be_bytes());
        p.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        p.extend_from_slice(&[0xab, 0xcd]);
        p.extend_from_slice(payload);
        eth(0x0800, 1, &p)
    }

    #[test]
    fn udp_content_ignores_run_specific_fields() {
        let a = content(&udp4(1, 40000, 64, b"datagram 17"));
        let b = content(&eth(0x0800, 9, &udp4(999, 51234, 63, b"datagram 17")[14..]));
        assert_eq!(a, b);
        assert_eq!(a.class, Class::Test);
        assert_ne!(a, content(&udp4(1, 40000, 64, b"datagram 18")));
    }

    #[test]
    fn arp_is_background() {
        let mut arp = vec![0, 1, 8, 0, 6, 4, 0, 1];
        arp.extend_from_slice(&[2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        assert_eq!(content(&eth(0x0806, 1, &arp)).class, Class::Background);
    }

    #[test]
    fn icmp_echo_is_keyed_by_its_sequence_not_its_identifier_or_payload() {
        let echo = |id: u16, seq: u16, stamp: u8| {
            let mut p = vec![
                0x45, 0, 0, 36, 0, 7, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
            ];
            p.extend_from_slice(&[8, 0, 0, 0]);
            p.extend_from_slice(&id.to_be_bytes());
            p.extend_from_slice(&seq.to_be_bytes());
            p.extend_from_slice(&[stamp; 8]);
            eth(0x0800, 1, &p)
        };
        assert_eq!(content(&echo(1, 5, 0)), content(&echo(9, 5, 7)));
        assert_ne!(content(&echo(1, 5, 0)), content(&echo(1, 6, 0)));
    }

    #[test]
    fn neighbour_discovery_and_mld_are_background() {
        let icmp6 = |ty: u8| {
            let mut p = vec![0x60, 0, 0, 0, 0, 8, 58, 255];
            p.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
            p.extend_from_slice(&[0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
            p.extend_from_slice(&[ty, 0, 0, 0, 0, 0, 0, 0]);
            eth(0x86dd, 1, &p)
        };
        for ty in [133, 134, 135, 136, 143] {
            assert_eq!(content(&icmp6(ty)).class, Class::Background, "type {ty}");
        }
        assert_eq!(content(&icmp6(128)).class, Class::Test, "echo request");
        let stp = [0x01, 0x80, 0xc2, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0x26, 0x42];
        assert_eq!(content(&stp).class, Class::Background);
    }

    #[test]
    fn occurrences_count_per_content() {
        let mut o = Occurrences::default();
        let c = content(&udp4(1, 1, 64, b"x"));
        assert_eq!(o.bump(c), 0);
        assert_eq!(o.bump(c), 1);
        let bg = Content {
            class: Class::Background,
            hash: c.hash,
        };
        assert_eq!(o.bump(bg), 0, "classes count separately");
    }
}

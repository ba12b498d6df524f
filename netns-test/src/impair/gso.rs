//! GSO and checksum offload, in user space, for the frames that need a per-frame
//! decision.
//!
//! A veth passes TCP's 64 KB TSO super-frames (and UDP_SEGMENT ones) as they are,
//! with the checksum left to "hardware" (CHECKSUM_PARTIAL: the field holds the
//! pseudo-header sum only). The relay forwards them whole, with their vnet header,
//! when it only delays or rate-limits. Loss, duplication, reordering and corruption
//! are per wire frame, as on a real link (netem decides per skb, so it loses a whole
//! 64 KB burst at once): then a super-frame is split here into MSS-sized frames with
//! complete checksums, exactly as the kernel's software GSO would (IPv4 ID + i,
//! sequence + i * MSS, FIN/PSH on the last, CWR on the first only).

use crate::kernel::packet::{
    VnetHdr, GSO_NONE, GSO_TCPV4, GSO_TCPV6, GSO_UDP_L4, VNET_F_NEEDS_CSUM,
};

/// The Internet checksum's running sum over `data` (big-endian 16-bit words).
fn sum(mut acc: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc += u64::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u64::from(*last) << 8;
    }
    acc
}

fn fold(mut acc: u64) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// Completes an offloaded checksum (CHECKSUM_PARTIAL: `csum_start`/`csum_offset`),
/// as skb_checksum_help does; the frame then needs no offload. True if done.
pub(crate) fn complete_checksum(vnet: &mut VnetHdr, frame: &mut [u8]) -> bool {
    if vnet.flags & VNET_F_NEEDS_CSUM == 0 {
        return true;
    }
    let start = usize::from(vnet.csum_start);
    let at = start + usize::from(vnet.csum_offset);
    if at + 2 > frame.len() || start > frame.len() {
        return false;
    }
    // The field holds the pseudo-header sum: summing over it includes it.
    let c = !fold(sum(0, &frame[start..]));
    frame[at..at + 2].copy_from_slice(&c.to_be_bytes());
    vnet.flags &= !VNET_F_NEEDS_CSUM;
    true
}

/// The number of wire frames a (possibly GSO) frame stands for, and their total
/// size on the wire (each segment repeats the headers): what `rate` charges.
pub(crate) fn wire(vnet: &VnetHdr, frame: &[u8]) -> (u32, u64) {
    let len = frame.len();
    if !vnet.is_gso() || vnet.gso_size == 0 {
        return (1, len as u64);
    }
    // The headers: up to the end of the L4 header. (The vnet header's hdr_len is
    // the skb's linear length, which may hold payload too.)
    let l4 = usize::from(vnet.csum_start);
    let kind = vnet.gso_kind();
    let hdr = match kind {
        GSO_TCPV4 | GSO_TCPV6 if l4 + 13 < len => l4 + usize::from(frame[l4 + 12] >> 4) * 4,
        _ if l4 > 0 => l4 + 8,
        _ => usize::from(vnet.hdr_len),
    }
    .min(len);
    let segs = (len - hdr).div_ceil(usize::from(vnet.gso_size)).max(1);
    (segs as u32, (len + (segs - 1) * hdr) as u64)
}

/// Splits a GSO frame into wire frames with complete checksums, pushing each onto
/// `out` (taking buffers from `pool` when it can). Returns false, leaving `out`
/// alone, for what it cannot split (GSO over VLAN, UFO, tunnels): the caller then
/// treats the super-frame as one frame.
pub(crate) fn segment(
    vnet: &VnetHdr,
    frame: &[u8],
    pool: &mut Vec<Vec<u8>>,
    out: &mut Vec<Vec<u8>>,
) -> bool {
    let kind = vnet.gso_kind();
    let tcp = matches!(kind, GSO_TCPV4 | GSO_TCPV6);
    if !(tcp || kind == GSO_UDP_L4) || vnet.flags & VNET_F_NEEDS_CSUM == 0 || frame.len() < 14 {
        return false;
    }
    let ethertype = u16::from_be_bytes([frame[12], frame[13]]);
    let v4 = match ethertype {
        0x0800 => true,
        0x86dd => false,
        _ => return false,
    };
    let l4 = usize::from(vnet.csum_start);
    if l4 < 14 + if v4 { 20 } else { 40 } || l4 + 8 > frame.len() {
        return false;
    }
    let l4_hdr = if tcp {
        usize::from(frame[l4 + 12] >> 4) * 4
    } else {
        8
    };
    let hdr = l4 + l4_hdr;
    let mss = usize::from(vnet.gso_size);
    if hdr > frame.len() || mss == 0 {
        return false;
    }
    let payload = &frame[hdr..];
    let n = payload.len().div_ceil(mss).max(1);
    let ip_id = u16::from_be_bytes([frame[18], frame[19]]);
    let seq = u32::from_be_bytes(frame[l4 + 4..l4 + 8].try_into().unwrap_or([0; 4]));
    for (i, chunk) in payload.chunks(mss).enumerate() {
        let mut f = pool.pop().unwrap_or_default();
        f.clear();
        f.extend_from_slice(&frame[..hdr]);
        f.extend_from_slice(chunk);
        let l3_len = f.len() - 14;
        if v4 {
            f[16..18].copy_from_slice(&(l3_len as u16).to_be_bytes());
            f[18..20].copy_from_slice(&ip_id.wrapping_add(i as u16).to_be_bytes());
            let ihl = usize::from(f[14] & 0x0f) * 4;
            f[24..26].copy_from_slice(&[0, 0]);
            let c = !fold(sum(0, &f[14..14 + ihl]));
            f[24..26].copy_from_slice(&c.to_be_bytes());
        } else {
            f[18..20].copy_from_slice(&((l3_len - 40) as u16).to_be_bytes());
        }
        let seg_l4_len = f.len() - l4;
        if tcp {
            f[l4 + 4..l4 + 8].copy_from_slice(&seq.wrapping_add((i * mss) as u32).to_be_bytes());
            let last = i + 1 == n;
            if !last {
                f[l4 + 13] &= !0x09; // FIN, PSH only on the last
            }
            if i != 0 {
                f[l4 + 13] &= !0x80; // CWR only on the first
            }
        } else {
            f[l4 + 4..l4 + 6].copy_from_slice(&(seg_l4_len as u16).to_be_bytes());
        }
        // Pseudo-header + L4 header + payload.
        let mut acc = 0u64;
        if v4 {
            acc = sum(acc, &f[26..34]);
        } else {
            acc = sum(acc, &f[22..54]);
        }
        acc += u64::from(if tcp { 6u16 } else { 17 });
        acc += seg_l4_len as u64;
        let csum_at = l4 + usize::from(vnet.csum_offset);
        f[csum_at..csum_at + 2].copy_from_slice(&[0, 0]);
        let mut c = !fold(sum(acc, &f[l4..]));
        if !tcp && c == 0 {
            c = 0xffff;
        }
        f[csum_at..csum_at + 2].copy_from_slice(&c.to_be_bytes());
        out.push(f);
    }
    true
}

/// The vnet header of a frame whose checksum is complete and that is not GSO.
pub(crate) fn plain() -> VnetHdr {
    VnetHdr {
        gso_type: GSO_NONE,
        ..VnetHdr::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An IPv4 TCP GSO frame with a partial checksum, as a veth hands it over.
    fn tso_frame(payload_len: usize, mss: u16) -> (VnetHdr, Vec<u8>) {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        let total = 20 + 20 + payload_len;
        f.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0x12,
            0x34,
            0x40,
            0,
            64,
            6,
            0,
            0,
        ]);
        f.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        f.extend_from_slice(&[0x9c, 0x40, 0x1b, 0x58]); // ports
        f.extend_from_slice(&1000u32.to_be_bytes());
        f.extend_from_slice(&1u32.to_be_bytes());
        f.extend_from_slice(&[0x50, 0x19, 0xff, 0xff, 0, 0, 0, 0]); // FIN|PSH|ACK
        f.extend((0..payload_len).map(|i| i as u8));
        let ip = !fold(sum(0, &f[14..34]));
        f[24..26].copy_from_slice(&ip.to_be_bytes());
        // Pseudo-header sum (not inverted) in the checksum field, as CHECKSUM_PARTIAL.
        let mut acc = sum(0, &f[26..34]);
        acc += 6 + (20 + payload_len) as u64;
        let p = fold(acc);
        f[50..52].copy_from_slice(&p.to_be_bytes());
        let v = VnetHdr {
            flags: VNET_F_NEEDS_CSUM,
            gso_type: GSO_TCPV4,
            hdr_len: 54,
            gso_size: mss,
            csum_start: 34,
            csum_offset: 16,
        };
        (v, f)
    }

    fn verify_tcp4(f: &[u8]) {
        assert_eq!(fold(sum(0, &f[14..34])), 0xffff, "IP header checksum");
        let l4_len = f.len() - 34;
        let acc = sum(0, &f[26..34]) + 6 + l4_len as u64;
        assert_eq!(fold(sum(acc, &f[34..])), 0xffff, "TCP checksum");
    }

    #[test]
    fn segments_tso_frame() {
        let (v, f) = tso_frame(4000, 1448);
        let mut out = Vec::new();
        assert!(segment(&v, &f, &mut Vec::new(), &mut out));
        assert_eq!(out.len(), 3);
        let mut next_seq = 1000u32;
        for (i, s) in out.iter().enumerate() {
            verify_tcp4(s);
            assert_eq!(u32::from_be_bytes(s[38..42].try_into().unwrap()), next_seq);
            next_seq += (s.len() - 54) as u32;
            let fin_psh = s[47] & 0x09;
            assert_eq!(fin_psh != 0, i == 2);
            assert_eq!(u16::from_be_bytes([s[18], s[19]]), 0x1234 + i as u16);
        }
        assert_eq!(next_seq, 5000);
        assert_eq!(wire(&v, &f), (3, (f.len() + 2 * 54) as u64));
    }

    #[test]
    fn completes_partial_checksum() {
        let (mut v, mut f) = tso_frame(100, 1448);
        v.gso_type = GSO_NONE;
        assert!(complete_checksum(&mut v, &mut f));
        verify_tcp4(&f);
        assert_eq!(v.flags & VNET_F_NEEDS_CSUM, 0);
    }
}

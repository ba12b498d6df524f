//! A pcapng file: one section, one interface block per captured link end (named
//! `node:iface`, nanosecond timestamps), then every frame in time order as an enhanced
//! packet block with its direction. Written by hand: the format is a handful of
//! little-endian blocks (pcapng, IETF draft-ietf-opsawg-pcapng).

use std::io::{self, Write};

/// The capture file's name in a forensics directory.
pub(crate) const CAPTURE_FILE: &str = "capture.pcapng";

/// One interface block: `name` is `node:iface`.
#[derive(Debug, Clone)]
pub(crate) struct Interface {
    pub name: String,
}

/// A frame on interface `iface` (position in the interface list).
#[derive(Debug, Clone)]
pub(crate) struct Packet<'a> {
    pub iface: u32,
    /// Nanoseconds since the epoch.
    pub ns: u64,
    pub outgoing: bool,
    pub data: &'a [u8],
}

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const EPB: u32 = 6;
const LINKTYPE_ETHERNET: u16 = 1;
const OPT_END: u16 = 0;
const SHB_USERAPPL: u16 = 4;
const IF_NAME: u16 = 2;
const IF_TSRESOL: u16 = 9;
const EPB_FLAGS: u16 = 2;

/// Writes the whole file: the interfaces, then `packets` (already in time order).
pub(crate) fn write(
    out: &mut impl Write,
    interfaces: &[Interface],
    packets: &[Packet<'_>],
) -> io::Result<()> {
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1A2B_3C4D_u32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&u64::MAX.to_le_bytes()); // section length: not given
    option(&mut shb, SHB_USERAPPL, b"netns-test");
    option(&mut shb, OPT_END, b"");
    block(out, SHB, &shb)?;
    for iface in interfaces {
        let mut idb = Vec::new();
        idb.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&0u32.to_le_bytes()); // no snap length
        option(&mut idb, IF_NAME, iface.name.as_bytes());
        option(&mut idb, IF_TSRESOL, &[9]); // 10^-9 s
        option(&mut idb, OPT_END, b"");
        block(out, IDB, &idb)?;
    }
    for p in packets {
        let mut epb = Vec::with_capacity(40 + p.data.len());
        epb.extend_from_slice(&p.iface.to_le_bytes());
        epb.extend_from_slice(&((p.ns >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(p.ns as u32).to_le_bytes());
        epb.extend_from_slice(&(p.data.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(p.data.len() as u32).to_le_bytes());
        epb.extend_from_slice(p.data);
        pad(&mut epb);
        // Direction: 1 inbound, 2 outbound (bits 0-1 of epb_flags).
        let flags: u32 = if p.outgoing { 2 } else { 1 };
        option(&mut epb, EPB_FLAGS, &flags.to_le_bytes());
        option(&mut epb, OPT_END, b"");
        block(out, EPB, &epb)?;
    }
    Ok(())
}

/// A block: type, total length, body (a multiple of 4 bytes), total length again.
fn block(out: &mut impl Write, kind: u32, body: &[u8]) -> io::Result<()> {
    let total = (12 + body.len()) as u32;
    out.write_all(&kind.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&total.to_le_bytes())
}

/// An option: code, length, value padded to 4 bytes.
fn option(buf: &mut Vec<u8>, code: u16, value: &[u8]) {
    buf.extend_from_slice(&code.to_le_bytes());
    buf.extend_from_slice(&(value.len() as u16).to_le_bytes());
    buf.extend_from_slice(value);
    pad(buf);
}

fn pad(buf: &mut Vec<u8>) {
    while !buf.len().is_multiple_of(4) {
        buf.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_and_lengths_match() {
        let mut out = Vec::new();
        let ifaces = [Interface {
            name: "a:eth0".into(),
        }];
        let data = [0xffu8; 43];
        let packets = [Packet {
            iface: 0,
            ns: 1_700_000_000_123_456_789,
            outgoing: true,
            data: &data,
        }];
        write(&mut out, &ifaces, &packets).unwrap();
        let mut at = 0;
        let mut kinds = Vec::new();
        while at < out.len() {
            let word = |o: usize| u32::from_le_bytes(out[o..o + 4].try_into().unwrap());
            let len = word(at + 4) as usize;
            assert_eq!(len % 4, 0);
            assert_eq!(word(at + len - 4) as usize, len, "trailing length");
            kinds.push(word(at));
            at += len;
        }
        assert_eq!(kinds, [SHB, IDB, EPB]);
    }
}

//! Netfilter netlink messages: a writer (header, `nfgenmsg`, nested attributes) and a
//! reader of the attributes the kernel sends back.
//!
//! nf_tables and ctnetlink messages are nothing but an `nfgenmsg` header and nested
//! attributes; integers in attributes are big endian (`nla_get_be32`) unless an
//! attribute says otherwise (the few u8 ones).

/// An attribute's type with this bit holds attributes.
const NLA_F_NESTED: u16 = 0x8000;
/// The bits of an attribute's type besides the nested and byte-order flags.
const NLA_TYPE_MASK: u16 = 0x3fff;
/// `struct nlmsghdr` (16 bytes) and `struct nfgenmsg` (4).
pub(crate) const HEADER: usize = 16;
const NFGENMSG: usize = 4;

/// One netlink message, written front to back: nested attributes are opened with
/// [`Msg::nest`] and closed with [`Msg::end`], which writes their length, so no size
/// is computed in advance.
#[derive(Debug, Clone)]
pub(crate) struct Msg {
    buf: Vec<u8>,
    nests: Vec<usize>,
}

impl Msg {
    /// `kind` is `(subsystem << 8) | message type`, `family` the `nfgenmsg` family
    /// (NFPROTO_IPV4 for an `ip` table, AF_UNSPEC for a batch marker), `res_id` big
    /// endian on the wire (the subsystem's id in batch markers).
    pub(crate) fn new(kind: u16, flags: u16, family: u8, res_id: u16) -> Msg {
        let mut buf = Vec::with_capacity(256);
        buf.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_len: written by `finish`
        buf.extend_from_slice(&kind.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes()); // seq: written by `finish`
        buf.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel's is 0
        buf.push(family);
        buf.push(0); // NFNETLINK_V0
        buf.extend_from_slice(&res_id.to_be_bytes());
        Msg {
            buf,
            nests: Vec::new(),
        }
    }

    pub(crate) fn bytes(&mut self, kind: u16, value: &[u8]) -> &mut Msg {
        let len = u16::try_from(4 + value.len()).expect("an attribute under 64 KiB");
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(value);
        self.pad();
        self
    }

    /// A NUL-terminated string.
    pub(crate) fn str(&mut self, kind: u16, s: &str) -> &mut Msg {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        self.bytes(kind, &v)
    }

    pub(crate) fn be32(&mut self, kind: u16, v: u32) -> &mut Msg {
        self.bytes(kind, &v.to_be_bytes())
    }

    pub(crate) fn be64(&mut self, kind: u16, v: u64) -> &mut Msg {
        self.bytes(kind, &v.to_be_bytes())
    }

    /// Opens a nested attribute; [`Msg::end`] closes it.
    pub(crate) fn nest(&mut self, kind: u16) -> &mut Msg {
        self.nests.push(self.buf.len());
        self.buf.extend_from_slice(&0u16.to_ne_bytes());
        self.buf
            .extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
        self
    }

    pub(crate) fn end(&mut self) -> &mut Msg {
        let start = self.nests.pop().expect("end() closes a nest()");
        let len = u16::try_from(self.buf.len() - start).expect("a nest under 64 KiB");
        self.buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        self
    }

    fn pad(&mut self) {
        self.buf.resize(self.buf.len().next_multiple_of(4), 0);
    }

    /// The message's bytes, with its length and sequence number written in.
    pub(crate) fn finish(mut self, seq: u32) -> Vec<u8> {
        assert!(self.nests.is_empty(), "a nested attribute left open");
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        self.buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        self.buf
    }
}

/// One attribute the kernel sent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr<'a> {
    pub kind: u16,
    pub value: &'a [u8],
}

impl<'a> Attr<'a> {
    pub(crate) fn be16(&self) -> Option<u16> {
        Some(u16::from_be_bytes(self.value.get(..2)?.try_into().ok()?))
    }

    pub(crate) fn be32(&self) -> Option<u32> {
        Some(u32::from_be_bytes(self.value.get(..4)?.try_into().ok()?))
    }

    pub(crate) fn be64(&self) -> Option<u64> {
        Some(u64::from_be_bytes(self.value.get(..8)?.try_into().ok()?))
    }

    /// The attributes nested in this one.
    pub(crate) fn nested(&self) -> Attrs<'a> {
        Attrs(self.value)
    }
}

/// The attributes in a buffer, in order; a malformed tail ends the iteration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attrs<'a>(pub &'a [u8]);

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        let head = self.0.get(..4)?;
        let len = usize::from(u16::from_ne_bytes([head[0], head[1]]));
        let kind = u16::from_ne_bytes([head[2], head[3]]) & NLA_TYPE_MASK;
        if len < 4 {
            return None;
        }
        let value = self.0.get(4..len)?;
        self.0 = self.0.get(len.next_multiple_of(4)..).unwrap_or(&[]);
        Some(Attr { kind, value })
    }
}

impl<'a> Attrs<'a> {
    /// The first attribute of type `kind`.
    pub(crate) fn get(mut self, kind: u16) -> Option<Attr<'a>> {
        self.find(|a| a.kind == kind)
    }
}

/// A message the kernel sent: the attributes after `nfgenmsg`.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub payload: Vec<u8>,
}

impl Reply {
    /// From a message's bytes after the netlink header; `None` if too short.
    pub(crate) fn new(body: &[u8]) -> Option<Reply> {
        Some(Reply {
            payload: body.get(NFGENMSG..)?.to_vec(),
        })
    }

    pub(crate) fn attrs(&self) -> Attrs<'_> {
        Attrs(&self.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_attributes_round_trip() {
        let mut m = Msg::new(0x0a03, 0x5, 2, 0);
        m.str(1, "t")
            .nest(4)
            .be32(1, 7)
            .be64(2, 9)
            .end()
            .bytes(3, &[1]);
        let bytes = m.finish(42);
        assert_eq!(
            u32::from_ne_bytes(bytes[0..4].try_into().unwrap()) as usize,
            bytes.len()
        );
        assert_eq!(u32::from_ne_bytes(bytes[8..12].try_into().unwrap()), 42);
        assert_eq!(bytes.len() % 4, 0);
        let attrs: Vec<Attr<'_>> = Attrs(&bytes[HEADER + 4..]).collect();
        assert_eq!(attrs.len(), 3);
        assert_eq!(attrs[0].value, b"t\0");
        let inner = attrs[1].nested();
        assert_eq!(attrs[1].kind, 4, "the nested flag is masked off");
        assert_eq!(inner.get(1).and_then(|a| a.be32()), Some(7));
        assert_eq!(inner.get(2).and_then(|a| a.be64()), Some(9));
        assert_eq!(attrs[2].value, [1]);
    }

    #[test]
    fn a_malformed_tail_ends_the_attributes() {
        // A length past the buffer, one below the header's, and a good one before junk.
        assert_eq!(Attrs(&[8, 0, 1, 0, 1, 2]).count(), 0);
        assert_eq!(Attrs(&[0, 0, 1, 0, 0, 0, 0, 0]).count(), 0);
        assert_eq!(Attrs(&[5, 0, 1, 0, 7, 0, 0, 0, 2, 0]).count(), 1);
    }
}

//! The RX ring of a packet socket (TPACKET_V2): the kernel copies each frame into a
//! slot of a memory area shared with us, and we hand the slot back when done, so a
//! burst waits in the ring instead of being dropped while the relay thread is off CPU.
//!
//! One frame per slot, each slot big enough for a 64 KB GSO frame with its headers.

use super::packet::{VnetHdr, VNET_HDR_LEN};
use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU32, Ordering};

const PACKET_RX_RING: libc::c_int = 5;
const PACKET_VERSION: libc::c_int = 10;
const TPACKET_V2: libc::c_int = 1;
const TP_STATUS_KERNEL: u32 = 0;
const TP_STATUS_USER: u32 = 1;

/// One slot: the tpacket2_hdr, padding, the vnet header and a 64 KB frame. 74 880
/// bytes fit 7 slots in a 512 KiB block (the kernel allocates blocks in powers of
/// two pages: a block of one 69 KB slot would waste half of 128 KiB).
const SLOT: u32 = 74_880;
const BLOCK: u32 = 512 * 1024;

/// A frame read from the ring: its vnet header and bytes (Ethernet header first).
#[derive(Debug)]
pub(crate) struct Frame<'a> {
    pub vnet: VnetHdr,
    pub data: &'a [u8],
}

/// The mapping and where the reader is in it.
#[derive(Debug)]
pub(super) struct Ring {
    base: *mut u8,
    len: usize,
    per_block: u32,
    slots: u32,
    next: u32,
    /// Slots the kernel claimed but had not filled while a later one was ready: read
    /// past and come back to (see [`Ring::next`]).
    holes: Vec<u32>,
    /// The slot lent by the last `next`, given back on the following call.
    lent: Option<u32>,
}

// SAFETY: the mapping belongs to the socket that owns the ring and is touched only by
// the thread that owns that socket.
unsafe impl Send for Ring {}

impl Ring {
    /// Asks the kernel for a ring of at least `slots` slots on socket `fd` and maps it.
    pub(super) fn map(fd: RawFd, slots: u32) -> io::Result<Ring> {
        let set = |opt, val: *const libc::c_void, len| {
            // SAFETY: `val` points to `len` readable bytes.
            if unsafe { libc::setsockopt(fd, libc::SOL_PACKET, opt, val, len) } != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        };
        let version = TPACKET_V2;
        set(
            PACKET_VERSION,
            (&version as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )?;
        let per_block = BLOCK / SLOT;
        let blocks = slots.div_ceil(per_block).max(1);
        let req = libc::tpacket_req {
            tp_block_size: BLOCK,
            tp_block_nr: blocks,
            tp_frame_size: SLOT,
            tp_frame_nr: blocks * per_block,
        };
        set(
            PACKET_RX_RING,
            (&req as *const libc::tpacket_req).cast(),
            std::mem::size_of::<libc::tpacket_req>() as libc::socklen_t,
        )?;
        let len = (BLOCK * blocks) as usize;
        // SAFETY: mapping the ring the kernel just allocated for this socket.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Ring {
            base: base.cast(),
            len,
            per_block,
            slots: blocks * per_block,
            next: 0,
            holes: Vec::new(),
            lent: None,
        })
    }

    /// Slot `i`: slots never span blocks, each block ends with padding. (With `i *
    /// SLOT` the reader stalled after the first block's 7 frames.)
    fn slot(&self, i: u32) -> *mut u8 {
        let off = (i / self.per_block) as usize * BLOCK as usize
            + (i % self.per_block) as usize * SLOT as usize;
        // SAFETY: i < slots, so the offset is inside the mapping.
        unsafe { self.base.add(off) }
    }

    /// The status word of slot `i`, which the kernel and we hand the slot back and
    /// forth with.
    fn status(&self, i: u32) -> &AtomicU32 {
        // SAFETY: tp_status is the first, aligned u32 of a slot inside the mapping,
        // which lives as long as `self`.
        unsafe { &*(self.slot(i) as *const AtomicU32) }
    }

    fn ready(&self, i: u32) -> bool {
        self.status(i).load(Ordering::Acquire) & TP_STATUS_USER != 0
    }

    /// The next ready frame.
    ///
    /// The kernel claims slots in order under a lock but fills them outside it, so on
    /// two CPUs slot h+1 can be ready while h is still being copied; and if the CPU
    /// filling h is preempted (a vCPU descheduled by its host), h stays unready for
    /// tens of milliseconds. A reader that waited for h would let the ring fill and
    /// the kernel drop everything after it (seen: 1500 frames in a row). So a slot
    /// found unready behind a ready one is a hole: read past it, come back for it. The
    /// two frames came from two CPUs at once, so their order was arbitrary anyway.
    pub(super) fn next(&mut self) -> Option<Frame<'_>> {
        if let Some(i) = self.lent.take() {
            // Release: the kernel sees our reads of the slot done before it reuses it.
            self.status(i).store(TP_STATUS_KERNEL, Ordering::Release);
        }
        let pick = if let Some(h) = self.holes.iter().position(|&i| self.ready(i)) {
            // Holes first: they hold the oldest frames.
            Some(self.holes.remove(h))
        } else if self.ready(self.next) {
            let i = self.next;
            self.next = (i + 1) % self.slots;
            Some(i)
        } else {
            // Is the kernel ahead of us? A ready slot further on makes holes of the
            // unready ones before it.
            let ahead = (1..self.slots)
                .map(|k| (self.next + k) % self.slots)
                .take_while(|j| !self.holes.contains(j))
                .find(|&j| self.ready(j));
            ahead.inspect(|&j| {
                let mut i = self.next;
                while i != j {
                    self.holes.push(i);
                    i = (i + 1) % self.slots;
                }
                self.next = (j + 1) % self.slots;
            })
        };
        let i = pick?;
        self.lent = Some(i);
        let slot = self.slot(i);
        // SAFETY: the slot starts with a tpacket2_hdr; the kernel gave the slot to us
        // (TP_STATUS_USER) until we store TP_STATUS_KERNEL back; tp_mac and
        // tp_snaplen place the frame inside the slot, the vnet header just before it.
        unsafe {
            let h = &*(slot as *const libc::tpacket2_hdr);
            let (mac, snap) = (h.tp_mac as usize, h.tp_snaplen as usize);
            let vnet = std::slice::from_raw_parts(slot.add(mac - VNET_HDR_LEN), VNET_HDR_LEN);
            Some(Frame {
                vnet: VnetHdr::parse(vnet),
                data: std::slice::from_raw_parts(slot.add(mac), snap),
            })
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping.
        unsafe { libc::munmap(self.base.cast(), self.len) };
    }
}

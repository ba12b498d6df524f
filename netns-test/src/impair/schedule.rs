//! One direction of an impaired link as a pure function of its frames and the
//! clock: the decisions for each frame (lost, duplicated, corrupted, reordered, its
//! delay) and when each copy leaves. The relay thread ([`super::relay`]) feeds it
//! frames and sends what is due; tests feed it a fake clock.

pub use super::counters::Counters;
use super::gso;
use super::key::{self, Class, Occurrences};
use super::model::{draw, tag, GeState, Loss, Params};
use crate::kernel::packet::VnetHdr;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Bytes one direction may hold (delay line and queue): a memory bound, not a
/// parameter of the model.
const MAX_QUEUED_BYTES: usize = 256 << 20;

/// A frame waiting for its time.
#[derive(Debug)]
pub(crate) struct Queued {
    pub at: u64,
    seq: u64,
    pub vnet: VnetHdr,
    pub buf: Vec<u8>,
    segs: u32,
}

impl PartialEq for Queued {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Queued {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

/// One direction: its parameters, its decision state and its queue.
#[derive(Debug)]
pub(crate) struct Direction {
    pub params: Params,
    seed: u64,
    /// Names the direction in decision keys: stable across runs (from the link's
    /// text and the direction, never from indexes or descriptors).
    key: u64,
    queue: BinaryHeap<Reverse<Queued>>,
    queued_bytes: usize,
    /// (end of serialisation, wire frames) of the frames waiting for the
    /// serialiser, oldest first: what `limit` counts.
    serial: VecDeque<(u64, u32)>,
    serial_frames: u32,
    /// When the serialiser is free again.
    link_free: u64,
    /// When the last delayed frame leaves: jitter never reorders.
    last_at: u64,
    seq: u64,
    occurrences: Occurrences,
    /// A Gilbert-Elliott chain per class: background frames never move the test's.
    chains: [GeState; 2],
    /// Whether the last test frame was lost (for `loss_bursts`).
    last_lost: bool,
    pub counters: Counters,
}

impl Direction {
    pub(crate) fn new(seed: u64, key: u64, params: Params) -> Direction {
        Direction {
            params,
            seed,
            key,
            queue: BinaryHeap::new(),
            queued_bytes: 0,
            serial: VecDeque::new(),
            serial_frames: 0,
            link_free: 0,
            last_at: 0,
            seq: 0,
            occurrences: Occurrences::default(),
            chains: [GeState::default(); 2],
            last_lost: false,
            counters: Counters::default(),
        }
    }

    /// Nothing waits and nothing is to be decided: a frame can be sent as it is read.
    pub(crate) fn passthrough(&self) -> bool {
        self.params.is_passthrough() && self.queue.is_empty()
    }

    /// One frame read at `now` (ns): split if a per-frame decision needs it, decided,
    /// queued. `pool` lends and takes back buffers.
    pub(crate) fn frame(&mut self, vnet: VnetHdr, data: &[u8], now: u64, pool: &mut Vec<Vec<u8>>) {
        self.counters.read += 1;
        if self.params.per_frame() && vnet.is_gso() {
            let mut segs = Vec::new();
            if gso::segment(&vnet, data, pool, &mut segs) {
                self.counters.split += 1;
                for s in segs {
                    self.admit(gso::plain(), s, now, pool);
                }
                return;
            }
        }
        let mut buf = pool.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(data);
        self.admit(vnet, buf, now, pool);
    }

    /// The decisions for one (wire or unsplittable GSO) frame, and its place in the
    /// queue.
    fn admit(&mut self, vnet: VnetHdr, buf: Vec<u8>, now: u64, pool: &mut Vec<Vec<u8>>) {
        let p = self.params;
        let (k, class) = if p.random() {
            let c = key::content(&buf);
            let occurrence = self.occurrences.bump(c);
            (
                key::decision_key(self.seed, self.key, c, occurrence),
                c.class,
            )
        } else {
            (0, Class::Test)
        };
        match class {
            Class::Test => self.counters.decided += 1,
            Class::Background => self.counters.background += 1,
        }
        let lost = match p.loss {
            Loss::None => false,
            Loss::Random(prob) => prob.hit(draw(k, tag::LOSS)),
            ge @ Loss::GilbertElliott { .. } => self.chains[class as usize].step(
                &ge,
                draw(k, tag::GE_TRANSITION),
                draw(k, tag::LOSS),
            ),
        };
        let dup = p.duplicate.hit(draw(k, tag::DUPLICATE)) && !p.duplicate.is_zero();
        let reorder = p.reorder.hit(draw(k, tag::REORDER)) && !p.reorder.is_zero();
        let corrupt = p.corrupt.hit(draw(k, tag::CORRUPT)) && !p.corrupt.is_zero();
        self.counters.lost += u64::from(lost);
        if class == Class::Test {
            self.counters.loss_bursts += u64::from(lost && !self.last_lost);
            self.last_lost = lost;
        }
        self.counters.duplicated += u64::from(dup);
        let copies = 1 + u32::from(dup) - u32::from(lost);
        if copies == 0 {
            pool.push(buf);
            return;
        }
        let (segs, wire_bytes) = gso::wire(&vnet, &buf);
        let second = (copies == 2).then(|| {
            let mut c = pool.pop().unwrap_or_default();
            c.clear();
            c.extend_from_slice(&buf);
            c
        });
        // Frames done with serialisation no longer count against the limit.
        while let Some(&(t, n)) = self.serial.front() {
            if t > now {
                break;
            }
            self.serial.pop_front();
            self.serial_frames -= n;
        }
        for (c, mut b) in std::iter::once(buf).chain(second).enumerate() {
            if self.serial_frames + segs > p.limit || self.queued_bytes + b.len() > MAX_QUEUED_BYTES
            {
                self.counters.overlimit += 1;
                pool.push(b);
                continue;
            }
            let mut v = vnet;
            if corrupt
                && c == 0
                && !v.is_gso()
                && b.len() > 14
                && gso::complete_checksum(&mut v, &mut b)
            {
                // One bit after the Ethernet header, checksums already final: the
                // receiver's IP or L4 checksum catches it.
                let bits = (b.len() - 14) as u64 * 8;
                let bit = 14 * 8 + draw(k, tag::CORRUPT_BIT) % bits;
                b[(bit / 8) as usize] ^= 1 << (bit % 8);
                self.counters.corrupted += 1;
            }
            let depart = match p.rate {
                Some(rate) if rate > 0 => {
                    let t = now.max(self.link_free)
                        + (u128::from(wire_bytes) * 8 * 1_000_000_000 / u128::from(rate)) as u64;
                    self.link_free = t;
                    self.serial.push_back((t, segs));
                    self.serial_frames += segs;
                    t
                }
                _ => now,
            };
            let at = if reorder && c == 0 {
                self.counters.reordered += 1;
                depart
            } else {
                let j = tag::JITTER + 2 * c as u64;
                let delay = p.sample_delay(draw(k, j), draw(k, j + 1));
                let at = (depart + delay.as_nanos() as u64).max(self.last_at);
                self.last_at = at;
                at
            };
            self.seq += 1;
            self.queued_bytes += b.len();
            self.queue.push(Reverse(Queued {
                at,
                seq: self.seq,
                vnet: v,
                buf: b,
                segs,
            }));
        }
    }

    /// When the first waiting frame is due.
    pub(crate) fn next_at(&self) -> Option<u64> {
        self.queue.peek().map(|q| q.0.at)
    }

    /// The first waiting frame if it is due by `until`.
    pub(crate) fn pop_due(&mut self, until: u64) -> Option<Queued> {
        if self.next_at()? > until {
            return None;
        }
        let Reverse(q) = self.queue.pop()?;
        self.queued_bytes -= q.buf.len();
        let _ = q.segs;
        Some(q)
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;

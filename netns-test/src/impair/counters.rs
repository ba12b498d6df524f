//! The relay's counters: plain data, the same on every OS (the crate's root includes
//! this file alone where the relay cannot run, so that `RelayCounters` exists there).

/// What the impairment relay did to one direction of a link: its decisions (the
/// seed's doing) and what the kernel and the clock did around them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Frames read (a GSO super-frame counts once).
    pub read: u64,
    /// Frames decided on: wire frames after splitting, test traffic only.
    pub decided: u64,
    /// Background frames (ARP, ND, MLD, …) decided on, counted apart.
    pub background: u64,
    /// Frames written.
    pub sent: u64,
    /// GSO super-frames split into wire frames for per-frame decisions.
    pub split: u64,
    /// Frames lost by decision.
    pub lost: u64,
    /// Losses that followed a frame that was not lost: `lost / loss_bursts` is the
    /// mean burst length.
    pub loss_bursts: u64,
    /// Frames sent twice.
    pub duplicated: u64,
    /// Frames sent ahead of others.
    pub reordered: u64,
    /// Frames with a bit flipped.
    pub corrupted: u64,
    /// Dropped because `limit` frames waited for the serialiser.
    pub overlimit: u64,
    /// Writes the kernel refused: the receiving side's backlog was full, or the relay
    /// end it leaves by was down (its link was down).
    pub send_errors: u64,
    /// Frames the kernel dropped before the relay read them (ring full): no seed
    /// decided them.
    pub kernel_drops: u64,
    /// Frames sent more than 1 ms after their time: the timer's and the thread's
    /// lateness, not the model's.
    pub late: u64,
}

//! Link impairments for real, through the relay, rootless on any kernel: accuracy of
//! each impairment, reproducibility by seed, what a node sees of a splice, and
//! impairing at run time.

mod accuracy;
mod runtime;
mod seeds;
mod splice;
mod tcp;
mod udp;

//! `cargo fuzz run parse`: see ../targets.rs.
#![no_main]

// Each target calls one of the bodies.
#[allow(dead_code)]
#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::parse_bytes(data));

//! `#[netns_test]`: a `#[test]` whose body runs inside a sandboxed network.
//!
//! Use it through the `netns-test` crate, which re-exports it. Every argument and
//! the whole topology are checked here, at compile time, so a typo in a topology
//! is a compile error pointing at the attribute rather than a failing test.
//!
//! ```
//! use netns_test::{netns_test, Net};
//!
//! #[netns_test(topology = "a 10.0.0.1/24 -- b 10.0.0.2/24", timeout = "10s")]
//! fn pings(net: &Net) {
//!     net.ping("a", "b").unwrap();
//! }
//! ```
//!
//! A mistake in the topology does not compile: the error is on the string literal, and
//! says where in it (`topology:1:8: expected an address like 10.0.0.1/24, found
//! "10.0.0.300/24"`; stable Rust cannot point inside a string):
//!
//! ```compile_fail
//! # use netns_test::netns_test;
//! #[netns_test(topology = "a -- b 10.0.0.300/24")]
//! fn typo() {}
//! ```
//!
//! Arguments (`name = literal`, comma separated):
//! - `topology = "..."` or `topology_file = "path"` (relative to the crate's
//!   `CARGO_MANIFEST_DIR`, unless absolute; its errors are named after the path), or
//!   `topologies = [lan = "a -- b", routed = "..."]`:
//!   exactly one of them. With `topologies`, the body runs once per case, each case a
//!   test of its own named after it (`reaches::lan`, `reaches::routed`: a module named
//!   after the function holds them, as rstest's cases do);
//! - `timeout = "30s"` (`ms`, `s` or `m`; 60 s by default);
//! - `checks = false`: skip the segment checks after the body (`checks = "all-pairs"`:
//!   every member of a segment against every other instead of against its hub;
//!   `checks = true` is the default); `expect` statements run either way;
//! - `node = "a"`: run the body inside node `a` instead of `host` (it must be a node of
//!   the topology, of every case's with `topologies`);
//! - `seed = 42`: the seed of the impairments' decisions (by default `NETNS_TEST_SEED`,
//!   else one derived from the test's name);
//! - `crate = "path"`: where the runtime crate is, when re-exported.
//!
//! The function may take no parameter or one `&Net`, may be `async`, and may
//! return `()` or a `Result<(), E: Debug>`.

#![warn(missing_docs)]

// The modules in the order an attribute flows through them.

// Several mistakes collected into one compile error.
mod errors;
// The attribute's arguments, each checked on its own.
mod args;
// `topologies = [...]`: its cases.
mod cases;
// The `timeout` argument's value, read by the topology crate's duration grammar.
mod timeout;
// The topology, inline or from a file, parsed and validated.
mod source;
// The function's signature: which forms of test body are accepted.
mod signature;
// The checked parts to the `#[test]` that runs the body in the sandbox.
mod expand;

use proc_macro::TokenStream;

/// Turns a function into a `#[test]` run inside user + network namespaces built
/// from a topology. See the crate documentation for the arguments.
#[proc_macro_attribute]
pub fn netns_test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::netns_test(args.into(), item.into()).into()
}

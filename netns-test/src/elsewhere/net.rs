//! `Net`, `Node`, `LinkControl` and `NatControl` where netns-test cannot run: the same methods as
//! on Linux (`net/`), so a test that uses them compiles on any OS, but no value of
//! these types can exist there (`run` fails before a body could get one), so no
//! method body can ever run. `Node::netlink` is Linux's alone: its type, rtnetlink's
//! handle, is a Linux crate's.
//!
//! A method added to the Linux types gets its stand-in here; `cargo xtask other-os`
//! compiles `netns-test/tests/every_os.rs`, which calls every one, for other OSes.

// Stand-ins: the documentation is the Linux items' (docs.rs builds for Linux).
#![allow(missing_docs)]

#[path = "../net/data.rs"]
mod data;

pub use data::{Iface, LookupError, MacOrNode, NatMapping};

use crate::probe::{Neighbour, ProbeError};
use crate::topology::{Impairment, IpNet, Nat, NatKind, Topology};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// No value: nothing of a built network exists where netns-test cannot run.
#[derive(Debug)]
enum Never {}

/// The sandbox's network (Linux only: see the crate's documentation).
#[derive(Debug)]
pub struct Net {
    never: Never,
}

/// One network namespace of the topology (Linux only).
#[derive(Debug)]
pub struct Node {
    never: Never,
}

/// A veth pair of the topology (Linux only).
#[derive(Debug)]
pub struct LinkControl<'a> {
    never: Never,
    net: std::marker::PhantomData<&'a Net>,
}

/// The NAT of a router (Linux only).
#[derive(Debug)]
pub struct NatControl<'a> {
    never: Never,
    net: std::marker::PhantomData<&'a Net>,
}

impl Net {
    pub fn nat(&self, _router: &str) -> NatControl<'_> {
        match self.never {}
    }
    pub fn node(&self, _name: &str) -> &Node {
        match self.never {}
    }
    pub fn try_node(&self, _name: &str) -> Result<&Node, LookupError> {
        match self.never {}
    }
    pub fn try_link(&self, _a: &str, _b: &str) -> Result<LinkControl<'_>, LookupError> {
        match self.never {}
    }
    pub fn try_nat(&self, _router: &str) -> Result<NatControl<'_>, LookupError> {
        match self.never {}
    }
    pub fn nodes(&self) -> &[Node] {
        match self.never {}
    }
    pub fn topology(&self) -> &Topology {
        match self.never {}
    }
    pub fn block_on<F: Future>(&self, _future: F) -> F::Output {
        match self.never {}
    }
    pub fn ping(&self, _from: &str, _to: &str) -> Result<Duration, ProbeError> {
        match self.never {}
    }
    pub fn assert_reachable(&self, _from: &str, _to: &str) {
        match self.never {}
    }
    pub fn assert_isolated(&self, _from: &str, _to: &str) {
        match self.never {}
    }
    pub fn neighbours(&self, _node: &str) -> Vec<Neighbour> {
        match self.never {}
    }
    pub fn assert_neighbour<'a>(
        &self,
        _node: &str,
        _ip: IpAddr,
        _mac_or_node: impl Into<MacOrNode<'a>>,
    ) {
        match self.never {}
    }
    pub fn report(&self) -> String {
        match self.never {}
    }
    pub fn check(&self) -> Result<(), crate::CheckError> {
        match self.never {}
    }
    pub fn link(&self, _a: &str, _b: &str) -> LinkControl<'_> {
        match self.never {}
    }
    pub fn partition(&self, _left: &[&str], _right: &[&str]) {
        match self.never {}
    }
    pub fn heal(&self) {
        match self.never {}
    }
}

impl Node {
    pub fn name(&self) -> &str {
        match self.never {}
    }
    pub fn addr(&self) -> IpAddr {
        match self.never {}
    }
    pub fn addrs(&self) -> &[IpNet] {
        match self.never {}
    }
    pub fn iface(&self, _name: &str) -> &Iface {
        match self.never {}
    }
    pub fn try_iface(&self, _name: &str) -> Result<&Iface, LookupError> {
        match self.never {}
    }
    pub fn ifaces(&self) -> &[Iface] {
        match self.never {}
    }
    pub fn run<T: Send>(&self, _f: impl FnOnce() -> T + Send) -> T {
        match self.never {}
    }
    pub fn spawn<F>(&self, _future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.never {}
    }
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        match self.never {}
    }
    pub fn command(&self, _program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        match self.never {}
    }
    pub fn tokio_command(&self, _program: impl AsRef<std::ffi::OsStr>) -> tokio::process::Command {
        match self.never {}
    }
}

impl LinkControl<'_> {
    pub fn down(&self) {
        match self.never {}
    }
    pub fn up(&self) {
        match self.never {}
    }
    pub fn impair(&self, _imp: Impairment) {
        match self.never {}
    }
    pub fn impair_each(&self, _imps: [Impairment; 2]) {
        match self.never {}
    }
    pub fn clear(&self) {
        match self.never {}
    }
    pub fn counters(&self) -> Option<[crate::RelayCounters; 2]> {
        match self.never {}
    }
}

impl NatControl<'_> {
    pub fn router(&self) -> &str {
        match self.never {}
    }
    pub fn external_addr(&self) -> Ipv4Addr {
        match self.never {}
    }
    pub fn config(&self) -> Nat {
        match self.never {}
    }
    pub fn ruleset(&self) -> String {
        match self.never {}
    }
    pub fn mappings(&self) -> Vec<NatMapping> {
        match self.never {}
    }
    pub fn wait_until(
        &self,
        _within: Duration,
        _done: impl FnMut(&[NatMapping]) -> bool,
    ) -> Vec<NatMapping> {
        match self.never {}
    }
    pub fn flush(&self) {
        match self.never {}
    }
    pub fn set_kind(&self, _kind: NatKind) {
        match self.never {}
    }
    pub fn configure(&self, _nat: Nat) {
        match self.never {}
    }
}

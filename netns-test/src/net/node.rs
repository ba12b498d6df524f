//! `Node`: one network namespace of the built topology, and ways to run code in it.

use super::Iface;
use crate::builder::BuiltSpace;
use crate::kernel::netns::NetNs;
use crate::topology::IpNet;
use std::future::Future;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, OnceLock};

/// What the nodes share: the mount namespace for the seeds' commands, made on the
/// first `Node::command`.
#[derive(Debug, Default)]
pub(super) struct Shared {
    /// (name, network namespace fd) of every node but host.
    nodes: Vec<(String, i32)>,
    mount_ns: OnceLock<Option<OwnedFd>>,
}

impl Shared {
    pub(super) fn new(built: &[BuiltSpace]) -> Shared {
        Shared {
            nodes: built
                .iter()
                .skip(1)
                .map(|s| (s.name.clone(), s.ns.raw_fd()))
                .collect(),
            mount_ns: OnceLock::new(),
        }
    }

    fn mount_ns(&self) -> Option<i32> {
        self.mount_ns
            .get_or_init(
                || match crate::sandbox::mounts::make_mount_ns(&self.nodes) {
                    Ok(fd) => Some(fd),
                    Err(e) => {
                        eprintln!(
                            "netns-test: no /run/netns for `ip netns` inside the sandbox: {e}"
                        );
                        None
                    }
                },
            )
            .as_ref()
            .map(|fd| fd.as_raw_fd())
    }
}

/// One network namespace of the topology.
#[derive(Debug)]
pub struct Node {
    name: String,
    ns: Arc<NetNs>,
    shared: Arc<Shared>,
    handle: rtnetlink::Handle,
    netlink: OnceLock<rtnetlink::Handle>,
    ifaces: Vec<Iface>,
    addrs: Vec<IpNet>,
    runtime: OnceLock<tokio::runtime::Runtime>,
}

impl Node {
    pub(super) fn new(space: BuiltSpace, shared: Arc<Shared>) -> Node {
        let ifaces: Vec<Iface> = space
            .ifaces
            .into_iter()
            .map(|i| Iface {
                name: i.name,
                index: i.index,
                mac: i.mac,
                addrs: i.addrs,
            })
            .collect();
        let addrs = ifaces
            .iter()
            .flat_map(|i| i.addrs.iter().copied())
            .collect();
        Node {
            name: space.name,
            ns: Arc::new(space.ns),
            shared,
            handle: space.handle,
            netlink: OnceLock::new(),
            ifaces,
            addrs,
            runtime: OnceLock::new(),
        }
    }

    /// The node's name (`host` for the sandbox's own namespace).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node's first address. Panics if it has none.
    #[track_caller]
    pub fn addr(&self) -> IpAddr {
        match self.addrs.first() {
            Some(c) => c.addr(),
            None => panic!("node {} has no address", self.name),
        }
    }

    /// Every address of the node, in order of its links.
    pub fn addrs(&self) -> &[IpNet] {
        &self.addrs
    }

    /// The link called `name`. Panics with the node's link names if there is none
    /// ([`Node::try_iface`] returns it instead).
    #[track_caller]
    pub fn iface(&self, name: &str) -> &Iface {
        match self.try_iface(name) {
            Ok(iface) => iface,
            Err(e) => panic!("{e}"),
        }
    }

    /// The node's links (not `lo`).
    pub fn ifaces(&self) -> &[Iface] {
        &self.ifaces
    }

    /// Runs `f` on a thread inside the node: sockets it makes belong to the node.
    pub fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|s| {
            let worker = s.spawn(|| {
                self.enter_for_good();
                f()
            });
            match worker.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// Spawns a future on a runtime whose threads live inside the node.
    pub fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime().spawn(future)
    }

    /// The node's runtime (one worker thread inside the node), made on first use.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.get_or_init(|| {
            let ns = self.ns.clone();
            one_worker(format!("netns-{}", self.name))
                .on_thread_start(move || ns.set_current().expect("entering the node's namespace"))
                .build()
                .expect("building the node's runtime")
        })
    }

    /// A command that starts inside the node, in a mount namespace where
    /// `/run/netns/<node>` exists for every node (so `ip netns exec` works), in the
    /// current directory (or the one given with `current_dir`).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        use std::os::unix::process::CommandExt;
        let mut cmd = std::process::Command::new(program);
        let net_fd = self.ns.raw_fd();
        let mount_fd = self.shared.mount_ns();
        // SAFETY: open, setns, fchdir and close are async-signal-safe system calls;
        // the namespace fds stay open while the Net lives.
        unsafe {
            cmd.pre_exec(move || {
                if let Some(fd) = mount_fd {
                    crate::sandbox::mounts::enter_here(fd)?;
                }
                enter(net_fd)
            });
        }
        cmd
    }

    /// [`Node::command`] for tokio (spawn it from inside a runtime).
    pub fn tokio_command(&self, program: impl AsRef<std::ffi::OsStr>) -> tokio::process::Command {
        tokio::process::Command::from(self.command(program))
    }

    /// An rtnetlink handle whose socket lives inside the node.
    ///
    /// Its connection is served by the node's runtime (made on first use), so the
    /// handle works from any thread or runtime, also while the body's thread blocks.
    pub fn netlink(&self) -> rtnetlink::Handle {
        self.netlink
            .get_or_init(|| {
                let _inside = self.runtime().enter();
                crate::kernel::netlink::connect(Some(&self.ns)).unwrap_or_else(|e| {
                    panic!("opening a netlink socket in node {}: {e}", self.name)
                })
            })
            .clone()
    }

    /// The builder's netlink connection: served only while the sandbox's runtime runs
    /// (inside `Net::block`), which is where the harness uses it.
    pub(crate) fn rtnl(&self) -> &rtnetlink::Handle {
        &self.handle
    }

    /// Runs `f` with the calling thread inside the node, then steps back.
    pub(crate) fn enter_while<T>(&self, f: impl FnOnce() -> T) -> std::io::Result<T> {
        self.ns.run(f)
    }

    /// The node's network namespace.
    pub(crate) fn ns(&self) -> &NetNs {
        &self.ns
    }

    /// The fd (in the worker process) that holds the node's network namespace.
    pub(crate) fn ns_fd(&self) -> i32 {
        self.ns.raw_fd()
    }

    fn enter_for_good(&self) {
        self.ns
            .set_current()
            .expect("entering the node's network namespace");
    }
}

/// A runtime with one worker thread: its tasks run on while the caller blocks.
pub(crate) fn one_worker(name: String) -> tokio::runtime::Builder {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    b.worker_threads(1).thread_name(name).enable_all();
    b
}

fn enter(fd: i32) -> std::io::Result<()> {
    // SAFETY: setns with an fd we keep open.
    if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

//! `Net` and `Node`: the built topology as the test body sees it.

use crate::build::netns::NetNs;
use crate::build::BuiltSpace;
use crate::topology::{Cidr, Topology};
use std::future::Future;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, OnceLock};

/// The sandbox's network: every node of the topology, `host` included.
#[derive(Debug)]
pub struct Net {
    /// The harness's own runtime: single-threaded, it drives the builder's netlink
    /// sockets and the probes whenever the harness blocks on it (`Net::block`).
    pub(crate) rt: tokio::runtime::Runtime,
    /// The runtime of async bodies and `Net::block_on`, made on first use.
    body_rt: OnceLock<tokio::runtime::Runtime>,
    pub(crate) topology: Topology,
    pub(crate) nodes: Vec<Node>,
    /// Link ends a partition took down, for `heal`.
    partitioned: std::sync::Mutex<Vec<faults::EndRef>>,
}

/// What the nodes share: the mount namespace for the seeds' commands, made on the
/// first `Node::command`.
#[derive(Debug, Default)]
struct Shared {
    /// (name, network namespace fd) of every node but host.
    nodes: Vec<(String, i32)>,
    mount_ns: OnceLock<Option<OwnedFd>>,
}

impl Shared {
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
    addrs: Vec<Cidr>,
    runtime: OnceLock<tokio::runtime::Runtime>,
}

/// A link of a node as built: name, index, MAC and addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iface {
    pub name: String,
    pub index: u32,
    pub mac: [u8; 6],
    pub addrs: Vec<Cidr>,
}

impl Net {
    pub(crate) fn new(
        rt: tokio::runtime::Runtime,
        topology: Topology,
        built: Vec<BuiltSpace>,
    ) -> Net {
        let shared = Arc::new(Shared {
            nodes: built
                .iter()
                .skip(1)
                .map(|s| (s.name.clone(), s.ns.raw_fd()))
                .collect(),
            mount_ns: OnceLock::new(),
        });
        let nodes = built
            .into_iter()
            .map(|s| Node::new(s, shared.clone()))
            .collect();
        Net {
            rt,
            body_rt: OnceLock::new(),
            topology,
            nodes,
            partitioned: Default::default(),
        }
    }

    /// The node called `name` (`host` is the sandbox's own namespace).
    ///
    /// Panics with the list of node names if there is none: a typo in a test.
    pub fn node(&self, name: &str) -> &Node {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| {
                let names: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
                panic!(
                    "no node {name:?} in this topology; nodes: {}",
                    names.join(", ")
                )
            })
    }

    /// Every node, `host` first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The topology this network was built from (automatic addresses filled in).
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Runs a future to completion on the body's runtime: how `async fn` bodies run.
    ///
    /// The runtime has one worker thread, so tasks the future spawns keep running
    /// while the body does blocking work, and the harness's blocking calls
    /// (`net.ping`, `net.link(..).down()`) work inside it. It is made on first use,
    /// in the namespace of the calling thread.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.body_rt
            .get_or_init(|| {
                one_worker("netns-test-body".into())
                    .build()
                    .expect("building the body's runtime")
            })
            .block_on(future)
    }
}

impl Node {
    fn new(space: BuiltSpace, shared: Arc<Shared>) -> Node {
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

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node's first address. Panics if it has none.
    pub fn addr(&self) -> IpAddr {
        match self.addrs.first() {
            Some(c) => c.addr,
            None => panic!("node {} has no address", self.name),
        }
    }

    /// Every address of the node, in order of its links.
    pub fn addrs(&self) -> &[Cidr] {
        &self.addrs
    }

    /// The link called `name`. Panics with the node's link names if there is none.
    pub fn iface(&self, name: &str) -> &Iface {
        self.ifaces
            .iter()
            .find(|i| i.name == name)
            .unwrap_or_else(|| {
                let names: Vec<&str> = self.ifaces.iter().map(|i| i.name.as_str()).collect();
                panic!(
                    "node {} has no link {name:?}; links: {}",
                    self.name,
                    names.join(", ")
                )
            })
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
    /// `/run/netns/<node>` exists for every node (so `ip netns exec` works).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        use std::os::unix::process::CommandExt;
        let mut cmd = std::process::Command::new(program);
        let net_fd = self.ns.raw_fd();
        let mount_fd = self.shared.mount_ns();
        // SAFETY: setns is async-signal-safe; the fds stay open while the Net lives.
        unsafe {
            cmd.pre_exec(move || {
                if let Some(fd) = mount_fd {
                    crate::sandbox::mounts::enter(fd)?;
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
                crate::build::netlink::connect(Some(&self.ns)).unwrap_or_else(|e| {
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
fn one_worker(name: String) -> tokio::runtime::Builder {
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

impl Iface {
    /// `02:00:00:00:00:01`
    pub fn mac_string(&self) -> String {
        crate::report::mac(&self.mac)
    }
}

mod faults;
mod probes;
pub use faults::LinkFault;
pub use probes::MacOrNode;

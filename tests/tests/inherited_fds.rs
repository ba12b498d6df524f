//! Nothing of the test process stays open in a sandbox: files, listeners and
//! connections the test holds are released there (a peer sees EOF, a port can be
//! bound again while a sandbox runs), and tokio's signal pipe is the sandbox's own.

use netns_test::{run, topology, Options};
use std::io::Read;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The tests of this file one at a time: a process forked by another test of this
/// binary (a sandbox before it replaced what it inherited, or a tokio child before
/// its exec) holds a copy of this test's listener for a moment, which would make
/// "the port is free again" a race with an unrelated fork, not a property of the
/// sandbox under test.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What `/proc/self/fd/N` points to, for every open descriptor.
fn fd_targets() -> Vec<(i32, String)> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            let n = e.file_name().to_str()?.parse().ok()?;
            Some((n, std::fs::read_link(e.path()).ok()?.display().to_string()))
        })
        .collect()
}

fn target_of(fd: i32) -> String {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn a_sandbox_holds_no_descriptor_of_the_test_process() {
    let _alone = one_at_a_time();
    let dir = std::env::temp_dir().join(format!("netns-test-fds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<std::fs::File> = (0..200)
        .map(|i| std::fs::File::create(dir.join(format!("f{i}"))).unwrap())
        .collect();
    // Bound, not connected: no packet leaves the test process's namespace.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    let mut held: Vec<String> = files.iter().map(|f| target_of(f.as_raw_fd())).collect();
    held.extend([&listener.as_raw_fd(), &a.as_raw_fd(), &b.as_raw_fd()].map(|fd| target_of(*fd)));

    let topo = topology::parse("a -- b").unwrap();
    run(&topo, Options::new().checks(false), |_| {
        let inside = fd_targets();
        let leaked: Vec<&(i32, String)> = inside.iter().filter(|(_, t)| held.contains(t)).collect();
        assert!(
            leaked.is_empty(),
            "{} of the test's {} descriptors are open in the sandbox: {leaked:?}",
            leaked.len(),
            held.len()
        );
    })
    .unwrap_or_else(|e| panic!("{e}"));
    drop(files);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A page of memory shared with the sandbox (fork keeps shared mappings shared):
/// [0] the body has started, [1] the test is done with its checks.
struct Shared(*mut AtomicU32);

unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Shared {
    fn new() -> Shared {
        // SAFETY: an anonymous shared mapping, zeroed, used only through atomics.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        Shared(p.cast())
    }

    fn flag(&self, i: usize) -> &AtomicU32 {
        // SAFETY: two u32 inside the page mapped above, which is never unmapped.
        unsafe { &*self.0.add(i) }
    }

    /// Waits (polling, bounded) until flag `i` is set.
    fn wait(&self, i: usize, within: Duration) -> bool {
        let until = Instant::now() + within;
        while self.flag(i).load(Ordering::SeqCst) == 0 {
            if Instant::now() > until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }
}

#[test]
fn a_peer_sees_eof_and_a_port_is_free_again_while_a_sandbox_runs() {
    let _alone = one_at_a_time();
    // On the heap: the stacks of the test process's other threads are not the
    // sandbox's to read (glibc hands them to the sandbox's new threads).
    let shared: &'static Shared = Box::leak(Box::new(Shared::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (mine, mut peer) = std::os::unix::net::UnixStream::pair().unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();

    let sandbox = std::thread::scope(|s| {
        let running = s.spawn(|| {
            let topo = topology::parse("a -- b").unwrap();
            run(&topo, Options::new().checks(false), |_| {
                shared.flag(0).store(1, Ordering::SeqCst);
                assert!(
                    shared.wait(1, Duration::from_secs(20)),
                    "the test never finished"
                );
            })
        });
        if !shared.wait(0, Duration::from_secs(20)) {
            panic!("the body never started: {:?}", running.join().unwrap());
        }
        // The sandbox runs now. The test lets go of its ends...
        drop(mine);
        drop(listener);
        // ... and sees the effect at once, not when the sandbox ends.
        let mut buf = [0u8; 1];
        let eof = peer.read(&mut buf);
        let rebound = std::net::TcpListener::bind(("127.0.0.1", port));
        shared.flag(1).store(1, Ordering::SeqCst);
        let result = running.join().unwrap();
        (
            eof.map_err(|e| e.to_string()),
            rebound.map_err(|e| e.to_string()),
            result,
        )
    });
    let (eof, rebound, result) = sandbox;
    result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(eof, Ok(0), "the peer saw EOF while the sandbox ran");
    assert!(rebound.is_ok(), "port {port} bound again: {rebound:?}");
}

/// The body's own tokio signals and processes work while the test process runs
/// tokio processes of its own: the signal pipe tokio keeps in a static is the
/// sandbox's, not a copy shared with (or a number closed under) the test process.
#[test]
fn a_body_has_tokio_signals_of_its_own_beside_a_test_process_using_tokio() {
    let _alone = one_at_a_time();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy = {
        let stop = stop.clone();
        rt.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let mut child = tokio::process::Command::new("true").spawn().unwrap();
                child.wait().await.unwrap();
                // Dropped while running: an orphan tokio reaps on SIGCHLD.
                drop(
                    tokio::process::Command::new("sleep")
                        .arg("0.01")
                        .spawn()
                        .unwrap(),
                );
            }
        })
    };
    let topo = topology::parse("a -- b").unwrap();
    for i in 0..20 {
        run(&topo, Options::new().checks(false), |net| {
            net.block_on(async {
                use tokio::signal::unix::{signal, SignalKind};
                let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
                // SAFETY: SIGUSR1 to this process, whose handler tokio installed.
                unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
                tokio::time::timeout(Duration::from_secs(5), usr1.recv())
                    .await
                    .expect("SIGUSR1 reached the body's runtime");
                let status = net.node("a").tokio_command("true").status();
                let status = tokio::time::timeout(Duration::from_secs(5), status)
                    .await
                    .expect("a tokio process ended in time")
                    .unwrap();
                assert!(status.success());
            })
        })
        .unwrap_or_else(|e| panic!("run {i}: {e}"));
    }
    stop.store(true, Ordering::Relaxed);
    rt.block_on(busy).unwrap();
}

//! Link impairments as queueing disciplines on the egress of a veth end, over
//! rtnetlink, the way `tc qdisc replace dev X root ...` does it, without the binary.
//!
//! `rate` alone is a tbf (token bucket), which every kernel has; anything else is a
//! netem, with netem's own rate when both are asked. netem is a module many kernels
//! leave out, so its absence gets a message that says how to fix it.
//!
//! netlink-packet-route has no tbf or netem options, so TCA_OPTIONS is built here as
//! bytes: the kernel's structs (`tc_tbf_qopt`, `tc_netem_qopt`) in native byte order.

use crate::kernel::netlink;
use crate::topology::Impairment;
use netlink_packet_core::DefaultNla;
use netlink_packet_route::tc::{TcAttribute, TcHandle, TcMessage};
use netlink_packet_route::RouteNetlinkMessage as Msg;
use rtnetlink::Handle;
use std::io;
use std::time::Duration;

/// `tc_netem_qopt.limit`: packets, tc's default.
const NETEM_LIMIT: u32 = 1000;
/// TCA_OPTIONS: the attribute that holds a qdisc's own parameters.
const TCA_OPTIONS: u16 = 2;
const TCA_TBF_PARMS: u16 = 1;
const TCA_TBF_RATE64: u16 = 4;
const TCA_TBF_BURST: u16 = 6;
const TCA_NETEM_REORDER: u16 = 4;
const TCA_NETEM_RATE: u16 = 6;
const TCA_NETEM_RATE64: u16 = 8;
const TCA_NETEM_LATENCY64: u16 = 10;
const TCA_NETEM_JITTER64: u16 = 11;
/// `tc_ratespec.linklayer`: with it the kernel computes packet times itself and
/// needs no rate table (TCA_TBF_RTAB).
const TC_LINKLAYER_ETHERNET: u8 = 1;
/// Our qdiscs' handle, `1:`.
const HANDLE: TcHandle = TcHandle { major: 1, minor: 0 };

/// Which qdisc an impairment needs.
pub(crate) fn kind(imp: &Impairment) -> &'static str {
    if needs_netem(imp) {
        "netem"
    } else {
        "tbf"
    }
}

/// The RTM_NEWQDISC (flags decide create or replace) that installs `imp` as the root
/// qdisc of link `index`, whose MTU is `mtu`.
pub(crate) fn message(index: u32, mtu: u32, imp: &Impairment) -> io::Result<TcMessage> {
    let options = if needs_netem(imp) {
        netem_options(imp)?
    } else {
        tbf_options(imp.rate.unwrap_or(u64::MAX), mtu)?
    };
    let mut msg = TcMessage::with_index(index as i32);
    msg.header.parent = TcHandle::ROOT;
    msg.header.handle = HANDLE;
    msg.attributes
        .push(TcAttribute::Kind(kind(imp).to_string()));
    msg.attributes
        .push(TcAttribute::Other(DefaultNla::new(TCA_OPTIONS, options)));
    Ok(msg)
}

/// The RTM_DELQDISC that takes the root qdisc of link `index` away (the kernel puts
/// the device's default back).
pub(crate) fn delete_message(index: u32) -> TcMessage {
    let mut msg = TcMessage::with_index(index as i32);
    msg.header.parent = TcHandle::ROOT;
    msg
}

/// The RTM_GETQDISC that asks for the root qdisc of link `index`.
pub(crate) fn get_message(index: u32) -> TcMessage {
    delete_message(index)
}

/// The kind of root qdisc in a RTM_GETQDISC answer (`noqueue` for a bare veth).
pub(crate) fn root_kind(answer: &[Msg]) -> Option<String> {
    answer.iter().find_map(|m| match m {
        Msg::NewQueueDiscipline(q) if q.header.parent == TcHandle::ROOT => {
            q.attributes.iter().find_map(|a| match a {
                TcAttribute::Kind(k) => Some(k.clone()),
                _ => None,
            })
        }
        _ => None,
    })
}

/// Installs `imp` on link `index`: created at build time, replaced at run time.
/// The error names the qdisc, and the module when the kernel lacks it.
pub(crate) async fn install(
    handle: &Handle,
    index: u32,
    mtu: u32,
    imp: &Impairment,
    flags: u16,
    what: String,
) -> Result<(), String> {
    let msg = message(index, mtu, imp).map_err(|e| format!("{what}: {e}"))?;
    match netlink::request(handle, Msg::NewQueueDiscipline(msg), flags).await {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("{what}: {}", explain(kind(imp), &e))),
    }
}

/// Without the module, the kernel answers ENOENT for an unknown kind (it could not
/// load it: the sandbox has no right to), and some versions EINVAL, which bad
/// parameters also give: that one counts only when the kernel shows no such qdisc.
fn explain(kind: &str, e: &io::Error) -> String {
    let missing = match e.raw_os_error() {
        Some(libc::ENOENT) => true,
        Some(libc::EINVAL) => !available(kind),
        _ => false,
    };
    if missing {
        let config = kind.to_uppercase();
        format!(
            "the kernel has no {kind} qdisc (module sch_{kind}, CONFIG_NET_SCH_{config}): \
             load it with `modprobe sch_{kind}`"
        )
    } else {
        format!("creating the {kind} qdisc: {e}")
    }
}

/// Whether the running kernel has the qdisc: built in (in /proc/config.gz, when the
/// kernel publishes it) or a loaded module. Unknown counts as absent: it is only used
/// to explain an error the kernel already gave.
pub fn available(kind: &str) -> bool {
    if std::path::Path::new(&format!("/sys/module/sch_{kind}")).exists() {
        return true;
    }
    let wanted = format!("CONFIG_NET_SCH_{}=", kind.to_uppercase());
    config_gz().is_some_and(|c| {
        c.lines()
            .any(|l| l == format!("{wanted}y") || l == format!("{wanted}m"))
    })
}

/// /proc/config.gz, decompressed by `zcat` (read-only, no dependency for a rarely
/// needed file). `None` when the kernel does not publish its config.
fn config_gz() -> Option<String> {
    let out = std::process::Command::new("zcat")
        .arg("/proc/config.gz")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The kernel's scheduler clock: ticks per microsecond, from /proc/net/psched
/// (`t2us us2t clock_res`), as tc reads it. 15.625 (64 ns ticks) on every recent
/// kernel.
fn ticks_per_us() -> io::Result<f64> {
    let text = std::fs::read_to_string("/proc/net/psched")?;
    let f: Vec<u32> = text
        .split_whitespace()
        .take(3)
        .map(|w| u32::from_str_radix(w, 16))
        .collect::<Result<_, _>>()
        .map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("/proc/net/psched: {e}"))
        })?;
    let [t2us, us2t, clock_res] = f[..] else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "/proc/net/psched: expected 3 numbers",
        ));
    };
    // tc's compatibility rule: a nanosecond clock advertises t2us = 1000 meaning 1.
    let t2us = if clock_res == 1_000_000_000 {
        us2t
    } else {
        t2us
    };
    Ok(f64::from(t2us) / f64::from(us2t) * f64::from(clock_res) / 1e6)
}

fn ticks(d: Duration, per_us: f64) -> u32 {
    (d.as_micros() as f64 * per_us).min(f64::from(u32::MAX)) as u32
}

/// `struct tc_ratespec` for `bytes` per second (u32::MAX means "see the 64-bit
/// attribute").
fn ratespec(bytes: u64) -> [u8; 12] {
    let mut r = [0u8; 12];
    r[1] = TC_LINKLAYER_ETHERNET;
    r[8..12].copy_from_slice(&(bytes.min(u64::from(u32::MAX)) as u32).to_ne_bytes());
    r
}

fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
    let len = 4 + value.len();
    let mut out = Vec::with_capacity(len.next_multiple_of(4));
    out.extend_from_slice(&(len as u16).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(value);
    out.resize(len.next_multiple_of(4), 0);
    out
}

/// TCA_OPTIONS of a tbf at `bits` per second: nested attributes.
///
/// The bucket holds 10 ms of traffic but at least two packets of the link's MTU
/// (tbf refuses a bucket smaller than one packet); the queue behind it holds
/// 250 ms of traffic more, at least 64 KiB, so that a TCP sender in slow start is
/// paced rather than dropped (losses made transfers up to 50% slower than the rate).
fn tbf_options(bits: u64, mtu: u32) -> io::Result<Vec<u8>> {
    let bytes = (bits / 8).max(1);
    let packet = u64::from(mtu) + 14;
    let burst = (bytes / 100).max(2 * packet).min(u64::from(u32::MAX));
    let limit = (burst + (bytes / 4).max(64 * 1024)).min(u64::from(u32::MAX)) as u32;
    let per_us = ticks_per_us()?;
    let buffer_time = Duration::from_secs_f64(burst as f64 / bytes as f64);
    let mut qopt = Vec::with_capacity(36);
    qopt.extend_from_slice(&ratespec(bytes));
    qopt.extend_from_slice(&[0u8; 12]); // no peak rate
    qopt.extend_from_slice(&limit.to_ne_bytes());
    qopt.extend_from_slice(&ticks(buffer_time, per_us).to_ne_bytes());
    qopt.extend_from_slice(&0u32.to_ne_bytes()); // mtu: only for the peak rate
    let mut out = nla(TCA_TBF_PARMS, &qopt);
    if bytes > u64::from(u32::MAX) {
        out.extend(nla(TCA_TBF_RATE64, &bytes.to_ne_bytes()));
    }
    // The bucket in bytes: the kernel takes it over the buffer's ticks, exactly.
    out.extend(nla(TCA_TBF_BURST, &(burst as u32).to_ne_bytes()));
    Ok(out)
}

/// TCA_OPTIONS of a netem: `struct tc_netem_qopt`, then its attributes.
fn netem_options(imp: &Impairment) -> io::Result<Vec<u8>> {
    let per_us = ticks_per_us()?;
    let delay = imp.delay.unwrap_or_default();
    let jitter = imp.jitter.unwrap_or_default();
    let prob = |p: Option<netns_test_topology::Percent>| p.map_or(0, |p| p.scaled_u32());
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&ticks(delay, per_us).to_ne_bytes());
    out.extend_from_slice(&NETEM_LIMIT.to_ne_bytes());
    out.extend_from_slice(&prob(imp.loss).to_ne_bytes());
    // gap 1 with a reorder probability: each packet may be sent at once (tc's rule;
    // with gap 0 netem never reorders).
    let gap: u32 = u32::from(imp.reorder.is_some());
    out.extend_from_slice(&gap.to_ne_bytes());
    out.extend_from_slice(&prob(imp.duplicate).to_ne_bytes());
    out.extend_from_slice(&ticks(jitter, per_us).to_ne_bytes());
    // Exact times besides the ticks, in nanoseconds (kernels from 4.15).
    out.extend(nla(
        TCA_NETEM_LATENCY64,
        &(delay.as_nanos() as i64).to_ne_bytes(),
    ));
    out.extend(nla(
        TCA_NETEM_JITTER64,
        &(jitter.as_nanos() as i64).to_ne_bytes(),
    ));
    if let Some(p) = imp.reorder {
        let mut reorder = Vec::with_capacity(8);
        reorder.extend_from_slice(&p.scaled_u32().to_ne_bytes());
        reorder.extend_from_slice(&0u32.to_ne_bytes()); // no correlation
        out.extend(nla(TCA_NETEM_REORDER, &reorder));
    }
    if let Some(bits) = imp.rate {
        let bytes = (bits / 8).max(1);
        let mut rate = Vec::with_capacity(16);
        rate.extend_from_slice(&(bytes.min(u64::from(u32::MAX)) as u32).to_ne_bytes());
        rate.extend_from_slice(&[0u8; 12]); // no packet or cell overhead
        out.extend(nla(TCA_NETEM_RATE, &rate));
        if bytes > u64::from(u32::MAX) {
            out.extend(nla(TCA_NETEM_RATE64, &bytes.to_ne_bytes()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psched_clock() {
        let t = ticks_per_us().unwrap();
        assert!(t > 0.0);
    }

    #[test]
    fn tbf_layout() {
        let o = tbf_options(1_000_000, 1500).unwrap();
        // PARMS: 4 + 36, BURST: 4 + 4
        assert_eq!(o.len(), 40 + 8);
        assert_eq!(u16::from_ne_bytes([o[0], o[1]]), 40);
        // rate in bytes per second
        assert_eq!(u32::from_ne_bytes(o[12..16].try_into().unwrap()), 125_000);
        assert_eq!(u16::from_ne_bytes([o[42], o[43]]), TCA_TBF_BURST);
    }

    #[test]
    fn netem_layout() {
        let u32_at = |o: &[u8], i: usize| u32::from_ne_bytes(o[i..i + 4].try_into().unwrap());
        let imp = Impairment {
            delay: Some(Duration::from_millis(20)),
            loss: crate::topology::Percent::from_milli(100_000),
            reorder: crate::topology::Percent::from_milli(50_000),
            rate: Some(8_000),
            ..Impairment::default()
        };
        let o = netem_options(&imp).unwrap();
        // qopt 24, LATENCY64 12, JITTER64 12, REORDER 12, RATE 20
        assert_eq!(o.len(), 24 + 12 + 12 + 12 + 20);
        let per_us = ticks_per_us().unwrap();
        assert_eq!(u32_at(&o, 0), (20_000.0 * per_us) as u32);
        assert_eq!(u32_at(&o, 4), NETEM_LIMIT);
        assert_eq!(u32_at(&o, 8), u32::MAX, "100% loss");
        assert_eq!(u32_at(&o, 12), 1, "gap 1 with reorder");
        assert_eq!(u16::from_ne_bytes([o[26], o[27]]), TCA_NETEM_LATENCY64);
        assert_eq!(
            i64::from_ne_bytes(o[28..36].try_into().unwrap()),
            20_000_000
        );
        assert_eq!(u16::from_ne_bytes([o[50], o[51]]), TCA_NETEM_REORDER);
        assert_eq!(u32_at(&o, 52), u32::MAX / 2);
        assert_eq!(u16::from_ne_bytes([o[62], o[63]]), TCA_NETEM_RATE);
        assert_eq!(u32_at(&o, 64), 1000, "bytes per second");
        assert_eq!(kind(&imp), "netem");
        assert_eq!(
            kind(&Impairment {
                rate: Some(1),
                ..Impairment::default()
            }),
            "tbf"
        );
    }
}

/// True when `imp` needs netem (anything but `rate`).
fn needs_netem(imp: &Impairment) -> bool {
    Impairment {
        rate: None,
        ..*imp
    } != Impairment::default()
}

//! The grammar of the options after a link's ends: `mtu`, the impairments for
//! both directions, and the groups `X->Y: OPTIONS` for one. The impairments'
//! values (times, percentages, rates) are read by [`crate::impair`].

use super::cursor::{unexpected, Cursor};
use crate::error::ParseError;
use crate::impair::Impairment;
use crate::lex::{Pos, Token};
use std::collections::HashMap;

/// True for the words that start a link's options: `mtu`, an impairment, or a
/// direction `a->b:`. They end the second end's addresses.
pub(super) fn link_option(t: &Token<'_>) -> bool {
    // An interface name may hold "->" (`a:x->y`): a direction has no ":" before it.
    let direction = t
        .text
        .split_once("->")
        .is_some_and(|(from, _)| !from.contains(':'));
    t.text == "mtu" || crate::impair::OPTIONS.contains(&t.text) || direction
}

/// An MTU and where its value is written.
pub(super) type Mtu = (u32, Pos);

/// `mtu N` after its keyword, on a link or a bridge: N and where it is written.
pub(super) fn mtu(cur: &mut Cursor<'_, '_>) -> Result<Mtu, ParseError> {
    const EXPECTED: &str = "an MTU between 68 and 65535";
    let t = cur.next_or(EXPECTED)?;
    t.text
        .parse::<u32>()
        .ok()
        .filter(|n| t.text.bytes().all(|b| b.is_ascii_digit()) && (68..=65535).contains(n))
        .map(|n| (n, t.pos))
        .ok_or_else(|| unexpected(t, EXPECTED))
}

/// The options after a link's ends: `[mtu N]`, then impairments for both
/// directions, then groups `X->Y: OPTIONS` for one direction, X and Y being the
/// ends' names. Each option is given once per direction: a direction group adds
/// to the options for both, it does not override them, so that what a line means
/// never depends on the order of its words.
pub(super) fn link_options(
    cur: &mut Cursor<'_, '_>,
    names: [&str; 2],
) -> Result<(Option<Mtu>, [Impairment; 2]), ParseError> {
    const EXPECTED: &str = "\"mtu\", delay, jitter, loss, duplicate, reorder, corrupt, \
                            rate, a direction like a->b: or end of statement";
    let mtu = if cur.peek_is(&["mtu"]) {
        cur.next();
        Some(mtu(cur)?)
    } else {
        None
    };
    let mut impair = [Impairment::default(); 2];
    // Where each option was set, per direction, for "given twice" and "needs delay".
    let mut set: [HashMap<&str, Pos>; 2] = Default::default();
    // The directions the current group applies to.
    let mut sides: &[usize] = &[0, 1];
    let mut group_start: Option<Token<'_>> = None;
    let mut group_empty = false;
    let mut seen_dirs: [Option<Pos>; 2] = [None, None];
    while let Some(t) = cur.next() {
        if t.text == "mtu" && mtu.is_some() {
            return Err(t.pos.error("\"mtu\" given twice"));
        }
        if t.text == "mtu" {
            return Err(t.pos.error(
                "\"mtu\" comes right after the ends, before any impairment: the MTU is \
                 the same on both ends",
            ));
        }
        if t.text.contains("->") {
            if group_empty {
                let g = group_start.expect("a group was opened");
                return Err(t.pos.error(format!(
                    "expected options after {}, found {:?}",
                    g.text, t.text
                )));
            }
            let dir = t
                .text
                .strip_suffix(':')
                .and_then(|d| d.split_once("->"))
                .ok_or_else(|| {
                    t.pos.error(format!(
                        "expected a direction like {}->{}: (with the colon), found {:?}",
                        names[0], names[1], t.text
                    ))
                })?;
            let side = match dir {
                (x, y) if x == names[0] && y == names[1] => 0,
                (x, y) if x == names[1] && y == names[0] => 1,
                _ => {
                    return Err(t.pos.error(format!(
                        "direction {:?} is not one of this link's: {a}->{b}: or {b}->{a}:",
                        t.text,
                        a = names[0],
                        b = names[1]
                    )))
                }
            };
            if let Some(first) = seen_dirs[side] {
                return Err(t.pos.error(format!(
                    "direction {} given twice (first at {}:{})",
                    t.text, first.line, first.col
                )));
            }
            seen_dirs[side] = Some(t.pos);
            sides = if side == 0 { &[0] } else { &[1] };
            group_start = Some(t);
            group_empty = true;
            continue;
        }
        if !crate::impair::OPTIONS.contains(&t.text) {
            return Err(unexpected(t, EXPECTED));
        }
        let option = t.text;
        let value = cur.next_or(&format!("a value for {option}"))?;
        for &s in sides {
            if let Some(first) = set[s].get(option) {
                let dir = format!("{}->{}", names[s], names[1 - s]);
                return Err(t.pos.error(format!(
                    "{option} given twice for {dir} (first at {}:{})",
                    first.line, first.col
                )));
            }
        }
        let mut read = Impairment::default();
        match option {
            "delay" => read.delay = Some(crate::impair::time(option, value)?),
            "jitter" => {
                read.jitter = Some(crate::impair::time(option, value)?);
                // An optional word names the distribution: `jitter 5ms normal`.
                if let Some(d) = cur.peek().as_ref().and_then(crate::impair::distribution) {
                    cur.next();
                    read.distribution = d;
                }
            }
            "loss" => {
                let p = crate::impair::percent(option, value)?;
                read.loss = Some(p);
                if cur.peek_is(&["burst"]) {
                    cur.next();
                    let n = cur.next_or("a mean burst length like 3 (packets)")?;
                    read.loss_burst = Some(crate::impair::burst(p, n)?);
                }
            }
            "duplicate" => read.duplicate = Some(crate::impair::percent(option, value)?),
            "reorder" => read.reorder = Some(crate::impair::percent(option, value)?),
            "corrupt" => read.corrupt = Some(crate::impair::percent(option, value)?),
            _ => read.rate = Some(crate::impair::rate(value)?),
        }
        for &s in sides {
            set[s].insert(option, t.pos);
            impair[s] = merge(impair[s], read);
        }
        group_empty = false;
    }
    if group_empty {
        let g = group_start.expect("a group was opened");
        return Err(cur.end().error(format!(
            "expected options after {}, found end of statement",
            g.text
        )));
    }
    // Jitter varies the delay and reorder skips it: both mean nothing without one.
    for s in 0..2 {
        for option in ["jitter", "reorder"] {
            if let (Some(pos), None) = (set[s].get(option), impair[s].delay) {
                return Err(pos.error(format!(
                    "{option} needs a delay on {}->{} (write delay too)",
                    names[s],
                    names[1 - s]
                )));
            }
        }
    }
    Ok((mtu, impair))
}

/// `base` with the options set in `read` (one option) taken from it.
fn merge(base: Impairment, read: Impairment) -> Impairment {
    Impairment {
        delay: read.delay.or(base.delay),
        jitter: read.jitter.or(base.jitter),
        distribution: if read.jitter.is_some() {
            read.distribution
        } else {
            base.distribution
        },
        loss: read.loss.or(base.loss),
        loss_burst: if read.loss.is_some() {
            read.loss_burst
        } else {
            base.loss_burst
        },
        duplicate: read.duplicate.or(base.duplicate),
        reorder: read.reorder.or(base.reorder),
        corrupt: read.corrupt.or(base.corrupt),
        rate: read.rate.or(base.rate),
    }
}

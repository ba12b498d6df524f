//! The bodies of the fuzz targets, shared by `cargo fuzz` (`fuzz_targets/`) and the
//! corpus replay that CI runs without nightly (`../tests/fuzz_corpus.rs`), so both
//! check the same things:
//!
//! - `parse`: any bytes, as text. The parser answers with a model or an error, never
//!   a panic; an error points inside the text; a model prints to a text that parses
//!   to the same model, and printing that gives the same text again.
//! - `validate`: bytes choose statements of the grammar (names, addresses, routes,
//!   expects, options from small pools, so that they collide): nearly every text gets
//!   through the syntax into the checks that need the whole network; same promises.
//! - `roundtrip`: the same statements, and every model also answers its queries
//!   (segments, interfaces, target addresses, NATs' external addresses and forwards'
//!   targets, which the runtime takes for granted in a valid model) without a panic.

use netns_test_topology::{parse, Target, Topology};

pub fn parse_bytes(data: &[u8]) {
    check(&String::from_utf8_lossy(data));
    // The duration grammar is the macro's too (`timeout = "30s"`).
    let _ = netns_test_topology::duration::parse(&String::from_utf8_lossy(data));
}

pub fn validate(data: &[u8]) {
    check(&grammar::text(data));
}

pub fn roundtrip(data: &[u8]) {
    if let Some(t) = check(&grammar::text(data)) {
        queries(&t);
    }
}

/// The promises for any text; the model, if it parsed.
fn check(text: &str) -> Option<Topology> {
    match parse(text) {
        Err(e) => {
            let lines = text.split('\n').count();
            assert!(
                e.line() >= 1 && e.line() <= lines && e.col() >= 1 && !e.message().is_empty(),
                "an error outside the text ({lines} lines): {e}\n{text}"
            );
            assert!(e
                .to_string()
                .starts_with(&format!("topology:{}:{}: ", e.line(), e.col())));
            None
        }
        Ok(t) => {
            let printed = t.to_string();
            let again = parse(&printed).unwrap_or_else(|e| {
                panic!("the printed model does not parse: {e}\n{printed}\nfrom\n{text}")
            });
            assert_eq!(again, t, "printed:\n{printed}\nfrom\n{text}");
            assert_eq!(
                again.to_string(),
                printed,
                "printing is not stable\nfrom\n{text}"
            );
            Some(t)
        }
    }
}

/// What the runtime asks a model, answered without a panic.
fn queries(t: &Topology) {
    let names = t.node_names();
    for s in t.segments() {
        assert!(
            !s.members.is_empty() || matches!(s.kind, netns_test_topology::SegmentKind::Bridge(_))
        );
    }
    for n in &names {
        let ifaces = t.ifaces(n);
        let addrs = t.node_addrs(n);
        assert_eq!(
            addrs.len(),
            ifaces.iter().map(|(_, a)| a.len()).sum::<usize>()
        );
    }
    for e in &t.expects {
        assert!(
            t.target_addr(&e.from, &e.target).is_some(),
            "{e}: validated, yet no address"
        );
        let _ = t.target_addr(&e.from, &Target::Node(e.from.clone()));
    }
    // What the runtime builds a NAT from (`nat::Setup::new` expects them).
    for nat in &t.nats {
        assert_eq!(t.nat(&nat.router), Some(nat), "one NAT per router");
        assert!(
            t.nat_addr(nat).is_some(),
            "{nat}: validated, yet no address"
        );
        for f in t.forwards_of(nat) {
            assert!(t.forward_addr(f).is_some(), "{f}: validated, yet no target");
        }
    }
    assert_eq!(
        t.nats
            .iter()
            .map(|n| t.forwards_of(n).count())
            .sum::<usize>(),
        t.forwards.len(),
        "a forward without its NAT"
    );
}

/// Statements of the language chosen by bytes.
pub mod grammar {
    const NAMES: &[&str] = &["a", "b", "c", "r", "host", "br0", "br1", "n-1", "x_2"];
    const IFNAMES: &[&str] = &[
        "", ":eth0", ":eth1", ":veth-a", ":br0-p0", ":lo", ":e", ":wan", ":lan",
    ];
    const ADDRS: &[&str] = &[
        "10.0.0.1/24",
        "10.0.0.2/24",
        "10.0.1.1/24",
        "10.0.1.2/24",
        "10.0.3.1/24",
        "fd00::1/64",
        "fd00:1::2/64",
        "192.168.1.1/16",
        "10.0.0.9/32",
        "224.0.0.1/4",
        "203.0.113.1/24",
        "203.0.113.2/24",
        "192.168.1.2/24",
    ];
    const GATEWAYS: &[&str] = &[
        "10.0.0.1",
        "10.0.0.2",
        "10.0.1.2",
        "10.0.1.1",
        "fd00:1::2",
        "fd00::1",
        "192.168.1.254",
    ];
    const DESTS: &[&str] = &[
        "default",
        "10.9.0.0/16",
        "10.9.0.1/16",
        "fd09::/64",
        "0.0.0.0/0",
    ];
    const OPTIONS: &[&str] = &[
        "mtu 1400",
        "mtu 9000",
        "mtu 68",
        "delay 20ms",
        "jitter 5ms",
        "loss 1%",
        "duplicate 0.5%",
        "reorder 10%",
        "rate 10mbit",
        "delay 61s",
    ];
    const ARROWS: &[&str] = &["->", "<->", "-x-"];
    const NAT_KINDS: &[&str] = &[
        "full-cone",
        "restricted-cone",
        "port-restricted-cone",
        "symmetric",
        "mapping endpoint-independent filtering address-dependent",
        "filtering address-and-port-dependent mapping address-dependent",
        "mapping endpoint-independent",
        "cone",
    ];
    const NAT_OPTIONS: &[&str] = &[
        "hairpin on",
        "hairpin off",
        "port-preservation off",
        "udp-timeout 30s",
        "udp-timeout 0s",
        "port-preservation maybe",
    ];
    const PORTS: &[&str] = &["1", "53", "4000", "65535", "0", "65536", "80"];
    const WORDS: &[&str] = &[
        "--", "via", "default", "@a", "#", "forward", "", "é", "\t", "mtu", "nat", "->", ":", "udp",
    ];

    /// Reads the bytes one at a time; zeros once they run out.
    struct Bytes<'a> {
        data: &'a [u8],
        at: usize,
    }

    impl Bytes<'_> {
        fn byte(&mut self) -> u8 {
            let b = self.data.get(self.at).copied().unwrap_or(0);
            self.at += 1;
            b
        }

        fn pick(&mut self, from: &[&'static str]) -> &'static str {
            from[self.byte() as usize % from.len()]
        }

        /// 0 to `max` (the low bits of a byte).
        fn few(&mut self, max: u8) -> u8 {
            self.byte() % (max + 1)
        }

        fn more(&self) -> bool {
            self.at < self.data.len()
        }
    }

    /// The text the bytes choose: statements separated by newlines or `;`.
    pub fn text(data: &[u8]) -> String {
        let mut b = Bytes { data, at: 0 };
        let mut out = String::new();
        while b.more() {
            statement(&mut b, &mut out);
            out.push(if b.byte().is_multiple_of(4) {
                ';'
            } else {
                '\n'
            });
        }
        out
    }

    fn statement(b: &mut Bytes<'_>, out: &mut String) {
        let mut words: Vec<String> = Vec::new();
        let mut w = |s: &str| words.push(s.to_string());
        match b.byte() % 12 {
            0 => {
                w("node");
                w(b.pick(NAMES));
                for _ in 0..b.few(2) {
                    match b.byte() % 3 {
                        0 => w("forward"),
                        1 => w("sysctl net.ipv4.conf.all.rp_filter=0"),
                        _ => w("sysctl net.ipv4.ip_forward=1"),
                    }
                }
            }
            1 => {
                w("bridge");
                w(b.pick(NAMES));
                if b.byte().is_multiple_of(3) {
                    w(&format!("@{}", b.pick(NAMES)));
                }
                for _ in 0..b.few(2) {
                    w(b.pick(ADDRS));
                }
                if b.byte().is_multiple_of(4) {
                    w("mtu 1500");
                }
            }
            2..=5 => {
                let (x, y) = (b.pick(NAMES), b.pick(NAMES));
                end(b, x, &mut w);
                w("--");
                end(b, y, &mut w);
                for _ in 0..b.few(2) {
                    w(b.pick(OPTIONS));
                }
                for _ in 0..b.few(2) {
                    let (from, to) = if b.byte().is_multiple_of(2) {
                        (x, y)
                    } else {
                        (y, x)
                    };
                    w(&format!("{from}->{to}:"));
                    w(b.pick(OPTIONS));
                }
            }
            6 => {
                w("route");
                w(b.pick(NAMES));
                w(b.pick(DESTS));
                w("via");
                w(b.pick(GATEWAYS));
            }
            9 => {
                w("nat");
                w(&format!("{}{}", b.pick(NAMES), b.pick(IFNAMES)));
                w(b.pick(NAT_KINDS));
                for _ in 0..b.few(2) {
                    w(b.pick(NAT_OPTIONS));
                }
            }
            10 => {
                w("forward");
                w(&format!("{}{}", b.pick(NAMES), b.pick(IFNAMES)));
                w(if b.byte().is_multiple_of(2) {
                    "udp"
                } else {
                    "tcp"
                });
                w(b.pick(PORTS));
                w("->");
                let to = if b.byte().is_multiple_of(2) {
                    b.pick(NAMES)
                } else {
                    b.pick(GATEWAYS)
                };
                w(&format!("{to}:{}", b.pick(PORTS)));
            }
            7 | 8 => {
                w("expect");
                w(b.pick(NAMES));
                w(b.pick(ARROWS));
                w(if b.byte().is_multiple_of(3) {
                    b.pick(GATEWAYS)
                } else {
                    b.pick(NAMES)
                });
            }
            _ => {
                for _ in 0..b.few(4) {
                    let word = if b.byte().is_multiple_of(2) {
                        b.pick(WORDS)
                    } else {
                        b.pick(NAMES)
                    };
                    w(word);
                }
            }
        }
        out.push_str(&words.join(" "));
    }

    fn end(b: &mut Bytes<'_>, node: &str, w: &mut impl FnMut(&str)) {
        w(&format!("{node}{}", b.pick(IFNAMES)));
        for _ in 0..b.few(2) {
            w(b.pick(ADDRS));
        }
    }
}

//! Random valid models survive printing and parsing unchanged.
//!
//! The generator draws raw choices and builds a model that follows every rule of
//! the language from them, the same way a careful user would write one: unique
//! names and addresses, ports named by the documented rule, a gateway on a
//! connected subnet, at least one address on each segment with ends (a model the
//! parser made is never left without, since it adds automatic ones).
//!
//! `raw` draws the choices, `build` makes the model of them.

mod build;
mod raw;

use build::build;
use netns_test_topology::{parse, End};
use proptest::prelude::*;
use raw::raw;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn print_then_parse_gives_the_model_back(raw in raw()) {
        let t = build(raw);
        let text = t.to_string();
        match parse(&text) {
            Ok(back) => prop_assert_eq!(back, t, "{}", text),
            Err(e) => prop_assert!(false, "{}\n{}", text, e),
        }
    }
}

/// The generator makes the interesting cases, not only trivial ones.
#[test]
fn the_generator_covers_the_language() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut bridge_ports, mut routes, mut expects, mut declared) = (0, 0, 0, 0);
    let (mut nats, mut forwards) = (0, 0);
    for _ in 0..200 {
        let t = build(raw().new_tree(&mut runner).unwrap().current());
        bridge_ports += t
            .links
            .iter()
            .filter(|l| matches!(l.a, End::Bridge { .. }) || matches!(l.b, End::Bridge { .. }))
            .count();
        routes += t.routes.len();
        expects += t.expects.len();
        nats += t.nats.len();
        forwards += t.forwards.len();
        declared += t
            .to_string()
            .lines()
            .filter(|l| l.starts_with("node "))
            .count();
    }
    assert!(bridge_ports > 50, "{bridge_ports} bridge ports");
    assert!(routes > 50, "{routes} routes");
    assert!(expects > 50, "{expects} expects");
    assert!(declared > 50, "{declared} node statements");
    assert!(nats > 30, "{nats} nats");
    assert!(forwards > 20, "{forwards} forwards");
}

//! A link's options: impairments for both directions and per direction.

use super::{err, ok};
use crate::impair::Impairment;
use crate::model::Topology;

fn impair(t: &Topology) -> [Impairment; 2] {
    t.links[0].impair
}

#[test]
fn impairments_for_both_directions() {
    use crate::impair::Percent;
    use std::time::Duration;
    let t =
        ok("a -- b mtu 1400 delay 20ms jitter 5ms loss 1% duplicate 0.5% reorder 10% rate 10mbit");
    let i = Impairment {
        delay: Some(Duration::from_millis(20)),
        jitter: Some(Duration::from_millis(5)),
        loss: Percent::from_milli(1000),
        duplicate: Percent::from_milli(500),
        reorder: Percent::from_milli(10_000),
        rate: Some(10_000_000),
        ..Impairment::default()
    };
    assert_eq!(impair(&t), [i, i]);
    assert_eq!(t.links[0].mtu, Some(1400));
    // units
    let delay = |s: &str| impair(&ok(&format!("a -- b delay {s}")))[0].delay.unwrap();
    assert_eq!(delay("7us"), Duration::from_micros(7));
    assert_eq!(delay("60s"), Duration::from_secs(60));
    assert_eq!(delay("60000ms"), Duration::from_secs(60));
    let rate = |s: &str| impair(&ok(&format!("a -- b rate {s}")))[0].rate.unwrap();
    assert_eq!(rate("1bit"), 1);
    assert_eq!(rate("3kbit"), 3000);
    assert_eq!(rate("2gbit"), 2_000_000_000);
    let loss = |s: &str| {
        impair(&ok(&format!("a -- b loss {s}")))[0]
            .loss
            .unwrap()
            .milli()
    };
    assert_eq!(loss("0%"), 0);
    assert_eq!(loss("100%"), 100_000);
    assert_eq!(loss("0.001%"), 1);
    assert_eq!(loss("99.99%"), 99_990);
    // bridge ends, and an end with addresses before the options
    let t = ok("bridge br0\na 10.0.0.1/24 -- br0 rate 1mbit br0->a: delay 1ms");
    assert_eq!(impair(&t)[0].delay, None);
    assert_eq!(impair(&t)[1].delay, Some(Duration::from_millis(1)));
    assert_eq!(impair(&t)[1].rate, Some(1_000_000));
    assert_eq!(ok("a -- b").links[0].impair, [Impairment::default(); 2]);
    // "->" inside an interface name is no direction
    let t = ok("a:x->y -- b:p->q rate 1kbit");
    assert_eq!(
        t.links[0].to_string(),
        "a:x->y 10.0.1.1/24 fd00:1::1/64 -- b:p->q 10.0.1.2/24 fd00:1::2/64 rate 1kbit"
    );
}

#[test]
fn impairments_per_direction() {
    use std::time::Duration;
    let ms = |n| Some(Duration::from_millis(n));
    let t = ok("a -- b mtu 1400 delay 10ms a->b: loss 5% rate 1mbit b->a: jitter 30ms");
    let [x, y] = impair(&t);
    assert_eq!((x.delay, x.rate, x.jitter), (ms(10), Some(1_000_000), None));
    assert_eq!(x.loss.unwrap().milli(), 5000);
    assert_eq!(
        (y.delay, y.rate, y.jitter, y.loss),
        (ms(10), None, ms(30), None)
    );
    // the order of the groups does not matter
    let t = ok("a:x -- b:y b->a: delay 3ms a->b: delay 4ms");
    assert_eq!(impair(&t).map(|i| i.delay), [ms(4), ms(3)]);
    // printed once when equal, per direction else
    assert_eq!(
        ok("a -- b delay 10ms").links[0].to_string(),
        "a:eth0 10.0.1.1/24 fd00:1::1/64 -- b:eth0 10.0.1.2/24 fd00:1::2/64 delay 10ms"
    );
    assert_eq!(
        ok("a -- b a->b: delay 10ms b->a: delay 10ms").links[0].impair,
        ok("a -- b delay 10ms").links[0].impair
    );
    assert_eq!(
        ok("bridge br0\nbr0 -- b:e loss 1% b->br0: rate 1500kbit").links[0].to_string(),
        "br0 -- b:e 10.0.1.1/24 fd00:1::1/64 br0->b: loss 1% b->br0: loss 1% rate 1500kbit"
    );
}

#[test]
fn impairment_errors() {
    let cases = [
        ("a -- b delay", "1:13: expected a value for delay, found end of statement"),
        ("a -- b delay 20", "1:14: expected a delay like 20ms (a whole number of us, ms or s), found \"20\""),
        ("a -- b delay 20min", "1:14: expected a delay like 20ms (a whole number of us, ms or s), found \"20min\""),
        ("a -- b delay 1.5ms", "1:14: expected a delay like 20ms (a whole number of us, ms or s), found \"1.5ms\""),
        ("a -- b delay -1ms", "1:14: expected a delay like 20ms (a whole number of us, ms or s), found \"-1ms\""),
        ("a -- b delay 0ms", "1:14: delay 0ms is out of range: more than 0 and at most 60s"),
        ("a -- b delay 61s", "1:14: delay 61s is out of range: more than 0 and at most 60s"),
        ("a -- b delay 1ms jitter 60001ms", "1:25: jitter 60001ms is out of range: more than 0 and at most 60s"),
        ("a -- b loss 1", "1:13: expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"1\""),
        ("a -- b loss 100.001%", "1:13: expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"100.001%\""),
        ("a -- b duplicate 0.0001%", "1:18: expected a duplicate percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"0.0001%\""),
        ("a -- b loss 1.%", "1:13: expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"1.%\""),
        ("a -- b loss .5%", "1:13: expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \".5%\""),
        ("a -- b delay 1ms reorder 101%", "1:26: expected a reorder percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"101%\""),
        ("a -- b rate 10", "1:13: expected a rate like 10mbit (a whole number of bit, kbit, mbit or gbit per second), found \"10\""),
        ("a -- b rate 10mbps", "1:13: expected a rate like 10mbit (a whole number of bit, kbit, mbit or gbit per second), found \"10mbps\""),
        ("a -- b rate 99999999999999gbit", "1:13: expected a rate like 10mbit (a whole number of bit, kbit, mbit or gbit per second), found \"99999999999999gbit\""),
        ("a -- b rate 0kbit", "1:13: rate 0kbit is out of range: more than 0"),
        ("a -- b jitter 5ms", "1:8: jitter needs a delay on a->b (write delay too)"),
        ("a -- b reorder 5%", "1:8: reorder needs a delay on a->b (write delay too)"),
        ("a -- b reorder 5% a->b: delay 1ms", "1:8: reorder needs a delay on b->a (write delay too)"),
        ("a -- b jitter 1ms b->a: delay 1ms", "1:8: jitter needs a delay on a->b (write delay too)"),
        ("a -- b delay 1ms delay 2ms", "1:18: delay given twice for a->b (first at 1:8)"),
        ("a -- b delay 1ms b->a: delay 2ms", "1:24: delay given twice for b->a (first at 1:8)"),
        ("a -- b a->b: rate 1mbit a->b: loss 1%", "1:25: direction a->b: given twice (first at 1:8)"),
        ("a -- b a->c: rate 1mbit", "1:8: direction \"a->c:\" is not one of this link's: a->b: or b->a:"),
        ("a -- b a->a: rate 1mbit", "1:8: direction \"a->a:\" is not one of this link's: a->b: or b->a:"),
        ("a -- b a->b rate 1mbit", "1:8: expected a direction like a->b: (with the colon), found \"a->b\""),
        ("a -- b a->b:", "1:13: expected options after a->b:, found end of statement"),
        ("a -- b a->b: b->a: loss 1%", "1:14: expected options after a->b:, found \"b->a:\""),
        ("a -- b delay 1ms mtu 1400", "1:18: \"mtu\" comes right after the ends, before any impairment: the MTU is the same on both ends"),
        ("a -- b delay 1ms latency 1ms", "1:18: expected \"mtu\", delay, jitter, loss, duplicate, reorder, corrupt, rate, a direction like a->b: or end of statement, found \"latency\""),
        ("a -- delay 1ms", "1:6: expected a node or bridge name, found \"delay\""),
        ("a delay 1ms -- b", "1:3: expected \"--\", found \"delay\""),
        ("node rate", "1:6: \"rate\" is a keyword and cannot be a name"),
        ("bridge loss", "1:8: \"loss\" is a keyword and cannot be a name"),
    ];
    for (src, want) in cases {
        assert_eq!(err(src), format!("topology:{want}"), "{src}");
    }
}

#[test]
fn bursty_loss_corruption_and_the_jitter_distribution() {
    use crate::impair::{Distribution, Percent};
    let t = ok("a -- b delay 20ms jitter 5ms normal loss 2% burst 4 corrupt 0.1% a->b: rate 1mbit");
    let i = impair(&t)[0];
    assert_eq!(i.distribution, Distribution::Normal);
    assert_eq!(i.loss, Percent::from_milli(2000));
    assert_eq!(i.loss_burst, Some(4));
    assert_eq!(i.corrupt, Percent::from_milli(100));
    assert_eq!(impair(&t)[1].rate, None);
    assert_eq!(impair(&t)[1].loss_burst, Some(4));
    assert_eq!(
        t.links[0].to_string(),
        "a:eth0 10.0.1.1/24 fd00:1::1/64 -- b:eth0 10.0.1.2/24 fd00:1::2/64 \
         a->b: delay 20ms jitter 5ms normal loss 2% burst 4 corrupt 0.1% rate 1mbit \
         b->a: delay 20ms jitter 5ms normal loss 2% burst 4 corrupt 0.1%"
    );
    // uniform is the default and prints as nothing; pareto is kept
    assert_eq!(
        impair(&ok("a -- b delay 1ms jitter 1ms uniform"))[0].distribution,
        Distribution::Uniform
    );
    let t = ok("a -- b delay 1ms jitter 1ms pareto");
    assert!(t.links[0].to_string().ends_with("jitter 1ms pareto"));
    // a direction's own loss replaces nothing: given twice is an error
    assert_eq!(
        err("a -- b loss 1% burst 2 a->b: loss 2%"),
        "topology:1:30: loss given twice for a->b (first at 1:8)"
    );
}

#[test]
fn bursty_loss_errors() {
    assert_eq!(
        err("a -- b loss 1% burst"),
        "topology:1:21: expected a mean burst length like 3 (packets), found end of statement"
    );
    assert_eq!(
        err("a -- b loss 1% burst 0"),
        "topology:1:22: expected a mean burst length like 3 (a whole number of packets, 1 to \
         10000), found \"0\""
    );
    assert_eq!(
        err("a -- b loss 1% burst 2.5"),
        "topology:1:22: expected a mean burst length like 3 (a whole number of packets, 1 to \
         10000), found \"2.5\""
    );
    assert_eq!(
        err("a -- b loss 60% burst 1"),
        "topology:1:23: loss 60% cannot come in bursts of 1 on average: between bursts at \
         least one packet passes, so the loss is at most 50% (N / (N + 1))"
    );
    assert_eq!(
        err("a -- b loss 100% burst 9999"),
        "topology:1:24: loss 100% cannot come in bursts of 9999 on average: between bursts \
         at least one packet passes, so the loss is at most 99.99% (N / (N + 1))"
    );
    // `burst` belongs to loss; a distribution to jitter
    assert_eq!(
        err("a -- b mtu 1400 burst 3"),
        "topology:1:17: expected \"mtu\", delay, jitter, loss, duplicate, reorder, corrupt, \
         rate, a direction like a->b: or end of statement, found \"burst\""
    );
    assert_eq!(
        err("a -- b delay 1ms normal"),
        "topology:1:18: expected \"mtu\", delay, jitter, loss, duplicate, reorder, corrupt, \
         rate, a direction like a->b: or end of statement, found \"normal\""
    );
    assert_eq!(
        err("a -- b corrupt 101%"),
        "topology:1:16: expected a corrupt percentage like 1% or 0.5% (0 to 100, at most 3 \
         decimals), found \"101%\""
    );
    assert_eq!(
        err("node corrupt"),
        "topology:1:6: \"corrupt\" is a keyword and cannot be a name"
    );
}

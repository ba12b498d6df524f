//! Nodes, links, interfaces and NATs by name: the `try_` forms give what is missing
//! with the names that exist; the re-exported tokio and rtnetlink name the types of
//! the public signatures.

use netns_test::{netns_test, LookupError, Net};

#[netns_test(
    topology = "node r forward; a:eth0 10.0.1.2/24 -- r:in 10.0.1.1/24; r:out 10.0.2.1/24 -- b 10.0.2.2/24; nat r:out full-cone",
    checks = false
)]
fn found_names_are_the_ones_the_panicking_forms_give(net: &Net) {
    assert_eq!(net.try_node("a").unwrap().name(), "a");
    assert_eq!(net.try_node("b").unwrap().addr(), net.node("b").addr());
    assert_eq!(
        net.node("a").try_iface("eth0").unwrap().index,
        net.node("a").iface("eth0").index
    );
    assert_eq!(net.try_nat("r").unwrap().router(), "r");
    // The link found is the one built: setting it down cuts a from r.
    net.try_link("r", "a").unwrap().down();
    assert!(net.ping("a", "10.0.1.1").is_err());
    net.link("a", "r").up();
    net.assert_reachable("a", "10.0.1.1");
}

#[netns_test(
    topology = "node r forward; a -- r; r -- b; nat r:eth1 symmetric",
    checks = false
)]
fn missing_names_come_back_with_the_known_ones(net: &Net) {
    let e = net.try_node("zz").unwrap_err();
    assert_eq!(
        e,
        LookupError::NoNode {
            name: "zz".into(),
            nodes: vec!["host".into(), "r".into(), "a".into(), "b".into()],
        }
    );
    assert_eq!(
        e.to_string(),
        "no node \"zz\" in this topology; nodes: host, r, a, b"
    );

    let e = net.try_link("a", "b").unwrap_err();
    assert!(
        matches!(&e, LookupError::NoLink { links, .. } if links.len() == 2),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("no link between a and b; links:\n  a"),
        "{e}"
    );

    let e = net.node("a").try_iface("wlan0").unwrap_err();
    assert_eq!(e.to_string(), "node a has no link \"wlan0\"; links: eth0");

    let e = net.try_nat("a").expect_err("a has no NAT");
    assert_eq!(e.to_string(), "no NAT on \"a\"; NAT routers: r");
    // An error a helper can pass on with `?`.
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("no NAT"));
}

#[netns_test(topology = "a -- b", checks = false)]
fn nat_lookups_without_a_nat_say_so(net: &Net) {
    let e = net.try_nat("a").expect_err("no NAT at all");
    assert_eq!(
        e.to_string(),
        "no NAT on \"a\"; this topology has no nat statement"
    );
}

#[netns_test(topology = "a -- b")]
async fn tokio_and_rtnetlink_types_are_named_through_the_crate(net: &Net) {
    let task: netns_test::tokio::task::JoinHandle<u32> = net.node("a").spawn(async { 7 });
    assert_eq!(task.await.unwrap(), 7);
    let runtime: &netns_test::tokio::runtime::Runtime = net.node("b").runtime();
    let _ = runtime.handle();
    let handle: netns_test::rtnetlink::Handle = net.node("b").netlink();
    use futures_util::TryStreamExt;
    let links: Vec<_> = net
        .node("b")
        .spawn(async move { handle.link().get().execute().try_collect::<Vec<_>>().await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(links.len(), 2, "lo and eth0 in b");
}

//! The expansion's unit tests: what a function becomes, how its body is called, and
//! the compile errors (where they point, all at once, the function kept beside them).

use super::*;

fn expand(attr: TokenStream, item: TokenStream) -> String {
    netns_test(attr, item).to_string()
}

/// The messages of the `compile_error!`s in an expansion.
fn errors(attr: TokenStream, item: TokenStream) -> Vec<String> {
    let out = expand(attr, item);
    out.split("compile_error ! {")
        .skip(1)
        .map(|rest| {
            let lit = rest.split(" }").next().unwrap().trim();
            syn::parse_str::<LitStr>(lit.trim_start_matches('(').trim_end_matches(')'))
                .unwrap()
                .value()
        })
        .collect()
}

#[test]
fn expansion() {
    let out = expand(
        quote!(
            topology = "a -- b",
            timeout = "2s",
            checks = false,
            node = "a"
        ),
        quote! {
            /// Docs.
            #[ignore]
            pub async fn t(net: &Net) -> Result<(), String> {
                #![allow(unused)]
                Ok(())
            }
        },
    );
    let expected = quote! {
        #[::core::prelude::v1::test]
        #[doc = r" Docs."]
        #[ignore]
        pub fn t() {
            async fn __netns_test_body(net: &Net) -> Result<(), String> {
                #![allow(unused)]
                Ok(())
            }
            ::netns_test::__private::run_test(
                ::netns_test::__private::topology("a -- b"),
                ::netns_test::Options::new()
                    .name(::core::concat!(::core::module_path!(), "::", ::core::stringify!(t)))
                    .timeout(::core::time::Duration::from_millis(2000))
                    .checks(false)
                    .node("a"),
                |__netns_test_net: &::netns_test::Net| __netns_test_net.block_on(__netns_test_body(__netns_test_net))
            )
        }
    };
    assert_eq!(out, expected.to_string());
}

#[test]
fn body_calls() {
    let call = |item: TokenStream| {
        let out = expand(quote!(topology = "a -- b"), item);
        let closure = out.rsplit("Net | ").next().unwrap();
        closure.strip_suffix(") }").unwrap().to_string()
    };
    assert_eq!(
        call(quote!(
            fn t() {}
        )),
        "__netns_test_body ()"
    );
    assert_eq!(
        call(quote!(
            fn t(_: &Net) {}
        )),
        "__netns_test_body (__netns_test_net)"
    );
    assert_eq!(
        call(quote!(
            async fn t() {}
        )),
        "__netns_test_net . block_on (__netns_test_body ())"
    );
    // A body that ignores the network does not leave an unused closure parameter.
    assert!(expand(
        quote!(topology = "a -- b"),
        quote!(
            fn t() {}
        )
    )
    .contains("| _ :"));
}

#[test]
fn crate_path_and_file() {
    let out = expand(
        quote!(topology_file = "tests/x.topo", crate = "my::nt"),
        quote!(
            fn t() {}
        ),
    );
    // The file does not exist here: only the error is checked.
    assert!(out.contains("cannot read topology file"), "{out}");
    assert!(out.contains("netns-test-macros/tests/x.topo"), "{out}");

    let out = expand(
        quote!(topology = "a -- b", crate = "my::nt"),
        quote!(
            fn t() {}
        ),
    );
    assert!(out.contains("my :: nt :: __private :: run_test"), "{out}");
    assert!(out.contains("my :: nt :: Options :: new ()"), "{out}");
    assert!(!out.contains("netns_test ::"), "{out}");
}

#[test]
fn topology_errors_name_the_position() {
    assert_eq!(
        errors(
            quote!(topology = "a -- b\nfrob"),
            quote!(
                fn t() {}
            )
        ),
        [netns_test_topology::parse("a -- b\nfrob")
            .unwrap_err()
            .to_string()]
    );
    assert!(errors(
        quote!(topology = "a -- b\nfrob"),
        quote!(
            fn t() {}
        )
    )[0]
    .starts_with("topology:2:1: "));
}

#[test]
fn unknown_node_lists_the_nodes() {
    assert_eq!(
        errors(
            quote!(topology = "a -- b", node = "c"),
            quote!(
                fn t() {}
            )
        ),
        ["unknown node \"c\": the topology's nodes are host, a, b"]
    );
    assert_eq!(
        errors(
            quote!(topologies = [one = "a -- c", two = "a -- b"], node = "c"),
            quote!(
                fn t() {}
            )
        ),
        ["unknown node \"c\": case `two`'s topology's nodes are host, a, b"]
    );
    assert!(errors(
        quote!(topology = "a -- b", node = "host"),
        quote!(
            fn t() {}
        )
    )
    .is_empty());
}

#[test]
fn every_error_at_once() {
    let all = errors(
        quote!(topology = "a -- b", checks = 1),
        quote! {
            #[test]
            fn t(a: &Net, b: u8) {}
        },
    );
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[0].starts_with("`checks` takes"));
    assert!(all[1].starts_with("too many parameters"));
    assert!(all[2].starts_with("`#[netns_test]` already makes"));
}

#[test]
fn a_function_with_a_good_signature_is_kept_on_error() {
    let out = expand(
        quote!(topology = "a -- b", checks = 1),
        quote!(
            fn t() {}
        ),
    );
    assert!(out.ends_with("# [allow (dead_code)] fn t () { }"), "{out}");
    let out = expand(
        quote!(topology = "a -- b"),
        quote!(
            fn t(self) {}
        ),
    );
    assert!(!out.contains("fn t"), "{out}");
}

#[test]
fn not_a_function() {
    let out = expand(
        quote!(topology = "a -- b"),
        quote!(
            struct S;
        ),
    );
    assert!(out.contains("goes on a function"), "{out}");
    assert!(out.ends_with("struct S ;"), "{out}");
}

//! From the user's function to a `#[test]` that runs it inside the sandbox.

use crate::args::{self, Args, Checks};
use crate::errors::Errors;
use crate::signature::{self, Shape};
use crate::source::{self, Loaded};
use netns_test_topology::Topology;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{AttrStyle, ItemFn, LitStr, ReturnType, Visibility};

/// The whole attribute: never fails, errors become `compile_error!`s.
pub(crate) fn netns_test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(e) => {
            let e = syn::Error::new(
                e.span(),
                "`#[netns_test]` goes on a function: `fn t(net: &Net) { ... }`",
            );
            return with_item(e, item);
        }
    };
    let mut errors = Errors::default();
    let args = errors.ok(args::parse(attr));
    let shape = errors.ok(signature::check(&func.sig));
    let attrs_ok = errors.ok(signature::check_attrs(&func.attrs)).is_some();
    let loaded = args
        .as_ref()
        .and_then(|a| errors.ok(source::load(&a.source)));
    if let (
        Some(Args {
            node: Some(node), ..
        }),
        Some(loaded),
    ) = (&args, &loaded)
    {
        for one in loaded {
            errors.ok(check_node(node, one));
        }
    }
    match (errors.finish(), args, shape, loaded) {
        (Ok(()), Some(args), Some(shape), Some(loaded)) => generate(func, &args, shape, &loaded),
        (Err(e), _, Some(_), _) if attrs_ok => {
            // The function itself is fine, so it compiles as it is: keeping it lets its
            // body be checked and IDEs complete inside it while an argument is wrong.
            with_item(e, quote!(#[allow(dead_code)] #func))
        }
        (Err(e), ..) => e.into_compile_error(),
        (Ok(()), ..) => unreachable!("every missing part recorded an error"),
    }
}

fn with_item(error: syn::Error, item: TokenStream) -> TokenStream {
    let mut tokens = error.into_compile_error();
    tokens.extend(item);
    tokens
}

/// `node = "..."` must name a node of the topology (of every case; `host` always is
/// one).
fn check_node(node: &LitStr, loaded: &Loaded) -> syn::Result<()> {
    let name = node.value();
    let topology: &Topology = &loaded.topology;
    if topology.has_node(&name) {
        return Ok(());
    }
    let whose = match &loaded.case {
        Some(case) => format!("case `{case}`'s topology's"),
        None => "the topology's".to_string(),
    };
    Err(syn::Error::new(
        node.span(),
        format!(
            "unknown node {name:?}: {whose} nodes are {}",
            topology.node_names().join(", ")
        ),
    ))
}

/// One `#[test]` named after the function, or for `topologies = [...]` a module named
/// after it with one `#[test]` per case (`reaches::lan`, `reaches::routed`), as
/// rstest's cases are: filters and nextest see each case.
fn generate(func: ItemFn, args: &Args, shape: Shape, loaded: &[Loaded]) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = func;
    let default_crate = syn::parse_quote!(::netns_test);
    let krate = args.krate.as_ref().unwrap_or(&default_crate);
    let name = sig.ident.clone();
    // Inner attributes (`#![allow(...)]`) belong to the body they were written in;
    // outer ones (`#[ignore]`, `#[should_panic]`, docs) to the test.
    let (outer, inner): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|a| matches!(a.style, AttrStyle::Outer));

    let ret_span = match &sig.output {
        ReturnType::Default => Span::call_site(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    let body = Ident::new("__netns_test_body", Span::call_site());
    sig.ident = body.clone();
    let body_fn = ItemFn {
        attrs: inner,
        vis: Visibility::Inherited,
        sig,
        block,
    };

    let net = Ident::new("__netns_test_net", Span::mixed_site());
    let param = if shape.takes_net || shape.is_async {
        net.to_token_stream()
    } else {
        quote!(_)
    };
    let mut call = if shape.takes_net {
        quote!(#body(#net))
    } else {
        quote!(#body())
    };
    if shape.is_async {
        call = quote!(#net.block_on(#call));
    }
    let closure = quote!(|#param: &#krate::Net| #call);
    // The run of one topology, in a test named `test`.
    let run = |test: &Ident, text: &TokenStream| {
        let mut options = quote! {
            #krate::Options::new()
                .name(::core::concat!(::core::module_path!(), "::", ::core::stringify!(#test)))
        };
        if let Some(ms) = args.timeout {
            let ms = Literal::u64_unsuffixed(ms);
            options.extend(quote!(.timeout(::core::time::Duration::from_millis(#ms))));
        }
        match &args.checks {
            Some(Checks::Switch(on)) => options.extend(quote!(.checks(#on))),
            Some(Checks::AllPairs(lit)) => {
                let all_pairs = quote_spanned!(lit.span()=> #krate::Checks::AllPairs);
                options.extend(quote!(.checks(#all_pairs)));
            }
            None => {}
        }
        if let Some(node) = &args.node {
            options.extend(quote!(.node(#node)));
        }
        if let Some(seed) = args.seed {
            let seed = Literal::u64_unsuffixed(seed);
            options.extend(quote!(.seed(#seed)));
        }
        let topology = quote!(#krate::__private::topology(#text));
        // A wrong return type (`-> i32`) fails the runtime's `TestResult` bound, which
        // rustc reports on the whole call: spanning it on the return type points the
        // error there rather than at the attribute. Only with the default path: a
        // wrong `crate` path must be reported on its literal.
        match &args.krate {
            Some(path) => quote!(#path::__private::run_test(#topology, #options, #closure)),
            None => quote_spanned! {ret_span=>
                ::netns_test::__private::run_test(#topology, #options, #closure)
            },
        }
    };

    if let [Loaded {
        case: None, text, ..
    }] = loaded
    {
        let run = run(&name, text);
        return quote! {
            #[::core::prelude::v1::test]
            #(#outer)*
            #vis fn #name() {
                #body_fn
                #run
            }
        };
    }
    let tests = loaded.iter().map(|one| {
        let case = one.case.as_ref().expect("a case of `topologies`");
        let run = run(case, &one.text);
        quote! {
            #[::core::prelude::v1::test]
            #(#outer)*
            pub(super) fn #case() {
                #run
            }
        }
    });
    quote! {
        #[allow(non_snake_case)]
        #vis mod #name {
            #[allow(unused_imports)]
            use super::*;
            #body_fn
            #(#tests)*
        }
    }
}

#[cfg(test)]
#[path = "expand_tests.rs"]
mod tests;

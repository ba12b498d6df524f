//! Which functions `#[netns_test]` accepts: `[async] fn NAME([PAT: &Net]) [-> R]`.

use crate::errors::Errors;
use syn::{Attribute, FnArg, Signature, Type};

/// How the body is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) takes_net: bool,
    pub(crate) is_async: bool,
}

const EXPECTED: &str = "a `#[netns_test]` function takes no parameter or one `&Net`";

/// Checks the signature, reporting every problem at once.
///
/// The return type is left to the compiler: the runtime's `TestResult` bound
/// accepts `()` and `Result<(), E: Debug>` and names the offending type otherwise.
pub(crate) fn check(sig: &Signature) -> syn::Result<Shape> {
    let mut errors = Errors::default();
    let mut reject = |tokens: &dyn quote::ToTokens, what: &str| {
        errors.push(syn::Error::new_spanned(
            tokens,
            format!("a `#[netns_test]` function cannot be {what}"),
        ));
    };
    if let Some(t) = &sig.constness {
        reject(t, "`const`: it runs a whole network");
    }
    if let Some(t) = &sig.unsafety {
        reject(
            t,
            "`unsafe`: the harness calls it with no safety contract to uphold; \
             use an `unsafe` block inside",
        );
    }
    if let Some(abi) = &sig.abi {
        reject(abi, "`extern`: the harness calls it as a Rust function");
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        // `new_spanned` underlines the whole `<...>` (or `where ...`), not its first token.
        let tokens: &dyn quote::ToTokens = match &sig.generics.where_clause {
            Some(w) if sig.generics.params.is_empty() => w,
            _ => &sig.generics,
        };
        errors.push(syn::Error::new_spanned(
            tokens,
            "a `#[netns_test]` function cannot be generic: the harness cannot pick \
             the type or lifetime parameters; name concrete types instead",
        ));
    }
    let mut typed = 0;
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => errors.push(syn::Error::new_spanned(
                r,
                "a `#[netns_test]` function cannot take `self`: it must be a free function, \
                 taking no parameter or one `&Net`",
            )),
            FnArg::Typed(t) => {
                typed += 1;
                if typed > 1 {
                    errors.push(syn::Error::new_spanned(
                        input,
                        format!("too many parameters: {EXPECTED}"),
                    ));
                } else if !is_net_ref(&t.ty) {
                    errors.push(syn::Error::new_spanned(
                        &t.ty,
                        format!("expected `&Net`: {EXPECTED}, like `fn t(net: &Net)`"),
                    ));
                }
            }
        }
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            v,
            "a `#[netns_test]` function cannot be variadic: it takes no parameter or one `&Net`",
        ));
    }
    errors.finish()?;
    Ok(Shape {
        takes_net: typed == 1,
        is_async: sig.asyncness.is_some(),
    })
}

/// `&Net`, `&'_ Net`, `&netns_test::Net`...: any shared reference to a path ending in `Net`.
///
/// The name is all a macro can see; a wrong `Net` fails type checking at the call.
fn is_net_ref(ty: &Type) -> bool {
    match ungroup(ty) {
        Type::Reference(r) if r.mutability.is_none() => is_net(ungroup(&r.elem)),
        _ => false,
    }
}

fn is_net(ty: &Type) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Net" && s.arguments.is_none()),
        _ => false,
    }
}

/// Sees through `(T)` and the invisible groups a `macro_rules!` `$t:ty` leaves.
fn ungroup(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Paren(p) => ty = &p.elem,
            Type::Group(g) => ty = &g.elem,
            _ => return ty,
        }
    }
}

/// `#[test]` (or `#[tokio::test]`, ...) next to `#[netns_test]` would make a second test.
pub(crate) fn check_attrs(attrs: &[Attribute]) -> syn::Result<()> {
    let mut errors = Errors::default();
    for attr in attrs {
        let path = attr.path();
        if path.segments.last().is_some_and(|s| s.ident == "test") {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[netns_test]` already makes the function a `#[test]`; remove this attribute",
            ));
        }
    }
    errors.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn shape(sig: Signature) -> Shape {
        check(&sig).unwrap()
    }

    fn errors(sig: Signature) -> Vec<String> {
        check(&sig)
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn accepted() {
        let plain = Shape {
            takes_net: false,
            is_async: false,
        };
        assert_eq!(shape(parse_quote!(fn t())), plain);
        assert_eq!(shape(parse_quote!(fn t() -> Result<(), String>)), plain);
        let with_net = Shape {
            takes_net: true,
            ..plain
        };
        assert_eq!(shape(parse_quote!(fn t(net: &Net))), with_net);
        assert_eq!(shape(parse_quote!(fn t(_: &'_ Net))), with_net);
        assert_eq!(shape(parse_quote!(fn t(n: &netns_test::Net))), with_net);
        assert_eq!(shape(parse_quote!(fn t(n: &::netns_test::Net,))), with_net);
        assert_eq!(shape(parse_quote!(fn t(n: &(Net)))), with_net);
        assert_eq!(
            shape(parse_quote!(async fn t(net: &Net) -> Result<(), ()>)),
            Shape {
                takes_net: true,
                is_async: true
            }
        );
    }

    #[test]
    fn wrong_parameters() {
        assert_eq!(
            errors(parse_quote!(fn t(net: Net))),
            [
                "expected `&Net`: a `#[netns_test]` function takes no parameter or one `&Net`, \
              like `fn t(net: &Net)`"
            ]
        );
        for sig in [
            parse_quote!(fn t(net: &mut Net)),
            parse_quote!(fn t(net: &Network)),
            parse_quote!(fn t(net: &Net<u8>)),
            parse_quote!(fn t(net: &[Net])),
            parse_quote!(fn t(net: &<X as Y>::Net)),
        ] {
            assert_eq!(errors(sig).len(), 1);
        }
        let two = errors(parse_quote!(fn t(net: &Net, other: u8, third: u8)));
        assert_eq!(two.len(), 2);
        assert!(two[0].starts_with("too many parameters"));
        assert!(errors(parse_quote!(fn t(&self)))[0].contains("cannot take `self`"));
        // The parameter after `self` is not also "too many".
        assert_eq!(errors(parse_quote!(fn t(&self, net: &Net))).len(), 1);
        assert!(errors(parse_quote!(fn t(self: Box<Self>)))[0].contains("cannot take `self`"));
    }

    #[test]
    fn wrong_qualifiers() {
        let all = errors(parse_quote!(const unsafe extern "C" fn t<T>(x: T, ...)));
        let starts = [
            "a `#[netns_test]` function cannot be `const`",
            "a `#[netns_test]` function cannot be `unsafe`",
            "a `#[netns_test]` function cannot be `extern`",
            "a `#[netns_test]` function cannot be generic",
            "expected `&Net`",
            "a `#[netns_test]` function cannot be variadic",
        ];
        assert_eq!(all.len(), starts.len(), "{all:?}");
        for (e, start) in all.iter().zip(starts) {
            assert!(e.starts_with(start), "{e}");
        }
        assert!(errors(parse_quote!(fn t() where u8: Copy))[0].contains("cannot be generic"));
        assert!(errors(parse_quote!(fn t<'a>(net: &'a Net)))[0].contains("cannot be generic"));
    }

    #[test]
    fn test_attributes() {
        assert!(check_attrs(&[parse_quote!(#[ignore]), parse_quote!(#[should_panic])]).is_ok());
        assert!(check_attrs(&[parse_quote!(#[test])]).is_err());
        assert!(check_attrs(&[parse_quote!(#[tokio::test])]).is_err());
        assert!(check_attrs(&[parse_quote!(#[::core::prelude::v1::test])]).is_err());
    }
}

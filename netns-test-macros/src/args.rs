//! The attribute's arguments: `#[netns_test(topology = "...", timeout = "30s", ...)]`.

use crate::errors::Errors;
use proc_macro2::{Span, TokenStream};
use std::collections::HashSet;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitBool, LitStr, Meta, Token};

/// Listed in every "unknown argument" error, so a typo shows what was meant.
const ALLOWED: &str =
    "`topology`, `topology_file`, `topologies`, `timeout`, `checks`, `node`, `seed`, `crate`";

/// The arguments, each checked on its own; the topology is loaded later.
pub(crate) struct Args {
    pub(crate) source: Source,
    /// In milliseconds.
    pub(crate) timeout: Option<u64>,
    pub(crate) checks: Option<Checks>,
    pub(crate) node: Option<LitStr>,
    /// The seed of the impairments' decisions.
    pub(crate) seed: Option<u64>,
    /// The path of the runtime crate, spanned on its literal.
    pub(crate) krate: Option<syn::Path>,
}

/// `checks = true | false | "all-pairs"`.
pub(crate) enum Checks {
    /// `true` (the default checks) or `false` (none).
    Switch(LitBool),
    /// `"all-pairs"`, spanned on its literal.
    AllPairs(LitStr),
}

/// Where the topology comes from.
pub(crate) enum Source {
    Inline(LitStr),
    /// Relative to `CARGO_MANIFEST_DIR`, unless absolute.
    File(LitStr),
    /// `topologies = [lan = "a -- b", routed = "..."]`: one test per case, named after it.
    Cases(Vec<crate::cases::Case>),
}

/// Parses the attribute's tokens, reporting every mistake at once.
pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Args> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens)?;
    let mut errors = Errors::default();
    let mut topology: Option<LitStr> = None;
    let mut topology_file: Option<LitStr> = None;
    let mut cases: Option<Vec<crate::cases::Case>> = None;
    let mut timeout = None;
    let mut checks = None;
    let mut node = None;
    let mut seed = None;
    let mut krate = None;
    let mut seen = HashSet::new();
    let mut file_span = Span::call_site();

    for meta in metas {
        // syn reads `crate` as a plain identifier here, so it needs no special case.
        let name = meta.path().get_ident().map(ToString::to_string);
        let Some(name) = name.filter(|n| ALLOWED.contains(&format!("`{n}`"))) else {
            errors.push(syn::Error::new_spanned(
                meta.path(),
                format!(
                    "unknown argument `{}`; expected one of {ALLOWED}",
                    path_text(meta.path())
                ),
            ));
            continue;
        };
        let value = match meta {
            Meta::NameValue(nv) => nv.value,
            other => {
                errors.push(syn::Error::new_spanned(
                    &other,
                    format!("`{name}` needs a value: {}", example(&name)),
                ));
                continue;
            }
        };
        // A repeated argument is reported even when its first occurrence was wrong.
        if !seen.insert(name.clone()) {
            errors.push(syn::Error::new_spanned(
                &value,
                format!("`{name}` is given twice; keep one"),
            ));
            continue;
        }
        match name.as_str() {
            "topology" => topology = errors.ok(string(&name, &value)),
            "topology_file" => {
                file_span = value.span();
                topology_file = errors.ok(string(&name, &value));
            }
            "topologies" => {
                file_span = value.span();
                cases = errors.ok(crate::cases::parse(&value));
            }
            "timeout" => {
                timeout = errors.ok(string(&name, &value).and_then(|lit| {
                    crate::timeout::parse_duration(&lit.value())
                        .map_err(|msg| syn::Error::new(lit.span(), msg))
                }));
            }
            "checks" => checks = errors.ok(checks_value(&value)),
            "node" => node = errors.ok(string(&name, &value)),
            "seed" => seed = errors.ok(integer(&name, &value)),
            "crate" => {
                krate = errors.ok(string(&name, &value).and_then(|lit| {
                    lit.parse_with(syn::Path::parse_mod_style).map_err(|_| {
                        syn::Error::new(
                            lit.span(),
                            format!(
                                "`crate` takes the path of the netns-test crate, like \
                                 `crate = \"my_crate::netns_test\"`; {:?} is not a path",
                                lit.value()
                            ),
                        )
                    })
                }));
            }
            _ => unreachable!("every name in ALLOWED is matched"),
        }
    }

    // Judged on the names given, so `topology = 1` is not also "missing".
    let given = ["topology", "topology_file", "topologies"]
        .into_iter()
        .filter(|n| seen.contains(*n))
        .count();
    match given {
        0 => errors.push(syn::Error::new(
            Span::call_site(),
            "missing topology: add `topology = \"a -- b\"` or \
             `topology_file = \"tests/topologies/x.topo\"`",
        )),
        1 => {}
        _ => errors.push(syn::Error::new(
            file_span,
            "`topology`, `topology_file` and `topologies` are mutually exclusive; keep one",
        )),
    }
    errors.finish()?;
    let source = match (topology, topology_file, cases) {
        (Some(inline), None, None) => Source::Inline(inline),
        (None, Some(file), None) => Source::File(file),
        (None, None, Some(cases)) => Source::Cases(cases),
        _ => unreachable!("exactly one source, or an error above"),
    };
    Ok(Args {
        source,
        timeout,
        checks,
        node,
        seed,
        krate,
    })
}

fn path_text(path: &syn::Path) -> String {
    quote::quote!(#path).to_string().replace(' ', "")
}

pub(crate) fn example(name: &str) -> &'static str {
    match name {
        "topology" => "`topology = \"a -- b\"`",
        "topology_file" => "`topology_file = \"tests/topologies/x.topo\"`",
        "topologies" => "`topologies = [lan = \"a -- b\", routed = \"a -- r; r -- b\"]`",
        "timeout" => "`timeout = \"30s\"`",
        "checks" => "`checks = false`",
        "node" => "`node = \"a\"`",
        "seed" => "`seed = 42` (a whole number from 0 to 18446744073709551615)",
        _ => "`crate = \"my_crate::netns_test\"`",
    }
}

fn string(name: &str, value: &Expr) -> syn::Result<LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(lit.clone()),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{name}` takes a string literal: {}", example(name)),
        )),
    }
}

fn integer(name: &str, value: &Expr) -> syn::Result<u64> {
    let wrong = || {
        syn::Error::new_spanned(
            value,
            format!("`{name}` takes an integer literal: {}", example(name)),
        )
    };
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) if lit.suffix().is_empty() || lit.suffix() == "u64" => {
            lit.base10_parse::<u64>().map_err(|_| wrong())
        }
        _ => Err(wrong()),
    }
}

fn checks_value(value: &Expr) -> syn::Result<Checks> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(lit),
            ..
        }) => Ok(Checks::Switch(lit.clone())),
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) if lit.value() == "all-pairs" => Ok(Checks::AllPairs(lit.clone())),
        _ => Err(syn::Error::new_spanned(
            value,
            format!(
                "`checks` takes `true`, `false` or `\"all-pairs\"`: {}",
                example("checks")
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn err(tokens: TokenStream) -> syn::Error {
        match parse(tokens) {
            Ok(_) => panic!("the arguments parsed"),
            Err(e) => e,
        }
    }

    fn error(tokens: TokenStream) -> String {
        err(tokens).to_string()
    }

    fn all_errors(tokens: TokenStream) -> Vec<String> {
        err(tokens).into_iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn every_argument() {
        let args = parse(quote!(
            topology = "a -- b",
            timeout = "2m",
            checks = false,
            node = "a",
            crate = "::my::netns_test",
        ))
        .unwrap();
        assert!(matches!(&args.source, Source::Inline(l) if l.value() == "a -- b"));
        assert_eq!(args.timeout, Some(120_000));
        assert!(matches!(args.checks, Some(Checks::Switch(b)) if !b.value));
        assert_eq!(args.node.unwrap().value(), "a");
        let krate = args.krate.unwrap();
        assert_eq!(quote!(#krate).to_string(), ":: my :: netns_test");
    }

    #[test]
    fn all_pairs_checks() {
        let args = parse(quote!(topology = "a -- b", checks = "all-pairs")).unwrap();
        assert!(matches!(args.checks, Some(Checks::AllPairs(_))));
    }

    #[test]
    fn defaults() {
        let args = parse(quote!(topology_file = "tests/x.topo")).unwrap();
        assert!(matches!(&args.source, Source::File(l) if l.value() == "tests/x.topo"));
        assert!(args.timeout.is_none());
        assert!(args.checks.is_none());
        assert!(args.node.is_none());
        assert!(args.krate.is_none());
    }

    #[test]
    fn crate_paths() {
        for path in ["netns_test", "crate::reexported", "self::x", "super::x"] {
            let args = parse(quote!(topology = "a -- b", crate = #path)).unwrap();
            assert!(args.krate.is_some(), "{path}");
        }
        assert!(error(quote!(topology = "a -- b", crate = "not a path")).contains("is not a path"));
        assert!(error(quote!(topology = "a -- b", crate = "x::<u8>")).contains("is not a path"));
    }

    #[test]
    fn missing_topology() {
        assert!(error(quote!()).starts_with("missing topology"));
        assert!(error(quote!(timeout = "1s")).starts_with("missing topology"));
        // A wrong value is not also a missing one.
        assert_eq!(all_errors(quote!(topology = 1)).len(), 1);
        assert_eq!(all_errors(quote!(topology_file = 1)).len(), 1);
    }

    #[test]
    fn both_topologies() {
        let exclusive =
            "`topology`, `topology_file` and `topologies` are mutually exclusive; keep one";
        assert_eq!(
            error(quote!(topology = "a -- b", topology_file = "x.topo")),
            exclusive
        );
        assert_eq!(
            error(quote!(topology = "a -- b", topologies = [x = "a -- b"])),
            exclusive
        );
    }

    #[test]
    fn unknown_arguments() {
        let expected = "expected one of `topology`, `topology_file`, `topologies`, `timeout`, \
                        `checks`, `node`, `seed`, `crate`";
        for (tokens, name) in [
            (quote!(topolgy = "a -- b"), "topolgy"),
            (quote!(topology::x = "a -- b"), "topology::x"),
            (quote!(r#type = "a"), "r#type"),
            (quote!(self = "a"), "self"),
        ] {
            let err = error(tokens);
            assert_eq!(err, format!("unknown argument `{name}`; {expected}"));
        }
    }

    #[test]
    fn arguments_without_values() {
        assert_eq!(
            error(quote!(topology = "a -- b", checks)),
            "`checks` needs a value: `checks = false`"
        );
        assert_eq!(
            error(quote!(topology("a -- b"))),
            "`topology` needs a value: `topology = \"a -- b\"`"
        );
    }

    #[test]
    fn wrong_literal_types() {
        assert_eq!(
            error(quote!(topology = 1)),
            "`topology` takes a string literal: `topology = \"a -- b\"`"
        );
        assert_eq!(
            error(quote!(topology = "a -- b", checks = "false")),
            "`checks` takes `true`, `false` or `\"all-pairs\"`: `checks = false`"
        );
        assert_eq!(
            error(quote!(topology = "a -- b", checks = "all_pairs")),
            "`checks` takes `true`, `false` or `\"all-pairs\"`: `checks = false`"
        );
        assert_eq!(
            error(quote!(topology = "a -- b", timeout = 30)),
            "`timeout` takes a string literal: `timeout = \"30s\"`"
        );
        assert_eq!(
            error(quote!(topology = "a -- b", node = a)),
            "`node` takes a string literal: `node = \"a\"`"
        );
    }

    #[test]
    fn repeated_arguments() {
        assert_eq!(
            error(quote!(topology = "a -- b", checks = false, checks = true)),
            "`checks` is given twice; keep one"
        );
        // The first one being wrong does not hide the repetition.
        assert_eq!(
            all_errors(quote!(topology = "a -- b", node = 1, node = "a")),
            [
                "`node` takes a string literal: `node = \"a\"`",
                "`node` is given twice; keep one"
            ]
        );
    }

    #[test]
    fn several_errors_at_once() {
        let errors = all_errors(quote!(foo = 1, timeout = "1h", checks = 0));
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("unknown argument `foo`"));
        assert!(errors[1].starts_with("invalid timeout \"1h\""));
        assert!(errors[2].starts_with("`checks` takes `true`, `false` or `\"all-pairs\"`"));
        assert!(errors[3].starts_with("missing topology"));
    }

    #[test]
    fn syntax_errors() {
        err(quote!(topology = ));
        err(quote!("a -- b"));
    }
}

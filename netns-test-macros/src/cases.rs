//! `topologies = [lan = "a -- b", routed = "..."]`: the cases of one body, each a
//! test named after it.

use crate::args::example;
use crate::errors::Errors;
use syn::{Expr, ExprLit, Lit, LitStr};

/// One case of `topologies = [...]`.
pub(crate) struct Case {
    /// The test function's name.
    pub(crate) name: syn::Ident,
    /// The case's topology, inline.
    pub(crate) topology: LitStr,
}

/// `[lan = "a -- b", routed = "..."]`: at least one case, each `identifier = "topology"`,
/// no name twice (each becomes a test function).
pub(crate) fn parse(value: &Expr) -> syn::Result<Vec<Case>> {
    let Expr::Array(array) = value else {
        return Err(syn::Error::new_spanned(
            value,
            format!("`topologies` takes a list: {}", example("topologies")),
        ));
    };
    if array.elems.is_empty() {
        return Err(syn::Error::new_spanned(
            value,
            format!(
                "`topologies` needs at least one case: {}",
                example("topologies")
            ),
        ));
    }
    let mut errors = Errors::default();
    let mut cases: Vec<Case> = Vec::new();
    for elem in &array.elems {
        let case = match elem {
            Expr::Assign(assign) => match (&*assign.left, &*assign.right) {
                (
                    Expr::Path(p),
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(lit), ..
                    }),
                ) if p.path.get_ident().is_some() && p.attrs.is_empty() => Some(Case {
                    name: p.path.get_ident().cloned().expect("checked above"),
                    topology: lit.clone(),
                }),
                _ => None,
            },
            _ => None,
        };
        let Some(case) = case else {
            errors.push(syn::Error::new_spanned(
                elem,
                format!(
                    "each case of `topologies` is `name = \"topology\"`, and the name becomes the \
                     test's: {}",
                    example("topologies")
                ),
            ));
            continue;
        };
        if cases.iter().any(|c| c.name == case.name) {
            errors.push(syn::Error::new_spanned(
                &case.name,
                format!(
                    "case `{}` is given twice; each case is a test of its own",
                    case.name
                ),
            ));
            continue;
        }
        cases.push(case);
    }
    errors.finish()?;
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use crate::args::{parse, Source};
    use quote::quote;

    fn error(tokens: proc_macro2::TokenStream) -> String {
        match parse(tokens) {
            Ok(_) => panic!("the arguments parsed"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn cases() {
        let args = parse(quote!(
            topologies = [lan = "a -- b", routed = "a -- r; r -- b"]
        ))
        .unwrap();
        let Source::Cases(cases) = &args.source else {
            panic!("not cases")
        };
        let names: Vec<String> = cases.iter().map(|c| c.name.to_string()).collect();
        assert_eq!(names, ["lan", "routed"]);
        assert_eq!(cases[1].topology.value(), "a -- r; r -- b");
        assert!(error(quote!(topologies = [])).starts_with("`topologies` needs at least one case"));
        assert!(error(quote!(topologies = "a -- b")).starts_with("`topologies` takes a list"));
        for bad in [
            quote!(["a -- b"]),
            quote!([a::b = "a -- b"]),
            quote!([x = 1]),
        ] {
            assert!(
                error(quote!(topologies = #bad)).starts_with("each case of `topologies`"),
                "{bad}"
            );
        }
        assert_eq!(
            error(quote!(topologies = [x = "a -- b", x = "a -- c"])),
            "case `x` is given twice; each case is a test of its own"
        );
    }
}

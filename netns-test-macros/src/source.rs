//! The topology, read and validated at compile time.

use crate::args::Source;
use netns_test_topology::Topology;
use proc_macro2::TokenStream;
use quote::quote;
use std::path::{Path, PathBuf};

/// A topology that parsed, and the expression that gives its text at run time.
pub(crate) struct Loaded {
    /// The case's name, for `topologies = [...]`.
    pub(crate) case: Option<syn::Ident>,
    pub(crate) topology: Topology,
    pub(crate) text: TokenStream,
}

/// Parses the topologies (one, or each case's); errors are spanned on the literal and
/// carry `NAME:LINE:COL`, since stable Rust cannot point inside a string. Every case
/// with a mistake is reported at once.
pub(crate) fn load(source: &Source) -> syn::Result<Vec<Loaded>> {
    match source {
        Source::Cases(cases) => {
            let mut errors = crate::errors::Errors::default();
            let loaded: Vec<Loaded> = cases
                .iter()
                .filter_map(|case| {
                    errors.ok(
                        load_one(&Source::Inline(case.topology.clone())).map(|l| Loaded {
                            case: Some(case.name.clone()),
                            ..l
                        }),
                    )
                })
                .collect();
            errors.finish()?;
            Ok(loaded)
        }
        one => Ok(vec![load_one(one)?]),
    }
}

fn load_one(source: &Source) -> syn::Result<Loaded> {
    match source {
        Source::Cases(_) => unreachable!("cases are loaded one by one"),
        Source::Inline(lit) => {
            let topology = netns_test_topology::parse(&lit.value())
                .map_err(|e| syn::Error::new(lit.span(), e))?;
            Ok(Loaded {
                case: None,
                topology,
                text: quote!(#lit),
            })
        }
        Source::File(lit) => {
            let relative = lit.value();
            let full = manifest_path(&relative).map_err(|msg| syn::Error::new(lit.span(), msg))?;
            let text = std::fs::read_to_string(&full).map_err(|e| {
                syn::Error::new(
                    lit.span(),
                    format!("cannot read topology file {}: {e}", full.display()),
                )
            })?;
            let topology = netns_test_topology::parse(&text)
                .map_err(|e| syn::Error::new(lit.span(), e.with_source_name(relative.as_str())))?;
            // `include_str!` makes cargo rebuild the test when the file changes; the
            // path is rebuilt from `env!` so the expansion holds no absolute path.
            let include = if Path::new(&relative).is_absolute() {
                quote!(::core::include_str!(#lit))
            } else {
                quote! {
                    ::core::include_str!(::core::concat!(
                        ::core::env!("CARGO_MANIFEST_DIR"), "/", #lit
                    ))
                }
            };
            Ok(Loaded {
                case: None,
                topology,
                text: include,
            })
        }
    }
}

/// `relative` under the crate being compiled, as `include_str!` will resolve it.
fn manifest_path(relative: &str) -> Result<PathBuf, String> {
    if Path::new(relative).is_absolute() {
        return Ok(PathBuf::from(relative));
    }
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or(
        "`topology_file` is relative to CARGO_MANIFEST_DIR, which is not set: \
         build with cargo, or use `topology = \"...\"`",
    )?;
    Ok(Path::new(&dir).join(relative))
}

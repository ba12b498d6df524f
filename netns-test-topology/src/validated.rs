//! A model built by hand (its fields are public) held to the language's rules: it is
//! printed, and the text must parse back to the same model. So every rule the parser
//! knows (names, addresses, interface names, routes, expects, automatic addresses
//! filled in) applies to it, with no second copy of the rules to keep in step.

use crate::error::ParseError;
use crate::model::{End, Topology};

impl Topology {
    /// Checks a topology the way [`crate::parse`] checks a text, for one built in code
    /// (the runtime calls it before it builds anything).
    ///
    /// The error is the parser's, at a line and column of the printed form (which the
    /// message quotes); or, for a model that parses to something else (an automatic
    /// address or an interface name missing, a bridge port misnamed), what differs.
    ///
    /// ```
    /// use netns_test_topology::{parse, Topology};
    ///
    /// let mut t = parse("a -- b").unwrap();
    /// assert_eq!(t.validate(), Ok(()));
    /// t.routes.push(netns_test_topology::Route {
    ///     node: "c".into(),
    ///     dest: netns_test_topology::Destination::Default,
    ///     via: "10.0.1.2".parse().unwrap(),
    /// });
    /// let e = t.validate().unwrap_err();
    /// assert!(e.message().starts_with("unknown node \"c\" in route"), "{e}");
    /// ```
    pub fn validate(&self) -> Result<(), ParseError> {
        // The one reference the text cannot carry: a bridge end prints as a bare
        // name, which parses as a node when no such bridge is declared.
        for link in &self.links {
            for end in link.ends() {
                if let End::Bridge { bridge, .. } = end {
                    if self.bridge(bridge).is_none() {
                        let declared: Vec<&str> =
                            self.bridges.iter().map(|b| b.name.as_str()).collect();
                        return Err(ParseError::new(
                            1,
                            1,
                            format!(
                                "link `{link}` ends at bridge {bridge:?}, which is not \
                                 declared; bridges: {}",
                                if declared.is_empty() {
                                    "none".to_string()
                                } else {
                                    declared.join(", ")
                                }
                            ),
                        ));
                    }
                }
            }
        }
        let parsed = reparse(&self.to_string())?;
        if &parsed == self {
            return Ok(());
        }
        Err(ParseError::new(1, 1, difference(self, &parsed)))
    }
}

/// Parses the text a model (or a [`TopologyBuilder`](crate::TopologyBuilder)) printed,
/// one statement a line: the language's error, with the statement it is in quoted
/// (the text is the program's, not the user's, so its line alone says little).
pub(crate) fn reparse(text: &str) -> Result<Topology, ParseError> {
    crate::parse(text).map_err(|e| {
        let statement = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
        let message = format!("{} (in the statement `{statement}`)", e.message());
        ParseError::new(e.line(), e.col(), message)
    })
}

/// The first part of `written` that parsing its text resolves differently.
fn difference(written: &Topology, parsed: &Topology) -> String {
    let filled = "the parser fills in (automatic addresses, default interface names and \
                  bridge port names)";
    for (w, p) in written.links.iter().zip(&parsed.links) {
        if w != p {
            return format!(
                "link `{w}` is not as {filled} would make it: `{p}`; build the model with \
                 netns_test_topology::parse, or fill these in as it does"
            );
        }
    }
    format!(
        "the model is not what its text parses to (nodes, bridges, links, routes or expects \
         differ in something {filled} or in their order); its text:\n{written}"
    )
}

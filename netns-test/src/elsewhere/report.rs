//! `Report` where netns-test cannot run: the same methods as on Linux (`report/`),
//! but no report can exist there (a run fails before anything is built), so no
//! method body can ever run. The diagrams are plain text and the same everywhere.

// Stand-ins: the documentation is the Linux items' (docs.rs builds for Linux).
#![allow(missing_docs)]

#[path = "../report/diagram.rs"]
mod diagram;

pub use diagram::{diagram, dot};

use std::path::Path;

/// No value: nothing of a built network exists where netns-test cannot run.
#[derive(Debug, Clone)]
enum Never {}

/// A failure report (Linux only: see the crate's documentation).
#[derive(Debug, Clone)]
pub struct Report {
    never: Never,
}

impl Report {
    pub fn text(&self) -> String {
        match self.never {}
    }
    pub fn html(&self, _headline: &str) -> String {
        match self.never {}
    }
    pub(crate) fn forensics_dir(&self) -> Option<&Path> {
        match self.never {}
    }
    pub(crate) fn backtrace(&self) -> Option<&str> {
        match self.never {}
    }
}

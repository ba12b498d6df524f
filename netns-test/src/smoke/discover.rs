//! Finding the `.topo` files under a directory and naming their trials.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::{fmt, fs, io};

/// A `.topo` file and the name of its trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopoFile {
    /// The path relative to the directory it was found in, without `.topo`, with `/`
    /// between components; a file given by itself is named by its stem.
    pub name: String,
    /// Where the file is.
    pub path: PathBuf,
}

/// Why [`discover`] (and so [`Suite::run`](super::Suite::run)) found no list of files.
/// `Display` is one line: `path: error`, or the two files and the name they share.
#[derive(Debug)]
#[non_exhaustive]
pub enum DiscoverError {
    /// A path given, or a directory under one, could not be read: it does not exist,
    /// or may not be read.
    Unreadable {
        /// The path, or the directory under it.
        path: PathBuf,
        /// What the system said (`Display` prints it after the path).
        error: io::Error,
    },
    /// Two different files would give trials the same name.
    SameName {
        /// The trial's name.
        name: String,
        /// The file found first.
        first: PathBuf,
        /// The other file.
        second: PathBuf,
    },
}

impl fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverError::Unreadable { path, error } => write!(f, "{}: {error}", path.display()),
            DiscoverError::SameName {
                name,
                first,
                second,
            } => write!(
                f,
                "{} and {} would both be the trial {name:?}: run them separately",
                first.display(),
                second.display()
            ),
        }
    }
}

/// No `source`: the system's error is part of the message already.
impl std::error::Error for DiscoverError {}

impl DiscoverError {
    fn unreadable(path: &Path, error: io::Error) -> DiscoverError {
        DiscoverError::Unreadable {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// Every `.topo` file under `paths`: a directory is searched recursively in sorted
/// order (hidden entries skipped); a file is taken as it is, whatever its extension.
///
/// Fails on a path that does not exist and on two different files that would give
/// trials the same name (a file given twice is taken once).
pub fn discover<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<TopoFile>, DiscoverError> {
    let mut found = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let meta = fs::metadata(path).map_err(|e| DiscoverError::unreadable(path, e))?;
        if meta.is_dir() {
            walk(path, path, &mut found)?;
        } else {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            found.push(TopoFile {
                name,
                path: path.to_path_buf(),
            });
        }
    }
    let mut seen_files = HashSet::new();
    found.retain(|f| seen_files.insert(fs::canonicalize(&f.path).unwrap_or(f.path.clone())));
    let mut names: HashMap<&str, &Path> = HashMap::new();
    for f in &found {
        if let Some(other) = names.insert(&f.name, &f.path) {
            return Err(DiscoverError::SameName {
                name: f.name.clone(),
                first: other.to_path_buf(),
                second: f.path.clone(),
            });
        }
    }
    Ok(found)
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<TopoFile>) -> Result<(), DiscoverError> {
    let read = |e| DiscoverError::unreadable(dir, e);
    let mut entries = fs::read_dir(dir)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read)?;
    entries.sort();
    for path in entries {
        // Editors and tools leave `.name.topo.swp`, `.#name.topo` and hidden directories.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, found)?;
        } else if path.extension().is_some_and(|e| e == "topo") {
            let rel = path.strip_prefix(root).unwrap_or(&path).with_extension("");
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            found.push(TopoFile { name, path });
        }
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A scratch directory of its own for one test, removed at the end.
    pub(crate) struct Scratch(pub(crate) PathBuf);

    impl Scratch {
        pub(crate) fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("netns-test-smoke-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        pub(crate) fn file(&self, rel: &str, text: &str) -> PathBuf {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, text).unwrap();
            p
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn names(files: &[TopoFile]) -> Vec<&str> {
        files.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn discovery_recurses_sorts_and_names_by_relative_path() {
        let s = Scratch::new("discover");
        s.file("zeta.topo", "a -- b");
        s.file("sub/router.topo", "a -- b");
        s.file("sub/deeper/x.topo", "a -- b");
        s.file("alpha.topo", "a -- b");
        s.file("notes.txt", "not a topology");
        s.file(".hidden.topo", "a -- b");
        s.file(".git/y.topo", "a -- b");
        let files = discover(&[&s.0]).unwrap();
        assert_eq!(
            names(&files),
            ["alpha", "sub/deeper/x", "sub/router", "zeta"]
        );
        assert_eq!(files[2].path, s.0.join("sub/router.topo"));
    }

    #[test]
    fn discovery_takes_files_by_stem_once_and_refuses_clashes() {
        let s = Scratch::new("files");
        let a = s.file("one/a.topo", "a -- b");
        let other_a = s.file("two/a.topo", "a -- b");
        let b = s.file("b.txt", "a -- b");
        let files = discover(&[&a, &b, &a]).unwrap();
        assert_eq!(names(&files), ["a", "b"]);
        let e = discover(&[&a, &other_a]).unwrap_err();
        assert!(
            matches!(&e, DiscoverError::SameName { name, first, second }
                if name == "a" && *first == a && *second == other_a),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "{} and {} would both be the trial \"a\": run them separately",
                a.display(),
                other_a.display()
            )
        );
        let missing = s.0.join("missing");
        let e = discover(&[&missing]).unwrap_err();
        assert!(
            matches!(&e, DiscoverError::Unreadable { path, error }
                if *path == missing && error.kind() == io::ErrorKind::NotFound),
            "{e:?}"
        );
        assert!(e
            .to_string()
            .starts_with(&format!("{}: ", missing.display())));
    }
}

//! The writable part of a simulated container's file system: what `tar x` (`kubectl cp`
//! into a pod) wrote, per container (each container has its own root file system, so a
//! file copied into `app` is not seen by a debug container). The scratch directories
//! ([`WRITABLE`]) take writes; the rest of the image is read-only, as in a hardened image
//! (`readOnlyRootFilesystem`) with writable scratch volumes mounted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// The directories (and everything below them) a command can write to.
pub const WRITABLE: [&str; 8] = [
    "/tmp", "/var/tmp", "/home", "/root", "/mnt", "/opt", "/srv", "/media",
];

/// `path` made absolute and clean: no `//`, `.`, `..` or trailing `/` (`/` stays `/`).
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether `path` (normalized) lies in a writable directory.
pub fn writable(path: &str) -> bool {
    WRITABLE
        .iter()
        .any(|d| path == *d || path.starts_with(&format!("{d}/")))
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// Files and directories written into one container, by normalized path.
#[derive(Debug, Default)]
pub struct Written {
    files: BTreeMap<String, Vec<u8>>,
    dirs: BTreeSet<String>,
}

impl Written {
    /// A written file's contents.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Whether `path` is a directory made by a write.
    pub fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }

    /// The names written directly below the directory `dir`.
    pub fn entries(&self, dir: &str) -> Vec<String> {
        let names = self.files.keys().chain(self.dirs.iter());
        names
            .filter(|p| parent(p) == dir && p.as_str() != dir)
            .filter_map(|p| p.rsplit('/').next().map(String::from))
            .collect()
    }

    /// Makes the directory `path` and its missing parents below a writable directory.
    pub fn mkdir(&mut self, path: &str) {
        let mut p = path;
        while writable(p) && !WRITABLE.contains(&p) {
            self.dirs.insert(p.to_string());
            p = parent(p);
        }
    }

    /// Writes the file `path` (replacing it), making its parent directories.
    pub fn write(&mut self, path: &str, data: Vec<u8>) {
        self.mkdir(parent(path));
        self.files.insert(path.to_string(), data);
    }
}

/// One container's written files, shared by every command run in it.
pub type Handle = Arc<Mutex<Written>>;

/// The written files of every container, by pod UID and container name.
#[derive(Default)]
pub struct FileSystems {
    by_container: Mutex<HashMap<(String, String), Handle>>,
}

impl FileSystems {
    /// The written files of container `name` in the pod `uid`.
    pub fn of(&self, uid: &str, name: &str) -> Handle {
        let mut all = self.by_container.lock().unwrap_or_else(|p| p.into_inner());
        all.entry((uid.to_string(), name.to_string()))
            .or_default()
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_land_only_below_scratch_directories() {
        assert_eq!(normalize("/tmp//a/./b/../c/"), "/tmp/a/c");
        assert_eq!(normalize("tmp"), "/tmp");
        assert!(writable("/tmp") && writable("/tmp/x/y"));
        assert!(!writable("/etc/x") && !writable("/tmpx") && !writable("/"));
        let mut w = Written::default();
        w.write("/tmp/d/e/f.txt", b"hi".to_vec());
        assert!(w.is_dir("/tmp/d") && w.is_dir("/tmp/d/e") && !w.is_dir("/tmp"));
        assert_eq!(w.entries("/tmp"), vec!["d".to_string()]);
        assert_eq!(w.entries("/tmp/d/e"), vec!["f.txt".to_string()]);
        assert_eq!(w.file("/tmp/d/e/f.txt"), Some(&b"hi"[..]));
    }
}

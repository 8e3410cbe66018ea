//! Private by default: every directory backout creates is 0700 and every file 0600,
//! whatever the umask. An incident journal holds names, commands, notes and customer
//! impact; nobody else on the machine reads it.
//!
//! The mode is set twice: at creation (so no other user ever sees a wider mode, even for
//! an instant) and explicitly afterwards (so a restrictive umask such as 0277 cannot
//! leave a file the owner cannot write, and an existing file made by an older version is
//! narrowed).

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of every directory backout creates.
pub const DIR_MODE: u32 = 0o700;
/// The mode of every file backout writes.
pub const FILE_MODE: u32 = 0o600;

/// `mkdir -p` with 0700 for every directory it creates, and for `path` itself.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(path)?;
    fs::set_permissions(path, Permissions::from_mode(DIR_MODE))
}

/// `mkdir` with 0700; fails when it exists.
pub fn create_dir(path: &Path) -> io::Result<()> {
    DirBuilder::new().mode(DIR_MODE).create(path)?;
    fs::set_permissions(path, Permissions::from_mode(DIR_MODE))
}

/// Open options that create files 0600.
pub fn open_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.mode(FILE_MODE);
    o
}

/// Narrows an open file to 0600 (a file created by an older version, or under a umask
/// that took the owner's write bit).
pub fn narrow(file: &File) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(FILE_MODE))
}

/// Writes `bytes` to `path` (created or truncated), 0600.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = open_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    narrow(&f)?;
    f.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn directories_and_files_are_private_whatever_existed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let nested = tmp.path().join("a/b/c");
        create_dir_all(&nested).expect("mkdir -p");
        assert_eq!(mode(&tmp.path().join("a")), DIR_MODE);
        assert_eq!(mode(&tmp.path().join("a/b")), DIR_MODE);
        assert_eq!(mode(&nested), DIR_MODE);
        // An existing directory (an older version's) is narrowed.
        let old = tmp.path().join("old");
        fs::create_dir(&old).expect("mkdir");
        fs::set_permissions(&old, Permissions::from_mode(0o755)).expect("chmod");
        create_dir_all(&old).expect("mkdir -p existing");
        assert_eq!(mode(&old), DIR_MODE);

        let file = nested.join("f");
        write(&file, b"x").expect("write");
        assert_eq!(mode(&file), FILE_MODE);
        fs::set_permissions(&file, Permissions::from_mode(0o644)).expect("chmod");
        write(&file, b"y").expect("rewrite");
        assert_eq!(mode(&file), FILE_MODE);
        assert_eq!(fs::read(&file).expect("read"), b"y");

        let fresh = nested.join("fresh");
        create_dir(&fresh).expect("mkdir");
        assert_eq!(mode(&fresh), DIR_MODE);
        assert!(create_dir(&fresh).is_err(), "exists");
    }
}

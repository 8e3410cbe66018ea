//! Reading a runbook file: the file's bytes handed to the pure loader
//! ([`crate::domain::runbook::load_bytes`]).

use std::path::Path;

use crate::domain::runbook::{LoadError, Runbook, load_bytes};

/// Reads and loads the runbook at `path` (any extension).
///
/// # Errors
///
/// [`LoadError::Read`] when the file cannot be read; [`LoadError::Invalid`] with every
/// error found when it is not a usable runbook.
pub fn load(path: &Path) -> Result<Runbook, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    load_bytes(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_a_read_error_naming_the_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("absent.md");
        let err = load(&path).expect_err("no file");
        assert!(matches!(err, LoadError::Read { .. }), "{err:?}");
        assert!(err.errors().is_empty());
        assert!(
            err.to_string()
                .starts_with(&format!("cannot read {}: ", path.display())),
            "{err}"
        );
    }

    #[test]
    fn a_file_loads_as_its_bytes_do() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("checkout.md");
        let text = "# Checkout rollback\n\n## Execute\n\n- [ ] Roll back\n";
        std::fs::write(&path, text).expect("write");
        let from_file = load(&path).expect("loads");
        let from_bytes = load_bytes(&path, text.as_bytes()).expect("loads");
        assert_eq!(from_file.source, path);
        assert_eq!(from_file, from_bytes);
    }
}

//! `view.json` in a session directory: where the operator was looking (the selected step
//! and the focused pane) when the console was left, read back by `backout resume`.
//! 0600 like everything in the session; a missing or unreadable file is no error (the
//! console opens on the first open step, as before).

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::private_files;

/// The file's name in the session directory.
pub const FILE: &str = "view.json";

fn path(session_dir: &Path) -> PathBuf {
    session_dir.join(FILE)
}

/// Keeps where the console was left (replacing the file atomically).
pub fn write<T: Serialize>(session_dir: &Path, spot: &T) -> io::Result<()> {
    let json = serde_json::to_vec(spot).map_err(io::Error::other)?;
    let tmp = session_dir.join(format!("{FILE}.tmp"));
    private_files::write(&tmp, &json)?;
    std::fs::rename(&tmp, path(session_dir))
}

/// Where the console was left, when a readable file says so.
pub fn read<T: DeserializeOwned>(session_dir: &Path) -> Option<T> {
    use std::io::Read;
    let file = std::fs::File::open(path(session_dir)).ok()?;
    // A few dozen bytes are expected; refuse to read a large file.
    let mut bytes = Vec::new();
    file.take(4096).read_to_end(&mut bytes).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct ViewSpot {
        step: Option<u32>,
        focus: String,
    }

    #[test]
    fn the_view_spot_round_trips_through_a_private_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read::<ViewSpot>(dir.path()), None);
        let spot = ViewSpot {
            step: Some(7),
            focus: "rollout".into(),
        };
        write(dir.path(), &spot).expect("write");
        assert_eq!(read(dir.path()), Some(spot));
        let mode = std::fs::metadata(dir.path().join(FILE))
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(dir.path().join(FILE), b"not json").expect("write");
        assert_eq!(read::<ViewSpot>(dir.path()), None);
    }
}

//! Drafts handed to the operator: the OSC 52 escape that puts text on the clipboard of
//! the terminal the console runs in (it travels over SSH and tmux: tmux with
//! `set-clipboard on` takes it into its paste buffer and passes it on), and the draft
//! saved as a private file under the session directory.

use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;

use super::private_files;

/// Terminals cap what they take (xterm: about 100 000 bytes of base64 by default); a
/// longer draft is saved but not copied.
pub const MAX_COPY_BYTES: usize = 74_000;

/// `ESC ] 52 ; c ; BASE64 BEL`: sets the clipboard selection (`c`) to `text`. `None` when
/// the text is too long to copy.
pub fn osc52(text: &str) -> Option<String> {
    (text.len() <= MAX_COPY_BYTES).then(|| {
        format!(
            "\x1b]52;c;{}\x07",
            base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
        )
    })
}

/// Saves `text` as `<session dir>/messages/<key>.txt` (directory 0700, file 0600) and
/// returns the path. `key` is reduced to `[A-Za-z0-9._-]` so it names a file there.
pub fn save_draft(session_dir: &Path, key: &str, text: &str) -> io::Result<PathBuf> {
    let dir = session_dir.join("messages");
    private_files::create_dir_all(&dir)?;
    let name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.');
    let name = if name.is_empty() { "draft" } else { name };
    let path = dir.join(format!("{name}.txt"));
    let mut body = text.to_string();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    private_files::write(&path, body.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(
            osc52("rolled back ✓").as_deref(),
            Some("\x1b]52;c;cm9sbGVkIGJhY2sg4pyT\x07")
        );
        assert_eq!(osc52(&"x".repeat(MAX_COPY_BYTES + 1)), None);
    }

    #[test]
    fn a_draft_is_saved_private_under_the_session_directory() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = save_draft(tmp.path(), "../20261206-x/hand 1", "hello").expect("saved");
        assert_eq!(
            path,
            tmp.path().join("messages").join("_20261206-x_hand_1.txt")
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
    }
}

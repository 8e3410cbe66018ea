//! Reading a secret from a file (`webhook_file`, `token_file`): regular files only, at most
//! [`MAX_LEN`] bytes, read with a [`TIMEOUT`].
//!
//! Issue 15: `webhook_file: /dev/zero` grew the process to 2.1 GB, and a FIFO left a blank
//! screen until Ctrl-C. The file is opened non-blocking (a FIFO without a writer does not
//! hold the open), its type and size are checked on the open descriptor (no race with a
//! rename), and the whole read runs on a helper thread the caller waits for at most
//! [`TIMEOUT`] (a hung network file system cannot freeze the console).

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// The largest secret file read: 64 KiB (a token or a URL is well under 1 KiB).
pub const MAX_LEN: u64 = 64 * 1024;
/// How long reading a secret file may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Why a secret file was refused.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error("not a regular file ({0}); a secret file must be a plain file")]
    NotRegular(&'static str),
    #[error("{0} bytes is too large for a secret file (at most 64 KiB)")]
    TooLarge(u64),
    #[error("not UTF-8 text")]
    NotText,
    #[error("no answer within {}s (a hung file system?)", TIMEOUT.as_secs())]
    TimedOut,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The file's text, refused unless it is a regular file of at most [`MAX_LEN`] bytes read
/// within [`TIMEOUT`].
pub fn read(path: &Path) -> Result<String, SecretFileError> {
    read_within(path, TIMEOUT)
}

fn read_within(path: &Path, timeout: Duration) -> Result<String, SecretFileError> {
    let (tx, rx) = mpsc::sync_channel(1);
    let path: PathBuf = path.to_owned();
    std::thread::Builder::new()
        .name("secret-file".into())
        .spawn(move || {
            let _ = tx.send(read_now(&path));
        })?;
    rx.recv_timeout(timeout)
        .unwrap_or(Err(SecretFileError::TimedOut))
}

fn read_now(path: &Path) -> Result<String, SecretFileError> {
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(SecretFileError::NotRegular(if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_char_device() {
            "a character device"
        } else if kind.is_block_device() {
            "a block device"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_dir() {
            "a directory"
        } else {
            "not a plain file"
        }));
    }
    if meta.len() > MAX_LEN {
        return Err(SecretFileError::TooLarge(meta.len()));
    }
    // The file may grow after the check: never read more than the limit.
    let mut bytes = Vec::new();
    file.take(MAX_LEN + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_LEN {
        return Err(SecretFileError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| SecretFileError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_regular_file_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        std::fs::write(&path, "t0ken\n").expect("write");
        assert_eq!(read(&path).expect("read"), "t0ken\n");
    }

    #[test]
    fn dev_zero_is_refused_not_read() {
        let e = read(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a regular file (a character device); a secret file must be a plain file"
        );
    }

    #[test]
    fn a_fifo_without_a_writer_is_refused_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        // Opening a FIFO blocks until a writer comes; a timeout there would also be an
        // error, so check it is the right one: refused for what it is.
        let e = read_within(&fifo, Duration::from_secs(3600)).unwrap_err();
        assert!(matches!(e, SecretFileError::NotRegular("a FIFO")), "{e}");
    }

    #[test]
    fn a_file_over_64_kib_is_refused_and_one_at_64_kib_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; MAX_LEN as usize + 1]).expect("write");
        assert!(matches!(
            read(&big).unwrap_err(),
            SecretFileError::TooLarge(65_537)
        ));
        let edge = dir.path().join("edge");
        std::fs::write(&edge, vec![b'a'; MAX_LEN as usize]).expect("write");
        assert_eq!(read(&edge).expect("read").len(), MAX_LEN as usize);
    }

    #[test]
    fn directories_and_binary_files_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            read(dir.path()).unwrap_err(),
            SecretFileError::NotRegular("a directory")
        ));
        let bin = dir.path().join("bin");
        std::fs::write(&bin, [0xff, 0xfe, 0x00]).expect("write");
        assert!(matches!(read(&bin).unwrap_err(), SecretFileError::NotText));
    }
}

//! The log file: `<dir>/backout.log.YYYY-MM-DD` (UTC day, the name tracing-appender's
//! daily rotation uses), appended to, 0600 whatever the umask (tracing-appender creates
//! its files with the process umask, so 0644 by default).

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use chrono::{NaiveDate, Utc};

use super::private_files;

/// A `Write` that reopens a new private file when the UTC day changes.
pub struct DailyLogFile {
    dir: PathBuf,
    prefix: String,
    open: Option<(NaiveDate, File)>,
}

impl DailyLogFile {
    /// Creates `dir` (0700) if needed; files are opened on first write.
    pub fn new(dir: impl Into<PathBuf>, prefix: &str) -> io::Result<Self> {
        let dir = dir.into();
        private_files::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            prefix: prefix.to_string(),
            open: None,
        })
    }

    /// The file of `day`.
    pub fn path_for(&self, day: NaiveDate) -> PathBuf {
        self.dir
            .join(format!("{}.{}", self.prefix, day.format("%Y-%m-%d")))
    }

    fn file(&mut self) -> io::Result<&mut File> {
        let today = Utc::now().date_naive();
        if self.open.as_ref().is_none_or(|(day, _)| *day != today) {
            let file = private_files::open_options()
                .create(true)
                .append(true)
                .open(self.path_for(today))?;
            private_files::narrow(&file)?;
            self.open = Some((today, file));
        }
        match &mut self.open {
            Some((_, file)) => Ok(file),
            None => Err(io::Error::other("log file not open")),
        }
    }
}

impl Write for DailyLogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.open {
            Some((_, file)) => file.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn appends_to_a_private_file_of_the_day() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("logs");
        let mut log = DailyLogFile::new(&dir, "backout.log").expect("log");
        log.write_all(b"one\n").expect("write");
        log.write_all(b"two\n").expect("write");
        log.flush().expect("flush");
        let path = log.path_for(Utc::now().date_naive());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "one\ntwo\n");
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
    }
}

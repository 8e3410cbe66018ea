//! The lines of a text, as [`str::lines`] splits them, found with the `memchr` crate's
//! vectorised newline search over the whole text. `str::lines` runs one short search per
//! line, whose setup costs more than the search on a runbook's short lines.

/// The lines of `text`: split at `\n`, a `\r` before the `\n` dropped, a final line ending
/// ending the last line (the same lines [`str::lines`] yields).
pub(super) fn lines(text: &str) -> Lines<'_> {
    Lines {
        text,
        start: 0,
        newlines: memchr::memchr_iter(b'\n', text.as_bytes()),
    }
}

/// The iterator of [`lines`].
#[derive(Clone)]
pub(super) struct Lines<'a> {
    text: &'a str,
    /// Byte offset of the next line.
    start: usize,
    newlines: memchr::Memchr<'a>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if let Some(newline) = self.newlines.next() {
            let line = &self.text[self.start..newline];
            self.start = newline + 1;
            return Some(line.strip_suffix('\r').unwrap_or(line));
        }
        if self.start < self.text.len() {
            let line = &self.text[self.start..];
            self.start = self.text.len();
            return Some(line);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_are_split_as_str_lines_splits_them() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\r",
            "a\r\r\n",
            "\r\n\r",
            "é\n```\n\n~~~ text\r\n  # Title\n",
        ] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_text_splits_as_str_lines_splits_it(text in "[a\\r\\n é$]{0,80}") {
            prop_assert_eq!(lines(&text).collect::<Vec<_>>(), text.lines().collect::<Vec<_>>());
        }
    }
}

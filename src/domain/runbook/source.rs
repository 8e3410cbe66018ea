//! The runbook's text as the loader works on it, and the way back to `file:line:col`.
//!
//! Bytes are decoded (lossily, never failing), a byte-order mark is dropped, line endings
//! become `\n` and mojibake is repaired. None of these steps changes the number of lines;
//! repairs shorten some lines, which [`Source::position`] undoes so that every reported
//! column is the column in the file as written.

use std::path::Path;

use super::diagnostic::{Diagnostic, Level};
use super::mojibake::{self, Repair};

/// Findings collected while loading one file.
#[derive(Debug, Clone, Default)]
pub(super) struct Findings {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub info: Vec<Diagnostic>,
}

impl Findings {
    pub fn push(&mut self, d: Diagnostic) {
        match d.level {
            Level::Error => self.errors.push(d),
            Level::Warning => self.warnings.push(d),
            Level::Info => self.info.push(d),
        }
    }
}

/// A 1-based position in the file as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, col: 1 };

    pub fn error(
        self,
        file: &Path,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        self.diagnostic(Level::Error, file, message, hint)
    }

    pub fn warning(
        self,
        file: &Path,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        self.diagnostic(Level::Warning, file, message, hint)
    }

    pub fn info(self, file: &Path, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(Level::Info, file, message, None)
    }

    fn diagnostic(
        self,
        level: Level,
        file: &Path,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        Diagnostic {
            level,
            file: file.to_path_buf(),
            line: self.line,
            col: self.col,
            message: message.into(),
            hint,
        }
    }
}

/// Normalised text plus what is needed to map byte offsets back to the file.
#[derive(Debug)]
pub(super) struct Source {
    /// The text: `\n` line endings, no BOM, mojibake repaired.
    pub text: String,
    /// Byte offset of the start of each line of `text`.
    line_starts: Vec<usize>,
    /// Repairs, sorted by (line, col); used to restore original columns.
    repairs: Vec<Repair>,
}

/// How many mojibake repairs are reported one by one before the rest are summarised.
const MOJIBAKE_REPORT_LIMIT: usize = 10;

impl Source {
    /// Decodes and normalises `bytes`. Never fails: problems become warnings.
    pub fn new(file: &Path, bytes: &[u8], findings: &mut Findings) -> Source {
        let text = decode(file, bytes, findings);
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        let text = normalize_line_endings(text);
        let (text, repairs) = match mojibake::repair(&text) {
            Some((fixed, repairs)) => (fixed, repairs),
            None => (text, Vec::new()),
        };
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        let source = Source {
            text,
            line_starts,
            repairs,
        };
        source.report_repairs(file, findings);
        source
    }

    fn report_repairs(&self, file: &Path, findings: &mut Findings) {
        let mut lines: Vec<(usize, Vec<&Repair>)> = Vec::new();
        for r in &self.repairs {
            match lines.last_mut() {
                Some((line, group)) if *line == r.line => group.push(r),
                _ => lines.push((r.line, vec![r])),
            }
        }
        for (line, group) in lines.iter().take(MOJIBAKE_REPORT_LIMIT) {
            let first = group[0];
            let shown: Vec<String> = group
                .iter()
                .take(3)
                .map(|r| format!("`{}` → `{}`", r.damaged, r.repaired))
                .collect();
            let more = if group.len() > 3 {
                format!(" and {} more", group.len() - 3)
            } else {
                String::new()
            };
            findings.push(
                Pos {
                    line: line + 1,
                    col: first.col + 1,
                }
                .warning(
                    file,
                    format!(
                        "repaired mojibake (UTF-8 read as Windows-1252): {}{more}",
                        shown.join(", ")
                    ),
                    Some("re-save the file as UTF-8 with the intended characters".into()),
                ),
            );
        }
        if lines.len() > MOJIBAKE_REPORT_LIMIT {
            let (line, group) = &lines[MOJIBAKE_REPORT_LIMIT];
            findings.push(
                Pos {
                    line: line + 1,
                    col: group[0].col + 1,
                }
                .warning(
                    file,
                    format!(
                        "repaired mojibake on {} more lines",
                        lines.len() - MOJIBAKE_REPORT_LIMIT
                    ),
                    None,
                ),
            );
        }
    }

    /// 0-based line holding byte `offset` of `text`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte offset where 0-based `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The file position of byte `offset` of `text`.
    pub fn position(&self, offset: usize) -> Pos {
        let offset =
            crate::domain::text_cut::floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_start(line);
        let col = self.text[start..offset].chars().count();
        Pos {
            line: line + 1,
            col: self.original_col(line, col) + 1,
        }
    }

    /// The file position of 0-based `line` and 0-based `col` (in characters of `text`).
    pub fn position_at(&self, line: usize, col: usize) -> Pos {
        Pos {
            line: line + 1,
            col: self.original_col(line, col) + 1,
        }
    }

    /// Maps a 0-based column of repaired text back to the column as written.
    fn original_col(&self, line: usize, col: usize) -> usize {
        if self.repairs.is_empty() {
            return col;
        }
        let first = self.repairs.partition_point(|r| r.line < line);
        let mut shift = 0;
        for r in self.repairs[first..].iter().take_while(|r| r.line == line) {
            // `r.col` is in original columns; its repaired column is `r.col - shift`.
            if r.col - shift < col {
                shift += r.chars_removed();
            } else {
                break;
            }
        }
        col + shift
    }
}

/// Decodes bytes as UTF-8 (or UTF-16 with a byte-order mark), replacing what is invalid.
fn decode(file: &Path, bytes: &[u8], findings: &mut Findings) -> String {
    if let Some(text) = decode_utf16(bytes) {
        findings.push(Pos::START.warning(
            file,
            "file is UTF-16; read it as such",
            Some("save runbooks as UTF-8".into()),
        ));
        return text;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let prefix = String::from_utf8_lossy(valid);
            let line = prefix.matches('\n').count();
            let col = prefix
                .rsplit('\n')
                .next()
                .map_or(0, |last| last.chars().count());
            let bad = bytes
                .utf8_chunks()
                .filter(|c| !c.invalid().is_empty())
                .count();
            findings.push(
                Pos {
                    line: line + 1,
                    col: col + 1,
                }
                .warning(
                    file,
                    format!(
                        "file is not valid UTF-8: replaced {bad} invalid byte sequence{} with U+FFFD",
                        if bad == 1 { "" } else { "s" }
                    ),
                    Some("save runbooks as UTF-8".into()),
                ),
            );
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let little = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks(2).map(|pair| match pair {
        [a, b] if little => u16::from_le_bytes([*a, *b]),
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0xFFFD,
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// `\r\n` and lone `\r` become `\n` (CommonMark treats all three as line endings).
fn normalize_line_endings(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(bytes: &[u8]) -> (Source, Findings) {
        let mut findings = Findings::default();
        let s = Source::new(Path::new("t.md"), bytes, &mut findings);
        (s, findings)
    }

    #[test]
    fn positions_are_one_based_in_characters() {
        let (s, f) = source("ab\nçd e\n".as_bytes());
        assert!(f.warnings.is_empty());
        assert_eq!(s.position(0), Pos { line: 1, col: 1 });
        let e = s.text.find('e').expect("has e");
        assert_eq!(s.position(e), Pos { line: 2, col: 4 });
        assert_eq!(s.position(s.text.len()), Pos { line: 3, col: 1 });
    }

    #[test]
    fn crlf_and_bom_are_normalised() {
        let (s, _) = source(b"\xEF\xBB\xBFa\r\nb\rc\n");
        assert_eq!(s.text, "a\nb\nc\n");
        assert_eq!(s.line_index(s.text.len()), 3);
    }

    #[test]
    fn invalid_utf8_is_replaced_with_a_located_warning() {
        let (s, f) = source(b"ok\nab\xFF\xFEc\n");
        assert_eq!(s.text, "ok\nab\u{FFFD}\u{FFFD}c\n");
        assert_eq!(f.warnings.len(), 1);
        let w = &f.warnings[0];
        assert_eq!((w.line, w.col), (2, 3));
        assert_eq!(
            w.message,
            "file is not valid UTF-8: replaced 2 invalid byte sequences with U+FFFD"
        );
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "# Title\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let (s, f) = source(&bytes);
        assert_eq!(s.text, "# Title\n");
        assert_eq!(f.warnings.len(), 1);
    }

    #[test]
    fn columns_after_a_repair_are_columns_as_written() {
        let (s, f) = source("x â€” y z\n".as_bytes());
        assert_eq!(s.text, "x — y z\n");
        assert_eq!(f.warnings.len(), 1);
        assert_eq!((f.warnings[0].line, f.warnings[0].col), (1, 3));
        // `z` is column 7 once repaired but column 9 as written.
        let z = s.text.find('z').expect("has z");
        assert_eq!(s.position(z), Pos { line: 1, col: 9 });
        // Columns before the repair are unchanged.
        assert_eq!(s.position(0), Pos { line: 1, col: 1 });
    }
}

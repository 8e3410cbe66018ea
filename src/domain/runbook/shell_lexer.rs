//! The shell lexer of the runbook loader: quoting runs, logical commands, continuations
//! and here-documents of a script.
//!
//! This is not a shell parser; it knows exactly as much shell as a runbook needs: quotes
//! (including quotes spanning lines), backslash continuations, comments, and here-documents,
//! so that a multi-line `curl -d '{…}'` is one command and `$NF` inside `awk '…'` is not a
//! placeholder.

use std::ops::Range;

use super::foreign_lines::{ForeignKind, Reader};

/// Quoting context of a run of script text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    /// Unquoted shell code: `$VAR` expands.
    Code,
    /// Inside `'…'` (or `$'…'`): nothing expands.
    Single,
    /// Inside `"…"`: `$VAR` expands.
    Double,
    /// A `# comment`: not run.
    Comment,
    /// Body of `<<EOF`: `$VAR` expands.
    HeredocExpand,
    /// A line that is not shell (SQL typed into a client, YAML): never run, nothing expands.
    Foreign,
    /// Body of `<<'EOF'`: nothing expands.
    HeredocLiteral,
}

impl Ctx {
    /// Whether `$VAR` is expanded by the shell here.
    pub fn expands(self) -> bool {
        matches!(self, Ctx::Code | Ctx::Double | Ctx::HeredocExpand)
    }
}

/// A script split into quoting runs and logical commands.
#[derive(Debug, Default)]
pub(super) struct Lexed {
    /// Contiguous runs of one context, covering the script.
    pub runs: Vec<(Range<usize>, Ctx)>,
    /// Logical commands (continuations, multi-line quotes and here-documents included),
    /// without blank and comment-only lines.
    pub commands: Vec<Range<usize>>,
    /// Byte offsets of backslash-newline continuations (the backslash).
    pub continuations: Vec<usize>,
    /// True when the script ends inside a quote or here-document, or after a `\`.
    pub incomplete: bool,
    /// Lines that are not shell (SQL, YAML), each a whole line without its newline.
    pub foreign: Vec<(Range<usize>, ForeignKind)>,
}

struct Heredoc {
    delim: String,
    literal: bool,
    strip_tabs: bool,
}

/// Lexes a shell script.
pub(super) fn lex(script: &str) -> Lexed {
    let bytes = script.as_bytes();
    let mut out = Lexed::default();
    let mut ctx = Ctx::Code;
    let mut run_start = 0;
    let mut cmd_start: Option<usize> = None;
    let mut pending: Vec<Heredoc> = Vec::new();
    // Compound commands (`do … done`, `if … fi`, `case … esac`, `{ … }`) open across lines.
    let mut depth = 0usize;
    // Whether the next word is in command position (where keywords are keywords).
    let mut command_position = true;
    let mut foreign = Reader::default();
    let mut i = 0;

    // Every special character is ASCII, so acting only on ASCII bytes never splits a
    // character, and every offset recorded is a character boundary.
    macro_rules! switch {
        ($new:expr, $at:expr) => {{
            let at = $at;
            if at > run_start {
                out.runs.push((run_start..at, ctx));
            }
            run_start = at;
            ctx = $new;
        }};
    }

    while i < bytes.len() {
        let b = bytes[i];
        match ctx {
            Ctx::Code => {
                // A line that starts a new command may be no shell at all.
                if cmd_start.is_none() && depth == 0 && (i == 0 || bytes[i - 1] == b'\n') {
                    let end = script[i..].find('\n').map_or(script.len(), |n| i + n);
                    if let Some(kind) = foreign.read(&script[i..end]) {
                        switch!(Ctx::Foreign, i);
                        out.foreign.push((i..end, kind));
                        switch!(Ctx::Code, end);
                        i = end;
                        continue;
                    }
                }
                if cmd_start.is_none() && !b.is_ascii_whitespace() && b != b'#' {
                    cmd_start = Some(i);
                }
                match b {
                    b'\\' => {
                        if bytes.get(i + 1) == Some(&b'\n') {
                            out.continuations.push(i);
                        }
                        command_position = false;
                        i = next_boundary(script, i + 2);
                        continue;
                    }
                    b'\'' => {
                        let start = if i > 0 && bytes[i - 1] == b'$' {
                            i - 1
                        } else {
                            i
                        };
                        command_position = false;
                        switch!(Ctx::Single, start);
                    }
                    b'"' => {
                        command_position = false;
                        switch!(Ctx::Double, i);
                    }
                    b'#' if i == 0 || is_word_break(bytes[i - 1]) => switch!(Ctx::Comment, i),
                    b'<' if bytes.get(i + 1) == Some(&b'<') && bytes.get(i + 2) != Some(&b'<') => {
                        if let Some((doc, end)) = heredoc_operator(script, i + 2) {
                            pending.push(doc);
                            i = end;
                            continue;
                        }
                    }
                    b';' | b'|' | b'&' | b'(' | b')' => command_position = true,
                    b'\n' => {
                        let joined = depth > 0 || ends_with_operator(&bytes[..i]);
                        command_position = true;
                        if !pending.is_empty() {
                            i = heredoc_bodies(
                                script,
                                i + 1,
                                &mut pending,
                                &mut out.runs,
                                run_start,
                            );
                            run_start = i;
                            if !joined && let Some(start) = cmd_start.take() {
                                out.commands.push(start..i.saturating_sub(1).max(start));
                            }
                            continue;
                        }
                        if !joined && let Some(start) = cmd_start.take() {
                            out.commands.push(start..i);
                        }
                    }
                    _ if b.is_ascii_whitespace() => {}
                    _ => {
                        // A word: note compound-command keywords in command position.
                        let end = word_end(bytes, i);
                        let word = &bytes[i..end];
                        if command_position {
                            match word {
                                b"do" | b"if" | b"case" | b"{" => depth += 1,
                                b"done" | b"fi" | b"esac" | b"}" => depth = depth.saturating_sub(1),
                                _ => {}
                            }
                        }
                        command_position = matches!(
                            word,
                            b"do"
                                | b"then"
                                | b"else"
                                | b"elif"
                                | b"if"
                                | b"while"
                                | b"until"
                                | b"!"
                                | b"{"
                                | b"}"
                                | b"time"
                        );
                        if end > i {
                            i = end;
                            continue;
                        }
                    }
                }
            }
            Ctx::Single => {
                if b == b'\'' {
                    switch!(Ctx::Code, i + 1);
                } else if b == b'\\' && run_start + 1 < i && bytes[run_start] == b'$' {
                    // `$'…'` honours backslash escapes.
                    i = next_boundary(script, i + 2);
                    continue;
                }
            }
            Ctx::Double => match b {
                b'\\' => {
                    i = next_boundary(script, i + 2);
                    continue;
                }
                b'"' => switch!(Ctx::Code, i + 1),
                _ => {}
            },
            Ctx::Comment => {
                if b == b'\n' {
                    switch!(Ctx::Code, i);
                    continue;
                }
            }
            Ctx::HeredocExpand | Ctx::HeredocLiteral | Ctx::Foreign => {}
        }
        i += 1;
    }
    let end = bytes.len();
    if end > run_start {
        out.runs.push((run_start..end, ctx));
    }
    out.incomplete = matches!(ctx, Ctx::Single | Ctx::Double)
        || !pending.is_empty()
        || depth > 0
        || ends_with_operator(bytes)
        || out.continuations.last().is_some_and(|&c| c + 2 >= end)
        || script.trim_end_matches([' ', '\t']).ends_with('\\');
    if let Some(start) = cmd_start {
        let stop = script.trim_end().len().max(start);
        out.commands.push(start..stop);
    }
    out
}

/// The first character boundary at or after `i` (clamped to the end).
fn next_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

/// End of the unquoted word starting at `i`: up to whitespace, an operator or a quote.
fn word_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    while let Some(&b) = bytes.get(j) {
        if b.is_ascii_whitespace()
            || matches!(
                b,
                b';' | b'|' | b'&' | b'(' | b')' | b'<' | b'>' | b'\'' | b'"' | b'\\'
            )
        {
            break;
        }
        j += 1;
    }
    j
}

/// Whether code ends with `|`, `&&` or `||`, so the command goes on on the next line.
fn ends_with_operator(code: &[u8]) -> bool {
    let trimmed = code.trim_ascii_end();
    trimmed.ends_with(b"|") || trimmed.ends_with(b"&&")
}

fn is_word_break(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b';' | b'|' | b'&' | b'(' | b')')
}

/// Parses the delimiter after `<<` (at `i`): `<<EOF`, `<<-EOF`, `<<'EOF'`, `<< "EOF"`.
fn heredoc_operator(script: &str, mut i: usize) -> Option<(Heredoc, usize)> {
    let bytes = script.as_bytes();
    let strip_tabs = bytes.get(i) == Some(&b'-');
    if strip_tabs {
        i += 1;
    }
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let quote = match bytes.get(i) {
        Some(q @ (b'\'' | b'"')) => {
            i += 1;
            Some(*q)
        }
        _ => None,
    };
    let start = i;
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
    {
        i += 1;
    }
    if i == start {
        return None;
    }
    let delim = script.get(start..i)?.to_string();
    if let Some(q) = quote {
        if bytes.get(i) != Some(&q) {
            return None;
        }
        i += 1;
    }
    Some((
        Heredoc {
            delim,
            literal: quote.is_some(),
            strip_tabs,
        },
        i,
    ))
}

/// Consumes the bodies of pending here-documents starting at line start `i`; returns the
/// offset just past the last delimiter line (or the end of the script).
fn heredoc_bodies(
    script: &str,
    mut i: usize,
    pending: &mut Vec<Heredoc>,
    runs: &mut Vec<(Range<usize>, Ctx)>,
    mut code_start: usize,
) -> usize {
    let code = Ctx::Code;
    for doc in pending.drain(..) {
        if i > code_start {
            runs.push((code_start..i, code));
        }
        let body_start = i;
        let ctx = if doc.literal {
            Ctx::HeredocLiteral
        } else {
            Ctx::HeredocExpand
        };
        loop {
            if i >= script.len() {
                if i > body_start {
                    runs.push((body_start..i, ctx));
                }
                return i;
            }
            let line_end = script[i..].find('\n').map_or(script.len(), |n| i + n);
            let line = &script[i..line_end];
            let line = if doc.strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if line == doc.delim {
                if i > body_start {
                    runs.push((body_start..i, ctx));
                }
                i = (line_end + 1).min(script.len());
                code_start = i;
                break;
            }
            i = (line_end + 1).min(script.len());
        }
    }
    if i > code_start {
        runs.push((code_start..i, code));
    }
    i
}

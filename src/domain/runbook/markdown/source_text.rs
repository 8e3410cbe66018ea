//! Shaping the source text of blocks: list markers, an item's Markdown, dedenting, fence
//! info strings and closing fences, whitespace collapsing.

/// Length of the list marker (`-`, `*`, `+`, `1.`, `2)`) and the spaces after it at the
/// start of an item's source.
pub(super) fn marker_len(item: &str) -> usize {
    let indent = item.len() - item.trim_start_matches([' ', '\t']).len();
    let rest = &item[indent..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match rest.as_bytes().get(digits) {
        Some(b'.' | b')') if digits > 0 => digits + 1,
        Some(b'-' | b'*' | b'+') if digits == 0 => 1,
        _ => return 0,
    };
    let after = &rest[marker..];
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    indent + marker + spaces
}

/// An item's Markdown after its marker: the first line trimmed, the lines after it
/// outdented by their common indentation (so nested lists keep their shape).
pub(super) fn item_markdown(text: &str) -> String {
    let text = text.trim_end();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").trim();
    let rest = lines.clone();
    let indent = rest
        .clone()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len());
    out.push_str(first);
    for line in rest {
        out.push('\n');
        out.push_str(line.get(indent..).unwrap_or("").trim_end());
    }
    trimmed_owned(out)
}

/// `text.trim()` as an owned string, reusing `text` when there is nothing to trim.
fn trimmed_owned(text: String) -> String {
    let trimmed = text.trim();
    if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_string()
    }
}

/// The lines of `text` (trimmed) with their leading whitespace removed, joined by `\n`.
pub(super) fn dedent(text: &str) -> String {
    let text = text.trim();
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line.trim_start());
    }
    out
}

/// The language of a fence info string: `bash`, `{.bash}`, `bash title="x"`, `Shell`.
pub(super) fn info_lang(info: &str) -> String {
    info.split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
        .trim_matches(|c| matches!(c, '{' | '}' | '.'))
        .to_ascii_lowercase()
}

/// Whether a fenced block's source ends with a closing fence as long as its opening one.
pub(super) fn fence_closed(source: &str) -> bool {
    let mut lines = source.trim_end().lines();
    let Some(first) = lines.next() else {
        return false;
    };
    let first = first.trim_start_matches([' ', '>']);
    let Some(fence) = first.chars().next().filter(|c| matches!(c, '`' | '~')) else {
        return false;
    };
    let open_len = first.chars().take_while(|c| *c == fence).count();
    let Some(last) = lines.last() else {
        return false;
    };
    let last = last.trim_start_matches([' ', '>']).trim_end();
    last.chars().count() >= open_len && last.chars().all(|c| c == fence)
}

/// Whitespace runs become one space; ends trimmed.
pub(in crate::domain::runbook) fn collapse_spaces(text: &str) -> String {
    if is_collapsed(text) {
        return text.to_string();
    }
    collapse_words(text)
}

/// [`collapse_spaces`] of an owned string: returned as it is when already collapsed.
pub(super) fn collapse_spaces_owned(text: String) -> String {
    if is_collapsed(&text) {
        return text;
    }
    collapse_words(&text)
}

/// ASCII text with single spaces only, nothing to trim: collapsing would not change it.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    // Folds without an early exit, which the compiler vectorises: headings and cells are
    // short, and nearly all of them are collapsed already.
    let plain = bytes.iter().fold(true, |ok, &b| {
        ok & b.is_ascii() & !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
    });
    let no_double_space = bytes
        .iter()
        .zip(bytes.iter().skip(1))
        .fold(true, |ok, (&a, &b)| ok & !((a == b' ') & (b == b' ')));
    plain && no_double_space
}

fn collapse_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_markers() {
        assert_eq!(marker_len("- a"), 2);
        assert_eq!(marker_len("12. a"), 4);
        assert_eq!(marker_len("3) a"), 3);
        assert_eq!(marker_len("  * a"), 4);
        assert_eq!(marker_len("a"), 0);
        assert_eq!(marker_len("-"), 1);
    }

    #[test]
    fn collapsed_text_is_recognised_exactly() {
        for (text, collapsed) in [
            ("", true),
            ("a b c", true),
            (" a", false),
            ("a ", false),
            ("a  b", false),
            ("a\tb", false),
            ("a\u{b}b", false),
            ("é", false),
            ("x", true),
        ] {
            assert_eq!(is_collapsed(text), collapsed, "{text:?}");
            assert_eq!(
                collapse_spaces(text) == text,
                collapsed || text == "é",
                "{text:?}"
            );
        }
    }

    #[test]
    fn item_markdown_keeps_nested_shape() {
        assert_eq!(
            item_markdown("**Do it**\n   - one\n     - two\n\n   Then this.\n\n"),
            "**Do it**\n- one\n  - two\n\nThen this."
        );
        assert_eq!(item_markdown("single"), "single");
    }
}

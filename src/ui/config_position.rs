//! Where in a user config file (keymap, theme) something is: `file:line:col` for warnings.

use std::ops::Range;

/// `origin:line:col: message`, the position of byte `span.start` of `src` (1-based, in
/// characters), or `origin: message` when no position is known.
pub fn located(origin: &str, src: &str, span: Option<Range<usize>>, message: &str) -> String {
    match span {
        Some(span) => {
            let (line, col) = line_col(src, span.start);
            format!("{origin}:{line}:{col}: {message}")
        }
        None => format!("{origin}: {message}"),
    }
}

/// 1-based line and column (in characters) of byte `offset` of `src`; an offset past the
/// end or inside a character is clamped to the nearest character boundary before it.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = src[line_start..offset].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_in_characters() {
        let src = "[normal]\nrun = [\"é\", \"x\"]\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 9), (2, 1));
        // The `"x"` after the two-byte `é`.
        let x = src.find("\"x\"").expect("x");
        assert_eq!(line_col(src, x), (2, 13));
        assert_eq!(line_col(src, src.len() + 10), (3, 1));
        assert_eq!(
            located("keymap.toml", src, Some(x..x + 3), "unknown key"),
            "keymap.toml:2:13: unknown key"
        );
        assert_eq!(located("keymap.toml", src, None, "bad"), "keymap.toml: bad");
    }
}

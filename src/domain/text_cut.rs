//! Text cut to a number of bytes without splitting a character.

/// The largest character boundary of `s` at or before byte `i` (`str::floor_char_boundary`,
/// not yet stable).
pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `s` itself when it has at most `max` bytes, else its first `max` bytes (fewer, to end on
/// a character boundary) followed by `mark`.
pub fn cut_with_mark(s: &str, max: usize, mark: &str) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    format!("{}{mark}", &s[..floor_char_boundary(s, max)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_never_splits_a_character() {
        assert_eq!(cut_with_mark("abc", 3, "…"), "abc");
        assert_eq!(cut_with_mark("abcd", 3, "..."), "abc...");
        // `é` is two bytes (1..3): a cut at 2 falls back to 1.
        assert_eq!(cut_with_mark("héllo", 2, "…"), "h…");
        assert_eq!(floor_char_boundary("héllo", 2), 1);
        assert_eq!(floor_char_boundary("héllo", 99), 6);
        assert_eq!(floor_char_boundary("", 0), 0);
    }
}

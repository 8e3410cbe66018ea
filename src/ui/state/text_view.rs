//! The generic scrollable text view every "look closer" layer is built on (the runbook
//! view, a pod's logs, describe, YAML, a revision's diff): styled lines, a scroll position,
//! `/` search with `n`/`N`, a wrap toggle, a follow toggle (stay at the newest line while
//! lines arrive) and an optional bound on how many lines it keeps (logs).

use crate::ui::theme::Role;

/// One line: spans of text, each with the theme role it is drawn in.
pub type TextLine = Vec<(Role, String)>;

/// A search typed with `/`: the query, whether it is still being typed, and the lines
/// that hold it (case-insensitive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    /// `/` was pressed and Enter not yet: keys are the query's characters.
    pub typing: bool,
    /// Indices of the lines holding the query, ascending.
    pub matches: Vec<usize>,
    /// Index into `matches` of the match the view was last moved to.
    pub current: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextView {
    pub title: String,
    pub lines: Vec<TextLine>,
    /// The first line on screen (when wrapping: the first logical line).
    pub scroll: usize,
    pub wrap: bool,
    /// Stay at the end while lines are appended (logs).
    pub follow: bool,
    pub search: Search,
    /// Keep at most this many lines, dropping the oldest (`None`: no bound).
    pub max_lines: Option<usize>,
    /// Lines dropped at the front because of `max_lines`, in total.
    pub dropped: usize,
    /// One line under the title saying what the view shows or waits for (`None`: nothing).
    pub status: Option<String>,
}

impl TextView {
    pub fn new(title: impl Into<String>, lines: Vec<TextLine>) -> TextView {
        TextView {
            title: title.into(),
            lines,
            scroll: 0,
            wrap: false,
            follow: false,
            search: Search::default(),
            max_lines: None,
            dropped: 0,
            status: None,
        }
    }

    /// A view of plain text, one role for every line.
    pub fn plain(title: impl Into<String>, text: &str, role: Role) -> TextView {
        TextView::new(
            title,
            text.lines().map(|l| vec![(role, l.to_string())]).collect(),
        )
    }

    /// The last line the view can start at so that `height` rows are filled.
    pub fn max_scroll(&self, height: usize) -> usize {
        self.lines.len().saturating_sub(height.max(1))
    }

    /// Scrolls by `delta` lines, within the text; scrolling up stops following.
    pub fn scroll_by(&mut self, delta: isize, height: usize) {
        let max = self.max_scroll(height) as isize;
        let next = (self.scroll as isize + delta).clamp(0, max.max(0));
        if delta < 0 {
            self.follow = false;
        }
        self.scroll = next as usize;
    }

    pub fn top(&mut self) {
        self.scroll = 0;
        self.follow = false;
    }

    pub fn bottom(&mut self, height: usize) {
        self.scroll = self.max_scroll(height);
    }

    /// Appends lines (a log stream); with `max_lines`, the oldest lines beyond the bound
    /// are dropped and the scroll and the matches move with the text.
    pub fn push_lines(&mut self, new: impl IntoIterator<Item = TextLine>, height: usize) {
        let start = self.lines.len();
        self.lines.extend(new);
        if !self.search.query.is_empty() {
            let q = self.search.query.to_lowercase();
            for i in start..self.lines.len() {
                if line_text(&self.lines[i]).to_lowercase().contains(&q) {
                    self.search.matches.push(i);
                }
            }
        }
        if let Some(max) = self.max_lines
            && self.lines.len() > max
        {
            let drop = self.lines.len() - max;
            self.lines.drain(..drop);
            self.dropped += drop;
            self.scroll = self.scroll.saturating_sub(drop);
            let before = self.search.matches.len();
            self.search.matches.retain(|&m| m >= drop);
            let gone = before - self.search.matches.len();
            for m in &mut self.search.matches {
                *m -= drop;
            }
            self.search.current = self
                .search
                .current
                .and_then(|c| c.checked_sub(gone))
                .filter(|&c| c < self.search.matches.len());
        }
        if self.follow {
            self.bottom(height);
        }
    }

    /// Starts typing a search (`/`).
    pub fn start_search(&mut self) {
        self.search.typing = true;
        self.search.query.clear();
    }

    /// Enter on the query: finds every line holding it and moves to the first match at or
    /// after the top line (wrapping to the first). An empty query clears the search.
    pub fn submit_search(&mut self) {
        self.search.typing = false;
        let q = self.search.query.to_lowercase();
        self.search.matches = if q.is_empty() {
            Vec::new()
        } else {
            self.lines
                .iter()
                .enumerate()
                .filter(|(_, l)| line_text(l).to_lowercase().contains(&q))
                .map(|(i, _)| i)
                .collect()
        };
        self.search.current = None;
        if !self.search.matches.is_empty() {
            let from = self.scroll;
            let at = self
                .search
                .matches
                .iter()
                .position(|&m| m >= from)
                .unwrap_or(0);
            self.go_to_match(at);
        }
    }

    /// `n` (forward) or `N` (backward): the next match, wrapping around.
    pub fn next_match(&mut self, forward: bool) {
        let n = self.search.matches.len();
        if n == 0 {
            return;
        }
        let at = match self.search.current {
            None => 0,
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
        };
        self.go_to_match(at);
    }

    fn go_to_match(&mut self, at: usize) {
        self.search.current = Some(at);
        self.scroll = self.search.matches[at];
        self.follow = false;
    }

    /// "3/12" for the title while a search has matches, "no match" when it has none.
    pub fn match_label(&self) -> Option<String> {
        if self.search.query.is_empty() || self.search.typing {
            return None;
        }
        Some(match (self.search.current, self.search.matches.len()) {
            (_, 0) => format!("“{}”: no match", self.search.query),
            (Some(c), n) => format!("“{}” {}/{n}", self.search.query, c + 1),
            (None, n) => format!("“{}” {n} matches", self.search.query),
        })
    }
}

/// A line's text without its styles.
pub fn line_text(line: &TextLine) -> String {
    line.iter().map(|(_, s)| s.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(n: usize) -> TextView {
        TextView::plain(
            "t",
            &(0..n)
                .map(|i| format!("line {i}"))
                .collect::<Vec<_>>()
                .join("\n"),
            Role::Base,
        )
    }

    #[test]
    fn scrolling_stays_within_the_text() {
        let mut v = view(10);
        v.scroll_by(100, 4);
        assert_eq!(v.scroll, 6);
        v.scroll_by(-100, 4);
        assert_eq!(v.scroll, 0);
        let mut short = view(2);
        short.scroll_by(5, 4);
        assert_eq!(short.scroll, 0);
    }

    #[test]
    fn search_finds_lines_case_insensitively_and_n_wraps_around() {
        let mut v = TextView::plain("t", "alpha\nBeta\ngamma\nbetamax\nomega", Role::Base);
        v.start_search();
        v.search.query = "BETA".into();
        v.submit_search();
        assert_eq!(v.search.matches, vec![1, 3]);
        assert_eq!((v.scroll, v.search.current), (1, Some(0)));
        v.next_match(true);
        assert_eq!(v.scroll, 3);
        v.next_match(true);
        assert_eq!(v.scroll, 1, "n after the last match wraps to the first");
        v.next_match(false);
        assert_eq!(v.scroll, 3, "N before the first wraps to the last");
        assert_eq!(v.match_label().as_deref(), Some("“BETA” 2/2"));
        v.search.query = "zeta".into();
        v.submit_search();
        assert_eq!(v.match_label().as_deref(), Some("“zeta”: no match"));
    }

    #[test]
    fn the_bound_drops_the_oldest_lines_and_moves_scroll_and_matches_with_them() {
        let mut v = view(0);
        v.max_lines = Some(5);
        v.search.query = "7".into();
        v.push_lines((0..8).map(|i| vec![(Role::Base, format!("l{i}"))]), 3);
        assert_eq!(v.lines.len(), 5);
        assert_eq!(v.dropped, 3);
        assert_eq!(line_text(&v.lines[0]), "l3");
        assert_eq!(v.search.matches, vec![4]);
        v.push_lines((8..20).map(|i| vec![(Role::Base, format!("l{i}"))]), 3);
        assert_eq!(v.lines.len(), 5);
        assert_eq!(v.dropped, 15);
        assert_eq!(
            v.search.matches,
            vec![2],
            "l7 is gone; l17 is the third line kept"
        );
    }

    #[test]
    fn follow_keeps_the_newest_line_on_screen_until_scrolled_up() {
        let mut v = view(0);
        v.follow = true;
        v.push_lines((0..10).map(|i| vec![(Role::Base, format!("l{i}"))]), 4);
        assert_eq!(v.scroll, 6);
        v.scroll_by(-2, 4);
        assert!(!v.follow);
        v.push_lines([vec![(Role::Base, "l10".to_string())]], 4);
        assert_eq!(v.scroll, 4, "not following: the view stays where it was");
    }
}

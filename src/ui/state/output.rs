//! The output pane's content and the command running now.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::domain::runbook::StepId;
use crate::ui::msg::Stream;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    pub stream: Stream,
    pub text: String,
}

/// The output pane's content: the latest command's lines, bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputLog {
    pub run: Option<u32>,
    pub step: Option<StepId>,
    /// The command as shown (secrets masked).
    pub command: String,
    /// The run goes line by line (natively or in the shell), each line printed as it
    /// starts: the pane does not repeat the command above them.
    pub line_by_line: bool,
    /// The run's lines go one by one through one `/bin/sh` (not the native path).
    pub in_one_shell: bool,
    pub lines: VecDeque<OutputLine>,
    /// Lines dropped from the front to stay bounded.
    pub dropped: usize,
    /// Lines scrolled up from the bottom; 0 follows the output.
    pub scroll_back: usize,
    /// A repeated line (`watch`): where its rounds start (counting dropped lines), and
    /// whether the next output replaces the last round's (so the pane is never blank).
    pub frame_start: Option<usize>,
    pub replace_frame: bool,
}

impl OutputLog {
    pub const MAX_LINES: usize = 5_000;

    /// A fresh pane for run `run` of step `step`, showing `command` (masked).
    pub fn for_run(run: u32, step: StepId, command: String) -> OutputLog {
        OutputLog {
            run: Some(run),
            step: Some(step),
            command,
            ..OutputLog::default()
        }
    }

    /// Scrolls `by` lines further back (negative: towards the newest), between 0
    /// (following the output) and `max` (the first line at the top of the pane).
    pub fn scroll_by(&mut self, by: isize, max: usize) {
        self.scroll_back = self.scroll_back.min(max).saturating_add_signed(by).min(max);
    }

    /// A repeated line starts a round: the first round's output goes below what is
    /// there; each later round's replaces the last once its first line arrives.
    pub fn new_frame(&mut self) {
        match self.frame_start {
            None => self.frame_start = Some(self.dropped + self.lines.len()),
            Some(_) => self.replace_frame = true,
        }
    }

    pub fn push(&mut self, stream: Stream, text: String) {
        if std::mem::take(&mut self.replace_frame)
            && let Some(start) = self.frame_start
        {
            let keep = start.saturating_sub(self.dropped);
            self.lines.truncate(keep);
        }
        if self.lines.len() == Self::MAX_LINES {
            self.lines.pop_front();
            self.dropped += 1;
        }
        let text = expand_tabs(text);
        self.lines.push_back(OutputLine { stream, text });
        if self.scroll_back > 0 {
            self.scroll_back += 1;
        }
    }
}

/// A command that is running now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub run: u32,
    pub step: StepId,
    pub started: DateTime<Utc>,
    /// Spawn was requested (its start record is on disk).
    pub spawned: bool,
    pub cancel_requested: bool,
}

/// Tabs as a terminal shows them: spaces to the next multiple of eight columns (kubectl's
/// `rollout history --revision=N` and `describe` text, `printf '\t'` in a shell line). A
/// tab is a control character a cell cannot hold, so without this it would vanish on screen.
fn expand_tabs(text: String) -> String {
    if !text.contains('\t') {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut column = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let to = (column / 8 + 1) * 8;
                out.extend(std::iter::repeat_n(' ', to - column));
                column = to;
            }
            '\n' | '\r' => {
                out.push(c);
                column = 0;
            }
            _ => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_become_spaces_to_the_next_stop_of_eight_columns() {
        // kubectl's `rollout history --revision=N` writes its pod template with tabs.
        assert_eq!(
            expand_tabs("  Mounts:\t<none>".to_string()),
            "  Mounts:       <none>"
        );
        assert_eq!(expand_tabs("\tx".to_string()), "        x");
        assert_eq!(expand_tabs("abcdefgh\ty".to_string()), "abcdefgh        y");
        assert_eq!(expand_tabs("no tabs".to_string()), "no tabs");
    }

    #[test]
    fn a_pushed_line_keeps_its_columns_on_screen() {
        let mut log = OutputLog::default();
        log.push(Stream::Stdout, "Image:\tshop/web:1.5.0".to_string());
        assert_eq!(
            log.lines.back().map(|l| l.text.as_str()),
            Some("Image:  shop/web:1.5.0")
        );
    }
}

//! The runbook view's data (`R`): the whole runbook drawn in a [`TextView`], its code
//! blocks (one selected, the one `r` runs), and the positions to go back to after a jump.

use crate::domain::runbook::{CodeBlockAt, Runbook, StepId, code_blocks};

use super::text_view::TextView;

#[derive(Debug, Clone, PartialEq)]
pub struct RunbookView {
    pub text: TextView,
    pub blocks: Vec<CodeBlockAt>,
    /// Index into `blocks` of the selected block.
    pub selected: Option<usize>,
    /// Top lines to go back to, newest last (a jump pushes, `b` pops).
    pub back: Vec<usize>,
}

impl RunbookView {
    pub fn open(rb: &Runbook) -> RunbookView {
        let blocks = code_blocks(rb);
        let lines = crate::ui::runbook_markdown::lines(rb, &blocks);
        RunbookView {
            text: TextView::new(format!("Runbook — {}", rb.title), lines),
            blocks,
            selected: None,
            back: Vec::new(),
        }
    }

    /// Moves the top line to 1-based source line `line`, remembering where it was.
    pub fn jump_to_line(&mut self, line: usize, height: usize) {
        self.back.push(self.text.scroll);
        self.text.scroll = line.saturating_sub(1).min(self.text.max_scroll(height));
        self.select_on_screen(height);
    }

    /// The section of a step: its heading's line (else the step's own line).
    pub fn jump_to_step(&mut self, rb: &Runbook, step: StepId, height: usize) -> bool {
        let Some(s) = rb.step(step) else {
            return false;
        };
        let heading = rb
            .sections
            .iter()
            .rev()
            .find(|sec| sec.line <= s.line)
            .map_or(s.line, |sec| sec.line);
        self.jump_to_line(heading, height);
        if let Some(i) = self.blocks.iter().position(|b| b.step == Some(step)) {
            self.selected = Some(i);
        }
        true
    }

    /// Back to where the last jump started; false when there was none.
    pub fn go_back(&mut self, height: usize) -> bool {
        let Some(top) = self.back.pop() else {
            return false;
        };
        self.text.scroll = top.min(self.text.max_scroll(height));
        self.select_on_screen(height);
        true
    }

    /// Keeps the selection on screen: when the selected block is not, the first block
    /// starting on screen is selected (or none).
    pub fn select_on_screen(&mut self, height: usize) {
        let (top, bottom) = (self.text.scroll + 1, self.text.scroll + height.max(1));
        let visible = |b: &CodeBlockAt| b.last_line >= top && b.first_line <= bottom;
        if self
            .selected
            .and_then(|i| self.blocks.get(i))
            .is_some_and(visible)
        {
            return;
        }
        self.selected = self.blocks.iter().position(visible);
    }

    /// Tab / Shift-Tab: the next or previous code block, scrolled into view.
    pub fn select_next_block(&mut self, forward: bool, height: usize) {
        if self.blocks.is_empty() {
            return;
        }
        let n = self.blocks.len();
        let next = match self.selected {
            None => {
                let top = self.text.scroll + 1;
                if forward {
                    self.blocks
                        .iter()
                        .position(|b| b.first_line >= top)
                        .unwrap_or(0)
                } else {
                    self.blocks
                        .iter()
                        .rposition(|b| b.first_line < top)
                        .unwrap_or(n - 1)
                }
            }
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
        };
        self.selected = Some(next);
        let b = &self.blocks[next];
        let (top, bottom) = (self.text.scroll + 1, self.text.scroll + height.max(1));
        if b.first_line < top || b.last_line > bottom {
            self.text.scroll = b
                .first_line
                .saturating_sub(3)
                .min(self.text.max_scroll(height));
        }
    }

    pub fn selected_block(&self) -> Option<&CodeBlockAt> {
        self.selected.and_then(|i| self.blocks.get(i))
    }
}

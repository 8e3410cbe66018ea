//! The Markdown walk: the body of a runbook as a flat list of the blocks that matter.
//!
//! pulldown-cmark (CommonMark + GFM tables and task lists) does the parsing; this module
//! keeps, in document order, headings, task items, top-level plain list items, code blocks,
//! tables and a marker for any other content, each with its byte range in the source. What
//! they mean (phases, steps) is decided by [`super::outline`].
//!
//! The blocks are defined here; [`walk`] turns pulldown-cmark's events into them and
//! [`source_text`] shapes their text (list markers, item Markdown, whitespace).

use std::ops::Range;

mod source_text;
mod walk;

pub(super) use source_text::collapse_spaces;
pub(super) use walk::blocks;

/// Prose that introduces a code block: the paragraph just before it, or the text of the
/// list item it sits in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Context {
    /// Plain text (formatting dropped, code spans kept as text), spacing as written.
    pub plain: String,
    /// Where it is written (for a list item: the whole item up to the block).
    pub range: Range<usize>,
    /// Where its text is written (for a task item: after the `[ ]`).
    pub text_range: Range<usize>,
}

impl Context {
    /// The text as written, in Markdown.
    pub fn markdown(&self, full: &str) -> String {
        source_text::dedent(full.get(self.text_range.clone()).unwrap_or_default())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Block {
    Heading {
        level: u8,
        /// Plain text of the heading.
        text: String,
        range: Range<usize>,
    },
    /// A GFM task item (`- [ ] …`), without its nested items.
    Task {
        checked: bool,
        /// Nesting depth of the list (0 = top level).
        depth: usize,
        /// Its text introduces a code block (the next [`Block::Code`]), which is the step
        /// when it makes one.
        merged: bool,
        plain: String,
        markdown: String,
        range: Range<usize>,
    },
    /// An item of a top-level list (not nested in another list or a quote) that is not a
    /// task item, with its nested items. Emitted where the item starts, so it comes before
    /// any block written inside it.
    Item {
        /// From a numbered list (`1.`, `2)`), not a bullet list.
        ordered: bool,
        /// Its own text introduces a code block (the next [`Block::Code`]).
        merged: bool,
        /// Plain text of its first paragraph.
        plain: String,
        /// The whole item (nested items included) without its list marker, in Markdown.
        markdown: String,
        range: Range<usize>,
    },
    Code {
        /// First word of the info string, lower-cased (`bash`, `promql`), or empty.
        lang: String,
        content: String,
        range: Range<usize>,
        /// 0-based line of the source holding the first content line.
        content_line: usize,
        /// False when the closing fence is missing (the block runs to the end of the file).
        closed: bool,
        context: Option<Context>,
    },
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
        range: Range<usize>,
    },
    /// A top-level paragraph (not in a list or quote).
    Paragraph {
        /// Its plain text (formatting dropped, code spans kept as text), spacing as
        /// written.
        plain: String,
        range: Range<usize>,
    },
    /// Any other content (nested paragraphs, plain lists, quotes, HTML, rules).
    Prose { range: Range<usize> },
}

impl Block {
    pub fn range(&self) -> &Range<usize> {
        match self {
            Block::Heading { range, .. }
            | Block::Task { range, .. }
            | Block::Item { range, .. }
            | Block::Code { range, .. }
            | Block::Table { range, .. }
            | Block::Paragraph { range, .. }
            | Block::Prose { range } => range,
        }
    }
}

//! The walk over pulldown-cmark's events that emits the [`Block`]s of a runbook body.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::source_text::{
    collapse_spaces, collapse_spaces_owned, dedent, fence_closed, info_lang, item_markdown,
    marker_len,
};
use super::{Block, Context};

/// A list item being walked.
#[derive(Debug)]
struct Item {
    start: usize,
    task: Option<bool>,
    /// Where the item's own text starts (after `[ ]` for tasks).
    text_start: usize,
    plain: String,
    /// Set once the item's own text has ended (at a nested list or code block).
    own_end: Option<usize>,
    /// An item whose own text introduces a code block: the block is the step.
    merged: bool,
    /// For a top-level plain item: its index in the output, and whether its list is ordered.
    slot: Option<(usize, bool)>,
    /// Length of `plain` at the end of the item's first paragraph.
    first_len: Option<usize>,
    /// Plain text of the first paragraph, kept when the own text ends.
    title: String,
}

/// Where inline text goes.
#[derive(Debug)]
enum Sink {
    Heading(u8, usize),
    Paragraph(usize),
    Cell,
    Item,
}

/// Walks the Markdown `body`, which starts at byte `base` of `full` (the whole source,
/// used to turn offsets into lines). Offsets in the result are offsets in `full`.
pub(in crate::domain::runbook) fn blocks(
    full: &str,
    base: usize,
    line_of: impl Fn(usize) -> usize,
) -> Vec<Block> {
    let body = full.get(base..).unwrap_or("");
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let mut w = Walker {
        full,
        out: Vec::new(),
        items: Vec::new(),
        sinks: Vec::new(),
        last_text: None,
        lists: Vec::new(),
        quote_depth: 0,
    };
    let mut code: Option<(String, String, usize, bool)> = None;
    let mut table: Option<(Vec<String>, Vec<Vec<String>>)> = None;
    let mut row: Vec<String> = Vec::new();

    for (event, r) in Parser::new_ext(body, options).into_offset_iter() {
        let range = base + r.start..base + r.end;
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    w.end_item_text(range.start);
                    w.last_text = None;
                    w.sinks.push((
                        Sink::Heading(heading_level(level), range.start),
                        String::with_capacity(range.len()),
                    ));
                }
                Tag::Paragraph => {
                    let sink = match w.items.last_mut() {
                        Some(item) if item.own_end.is_none() => {
                            if !item.plain.is_empty() {
                                item.plain.push(' ');
                            }
                            Sink::Item
                        }
                        _ => Sink::Paragraph(range.start),
                    };
                    // Sized once: the text is about as long as its source, at most.
                    w.sinks.push((sink, String::with_capacity(range.len())));
                }
                Tag::List(first) => {
                    w.end_item_text(range.start);
                    w.lists.push(first.is_some());
                }
                Tag::BlockQuote(_) => w.quote_depth += 1,
                Tag::Item => {
                    let top_level = w.items.is_empty() && w.lists.len() == 1 && w.quote_depth == 0;
                    let slot = top_level.then(|| {
                        w.out.push(Block::Prose {
                            range: range.start..range.start,
                        });
                        (w.out.len() - 1, w.lists.last().copied().unwrap_or(false))
                    });
                    let source = full.get(range.clone()).unwrap_or("");
                    w.items.push(Item {
                        start: range.start,
                        task: None,
                        text_start: range.start + marker_len(source),
                        // Its own text is a line or two; the range holds nested items too.
                        plain: String::with_capacity(range.len().min(256)),
                        own_end: None,
                        merged: false,
                        slot,
                        first_len: None,
                        title: String::new(),
                    });
                }
                Tag::CodeBlock(kind) => {
                    if let Some(item) = w.items.last_mut()
                        && item.own_end.is_none()
                        && (item.task.is_some() || item.slot.is_some())
                    {
                        item.merged = true;
                    }
                    w.end_item_text(range.start);
                    let (lang, fenced) = match kind {
                        CodeBlockKind::Fenced(info) => (info_lang(&info), true),
                        CodeBlockKind::Indented => (String::new(), false),
                    };
                    code = Some((
                        lang,
                        String::with_capacity(range.len()),
                        range.start,
                        fenced,
                    ));
                }
                Tag::Table(_) => table = Some((Vec::new(), Vec::new())),
                Tag::TableHead | Tag::TableRow => row.clear(),
                Tag::TableCell => w
                    .sinks
                    .push((Sink::Cell, String::with_capacity(range.len()))),
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => {
                    if let Some((Sink::Heading(level, start), text)) = w.sinks.pop() {
                        w.out.push(Block::Heading {
                            level,
                            text: collapse_spaces_owned(text),
                            range: start..range.end,
                        });
                    }
                }
                TagEnd::Paragraph => match w.sinks.pop() {
                    Some((Sink::Paragraph(start), text)) => {
                        let top_level = w.items.is_empty() && w.quote_depth == 0;
                        if top_level {
                            // The block keeps the text; a code block right after it
                            // copies it as its context.
                            w.last_text = Some(LastText::Paragraph(w.out.len()));
                            w.out.push(Block::Paragraph {
                                plain: text,
                                range: start..range.end,
                            });
                        } else {
                            w.last_text = Some(LastText::Context(Context {
                                plain: text,
                                range: start..range.end,
                                text_range: start..range.end,
                            }));
                            if w.items.is_empty() {
                                w.out.push(Block::Prose {
                                    range: start..range.end,
                                });
                            }
                        }
                    }
                    Some((Sink::Item, text)) => {
                        if let Some(item) = w.items.last_mut() {
                            item.plain.push_str(&text);
                            item.first_len.get_or_insert(item.plain.len());
                        }
                    }
                    Some(other) => w.sinks.push(other),
                    None => {}
                },
                TagEnd::Item => {
                    // Tight items have no paragraph: their text arrived in the item itself.
                    w.end_item_text(range.end);
                    if let Some(item) = w.items.pop()
                        && item.task.is_none()
                    {
                        let item_range = item.start..range.end;
                        match item.slot {
                            Some((slot, ordered)) => {
                                if let Some(block) = w.out.get_mut(slot) {
                                    *block = Block::Item {
                                        ordered,
                                        merged: item.merged,
                                        plain: item.title,
                                        markdown: item_markdown(
                                            full.get(item.text_start.min(range.end)..range.end)
                                                .unwrap_or_default(),
                                        ),
                                        range: item_range,
                                    };
                                }
                            }
                            None if w.items.is_empty() => {
                                w.out.push(Block::Prose { range: item_range });
                            }
                            None => {}
                        }
                    }
                    w.last_text = None;
                }
                TagEnd::List(_) => {
                    w.lists.pop();
                    w.last_text = None;
                }
                TagEnd::CodeBlock => {
                    if let Some((lang, content, start, fenced)) = code.take() {
                        let first_line = line_of(start);
                        let context = w.take_context();
                        w.out.push(Block::Code {
                            closed: !fenced
                                || fence_closed(full.get(start..range.end).unwrap_or("")),
                            content_line: if fenced { first_line + 1 } else { first_line },
                            lang,
                            content,
                            range: start..range.end,
                            context,
                        });
                    }
                }
                TagEnd::TableCell => {
                    if let Some((_, text)) = w.sinks.pop() {
                        row.push(collapse_spaces_owned(text));
                    }
                }
                TagEnd::TableHead => {
                    if let Some(t) = table.as_mut() {
                        t.0 = std::mem::take(&mut row);
                    }
                }
                TagEnd::TableRow => {
                    if let Some(t) = table.as_mut() {
                        t.1.push(std::mem::take(&mut row));
                    }
                }
                TagEnd::Table => {
                    if let Some((headers, rows)) = table.take() {
                        w.out.push(Block::Table {
                            headers,
                            rows,
                            range,
                        });
                    }
                    w.last_text = None;
                }
                TagEnd::BlockQuote(_) => {
                    w.quote_depth = w.quote_depth.saturating_sub(1);
                    if w.items.is_empty() {
                        w.out.push(Block::Prose { range });
                    }
                }
                TagEnd::HtmlBlock if w.items.is_empty() => {
                    w.out.push(Block::Prose { range });
                }
                _ => {}
            },
            Event::Text(text) => match code.as_mut() {
                Some(c) => c.1.push_str(&text),
                None => w.push_inline(&text),
            },
            Event::Code(text) | Event::InlineMath(text) | Event::InlineHtml(text) => {
                w.push_inline(&text);
            }
            Event::SoftBreak | Event::HardBreak => w.push_inline(" "),
            Event::TaskListMarker(checked) => {
                if let Some(item) = w.items.last_mut() {
                    item.task = Some(checked);
                    item.text_start = range.end;
                    // A task item is not a plain item: give back its slot.
                    if let Some((slot, _)) = item.slot.take()
                        && slot + 1 == w.out.len()
                    {
                        w.out.pop();
                    }
                }
            }
            Event::Rule if w.items.is_empty() => {
                w.out.push(Block::Prose { range });
            }
            _ => {}
        }
    }
    w.out
}

struct Walker<'a> {
    full: &'a str,
    out: Vec<Block>,
    items: Vec<Item>,
    sinks: Vec<(Sink, String)>,
    last_text: Option<LastText>,
    /// Open lists, innermost last: whether each is ordered.
    lists: Vec<bool>,
    quote_depth: usize,
}

/// The prose a code block would be introduced by.
#[derive(Debug)]
enum LastText {
    Context(Context),
    /// The top-level paragraph at this index of the output.
    Paragraph(usize),
}

impl Walker<'_> {
    /// The context of a code block that ends now: the prose just before it.
    fn take_context(&mut self) -> Option<Context> {
        match self.last_text.take()? {
            LastText::Context(context) => Some(context),
            LastText::Paragraph(i) => match self.out.get(i) {
                Some(Block::Paragraph { plain, range }) => Some(Context {
                    plain: plain.clone(),
                    range: range.clone(),
                    text_range: range.clone(),
                }),
                _ => None,
            },
        }
    }

    /// Sends inline text to the innermost sink: a heading, paragraph or cell, else the
    /// list item whose own text is still open.
    fn push_inline(&mut self, text: &str) {
        match self.sinks.last_mut() {
            Some((_, buf)) => buf.push_str(text),
            None => {
                if let Some(item) = self.items.last_mut()
                    && item.own_end.is_none()
                {
                    item.plain.push_str(text);
                }
            }
        }
    }

    /// Ends the own text of the innermost item (at a nested list, code block, heading or
    /// its end), emitting it as a task when it is one. Its text becomes the context of a
    /// code block that follows inside the item.
    fn end_item_text(&mut self, at: usize) {
        let Some(item) = self.items.last_mut() else {
            return;
        };
        if item.own_end.is_some() {
            return;
        }
        item.own_end = Some(at);
        let text_range = item.text_start.min(at)..at;
        if item.slot.is_some() {
            let first = item.first_len.unwrap_or(item.plain.len());
            item.title = collapse_spaces(item.plain.get(..first).unwrap_or(&item.plain));
        }
        if let Some(checked) = item.task {
            self.out.push(Block::Task {
                checked,
                depth: self.lists.len().saturating_sub(1),
                merged: item.merged,
                plain: collapse_spaces(&item.plain),
                markdown: dedent(self.full.get(text_range.clone()).unwrap_or_default()),
                range: item.start..at,
            });
        }
        self.last_text = Some(LastText::Context(Context {
            plain: std::mem::take(&mut item.plain),
            range: item.start..at,
            text_range,
        }));
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

//! Drafting steps from blocks: a task item, or the steps of a code block (comment-only
//! checklists, numbered parts, PromQL queries, one command step).

use super::titles::says_what_it_does;
use super::*;

impl Builder<'_> {
    /// The steps a block makes: one for a task item; for a code block see [`Self::code_drafts`].
    pub(super) fn drafts(&mut self, block: Block, heading: Option<Heading>) -> Vec<Draft> {
        match block {
            Block::Task {
                checked,
                plain,
                markdown,
                range,
                ..
            } => vec![Draft {
                kind: StepKind::Checklist {
                    checked_in_source: checked,
                },
                title: one_liner(&plain),
                placeholder_source: PlaceholderSource::Text,
                text: markdown,
                line: self.source.line_index(range.start) + 1,
                ranges: vec![range],
                alternative: None,
            }],
            Block::Code {
                lang,
                content,
                range,
                content_line,
                closed,
                context,
            } => {
                if !closed {
                    self.findings
                        .push(self.source.position(range.start).warning(
                            self.file,
                            "code block is never closed: it runs to the end of the file",
                            Some(
                                "close it with a line holding only the opening fence (```)".into(),
                            ),
                        ));
                }
                let mut drafts =
                    self.code_drafts(&lang, &content, &range, content_line, context.as_ref());
                // One command step directly under a subheading is what the heading says,
                // whatever its first comment says (a block split into several steps keeps
                // the titles of its parts). Under an alternative's heading and one
                // paragraph, too: that paragraph says when to take it ("The application
                // itself is broken.") as often as what it does, and the heading is the way
                // chosen ("Full revert"), without its number.
                // A `**When:**` paragraph gave no title: the block's own first comment,
                // when it has one, says what it does better than the heading.
                let commented = |draft: &Draft| match &draft.kind {
                    StepKind::Command(block) => leading_comment(&block.script).is_some(),
                    _ => false,
                };
                let meta = context
                    .as_ref()
                    .is_some_and(|c| roles::is_meta_line(&c.plain));
                let title = match (heading, drafts.as_slice()) {
                    (Some(Heading::Directly(h)), _) if context.is_none() => Some(h.to_string()),
                    (Some(Heading::OverParagraph(h)), [draft])
                        if context.is_some() && !(meta && commented(draft)) =>
                    {
                        Some(without_numbering(h).to_string())
                    }
                    _ => None,
                };
                if let (Some(heading), [draft]) = (title, drafts.as_mut_slice())
                    && matches!(draft.kind, StepKind::Command(_))
                    && says_what_it_does(&heading)
                {
                    draft.title = one_liner(&heading);
                }
                drafts
            }
            _ => Vec::new(),
        }
    }

    /// The steps of a code block: a checklist item per comment of a shell block of comments
    /// only; a step per part of a shell block split by numbered comments (`# 1. …`,
    /// `# 2. …`), titled by them; else the one step of [`Self::code_draft`].
    pub(super) fn code_drafts(
        &self,
        lang: &str,
        content: &str,
        range: &Range<usize>,
        content_line: usize,
        context: Option<&Context>,
    ) -> Vec<Draft> {
        if lang == "promql"
            && let Some(parts) = comment_blocks::split_queries(content)
        {
            return parts
                .iter()
                .enumerate()
                .filter_map(|(k, part)| {
                    let context = if k == 0 { context } else { None };
                    let line = content_line + part.first_line;
                    let mut draft = self.code_draft(lang, &part.content, range, line, context)?;
                    draft.line = line + 1;
                    if let Some(title) = &part.title {
                        draft.title = one_liner(title);
                    }
                    Some(draft)
                })
                .collect();
        }
        if commands::is_shell_lang(lang) && lang != "console" {
            if let Some(comments) = comment_blocks::comments_only(content) {
                let mut ranges = vec![range.clone()];
                ranges.extend(context.map(|c| c.range.clone()));
                return comments
                    .into_iter()
                    .map(|(i, text)| Draft {
                        kind: StepKind::Checklist {
                            checked_in_source: false,
                        },
                        title: one_liner(text),
                        text: text.to_string(),
                        line: content_line + i + 1,
                        ranges: std::mem::take(&mut ranges),
                        placeholder_source: PlaceholderSource::Text,
                        alternative: None,
                    })
                    .collect();
            }
            if let Some(parts) = comment_blocks::split_numbered(content) {
                return parts
                    .iter()
                    .enumerate()
                    .filter_map(|(k, part)| {
                        let context = if k == 0 { context } else { None };
                        let line = content_line + part.first_line;
                        let mut draft =
                            self.code_draft(lang, &part.content, range, line, context)?;
                        draft.line = line + 1;
                        if let Some(title) = &part.title {
                            draft.title = one_liner(title);
                        }
                        Some(draft)
                    })
                    .collect();
            }
        }
        self.code_draft(lang, content, range, content_line, context)
            .into_iter()
            .collect()
    }

    pub(super) fn code_draft(
        &self,
        lang: &str,
        content: &str,
        range: &Range<usize>,
        content_line: usize,
        context: Option<&Context>,
    ) -> Option<Draft> {
        let line = self.source.line_index(range.start) + 1;
        let mut ranges = vec![range.clone()];
        ranges.extend(context.map(|c| c.range.clone()));
        let text = step_text(
            context.map(|c| c.markdown(&self.source.text)),
            lang,
            content,
        );
        // An alternative's `**When:** …` lines say when to choose it, not what the step does.
        let context_title = context
            .filter(|c| !roles::is_meta_line(&c.plain))
            .and_then(|c| first_sentence(&c.plain));
        if lang == "promql" {
            let query = content.trim().to_string();
            if query.is_empty() {
                return None;
            }
            let title = context_title
                .or_else(|| leading_comment(content))
                .unwrap_or_else(|| one_liner(query.lines().next().unwrap_or("")));
            return Some(Draft {
                kind: StepKind::Promql {
                    comparison: promql::comparison(&query),
                    query,
                },
                title,
                text,
                line,
                ranges,
                placeholder_source: PlaceholderSource::Query,
                alternative: None,
            });
        }
        let shell = commands::is_shell_lang(lang)
            || (lang.is_empty() && commands::looks_like_shell(content));
        if !shell {
            return None;
        }
        let script = commands::script(lang, content);
        let lexed = commands::lex(&script.text);
        let lines = commands::command_lines_lexed(&script, &lexed, content_line + 1);
        let foreign = commands::foreign_lines(&script, &lexed, content_line + 1);
        let first = lines.first()?;
        let title = context_title
            .or_else(|| leading_comment(&script.text))
            .unwrap_or_else(|| one_liner(&markdown::collapse_spaces(&first.text)));
        Some(Draft {
            kind: StepKind::Command(CommandBlock {
                lang: if lang.is_empty() {
                    "sh".into()
                } else {
                    lang.to_string()
                },
                script: script.text,
                lines,
                foreign,
            }),
            title,
            text,
            line,
            ranges,
            placeholder_source: PlaceholderSource::Script(lexed),
            alternative: None,
        })
    }
}

/// A heading without its leading numbering: "Full revert" for "2. Full revert" or "3)
/// Kill switch".
fn without_numbering(heading: &str) -> &str {
    let rest = heading
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_digit());
    if rest.len() == heading.trim_start().len() {
        return heading.trim();
    }
    match rest.strip_prefix(['.', ')', ':']) {
        Some(rest) if !rest.trim().is_empty() => rest.trim(),
        _ => heading.trim(),
    }
}

/// A step's full text: the introducing prose, then the block as fenced Markdown.
fn step_text(context: Option<String>, lang: &str, content: &str) -> String {
    let mut text = context.map_or_else(String::new, |mut c| {
        c.push_str("\n\n");
        c
    });
    text.reserve(content.len() + lang.len() + 8);
    text.push_str("```");
    text.push_str(lang);
    text.push('\n');
    text.push_str(content);
    if !content.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("```");
    text
}

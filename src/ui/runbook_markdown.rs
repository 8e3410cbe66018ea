//! The runbook's Markdown drawn for the runbook view: one screen line per source line (so
//! a step's or a section's line is the view's line, and search finds what the file says),
//! headings with their role, task items as boxes, bullets, tables with aligned columns,
//! block quotes, and code blocks framed and coloured by `ui::highlight`.

use unicode_width::UnicodeWidthStr;

use crate::domain::runbook::{CodeBlockAt, Runbook, SectionRole};
use crate::ui::highlight::{self, Grammar};
use crate::ui::state::text_view::TextLine;
use crate::ui::theme::Role;

/// Every line of the runbook, styled (index `i` is source line `i + 1`).
pub fn lines(rb: &Runbook, blocks: &[CodeBlockAt]) -> Vec<TextLine> {
    let source: Vec<&str> = rb.markdown.lines().collect();
    let mut out: Vec<TextLine> = Vec::with_capacity(source.len());
    let mut block = blocks.iter().peekable();
    let mut i = 0;
    let front_end = front_matter_end(&source);
    while i < source.len() {
        let n = i + 1;
        if i < front_end {
            out.push(vec![(Role::Muted, source[i].to_string())]);
            i += 1;
            continue;
        }
        while block.peek().is_some_and(|b| b.last_line < n) {
            block.next();
        }
        if let Some(b) = block.peek()
            && b.first_line <= n
        {
            out.push(code_line(b, n, source[i]));
            i += 1;
            continue;
        }
        if is_table_row(source[i]) {
            let end = (i..source.len())
                .find(|&j| !is_table_row(source[j]))
                .unwrap_or(source.len());
            out.extend(table(&source[i..end]));
            i = end;
            continue;
        }
        out.push(prose_line(rb, n, source[i]));
        i += 1;
    }
    out
}

/// Lines of a front matter block at the very top (`---` … `---`), or 0.
fn front_matter_end(source: &[&str]) -> usize {
    if source.first().map(|l| l.trim_end()) != Some("---") {
        return 0;
    }
    source
        .iter()
        .skip(1)
        .position(|l| matches!(l.trim_end(), "---" | "..."))
        .map_or(0, |p| p + 2)
}

fn code_line(b: &CodeBlockAt, n: usize, text: &str) -> TextLine {
    let run_hint = if b.command.is_some() {
        "  r runs it"
    } else {
        ""
    };
    if b.fenced && n == b.first_line {
        let lang = if b.lang.is_empty() { "code" } else { &b.lang };
        return vec![(Role::Muted, format!("┌─ {lang}{run_hint}"))];
    }
    if b.fenced && n == b.last_line && text.trim_start().starts_with(['`', '~']) {
        return vec![(Role::Muted, "└─".to_string())];
    }
    let mut line = vec![(Role::Muted, "│ ".to_string())];
    line.extend(highlight::line(Grammar::of(&b.lang), text));
    line
}

fn prose_line(rb: &Runbook, n: usize, text: &str) -> TextLine {
    let trimmed = text.trim_start();
    let indent = &text[..text.len() - trimmed.len()];
    if let Some(level) = heading_level(trimmed) {
        let title = trimmed[level..].trim().trim_end_matches('#').trim_end();
        let mut line = vec![(Role::Heading, format!("{} {title}", "▍".repeat(level)))];
        if let Some(section) = rb.sections.iter().find(|s| s.line == n) {
            let role = match section.role {
                SectionRole::Phase { kind } => kind.label().to_string(),
                SectionRole::Alternative { kind, .. } => format!("{} · alternative", kind.label()),
                SectionRole::Reference => "reference".to_string(),
            };
            line.push((Role::Muted, format!("  ({role})")));
        }
        return line;
    }
    if let Some(quote) = trimmed.strip_prefix('>') {
        let mut line = vec![(Role::Muted, format!("{indent}▌"))];
        line.extend(inline(quote, Role::Muted));
        return line;
    }
    for (marker, shown, role) in [
        ("- [ ] ", "☐ ", Role::Pending),
        ("* [ ] ", "☐ ", Role::Pending),
        ("- [x] ", "☑ ", Role::Done),
        ("- [X] ", "☑ ", Role::Done),
        ("* [x] ", "☑ ", Role::Done),
        ("- ", "• ", Role::Muted),
        ("* ", "• ", Role::Muted),
        ("+ ", "• ", Role::Muted),
    ] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            let mut line = vec![(role, format!("{indent}{shown}"))];
            line.extend(inline(rest, Role::Base));
            return line;
        }
    }
    if trimmed.chars().all(|c| matches!(c, '-' | '*' | '_')) && trimmed.len() >= 3 {
        return vec![(Role::Muted, "─".repeat(40))];
    }
    let mut line = vec![(Role::Base, indent.to_string())];
    line.extend(inline(trimmed, Role::Base));
    line.retain(|(_, s)| !s.is_empty());
    line
}

fn heading_level(trimmed: &str) -> Option<usize> {
    let level = trimmed.bytes().take_while(|&b| b == b'#').count();
    ((1..=6).contains(&level) && trimmed[level..].starts_with(' ')).then_some(level)
}

/// Inline Markdown: `code` in the command role, `**bold**` and `__bold__` markers dropped.
fn inline(text: &str, role: Role) -> TextLine {
    let mut out = TextLine::new();
    for (k, part) in text.split('`').enumerate() {
        if part.is_empty() {
            continue;
        }
        if k % 2 == 1 {
            out.push((Role::Command, part.to_string()));
        } else {
            out.push((role, part.replace("**", "").replace("__", "")));
        }
    }
    out
}

fn is_table_row(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.len() > 1
}

fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(|c| c.trim().replace("**", "")).collect()
}

fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// A table's rows with every column as wide as its widest cell (one line per source row).
fn table(rows: &[&str]) -> Vec<TextLine> {
    let parsed: Vec<Vec<String>> = rows.iter().map(|r| cells(r)).collect();
    let columns = parsed.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in parsed.iter().filter(|r| !is_separator(r)) {
        for (c, cell) in row.iter().enumerate() {
            widths[c] = widths[c].max(cell.width());
        }
    }
    parsed
        .iter()
        .enumerate()
        .map(|(k, row)| {
            if is_separator(row) {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                return vec![(Role::Muted, format!("─{}─", rule.join("─┼─")))];
            }
            let role = if k == 0 { Role::Heading } else { Role::Base };
            let mut line = TextLine::new();
            for (c, w) in widths.iter().enumerate() {
                let cell = row.get(c).map_or("", String::as_str);
                line.push((Role::Muted, if c == 0 { " " } else { " │ " }.to_string()));
                let pad = w.saturating_sub(cell.width());
                line.push((role, format!("{cell}{}", " ".repeat(pad))));
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::state::text_view::line_text;
    use std::path::Path;

    #[test]
    fn one_view_line_per_source_line_with_headings_tasks_tables_and_code() {
        let md = "# Rollback\n\n## Prepare\n\n- [ ] Page the owner\n- [x] Freeze\n\n\
| Severity | Action |\n|---|---|\n| SEV-1 | Roll back now |\n\n## Execute\n\n\
```bash\nkubectl rollout undo deployment/web\n```\n\n## Contacts\n\n> call `+1 555`\n";
        let rb = crate::domain::runbook::parse(Path::new("t.md"), md).unwrap();
        let blocks = crate::domain::runbook::code_blocks(&rb);
        let shown: Vec<String> = lines(&rb, &blocks).iter().map(line_text).collect();
        assert_eq!(shown.len(), md.lines().count());
        assert_eq!(
            shown,
            vec![
                "▍ Rollback",
                "",
                "▍▍ Prepare  (prepare)",
                "",
                "☐ Page the owner",
                "☑ Freeze",
                "",
                " Severity │ Action       ",
                "──────────┼───────────────",
                " SEV-1    │ Roll back now",
                "",
                "▍▍ Execute  (execute)",
                "",
                "┌─ bash  r runs it",
                "│ kubectl rollout undo deployment/web",
                "└─",
                "",
                "▍▍ Contacts  (reference)",
                "",
                "▌ call +1 555",
            ]
        );
    }
}

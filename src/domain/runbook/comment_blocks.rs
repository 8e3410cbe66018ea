//! The comment structure of a fenced shell block.
//!
//! Teams write to-do lists as shell comments (`# Create incident ticket`, `# Notify
//! stakeholders`) and number the parts of a long block (`# 1. Stop all instances`,
//! `# 2. Restore from backup`). A block of comments only is a checklist, one item per
//! comment; numbered comments split a block into one part per number.

use super::text_lines;

/// One part of a block: a run of its lines, titled by the comment that opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Part {
    /// The opening comment without `#` and numbering, if the part has one.
    pub title: Option<String>,
    /// 0-based index of the part's first line in the block.
    pub first_line: usize,
    /// The part's lines, as written.
    pub content: String,
}

/// The text of a comment line (`# Check status` → `Check status`); `None` for other lines,
/// shebangs and empty comments.
pub(super) fn comment(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.starts_with("#!") {
        return None;
    }
    let text = t.strip_prefix('#')?.trim_start_matches('#').trim();
    (!text.is_empty()).then_some(text)
}

/// The text of a numbered comment (`# 1. Stop`, `# 2) Restore`, `# Step 3: Verify`)
/// without its number.
pub(super) fn numbered(line: &str) -> Option<&str> {
    let text = comment(line)?;
    let rest = text
        .strip_prefix("Step ")
        .or_else(|| text.strip_prefix("step "))
        .unwrap_or(text);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let after = rest[digits..].strip_prefix(['.', ')', ':'])?;
    let title = after.trim();
    (!title.is_empty()).then_some(title)
}

/// Comment lines of a block holding nothing else (blank lines aside), in order; `None` when
/// the block holds anything but comments.
pub(super) fn comments_only(content: &str) -> Option<Vec<(usize, &str)>> {
    let mut out = Vec::new();
    for (i, line) in text_lines::lines(content).enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push((i, comment(line)?));
    }
    (!out.is_empty()).then_some(out)
}

/// What the comments between two commands of a block say about the second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum GapTitle {
    /// The comments just above it title it (`# Check current status`).
    Own(String),
    /// Nothing between them: it goes on under the previous command's title.
    Inherit,
    /// A blank line and no comment: it has no title.
    None,
}

/// The title the comment lines of `gap` (whole lines between the previous command and this
/// one) give the command after them: the first comment of the last run of comments that
/// says what to do (`Action: Roll back` → `Roll back`; `Symptoms: …`, `When: …` lines say
/// when, not what; `# 1. Stop` → `Stop`).
pub(super) fn gap_title(gap: &str) -> GapTitle {
    let mut title: Option<&str> = None;
    let mut in_run = false;
    let mut run_title: Option<&str> = None;
    let mut blank = false;
    for line in text_lines::lines(gap) {
        if let Some(text) = comment(line) {
            if !in_run {
                in_run = true;
                run_title = None;
            }
            let text = numbered(line).unwrap_or(text);
            let action = text.split_once(':').and_then(|(label, rest)| {
                label
                    .trim()
                    .eq_ignore_ascii_case("action")
                    .then_some(rest.trim())
                    .filter(|r| !r.is_empty())
            });
            if let Some(action) = action {
                run_title = Some(action);
            } else if run_title.is_none()
                && !super::roles::is_meta_line(text)
                && !is_situation(text)
            {
                run_title = Some(text);
            }
            if run_title.is_some() {
                title = run_title;
            }
        } else {
            in_run = false;
            blank |= line.trim().is_empty();
        }
    }
    match title {
        Some(t) => GapTitle::Own(t.to_string()),
        None if blank => GapTitle::None,
        None => GapTitle::Inherit,
    }
}

/// A comment that says what happened or when, not what the command does ("Health check
/// failure detected", "If the rollout is stuck").
fn is_situation(text: &str) -> bool {
    let t = text.trim_end_matches(['.', ':', '!']).trim();
    let lower = t.to_ascii_lowercase();
    ["if ", "when ", "in case "]
        .iter()
        .any(|p| lower.starts_with(p))
        || [" detected", " failed", " fails", " is down", " are down"]
            .iter()
            .any(|s| lower.ends_with(s))
}

/// The parts of a block split at its numbered comments, when it has at least two; `None`
/// otherwise (the block is one step).
pub(super) fn split_numbered(content: &str) -> Option<Vec<Part>> {
    let lines: Vec<&str> = text_lines::lines(content).collect();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| numbered(l).is_some())
        .map(|(i, _)| i)
        .collect();
    if starts.len() < 2 {
        return None;
    }
    let mut parts = Vec::new();
    let mut bounds = Vec::with_capacity(starts.len() + 1);
    if starts[0] > 0 {
        bounds.push(0);
    }
    bounds.extend(&starts);
    for (k, &start) in bounds.iter().enumerate() {
        let end = bounds.get(k + 1).copied().unwrap_or(lines.len());
        let slice = &lines[start..end];
        if slice.iter().all(|l| l.trim().is_empty()) {
            continue;
        }
        let mut text = slice.join("\n");
        text.push('\n');
        parts.push(Part {
            title: numbered(lines[start]).map(str::to_string),
            first_line: start,
            content: text,
        });
    }
    Some(parts)
}

/// The queries of a `promql` block holding several, each with the comments just above it:
/// paragraphs (runs of lines between blank lines) that hold a query. `None` when the block
/// holds one query (a query may span lines; it is one paragraph).
pub(super) fn split_queries(content: &str) -> Option<Vec<Part>> {
    let mut parts: Vec<Part> = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    let flush = |current: &mut Option<(usize, Vec<&str>)>, parts: &mut Vec<Part>| {
        if let Some((first_line, lines)) = current.take()
            && lines
                .iter()
                .any(|l| comment(l).is_none() && !l.trim().starts_with('#'))
        {
            let title = lines
                .iter()
                .rev()
                .find_map(|l| comment(l))
                .map(str::to_string);
            let mut text = lines.join("\n");
            text.push('\n');
            parts.push(Part {
                title,
                first_line,
                content: text,
            });
        }
    };
    for (i, line) in text_lines::lines(content).enumerate() {
        if line.trim().is_empty() {
            flush(&mut current, &mut parts);
            continue;
        }
        current.get_or_insert((i, Vec::new())).1.push(line);
    }
    flush(&mut current, &mut parts);
    (parts.len() >= 2).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_numbers() {
        assert_eq!(comment("  # Check status "), Some("Check status"));
        assert_eq!(comment("#!/bin/bash"), None);
        assert_eq!(comment("#"), None);
        assert_eq!(comment("kubectl get pods # trailing"), None);
        assert_eq!(
            numbered("# 1. Stop all instances"),
            Some("Stop all instances")
        );
        assert_eq!(numbered("# 2) Restore"), Some("Restore"));
        assert_eq!(numbered("# Step 3: Verify"), Some("Verify"));
        assert_eq!(numbered("# 2024 was a year"), None);
        assert_eq!(numbered("# Check"), None);
    }

    #[test]
    fn comments_between_commands_title_the_commands_after_them() {
        assert_eq!(
            gap_title("# Check current status\n"),
            GapTitle::Own("Check current status".into())
        );
        assert_eq!(gap_title(""), GapTitle::Inherit);
        assert_eq!(gap_title("\n"), GapTitle::None);
        // The last run of comments titles; a blank line after it does not cut it off.
        assert_eq!(
            gap_title("# old note\n\n# Rollback to specific revision\n# (takes a minute)\n\n"),
            GapTitle::Own("Rollback to specific revision".into())
        );
        assert_eq!(
            gap_title("# Symptoms: 500s\n# Action: Switch traffic back to blue\n"),
            GapTitle::Own("Switch traffic back to blue".into())
        );
        assert_eq!(
            gap_title("# 2. Restore from backup\n"),
            GapTitle::Own("Restore from backup".into())
        );
        assert_eq!(gap_title("# When: the canary fails\n\n"), GapTitle::None);
        // What happened is no title; the action under it is.
        assert_eq!(
            gap_title("# Health check failure detected\n"),
            GapTitle::Inherit
        );
        assert_eq!(
            gap_title("# If the rollout is stuck\n# Restart it\n"),
            GapTitle::Own("Restart it".into())
        );
    }

    #[test]
    fn comment_only_blocks() {
        assert_eq!(
            comments_only("# Create ticket\n\n# Notify stakeholders\n"),
            Some(vec![(0, "Create ticket"), (2, "Notify stakeholders")])
        );
        assert_eq!(
            comments_only("# Roll back\nkubectl rollout undo deploy/web\n"),
            None
        );
        assert_eq!(comments_only("\n"), None);
    }

    #[test]
    fn numbered_comments_split_a_block() {
        let parts = split_numbered(
            "set -e\n# 1. Stop all instances\nkubectl scale deploy/web --replicas=0\n\n# 2. Restore\n./restore.sh\n",
        )
        .expect("split");
        let shape: Vec<(Option<&str>, usize)> = parts
            .iter()
            .map(|p| (p.title.as_deref(), p.first_line))
            .collect();
        assert_eq!(
            shape,
            [
                (None, 0),
                (Some("Stop all instances"), 1),
                (Some("Restore"), 4)
            ]
        );
        assert_eq!(
            parts[1].content,
            "# 1. Stop all instances\nkubectl scale deploy/web --replicas=0\n\n"
        );
        assert_eq!(split_numbered("# 1. only one\nls\n"), None);
    }

    #[test]
    fn promql_blocks_split_into_queries_titled_by_their_comments() {
        let parts = split_queries(
            "# Error ratio under 1%\nsum(rate(e[5m]))\n  / sum(rate(r[5m])) < 0.01\n\n# p95 under 1 s\nhistogram_quantile(0.95, x) < 1000\n",
        )
        .expect("two queries");
        let shape: Vec<(Option<&str>, usize)> = parts
            .iter()
            .map(|p| (p.title.as_deref(), p.first_line))
            .collect();
        assert_eq!(
            shape,
            [
                (Some("Error ratio under 1%"), 0),
                (Some("p95 under 1 s"), 4)
            ]
        );
        assert_eq!(split_queries("sum(rate(e[5m]))\n  > 1\n"), None);
    }
}

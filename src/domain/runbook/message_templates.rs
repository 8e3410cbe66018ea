//! The runbook's own message templates, found wherever the team wrote them:
//!
//! - a fenced block of text (no language, or `text`, `markdown`, `md`, `plain`, `slack`,
//!   `email`) under a heading or after a lead-in line that names a message ("Rollback
//!   Notification", "Post-Rollback Summary", "Status update", "Post the all-clear:");
//! - a Markdown template section: a heading that names a message or a template ("Incident
//!   Report", "Incident Report Template") whose body is a list of `Field: value` lines
//!   (Time / Trigger / Affected services / Rollback method / …).
//!
//! Their placeholders (`[Service Name]`, `{{service}}`, `<environment>`) are filled from
//! the session with [`fill`]; a placeholder the session cannot answer is left as written.

use std::collections::BTreeMap;

use serde::Serialize;

use super::text_lines;

/// A message template written in the runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageTemplate {
    /// The heading or lead-in that names it ("Rollback Notification").
    pub title: String,
    /// 1-based line of its first line of text.
    pub line: usize,
    pub text: String,
}

const MESSAGE_WORDS: &[&str] = &[
    "notification",
    "notify",
    "announcement",
    "announce",
    "message",
    "summary",
    "status",
    "update",
    "communication",
    "communicate",
    "all-clear",
    "clear",
    "report",
    "postmortem",
    "post-mortem",
    "template",
    "email",
    "slack",
    "post",
    "tell",
];

const TEXT_LANGS: &[&str] = &[
    "", "text", "txt", "markdown", "md", "plain", "slack", "email",
];

fn names_a_message(text: &str) -> bool {
    if text.is_ascii() {
        // Lower-casing ASCII changes no separator, so the words are the same as below.
        return text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(is_message_word_ascii);
    }
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .any(|w| MESSAGE_WORDS.contains(&w))
}

/// Whether an ASCII word is one of [`MESSAGE_WORDS`], in any case: lower-cased on the
/// stack (no word in the list is longer than 13 bytes) and matched by length first.
fn is_message_word_ascii(word: &str) -> bool {
    let mut buf = [0u8; 13];
    let Some(lower) = buf.get_mut(..word.len()) else {
        return false;
    };
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"notification"
            | b"notify"
            | b"announcement"
            | b"announce"
            | b"message"
            | b"summary"
            | b"status"
            | b"update"
            | b"communication"
            | b"communicate"
            | b"all-clear"
            | b"clear"
            | b"report"
            | b"postmortem"
            | b"post-mortem"
            | b"template"
            | b"email"
            | b"slack"
            | b"post"
            | b"tell"
    )
}

/// A heading's or lead-in's text without Markdown marks, list bullets, task boxes,
/// numbering or a trailing colon.
fn plain(line: &str) -> String {
    let mut t = line.trim().trim_start_matches('#').trim();
    for prefix in ["- [ ]", "- [x]", "* [ ]", "-", "*", "+"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim();
            break;
        }
    }
    let marks_dropped;
    let t = if t.contains(['*', '_', '`']) {
        marks_dropped = t.replace(['*', '_', '`'], "");
        marks_dropped.as_str()
    } else {
        t
    };
    let t = t.trim().trim_end_matches(':').trim();
    let t = t
        .split_once(". ")
        .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .map_or(t, |(_, rest)| rest);
    t.to_string()
}

/// Whether `line.trim_start()` can start with one of the ASCII bytes `marks`: false when
/// the line's first byte is ASCII, not whitespace (so the trim keeps it) and not a mark.
fn may_start_with(line: &str, marks: &[u8]) -> bool {
    match line.as_bytes().first() {
        Some(&b) if b.is_ascii() && !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => {
            marks.contains(&b)
        }
        _ => true,
    }
}

fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    (1..=6)
        .contains(&hashes)
        .then_some(hashes)
        .filter(|_| line[hashes..].starts_with(' '))
}

/// A `Field: value` line of a template section (`- **Time**: [timestamp]`).
fn is_field_line(line: &str) -> bool {
    let p = line.trim().trim_start_matches(['-', '*', '+']).trim();
    let p: String = p.chars().filter(|c| !matches!(c, '*' | '_')).collect();
    p.split_once(':').is_some_and(|(name, _)| {
        let name = name.trim();
        !name.is_empty() && name.len() <= 40 && name.chars().next().is_some_and(char::is_alphabetic)
    })
}

/// Every message template in `text` (a runbook's Markdown), in document order.
pub fn find(text: &str) -> Vec<MessageTemplate> {
    let lines: Vec<&str> = text_lines::lines(text).collect();
    let mut out = Vec::new();
    // The current heading's title, and whether it names a message (decided once per
    // heading, not at every fence under it).
    let mut heading: Option<(String, bool)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // Only fences and headings matter: most lines are neither, seen by their first byte.
        if !may_start_with(line, b"`~#") {
            i += 1;
            continue;
        }
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        if let Some(fence) = fence {
            let lang = trimmed[fence.len()..].trim().to_lowercase();
            let start = i + 1;
            let mut end = start;
            while end < lines.len()
                && !(may_start_with(lines[end], &fence.as_bytes()[..1])
                    && lines[end].trim_start().starts_with(fence))
            {
                end += 1;
            }
            // Only a text block can be a template: the titles are not looked for otherwise.
            let is_text = TEXT_LANGS.contains(&lang.as_str());
            let lead = lines[..i]
                .iter()
                .rev()
                .take(if is_text { 3 } else { 0 })
                .find(|l| !l.trim().is_empty())
                .filter(|l| heading_level(l.trim_start()).is_none())
                .map(|l| plain(l))
                .filter(|l| names_a_message(l));
            let title = lead.or_else(|| {
                heading
                    .as_ref()
                    .filter(|(_, named)| is_text && *named)
                    .map(|(h, _)| h.clone())
            });
            let body_lines = &lines[start..end.min(lines.len())];
            if let Some(title) = title
                && is_text
                && body_lines.iter().any(|l| !l.trim().is_empty())
            {
                let body = body_lines.join("\n");
                out.push(MessageTemplate {
                    title,
                    line: start + 1,
                    text: body.trim_end().to_string(),
                });
            }
            i = end + 1;
            continue;
        }
        if let Some(level) = heading_level(trimmed) {
            let title = plain(trimmed);
            let named = names_a_message(&title);
            let title = &heading.insert((title, named)).0;
            if named {
                // A template section: its field lines up to the next heading or fence.
                let mut end = i + 1;
                while end < lines.len()
                    && heading_level(lines[end].trim_start()).is_none_or(|l| l > level)
                    && !lines[end].trim_start().starts_with("```")
                    && !lines[end].trim_start().starts_with("~~~")
                {
                    end += 1;
                }
                let body: Vec<&str> = lines[i + 1..end]
                    .iter()
                    .copied()
                    .filter(|l| !l.trim().is_empty())
                    .collect();
                let fields = body.iter().filter(|l| is_field_line(l)).count();
                if fields >= 3 && fields * 2 >= body.len() {
                    // Its first line of text, past the blank lines under the heading.
                    let first = (i + 1..end).find(|&n| !lines[n].trim().is_empty());
                    out.push(MessageTemplate {
                        title: title.clone(),
                        line: first.unwrap_or(i + 1) + 1,
                        text: body.join("\n"),
                    });
                }
            }
        }
        i += 1;
    }
    out
}

/// [`find`] in the body of `text` that starts at byte `body_start` (after front matter),
/// with lines numbered in the whole file.
pub fn find_after(text: &str, body_start: usize) -> Vec<MessageTemplate> {
    let Some(body) = text.get(body_start..) else {
        return Vec::new();
    };
    let before = text[..body_start].matches('\n').count();
    let mut found = find(body);
    for t in &mut found {
        t.line += before;
    }
    found
}

/// Lower-case words of a placeholder name (`Service Name` → `service name`).
fn key(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which session value a placeholder names, by its words. The session's values use the
/// names of the built-in templates (`service`, `namespace`, `severity`, `from_revision`,
/// …) plus `reason`, `impact`, `method` and `actor`.
fn value_for<'a>(name: &str, values: &'a BTreeMap<&str, String>) -> Option<&'a String> {
    let k = key(name);
    let has = |w: &str| k.split(' ').any(|x| x == w);
    let get = |n: &str| values.get(n).filter(|v| !v.trim().is_empty());
    let first = |names: &[&str]| names.iter().find_map(|n| get(n));
    // What only a person knows: the root cause, the prevention, the lessons.
    if has("root") || has("prevention") || has("lessons") {
        return None;
    }
    if has("image") {
        if has("from") || has("bad") || has("current") || has("old") {
            return first(&["from_image"]);
        }
        return first(&["to_image", "from_image"]);
    }
    if has("revision") || has("version") || has("release") {
        if has("previous") || has("to") || has("target") || has("good") || has("stable") {
            return first(&["to_revision"]);
        }
        return first(&["from_revision"]);
    }
    if has("environment") || has("env") || has("cluster") || has("namespace") {
        return first(&["namespace"]);
    }
    if has("severity") || has("sev") || has("priority") || k == "p" {
        return first(&["severity"]);
    }
    if has("service")
        || has("services")
        || has("app")
        || has("application")
        || has("deployment")
        || has("component")
    {
        return first(&["service", "deployment"]);
    }
    if has("reason") || has("cause") || has("trigger") || has("issue") || has("problem") {
        return first(&["reason", "verdict"]);
    }
    if has("impact") || has("affected") || has("symptom") || has("symptoms") {
        return first(&["impact"]);
    }
    if has("duration") || has("downtime") || has("elapsed") || has("long") {
        return first(&["rollback_duration", "elapsed"]);
    }
    if has("method") || has("strategy") || has("how") {
        return first(&["method"]);
    }
    if has("confirmed")
        || has("approver")
        || has("approved")
        || has("commander")
        || has("ic")
        || has("name")
        || has("who")
        || has("by")
    {
        return first(&["confirmed_by", "actor"]);
    }
    if has("incident") && (has("id") || has("number")) || has("ticket") {
        return first(&["incident_id"]);
    }
    if has("time")
        || has("timestamp")
        || has("date")
        || has("started")
        || has("start")
        || has("when")
    {
        return first(&["started_at", "now"]);
    }
    if has("title") {
        return first(&["title"]);
    }
    None
}

/// Fills `[Placeholder]`, `{{placeholder}}` and `<placeholder>` in `text` from the
/// session's `values`; a Markdown link (`[text](url)`), a task box (`[ ]`, `[x]`) and a
/// placeholder the session cannot answer are left as written.
pub fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find(['[', '{', '<']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (open, close) = if tail.starts_with("{{") {
            ("{{", "}}")
        } else if tail.starts_with('[') {
            ("[", "]")
        } else if tail.starts_with('<') {
            ("<", ">")
        } else {
            ("{", "}")
        };
        let inner_start = open.len();
        let found = tail[inner_start..].find(close).map(|i| inner_start + i);
        let Some(end) = found.filter(|_| open != "{") else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
            continue;
        };
        let name = &tail[inner_start..end];
        let after = &tail[end + close.len()..];
        let is_link = open == "[" && after.starts_with('(');
        let usable = !name.trim().is_empty()
            && name.len() <= 60
            && !name.contains('\n')
            && !matches!(name.trim(), "x" | "X")
            && !is_link;
        match value_for(name, values).filter(|_| usable) {
            Some(v) => out.push_str(v),
            None => out.push_str(&tail[..end + close.len()]),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_word_match_is_the_word_list_in_any_case() {
        for word in MESSAGE_WORDS {
            assert!(is_message_word_ascii(word), "{word}");
            assert!(is_message_word_ascii(&word.to_ascii_uppercase()), "{word}");
        }
        for word in [
            "",
            "notifications",
            "pos",
            "posts",
            "tel",
            "a-very-long-word-indeed",
        ] {
            assert!(!is_message_word_ascii(word), "{word}");
        }
    }

    #[test]
    fn a_line_ruled_out_by_its_first_byte_never_trims_to_a_mark() {
        for line in [
            "",
            "```",
            "  ```",
            "\t# H",
            "\u{b}~~~",
            "\u{c}#",
            "\u{a0}```",
            "x```",
            "- # no",
            "#",
            "é#",
            "1. ```",
        ] {
            let trimmed = line.trim_start();
            let marked = trimmed.starts_with(['`', '~', '#']);
            assert!(!marked || may_start_with(line, b"`~#"), "{line:?}");
        }
        assert!(!may_start_with("Text", b"`~#"));
        assert!(may_start_with("\u{b}```", b"`"));
    }

    const RUNBOOK: &str = "# Checkout rollback

## Rollback

```bash
kubectl rollout undo deployment/checkout -n shop
```

## Communication

### Rollback Notification

```
:rotating_light: [Service Name] in <environment> is being rolled back.
Reason: [Reason]. Severity: {{severity}}. Details: [runbook](https://wiki/x)
```

**Post-Rollback Summary:**

```text
[Service] rolled back from revision [Bad Revision] to [Previous Revision] in [Duration].
Confirmed by [Confirmed By]. Root cause: [Root cause].
```

```yaml
not: a message
```

## Incident Report

- **Time**: [Timestamp]
- **Trigger**: [Trigger]
- **Affected services**: [Affected services]
- **Rollback method**: [Rollback method]
- **Revision rolled back**: [Revision]
- **Impact**: [Impact]
- **Root cause**: [Root cause]
- **Prevention**: [Prevention]

## Prevention

- Always canary.
";

    #[test]
    fn fenced_blocks_and_template_sections_are_found_by_their_titles() {
        let found = find(RUNBOOK);
        let titles: Vec<&str> = found.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Rollback Notification",
                "Post-Rollback Summary",
                "Incident Report"
            ]
        );
        assert_eq!(found[0].line, 14);
        assert!(found[0].text.starts_with(":rotating_light: [Service Name]"));
        assert!(found[2].text.starts_with("- **Time**: [Timestamp]"));
        assert!(found[2].text.ends_with("- **Prevention**: [Prevention]"));
    }

    /// The composer says "(runbook line N)": N is the section's first field, not the
    /// blank line under its heading.
    #[test]
    fn a_template_sections_line_is_its_first_field_line() {
        let found = find(RUNBOOK);
        assert_eq!(found[2].title, "Incident Report");
        let lines: Vec<&str> = RUNBOOK.lines().collect();
        assert_eq!(lines[found[2].line - 1], "- **Time**: [Timestamp]");
        assert_eq!(found[2].line, 31);
    }

    #[test]
    fn a_corpus_runbook_lead_in_names_its_blocks() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/runbooks/teams/message-templates.md"
        ))
        .expect("corpus runbook");
        let found = find(&text);
        let titles: Vec<&str> = found.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, ["Post the start message", "Post the all-clear"]);
    }

    #[test]
    fn placeholders_are_filled_from_the_session_and_the_rest_left_as_written() {
        let values: BTreeMap<&str, String> = [
            ("service", "checkout"),
            ("namespace", "shop"),
            ("reason", "5xx at 12%"),
            ("severity", "SEV-1"),
            ("from_revision", "7"),
            ("to_revision", "6"),
            ("rollback_duration", "41.2 s"),
            ("confirmed_by", "alice@laptop"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
        let found = find(RUNBOOK);
        assert_eq!(
            fill(&found[0].text, &values),
            ":rotating_light: checkout in shop is being rolled back.\n\
             Reason: 5xx at 12%. Severity: SEV-1. Details: [runbook](https://wiki/x)"
        );
        assert_eq!(
            fill(&found[1].text, &values),
            "checkout rolled back from revision 7 to 6 in 41.2 s.\n\
             Confirmed by alice@laptop. Root cause: [Root cause]."
        );
        assert_eq!(fill("- [ ] a [x] b", &values), "- [ ] a [x] b");
        assert_eq!(fill("unclosed [Service", &values), "unclosed [Service");
        assert_eq!(fill("{ json }", &values), "{ json }");
    }
}

//! Step titles: one readable line, the first sentence of prose, a script's leading comment,
//! and whether a heading says what the block under it does.

use super::markdown;
use super::phase_words;
use super::roles;

/// Whether a heading can title the block under it: not a bare label that says nothing of
/// what the block does ("Procedure", "Steps", "Step 3", "Option B").
pub(super) fn says_what_it_does(text: &str) -> bool {
    const LABELS: &[&str] = &[
        "step",
        "steps",
        "procedure",
        "procedures",
        "command",
        "commands",
        "option",
        "strategy",
        "scenario",
        "method",
        "approach",
        "plan",
        "type",
        "part",
        "stage",
        "phase",
        "example",
        "examples",
        "usage",
        "code",
        "script",
        "run",
        "how",
        "to",
        "the",
        "it",
    ];
    let words = phase_words::words(text);
    let label = words.iter().all(|w| {
        LABELS.contains(&w.as_str())
            || w.chars().all(|c| c.is_ascii_digit())
            || (w.len() == 1 && w.chars().all(|c| c.is_ascii_alphabetic()))
    });
    !label
}

/// Longest title kept whole, in characters.
const TITLE_MAX: usize = 80;

/// One readable line from single-spaced text: cut at a word boundary with `…` when long.
pub(in crate::domain::runbook) fn one_liner(text: &str) -> String {
    let text = text.trim();
    if text.len() <= TITLE_MAX || text.chars().count() <= TITLE_MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(TITLE_MAX).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > TITLE_MAX / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// The first sentence of prose, as a title (`None` for empty prose).
pub(in crate::domain::runbook) fn first_sentence(text: &str) -> Option<String> {
    let text = markdown::collapse_spaces(text);
    let mut end = text.len();
    let mut prev_word_start = 0;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            prev_word_start = i + 1;
            continue;
        }
        if matches!(c, '.' | '!' | '?') {
            let next = text[i + c.len_utf8()..].chars().next();
            let word = &text[prev_word_start..i];
            // "e.g.", "U.S.": short parts between dots; a dotted name ("ledger.split_v2",
            // "values.yaml") ends a sentence like any word.
            let abbreviation = (word.contains('.')
                && word.split('.').all(|part| part.chars().count() <= 2))
                || word.chars().count() <= 1
                || ["e.g", "i.e", "etc", "vs", "approx", "min", "max", "sec"]
                    .contains(&word.to_ascii_lowercase().as_str());
            if next.is_none_or(|n| n == ' ') && !abbreviation {
                end = if c == '.' { i } else { i + 1 };
                break;
            }
        }
    }
    let sentence = text[..end].trim().trim_end_matches([':', ';', ',']).trim();
    (!sentence.is_empty()).then(|| one_liner(sentence))
}

/// The first line of a script when it is a comment (`# Check current status`).
///
/// Among the comments above the first command, an `Action:` comment says what the block
/// does (its text is the title); comments that say when to use it (`Symptoms: …`,
/// `Trigger: …`) are skipped.
pub(super) fn leading_comment(script: &str) -> Option<String> {
    let mut comments = Vec::new();
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("#!") && comments.is_empty() {
            return None;
        }
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let comment = comment.trim_start_matches('#').trim();
        if !comment.is_empty() {
            comments.push(comment);
        }
    }
    let action = comments.iter().find_map(|c| {
        let (label, rest) = c.split_once(':')?;
        label
            .trim()
            .eq_ignore_ascii_case("action")
            .then_some(rest.trim())
            .filter(|r| !r.is_empty())
    });
    action
        .or_else(|| comments.into_iter().find(|c| !roles::is_meta_line(c)))
        .map(one_liner)
}

#[cfg(test)]
mod tests {
    use super::super::finish::{body_without, describe_steps};
    use super::*;

    #[test]
    fn a_block_is_titled_by_its_action_comment_not_by_its_symptoms() {
        let script = "# Symptoms: 500s from the API\n# Action: Roll back to the pre-migration version\ncurl -X POST http://deploy/rollback\n";
        assert_eq!(
            leading_comment(script).as_deref(),
            Some("Roll back to the pre-migration version")
        );
        let script = "# Trigger: error rate above 5%\n# Switch traffic back\ncurl -X POST x\n";
        assert_eq!(
            leading_comment(script).as_deref(),
            Some("Switch traffic back")
        );
        assert_eq!(leading_comment("#!/bin/sh\n# Roll back\nx\n"), None);
        assert_eq!(leading_comment("kubectl get pods\n# later\n"), None);
    }

    #[test]
    fn titles() {
        assert_eq!(
            first_sentence("Roll back to the previous revision. Then watch it.").as_deref(),
            Some("Roll back to the previous revision")
        );
        assert_eq!(
            first_sentence("Check the canary, e.g. with curl. Then go on").as_deref(),
            Some("Check the canary, e.g. with curl")
        );
        assert_eq!(first_sentence("Run this:").as_deref(), Some("Run this"));
        assert_eq!(
            first_sentence("Is it down? Check").as_deref(),
            Some("Is it down?")
        );
        assert_eq!(
            first_sentence("v1.2.3 is bad").as_deref(),
            Some("v1.2.3 is bad")
        );
        assert_eq!(
            first_sentence("The path is behind ledger.split_v2. Turning it off is safe.")
                .as_deref(),
            Some("The path is behind ledger.split_v2")
        );
        assert_eq!(
            first_sentence("Pin it, i.e. set the image. Then wait.").as_deref(),
            Some("Pin it, i.e. set the image")
        );
        assert_eq!(first_sentence("  "), None);
        assert_eq!(
            leading_comment("\n# Check current status\nkubectl get pods").as_deref(),
            Some("Check current status")
        );
        assert_eq!(leading_comment("#!/bin/sh\nls"), None);
        let long = "word ".repeat(40);
        let t = one_liner(&long);
        assert!(
            t.chars().count() <= TITLE_MAX + 1 && t.ends_with('…'),
            "{t}"
        );
    }

    #[test]
    fn body_cuts_steps_and_collapses_blank_lines() {
        let full = "intro\n\n- [ ] a\n- [ ] b\n\n\n\ntail\n";
        let task = |t: &str| {
            let start = full.find(t).unwrap_or(0);
            start..start + t.len() + 1
        };
        let mut cuts = vec![task("- [ ] b"), task("- [ ] a")];
        assert_eq!(
            body_without(full, 0..full.len(), &mut cuts),
            "intro\n\ntail"
        );
    }

    #[test]
    fn describes_counts() {
        assert_eq!(describe_steps(2, 1, 0), "2 task items and 1 command block");
        assert_eq!(
            describe_steps(0, 3, 1),
            "3 command blocks and 1 PromQL block"
        );
        assert_eq!(
            describe_steps(1, 1, 2),
            "1 task item, 1 command block and 2 PromQL blocks"
        );
    }
}

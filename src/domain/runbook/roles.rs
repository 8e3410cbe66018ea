//! What a heading's words say about its section's role, beyond naming a phase: reference
//! material (prevention, risks, contacts, …) or one of a group of alternative ways to do the
//! same thing (Option A/B, Strategy 1/2, Scenario 1..n, "Emergency rollback (SEV-1)").
//!
//! Roles come from structure and position as well as words: [`groups`] only makes a group
//! of *sibling* headings (same level, same parent), and the outline keeps everything nested
//! under a reference section as reference.

use std::collections::BTreeMap;

use super::model::AlternativeMeta;
use super::phase_words::words;
use super::text_lines;

/// Words that make a section reference whatever else it says ("Rollback Risks &
/// Mitigation", "Monitoring and Alerting", "Prevention Strategies").
const REFERENCE_STRONG: &[&[&str]] = &[
    &["prevention"],
    &["prevent"],
    &["best", "practices"],
    &["best", "practice"],
    &["risks"],
    &["risk", "mitigation"],
    &["related"],
    &["contacts"],
    &["contact", "list"],
    &["cheat", "sheet"],
    &["cheatsheet"],
    &["automation"],
    &["alerting"],
    &["alert", "channels"],
    &["testing", "strategy"],
    &["appendix"],
    &["glossary"],
    &["references"],
    &["resources"],
    &["faq"],
    &["tools", "and", "links"],
    &["useful", "links"],
    &["useful", "commands"],
    &["handy", "commands"],
    &["common", "commands"],
];

/// Words that make a section reference only when it names no phase ("Escalation path",
/// but "Communicate and escalate" stays a phase).
const REFERENCE_WEAK: &[&[&str]] = &[
    &["escalation"],
    &["contact"],
    &["tools"],
    &["links"],
    &["improvements"],
    &["lessons"],
];

/// Whether a heading names reference material: `Some(true)` whatever else it says,
/// `Some(false)` only if it names no phase, `None` not at all.
#[cfg(test)]
pub(super) fn reference_words(heading: &str) -> Option<bool> {
    reference_words_of(&words(heading))
}

/// Whether a heading's [`words`] name reference material (see `reference_words`).
pub(super) fn reference_words_of(w: &[String]) -> Option<bool> {
    let has = |phrases: &[&[&str]]| {
        phrases.iter().any(|p| {
            w.windows(p.len())
                .any(|win| win.iter().zip(p.iter()).all(|(a, b)| a == b))
        })
    };
    if has(REFERENCE_STRONG) {
        Some(true)
    } else if has(REFERENCE_WEAK) {
        Some(false)
    } else {
        None
    }
}

/// Words that introduce a lettered or numbered alternative: "Option A", "Strategy 2".
const SERIES: &[&str] = &[
    "option",
    "strategy",
    "scenario",
    "method",
    "type",
    "approach",
    "plan",
    "alternative",
    "path",
    "case",
];

/// Qualifiers that make "… rollback" a situation ("Canary rollback", "Partial rollback").
const SITUATIONS: &[&str] = &[
    "emergency",
    "bluegreen",
    "blue",
    "canary",
    "partial",
    "database",
    "db",
    "migration",
    "configuration",
    "config",
    "feature",
    "flag",
    "helm",
    "argo",
    "argocd",
    "gitops",
    "manual",
    "automated",
    "automatic",
    "quick",
    "full",
    "gradual",
    "application",
    "app",
    "infrastructure",
    "image",
    "traffic",
    "dns",
    "stuck",
    "failed",
    "hotfix",
];

/// A heading that reads as an alternative: its key ("A", "2", or empty for a situation)
/// and its title without the series word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AlternativeHeading {
    /// Letter or number after the series word (upper-cased), or empty.
    pub key: String,
    /// The series word ("option", "strategy"), or empty for a situation.
    pub series: String,
}

impl AlternativeHeading {
    /// An alternative named by its situation, without a series word or key.
    pub fn situation() -> AlternativeHeading {
        AlternativeHeading {
            key: String::new(),
            series: String::new(),
        }
    }
}

/// Whether a heading names an alternative: "Option A: quick rollback", "Strategy 2 —
/// Application rollback", "Scenario 3", "Emergency rollback (SEV-1)", "If the deployment
/// used blue-green", "Rollback stuck".
pub(super) fn alternative(heading: &str) -> Option<AlternativeHeading> {
    alternative_of(&words(heading))
}

/// Whether a heading's [`words`] name an alternative (see [`alternative`]).
pub(super) fn alternative_of(w: &[String]) -> Option<AlternativeHeading> {
    // Leading numbering ("2.", "1)") is not part of the name.
    let start = w
        .iter()
        .position(|x| !x.chars().all(|c| c.is_ascii_digit()))?;
    let w = &w[start..];
    if let [first, second, ..] = w
        && SERIES.contains(&first.as_str())
        && (second.chars().all(|c| c.is_ascii_digit())
            || (second.chars().count() == 1 && second.chars().all(|c| c.is_ascii_alphabetic())))
    {
        return Some(AlternativeHeading {
            key: second.to_ascii_uppercase(),
            series: first.clone(),
        });
    }
    let situation = || AlternativeHeading {
        key: String::new(),
        series: String::new(),
    };
    if w.first().is_some_and(|f| f == "if") {
        return Some(situation());
    }
    let rollback_at = w
        .iter()
        .position(|x| x == "rollback" || x == "rollbacks")
        .or_else(|| w.windows(2).position(|p| p[0] == "roll" && p[1] == "back"))?;
    let qualified = w[..rollback_at]
        .iter()
        .any(|x| SITUATIONS.contains(&x.as_str()));
    let stuck = w[rollback_at..]
        .iter()
        .any(|x| matches!(x.as_str(), "stuck" | "fails" | "failed" | "hangs"));
    let severity = w.iter().any(|x| {
        x.strip_prefix("sev")
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
            || (x.len() == 2 && x.starts_with('p') && x[1..].chars().all(|c| c.is_ascii_digit()))
    });
    (qualified || stuck || severity).then(situation)
}

/// Words by which a heading offers a choice: "Rollback strategies", "Ways to roll back",
/// "Choose a recovery path". Plural nouns only: "Rollback strategy" is one strategy, and
/// its numbered subheadings are its steps.
const CHOICE_WORDS: &[&str] = &[
    "strategies",
    "options",
    "ways",
    "methods",
    "approaches",
    "alternatives",
    "paths",
    "choices",
    "choose",
];

/// Words that say the choice is about undoing a release.
const ROLLBACK_WORDS: &[&[&str]] = &[
    &["rollback"],
    &["rollbacks"],
    &["roll", "back"],
    &["revert"],
    &["recovery"],
    &["recover"],
    &["mitigation"],
    &["undo"],
    &["backout"],
];

/// Whether a heading's [`words`] offer ways to roll back to choose from ("Rollback
/// strategies", "Rollback options", "Ways to roll back", "Recovery options"): a plural
/// choice noun and a rollback word, and no reference word ("Rollback prevention
/// strategies" is reference). The numbered subheadings of such a heading are its
/// alternatives (see `outline::numbered_choices`).
pub(super) fn offers_choice_of(w: &[String]) -> bool {
    reference_words_of(w).is_none()
        && w.iter().any(|x| CHOICE_WORDS.contains(&x.as_str()))
        && ROLLBACK_WORDS.iter().any(|p| {
            w.windows(p.len())
                .any(|win| win.iter().zip(p.iter()).all(|(a, b)| a == b))
        })
}

/// The number a heading's [`words`] start with: `2` for "2. Full revert", "2) Full
/// revert" or "2 – Full revert" (at most two digits: "2026 freeze" is no numbering).
pub(super) fn leading_number(w: &[String]) -> Option<&str> {
    let first = w.first()?;
    (w.len() > 1 && (1..=2).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit()))
        .then_some(first.as_str())
}

/// The series word of the numbered members of a choice ([`offers_choice_of`]): they
/// group with each other only.
pub(super) const NUMBERED_SERIES: &str = "#";

/// One heading as [`groups`] sees it.
#[derive(Debug, Clone)]
pub(super) struct HeadingInfo {
    pub level: u8,
    pub alternative: Option<AlternativeHeading>,
}

/// Group and member index of each heading that is a member of a group of alternatives:
/// a run of at least two sibling headings (same level, same parent, nothing but deeper
/// headings between them) that read as alternatives.
pub(super) fn groups(headings: &[HeadingInfo]) -> BTreeMap<usize, (usize, usize)> {
    let mut out = BTreeMap::new();
    let mut group = 0usize;
    let mut i = 0;
    while i < headings.len() {
        let Some(alt) = &headings[i].alternative else {
            i += 1;
            continue;
        };
        let level = headings[i].level;
        let mut members = vec![i];
        let mut j = i + 1;
        while j < headings.len() && headings[j].level >= level {
            if headings[j].level == level {
                match &headings[j].alternative {
                    // Lettered runs stay with their series word ("Option A" … "Option D").
                    Some(next) if next.series == alt.series || alt.series.is_empty() => {
                        members.push(j)
                    }
                    _ => break,
                }
            }
            j += 1;
        }
        if members.len() >= 2 {
            for (m, h) in members.iter().enumerate() {
                out.insert(*h, (group, m));
            }
            group += 1;
            i = members.last().map_or(j, |l| l + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Whether text starts with an alternative's metadata label (`**When:** …`).
pub(super) fn is_meta_line(text: &str) -> bool {
    let m = read_meta(text_lines::lines(text).next().unwrap_or(""));
    m != AlternativeMeta::default()
}

/// Reads `**When:**`, `**Duration:**`, `**Time to complete:**`, `**Complexity:**` and
/// `**Risk:**` lines (bold or not, in a list or not) from a member's section text.
pub(super) fn read_meta(text: &str) -> AlternativeMeta {
    let mut meta = AlternativeMeta::default();
    for line in text_lines::lines(text) {
        // Only a line with a `:` has a label; the copies below are for those lines.
        if !line.contains(':') {
            continue;
        }
        let line = line
            .trim()
            .trim_start_matches(['-', '*', '+'])
            .trim_start()
            .replace("**", "")
            .replace("__", "");
        let Some((label, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let slot = match label.trim().to_ascii_lowercase().as_str() {
            "when" | "when to use" | "use when" | "trigger" | "triggers" | "symptoms" | "signs" => {
                &mut meta.when
            }
            "duration" | "time to complete" | "time" | "estimated time" => &mut meta.duration,
            "complexity" => &mut meta.complexity,
            "risk" | "risk level" => &mut meta.risk,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.to_string());
        }
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_headings() {
        for h in [
            "Prevention Strategies",
            "Rollback Risks & Mitigation",
            "Monitoring and Alerting",
            "Best Practices",
            "Related runbooks",
            "Cheat sheet",
            "Useful commands",
        ] {
            assert_eq!(reference_words(h), Some(true), "{h}");
        }
        assert_eq!(reference_words("Escalation path"), Some(false));
        assert_eq!(reference_words("Lessons from past incidents"), Some(false));
        assert_eq!(reference_words("Verify recovery"), None);
        assert_eq!(reference_words("Roll back"), None);
    }

    #[test]
    fn alternative_headings() {
        let key = |h: &str| alternative(h).map(|a| (a.series, a.key));
        assert_eq!(
            key("Option A: Quick Rollback (Kubernetes)"),
            Some(("option".into(), "A".into()))
        );
        assert_eq!(
            key("Strategy 2 – Application rollback"),
            Some(("strategy".into(), "2".into()))
        );
        assert_eq!(
            key("3. Scenario 3: Gradual Rollback with Monitoring"),
            Some(("scenario".into(), "3".into()))
        );
        for situation in [
            "Emergency rollback (SEV-1)",
            "Blue-green rollback",
            "Canary rollback",
            "Partial rollback (feature flag)",
            "Database migration rollback",
            "Configuration rollback",
            "Rollback stuck",
            "If the deployment used blue-green",
        ] {
            assert_eq!(
                key(situation),
                Some((String::new(), String::new())),
                "{situation}"
            );
        }
        for not in [
            "Rollback Steps",
            "Roll back",
            "When to use",
            "Optional extras",
            "Option",
        ] {
            assert_eq!(key(not), None, "{not}");
        }
    }

    #[test]
    fn headings_that_offer_a_choice_of_rollbacks() {
        let offers = |h: &str| offers_choice_of(&words(h));
        for h in [
            "Rollback strategies",
            "Rollback options",
            "Ways to roll back",
            "3. Recovery options",
            "Choose a rollback method",
        ] {
            assert!(offers(h), "{h}");
        }
        for h in [
            "Rollback strategy",
            "Rollback steps",
            "Useful commands",
            "Appendix: rollback options",
            "Rollback prevention strategies",
            "Deployment strategies",
            "Options",
        ] {
            assert!(!offers(h), "{h}");
        }
        let number = |h: &str| leading_number(&words(h)).map(str::to_string);
        assert_eq!(number("1. Agent rollback").as_deref(), Some("1"));
        assert_eq!(number("3) Feature-flag kill switch").as_deref(), Some("3"));
        assert_eq!(number("12 – Full revert").as_deref(), Some("12"));
        assert_eq!(number("2026 freeze"), None);
        assert_eq!(number("Agent rollback"), None);
        assert_eq!(number("3"), None);
    }

    #[test]
    fn groups_are_runs_of_siblings() {
        let h = |level: u8, text: &str| HeadingInfo {
            level,
            alternative: alternative(text),
        };
        let headings = [
            h(2, "Rollback procedures"),
            h(3, "Option A: quick"),
            h(4, "Step 1"),
            h(3, "Option B: pinned revision"),
            h(3, "Notes"),
            h(3, "Option C: alone after a break"),
            h(2, "Scenarios"),
            h(3, "Scenario 1: bad image"),
            h(3, "Scenario 2: bad config"),
        ];
        let g = groups(&headings);
        assert_eq!(
            g.into_iter().collect::<Vec<_>>(),
            [(1, (0, 0)), (3, (0, 1)), (7, (1, 0)), (8, (1, 1))]
        );
    }

    #[test]
    fn metadata_lines() {
        let meta = read_meta(
            "**When:** the flag exists\n- **Duration**: 2 minutes\nRisk: low\nComplexity:\n",
        );
        assert_eq!(meta.when.as_deref(), Some("the flag exists"));
        assert_eq!(meta.duration.as_deref(), Some("2 minutes"));
        assert_eq!(meta.risk.as_deref(), Some("low"));
        assert_eq!(meta.complexity, None);
    }
}

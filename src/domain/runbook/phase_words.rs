//! Which phase a heading names, from its words.
//!
//! Headings as teams write them carry numbers, emoji and time budgets
//! ("## 2. Execute rollback (5 min)", "### Phase 3 – Verification [10 minutes]"); only the
//! words count. Words are matched whole, case-insensitively, with hyphens ignored
//! (`follow-up` = `followup`), so `Performance` is not `perform` and `Executive` is not
//! `execute`.
//!
//! *Activity* words (`verify`, `notify`, `retrospective`, …) say what the section does;
//! *timing* adjectives (`post-rollback`, `pre-rollback`, `post-incident`) only say when, and
//! decide only when there is no activity word: "Post-rollback verification" is verification,
//! "Post-rollback actions" is post-rollback. The prepositions `before` and `after` govern
//! what follows them: "Before you roll back" is preparation, while "Verify after the
//! rollout" is verification (the leftmost of activity words and prepositions wins).

use std::sync::OnceLock;

use super::model::PhaseKind;
use rustc_hash::FxHashMap as NameMap;

use PhaseKind::{Communication, Execution, PostRollback, Preparation, Verification};

/// Activity words, each a phrase of one or more normalised words.
const ACTIVITY: &[(&[&str], PhaseKind)] = &[
    // preparation
    (&["prepare"], Preparation),
    (&["preparation"], Preparation),
    (&["preparations"], Preparation),
    (&["preparing"], Preparation),
    (&["prep"], Preparation),
    (&["prerequisite"], Preparation),
    (&["prerequisites"], Preparation),
    (&["assess"], Preparation),
    (&["assessment"], Preparation),
    (&["assessing"], Preparation),
    (&["triage"], Preparation),
    (&["preflight"], Preparation),
    (&["precheck"], Preparation),
    (&["prechecks"], Preparation),
    (&["readiness"], Preparation),
    // execution
    (&["execute"], Execution),
    (&["execution"], Execution),
    (&["executing"], Execution),
    (&["initiate"], Execution),
    (&["initiating"], Execution),
    (&["perform"], Execution),
    (&["performing"], Execution),
    (&["roll", "back"], Execution),
    (&["rolling", "back"], Execution),
    (&["rollback", "steps"], Execution),
    (&["rollback", "step"], Execution),
    (&["rollback", "procedure"], Execution),
    (&["rollback", "procedures"], Execution),
    (&["rollback", "process"], Execution),
    (&["revert"], Execution),
    (&["reverting"], Execution),
    (&["mitigate"], Execution),
    (&["mitigation"], Execution),
    // verification
    (&["verify"], Verification),
    (&["verification"], Verification),
    (&["verifying"], Verification),
    (&["validate"], Verification),
    (&["validation"], Verification),
    (&["validating"], Verification),
    (&["monitor"], Verification),
    (&["monitoring"], Verification),
    (&["confirm"], Verification),
    (&["confirmation"], Verification),
    (&["confirming"], Verification),
    (&["smoke", "test"], Verification),
    (&["smoke", "tests"], Verification),
    // communication
    (&["communication"], Communication),
    (&["communications"], Communication),
    (&["communicate"], Communication),
    (&["communicating"], Communication),
    (&["notify"], Communication),
    (&["notification"], Communication),
    (&["notifications"], Communication),
    (&["announce"], Communication),
    (&["announcement"], Communication),
    (&["stakeholder"], Communication),
    (&["stakeholders"], Communication),
    (&["status", "page"], Communication),
    (&["statuspage"], Communication),
    // post-rollback
    (&["followup"], PostRollback),
    (&["follow", "up"], PostRollback),
    (&["cleanup"], PostRollback),
    (&["clean", "up"], PostRollback),
    (&["retrospective"], PostRollback),
    (&["retro"], PostRollback),
    (&["postmortem"], PostRollback),
    (&["post", "mortem"], PostRollback),
    (&["lessons", "learned"], PostRollback),
    (&["wrapup"], PostRollback),
    (&["wrap", "up"], PostRollback),
    (&["aftermath"], PostRollback),
];

/// Timing adjectives: used only when no activity word is present.
const TIMING: &[(&[&str], PhaseKind)] = &[
    (&["prerollback"], Preparation),
    (&["pre", "rollback"], Preparation),
    (&["postrollback"], PostRollback),
    (&["post", "rollback"], PostRollback),
    (&["postincident"], PostRollback),
    (&["post", "incident"], PostRollback),
];

/// Timing prepositions: they govern the words after them, so "Before you roll back" is
/// preparation although "roll back" is an activity word.
const RELATIVE: &[(&[&str], PhaseKind)] = &[(&["before"], Preparation), (&["after"], PostRollback)];

/// How a heading names a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Naming {
    /// By an activity word ("Verify the rollout").
    Activity(PhaseKind),
    /// By a timing preposition before any activity word ("Before you roll back").
    Relative(PhaseKind),
    /// Only by a timing adjective ("Post-rollback summary").
    Timing(PhaseKind),
}

impl Naming {
    pub fn kind(self) -> PhaseKind {
        match self {
            Naming::Activity(kind) | Naming::Relative(kind) | Naming::Timing(kind) => kind,
        }
    }

    /// Whether the words say what the section does (an activity word), as opposed to only
    /// when it happens. Only such headings start a phase below another heading.
    pub fn is_activity(self) -> bool {
        matches!(self, Naming::Activity(_))
    }
}

/// The phase a heading names by its words, if any.
#[cfg(test)]
pub(super) fn classify(heading: &str) -> Option<PhaseKind> {
    naming(heading).map(Naming::kind)
}

/// The phase a heading names by its words, and how strongly.
#[cfg(test)]
pub(super) fn naming(heading: &str) -> Option<Naming> {
    naming_of(&words(heading))
}

/// The phase a heading names by its [`words`], and how strongly. One word list per heading
/// serves its phase naming, its alternative and its reference words.
pub(super) fn naming_of(heading_words: &[String]) -> Option<Naming> {
    let words: Vec<&str> = heading_words.iter().map(String::as_str).collect();
    if is_bare_rollback(&words) {
        return Some(Naming::Activity(Execution));
    }
    let index = phrase_index();
    let mut timing = None;
    for i in 0..words.len() {
        let Some(candidates) = index.get(words[i]) else {
            continue;
        };
        for (phrase, naming) in candidates {
            let matches = words.len() - i >= phrase.len()
                && phrase.iter().zip(&words[i..]).all(|(p, w)| p == w);
            match naming {
                Naming::Activity(_) | Naming::Relative(_) if matches => return Some(*naming),
                Naming::Timing(_) if matches && timing.is_none() => timing = Some(*naming),
                _ => {}
            }
        }
    }
    timing
}

/// A heading that says only "Rollback" (with a number, emoji or time budget): the doing
/// of it ("## Rollback", "### 2. Rollback (5 min)").
fn is_bare_rollback(words: &[&str]) -> bool {
    let mut rest = words.iter().filter(|w| {
        !w.bytes().any(|b| b.is_ascii_digit())
            && !matches!(
                **w,
                "min" | "mins" | "minute" | "minutes" | "sec" | "seconds" | "h" | "hour" | "hours"
            )
    });
    rest.next() == Some(&"rollback") && rest.next().is_none()
}

/// Phrases by their first word.
type PhraseIndex = NameMap<&'static str, Vec<(&'static [&'static str], Naming)>>;

/// Every phrase of both tables, by its first word.
fn phrase_index() -> &'static PhraseIndex {
    static INDEX: OnceLock<PhraseIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: PhraseIndex = NameMap::default();
        let all = ACTIVITY
            .iter()
            .map(|(p, k)| (*p, Naming::Activity(*k)))
            .chain(RELATIVE.iter().map(|(p, k)| (*p, Naming::Relative(*k))))
            .chain(TIMING.iter().map(|(p, k)| (*p, Naming::Timing(*k))));
        for (phrase, naming) in all {
            if let Some(first) = phrase.first() {
                index.entry(first).or_default().push((phrase, naming));
            }
        }
        index
    })
}

/// Lower-cased words with hyphens inside words removed; everything else separates words.
pub(super) fn words(text: &str) -> Vec<String> {
    if text.is_ascii() {
        return ascii_words(text);
    }
    let mut out = Vec::new();
    each_word_char(text, |c, new_word| {
        if new_word {
            out.push(String::new());
        }
        if let Some(word) = out.last_mut() {
            word.push(c);
        }
    });
    out
}

/// [`words`] of ASCII text (most headings and cells), byte by byte: each word is sized
/// once (no regrowth) and no character is UTF-8 encoded.
fn ascii_words(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        // The word runs on over letters, digits, apostrophes and hyphens before a letter
        // or digit; only the letters and digits are kept.
        let start = i;
        while i < bytes.len() {
            let b = bytes[i];
            let inside = b.is_ascii_alphanumeric()
                || b == b'\''
                || (b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric));
            if !inside {
                break;
            }
            i += 1;
        }
        let mut word = String::with_capacity(i - start);
        word.extend(
            bytes[start..i]
                .iter()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        out.push(word);
    }
    out
}

/// Calls `emit` with every lower-cased character of the words of `text` (hyphens inside
/// words and apostrophes left out), and whether it starts a new word: the walk behind
/// [`words`].
fn each_word_char(text: &str, mut emit: impl FnMut(char, bool)) {
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            let new_word = !in_word;
            in_word = true;
            if c.is_ascii() {
                emit(c.to_ascii_lowercase(), new_word);
            } else {
                let mut first = new_word;
                for l in c.to_lowercase() {
                    emit(l, first);
                    first = false;
                }
            }
        } else if in_word
            && (matches!(c, '\'' | '’')
                || (matches!(c, '-' | '‐' | '‑')
                    && chars.peek().is_some_and(|n| n.is_alphanumeric())))
        {
            // `post-rollback` → `postrollback`, `team's` → `teams`
        } else {
            in_word = false;
        }
    }
}

/// Heading text reduced to letters and digits, lower-cased: how front matter `phases:`
/// keys are matched to headings (ignoring case, spacing, punctuation and emoji).
pub(super) fn match_key(text: &str) -> String {
    if text.is_ascii() {
        return text
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_words_are_the_words_of_the_general_walk() {
        let general = |text: &str| {
            let mut out: Vec<String> = Vec::new();
            each_word_char(text, |c, new_word| {
                if new_word {
                    out.push(String::new());
                }
                if let Some(word) = out.last_mut() {
                    word.push(c);
                }
            });
            out
        };
        for text in [
            "",
            "Post-rollback follow-up",
            "team's -lead- 'quoted' it''s",
            "a--b a- -b x-'y 'z",
            "Phase 3 - Verification (10 min)",
            "  SEV-1 | P0: rollback, now!  ",
            "under_score and.dots/and:colons",
            "UPPER lower MiXeD 42nd",
        ] {
            assert_eq!(ascii_words(text), general(text), "{text:?}");
        }
    }

    #[test]
    fn headings_as_teams_write_them() {
        let cases: &[(&str, Option<PhaseKind>)] = &[
            ("Preparation", Some(Preparation)),
            ("1. Pre-rollback checklist", Some(Preparation)),
            ("Prerequisites", Some(Preparation)),
            ("### 1. Assess Situation (2 min)", Some(Preparation)),
            ("Before you start", Some(Preparation)),
            ("Before you roll back (3 min)", Some(Preparation)),
            ("Verify after the rollout", Some(Verification)),
            ("🔍 Triage", Some(Preparation)),
            ("2. Execute rollback (5 min)", Some(Execution)),
            ("Initiate Rollback (1 min)", Some(Execution)),
            ("Rollback Steps", Some(Execution)),
            ("🚨 Emergency Rollback Procedures", Some(Execution)),
            ("Roll back the deployment", Some(Execution)),
            ("Perform the rollback", Some(Execution)),
            ("Phase 3 – Verification [10 minutes]", Some(Verification)),
            ("Verify Rollback (3 min)", Some(Verification)),
            ("Monitor Stability (5 min)", Some(Verification)),
            ("Rollback Validation Checklist", Some(Verification)),
            ("Confirm recovery", Some(Verification)),
            ("Post-rollback verification", Some(Verification)),
            ("4. Communicate Status", Some(Communication)),
            ("Notify stakeholders", Some(Communication)),
            ("📣 Announce", Some(Communication)),
            ("Post-Rollback Actions", Some(PostRollback)),
            ("Post-Rollback Procedures", Some(PostRollback)),
            ("Post-incident review", Some(PostRollback)),
            ("Follow-up", Some(PostRollback)),
            ("Follow up tasks", Some(PostRollback)),
            ("Clean-up", Some(PostRollback)),
            ("Retrospective", Some(PostRollback)),
            ("Postmortem", Some(PostRollback)),
            ("After the incident", Some(PostRollback)),
            ("When to Use", None),
            ("Decision Matrix", None),
            ("Performance Issues", None),
            ("Executive summary", None),
            ("Rollback Runbook", None),
            ("Rollback Scenarios", None),
            ("Recovery Time Objectives (RTO)", None),
            ("Escalation Path", None),
            ("", None),
        ];
        for (heading, want) in cases {
            assert_eq!(classify(heading), *want, "{heading:?}");
        }
    }

    #[test]
    fn timing_words_are_weaker_than_activity_words() {
        assert_eq!(
            naming("Post-rollback summary"),
            Some(Naming::Timing(PostRollback))
        );
        assert_eq!(
            naming("Post-rollback checks: verify"),
            Some(Naming::Activity(Verification))
        );
        assert_eq!(naming("Glossary"), None);
    }

    #[test]
    fn a_heading_saying_only_rollback_is_the_execution() {
        assert_eq!(classify("## Rollback"), Some(Execution));
        assert_eq!(classify("### 2. Rollback (5 min)"), Some(Execution));
        assert_eq!(classify("## Canary rollback"), None);
        assert_eq!(classify("## Rollback risks"), None);
    }

    #[test]
    fn words_drop_numbers_punctuation_and_hyphens() {
        assert_eq!(
            words("## 2. Post-Rollback — Clean-up (5 min)"),
            ["2", "postrollback", "cleanup", "5", "min"]
        );
        assert_eq!(match_key("🚨 Emergency  Rollback!"), "emergencyrollback");
    }
}

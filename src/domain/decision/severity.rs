//! Incident severity: `SEV-1`, `SEV1`, `sev 1`, `P1`, `critical`, … A lower number is
//! more severe.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Serialize, Serializer};
use thiserror::Error;

/// A severity level with the label it was written as.
///
/// Equality, hashing and ordering look at the level only, so `SEV-1 == P1`. The order
/// is by urgency: **a more severe level is greater** (`SEV-1 > SEV-2`), so `max()` picks
/// the most severe. Serialised as its label.
#[derive(Debug, Clone)]
pub struct Severity {
    level: u8,
    label: String,
}

/// A severity that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{0}` is not a severity (write e.g. SEV-1, SEV2, P1, critical, high, medium or low)")]
pub struct SeverityError(pub String);

/// Severity words and their levels.
const WORDS: &[(&str, u8)] = &[
    ("critical", 1),
    ("crit", 1),
    ("high", 2),
    ("major", 2),
    ("medium", 3),
    ("moderate", 3),
    ("low", 4),
    ("minor", 4),
];

impl Severity {
    /// A severity at `level` (0 is the most severe there is), labelled `SEV-n`.
    pub fn new(level: u8) -> Severity {
        Severity {
            level,
            label: format!("SEV-{level}"),
        }
    }

    /// Reads a severity written on its own: `SEV-1`, `SEV1`, `sev 1`, `Severity 1`,
    /// `P1`, `S1`, `critical`, `high`, … (case-insensitive, Markdown emphasis ignored).
    ///
    /// ```
    /// use backout::domain::decision::Severity;
    /// assert_eq!(Severity::parse("sev 1").unwrap(), Severity::parse("P1").unwrap());
    /// assert!(Severity::parse("SEV-1").unwrap() > Severity::parse("SEV-2").unwrap());
    /// assert!(Severity::parse("urgent").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Severity, SeverityError> {
        let words = words(text);
        match match_at(&words, 0) {
            Some((level, used)) if used == words.len() => Ok(Severity {
                level,
                label: text.trim().to_string(),
            }),
            _ => Err(SeverityError(text.trim().to_string())),
        }
    }

    /// Finds the first severity mentioned in a longer text, such as a table cell
    /// `🔴 **SEV-1** (customer impact)`. Labelled as `SEV-n` or the word found.
    pub fn find_in(text: &str) -> Option<Severity> {
        let words = words(text);
        (0..words.len()).find_map(|i| {
            match_at(&words, i).map(|(level, used)| Severity {
                level,
                label: canonical_label(&words[i..i + used], level),
            })
        })
    }

    /// 0 or 1 is the most severe.
    pub fn level(&self) -> u8 {
        self.level
    }

    /// As written.
    pub fn label(&self) -> &str {
        &self.label
    }
}

fn canonical_label(words: &[String], level: u8) -> String {
    match words.first().map(String::as_str) {
        Some(w) if w.starts_with('p') && w.len() == 2 => format!("P{level}"),
        Some(w) if WORDS.iter().any(|(word, _)| word == &w) => w.to_string(),
        _ => format!("SEV-{level}"),
    }
}

/// Lower-case alphanumeric words; `*`, `_`, `` ` ``, `-` and spaces all separate.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A severity starting at `words[i]`: its level and how many words it used.
fn match_at(words: &[String], i: usize) -> Option<(u8, usize)> {
    let w = words.get(i)?.as_str();
    let digit = |s: &str| -> Option<u8> { (s.len() == 1).then(|| s.parse().ok()).flatten() };
    for prefix in ["severity", "sev", "p", "s"] {
        if let Some(rest) = w.strip_prefix(prefix) {
            if let Some(level) = digit(rest) {
                return Some((level, 1));
            }
            if rest.is_empty()
                && (prefix == "sev" || prefix == "severity")
                && let Some(level) = words.get(i + 1).and_then(|n| digit(n))
            {
                return Some((level, 2));
            }
        }
    }
    WORDS
        .iter()
        .find(|(word, _)| *word == w)
        .map(|(_, level)| (*level, 1))
}

impl PartialEq for Severity {
    fn eq(&self, other: &Self) -> bool {
        self.level == other.level
    }
}

impl Eq for Severity {}

impl Hash for Severity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.level.hash(state);
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Severity {
    /// More severe (a lower level) is greater.
    fn cmp(&self, other: &Self) -> Ordering {
        other.level.cmp(&self.level)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        for (text, level) in [
            ("SEV-1", 1),
            ("SEV1", 1),
            ("sev 1", 1),
            ("Sev_2", 2),
            ("SEV-0", 0),
            ("Severity 3", 3),
            ("severity-4", 4),
            ("P1", 1),
            ("p2", 2),
            ("S1", 1),
            ("critical", 1),
            ("Critical", 1),
            ("high", 2),
            ("major", 2),
            ("Medium", 3),
            ("moderate", 3),
            ("low", 4),
            ("minor", 4),
            ("**SEV-1**", 1),
            (" `P3` ", 3),
        ] {
            let s = Severity::parse(text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.level(), level, "{text}");
            assert_eq!(s.label(), text.trim());
        }
    }

    #[test]
    fn refuses_what_is_not_a_severity() {
        for text in [
            "",
            "urgent",
            "SEV",
            "SEV-12",
            "P",
            "sev 1 or 2",
            "1",
            "critical path",
        ] {
            assert_eq!(
                Severity::parse(text),
                Err(SeverityError(text.trim().to_string())),
                "{text}"
            );
        }
        assert_eq!(
            SeverityError("urgent".into()).to_string(),
            "`urgent` is not a severity (write e.g. SEV-1, SEV2, P1, critical, high, medium or low)"
        );
    }

    #[test]
    fn finds_a_severity_inside_a_cell() {
        for (cell, found) in [
            ("🔴 **SEV-1** (customer impact)", Some((1, "SEV-1"))),
            ("SEV 2 – degraded", Some((2, "SEV-2"))),
            ("P1 / page", Some((1, "P1"))),
            ("Critical", Some((1, "critical"))),
            ("Roll back immediately", None),
            ("", None),
        ] {
            let got = Severity::find_in(cell);
            assert_eq!(
                got.as_ref().map(|s| (s.level(), s.label())),
                found,
                "{cell}"
            );
        }
    }

    #[test]
    fn more_severe_is_greater_and_spellings_are_equal() {
        let sev1 = Severity::parse("SEV-1").unwrap();
        let p1 = Severity::parse("P1").unwrap();
        let sev2 = Severity::parse("sev2").unwrap();
        assert_eq!(sev1, p1);
        assert!(sev1 > sev2);
        assert_eq!(
            [sev2.clone(), sev1.clone()]
                .into_iter()
                .max()
                .map(|s| s.level()),
            Some(1)
        );
        assert_eq!(serde_json::to_value(&p1).unwrap(), serde_json::json!("P1"));
    }
}

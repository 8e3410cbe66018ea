//! Which Markdown tables are a severity decision matrix.
//!
//! A table is one when its header has a column naming a severity (`Severity`, `Sev`,
//! `Priority`, `Impact`) and another naming what triggers it (`Metric`, `Threshold`,
//! `Condition`, `Error rate`, `Latency`, `Trigger`, `Signal`, `Symptom`, `Criteria`, `When`).

use super::phase_words::words;

const SEVERITY_WORDS: &[&str] = &["severity", "sev", "priority", "impact"];
const TRIGGER_WORDS: &[&[&str]] = &[
    &["metric"],
    &["metrics"],
    &["threshold"],
    &["thresholds"],
    &["condition"],
    &["conditions"],
    &["error", "rate"],
    &["errors"],
    &["latency"],
    &["trigger"],
    &["triggers"],
    &["signal"],
    &["symptom"],
    &["symptoms"],
    &["criteria"],
    &["criterion"],
    &["when"],
];

/// The index of the severity column when `headers` make a decision table.
pub(super) fn severity_column(headers: &[String]) -> Option<usize> {
    let words: Vec<Vec<String>> = headers.iter().map(|h| words(h)).collect();
    let severity = words
        .iter()
        .position(|w| w.iter().any(|w| SEVERITY_WORDS.contains(&w.as_str())))?;
    let has_trigger = words.iter().enumerate().any(|(i, w)| {
        i != severity
            && TRIGGER_WORDS
                .iter()
                .any(|phrase| w.windows(phrase.len()).any(|win| win == *phrase))
    });
    has_trigger.then_some(severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(headers: &[&str]) -> Option<usize> {
        severity_column(&headers.iter().map(|h| h.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn recognises_decision_tables() {
        assert_eq!(
            cols(&["Metric", "Threshold", "Action", "Severity"]),
            Some(3)
        );
        assert_eq!(cols(&["Sev", "Condition", "Action"]), Some(0));
        assert_eq!(cols(&["Priority", "Error rate", "Response"]), Some(0));
        assert_eq!(cols(&["Impact", "Trigger", "Roll back?"]), Some(0));
        assert_eq!(cols(&["**Severity**", "p95 latency"]), Some(0));
    }

    #[test]
    fn other_tables_are_not() {
        assert_eq!(cols(&["Service", "Owner", "Channel"]), None);
        assert_eq!(cols(&["Severity", "Response time"]), None);
        assert_eq!(cols(&["Metric", "Dashboard"]), None);
        assert_eq!(cols(&[]), None);
    }
}

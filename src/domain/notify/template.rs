//! Message templates: the built-in text of each kind, a runbook's overrides (`messages:`
//! in the front matter), and rendering `{{variable}}`s from the session.
//!
//! Rendering is pure. A variable the session has no value for renders visibly as
//! `‹unknown: to_image›`, never as an empty string; an unknown name is a `backout check`
//! error (see [`unknown_variables`]).

use std::collections::BTreeMap;

use super::MessageKind;

/// Every variable a template may use, with what it holds.
pub const VARIABLES: &[(&str, &str)] = &[
    ("incident_id", "the session id"),
    ("title", "the runbook's title"),
    ("severity", "the severity the matrix decided (SEV-1, …)"),
    ("service", "the service concerned"),
    ("namespace", "the Kubernetes namespace"),
    ("deployment", "the deployment rolled back"),
    ("from_revision", "the bad revision rolled back from"),
    ("to_revision", "the revision rolled back to"),
    ("from_image", "the bad image"),
    ("to_image", "the image rolled back to"),
    ("started_at", "when the session started (UTC)"),
    ("now", "when the message is drafted (UTC)"),
    ("elapsed", "time since the session started"),
    ("rollback_duration", "how long the rollback took"),
    ("verdict", "the decision matrix's verdict"),
    ("confirmed_by", "who confirmed the rollback"),
];

/// Whether `name` is a template variable.
pub fn is_variable(name: &str) -> bool {
    VARIABLES.iter().any(|(v, _)| *v == name)
}

/// The built-in text of a kind.
pub fn default_text(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::RollbackNotification => concat!(
            "[{{severity}}] Rolling back {{service}} ({{namespace}}/{{deployment}})\n",
            "From revision {{from_revision}} ({{from_image}})\n",
            "To revision {{to_revision}} ({{to_image}})\n",
            "Verdict: {{verdict}}. Confirmed by {{confirmed_by}}.\n",
            "Incident {{incident_id}}, started {{started_at}}.",
        ),
        MessageKind::StatusUpdate => concat!(
            "[{{severity}}] Update on {{service}}\n",
            "Rolled back to revision {{to_revision}} ({{to_image}}); verifying recovery.\n",
            "{{elapsed}} since the incident started. Incident {{incident_id}}.",
        ),
        MessageKind::AllClear => concat!(
            "[{{severity}}] All clear on {{service}}\n",
            "Running revision {{to_revision}} ({{to_image}}); recovery verified at {{now}}.\n",
            "Incident {{incident_id}} lasted {{elapsed}}.",
        ),
        MessageKind::PostRollbackSummary => concat!(
            "Post-rollback summary: {{service}} (incident {{incident_id}}, {{severity}})\n",
            "- Started: {{started_at}}\n",
            "- Verdict: {{verdict}}\n",
            "- Rolled back {{namespace}}/{{deployment}}\n",
            "  from revision {{from_revision}} ({{from_image}})\n",
            "  to revision {{to_revision}} ({{to_image}})\n",
            "  in {{rollback_duration}}, confirmed by {{confirmed_by}}\n",
            "- Total time: {{elapsed}}",
        ),
        MessageKind::IncidentReport => concat!(
            "Incident report {{incident_id}}: {{title}}\n",
            "Severity: {{severity}}. Service: {{service}} ({{namespace}}/{{deployment}}).\n",
            "Started {{started_at}}; the decision: {{verdict}}.\n",
            "Rolled back from revision {{from_revision}} ({{from_image}})\n",
            "to revision {{to_revision}} ({{to_image}}) in {{rollback_duration}},\n",
            "confirmed by {{confirmed_by}}. All clear after {{elapsed}}.",
        ),
    }
}

/// The text for a kind: the runbook's override (by kind name), else the built-in one.
pub fn text_for(kind: MessageKind, overrides: &BTreeMap<String, String>) -> &str {
    overrides
        .get(kind.name())
        .map(String::as_str)
        .unwrap_or_else(|| default_text(kind))
}

/// A `{{name}}` in a template: the name and the byte offset of its `{{`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use<'a> {
    pub name: &'a str,
    pub offset: usize,
}

/// Every `{{ name }}` in `text` (spaces inside the braces allowed), in order.
pub fn uses(text: &str) -> Vec<Use<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        out.push(Use {
            name: text[open + 2..close].trim(),
            offset: open,
        });
        from = close + 2;
    }
    out
}

/// The uses of names that are not template variables.
pub fn unknown_variables(text: &str) -> Vec<Use<'_>> {
    uses(text)
        .into_iter()
        .filter(|u| !is_variable(u.name))
        .collect()
}

/// Fills `{{variable}}`s from `values`. A variable without a value (or with an empty
/// one) becomes `‹unknown: name›`; an unknown name is left as written.
pub fn render(text: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut from = 0;
    for u in uses(text) {
        out.push_str(&text[from..u.offset]);
        let end = text[u.offset..]
            .find("}}")
            .map_or(text.len(), |i| u.offset + i + 2);
        match values.get(u.name).filter(|v| !v.trim().is_empty()) {
            Some(v) => out.push_str(v),
            None if is_variable(u.name) => {
                out.push_str("‹unknown: ");
                out.push_str(u.name);
                out.push('›');
            }
            None => out.push_str(&text[u.offset..end]),
        }
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        [
            ("service", "checkout"),
            ("severity", "SEV-1"),
            ("to_revision", "41"),
            ("to_image", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
    }

    #[test]
    fn renders_values_and_shows_missing_ones() {
        let got = render(
            "[{{severity}}] {{ service }} → rev {{to_revision}} ({{to_image}}) by {{confirmed_by}}",
            &values(),
        );
        assert_eq!(
            got,
            "[SEV-1] checkout → rev 41 (‹unknown: to_image›) by ‹unknown: confirmed_by›"
        );
    }

    #[test]
    fn unknown_names_and_stray_braces_stay_as_written() {
        assert_eq!(render("{{servce}} x", &values()), "{{servce}} x");
        assert_eq!(render("a {{ b", &values()), "a {{ b");
        assert_eq!(render("}} {{service}}", &values()), "}} checkout");
        assert_eq!(render("", &values()), "");
    }

    #[test]
    fn unknown_variables_are_found_with_their_offsets() {
        let text = "ok {{service}} {{servce}} {{ to_img }}";
        let bad = unknown_variables(text);
        assert_eq!(
            bad,
            [
                Use {
                    name: "servce",
                    offset: 15
                },
                Use {
                    name: "to_img",
                    offset: 26
                }
            ]
        );
    }

    #[test]
    fn every_default_uses_only_known_variables_and_overrides_win() {
        for kind in MessageKind::ALL {
            let text = default_text(kind);
            assert!(unknown_variables(text).is_empty(), "{kind}");
            assert!(!uses(text).is_empty(), "{kind}");
        }
        let overrides: BTreeMap<String, String> =
            [("all_clear".to_string(), "done: {{service}}".to_string())].into();
        assert_eq!(
            text_for(MessageKind::AllClear, &overrides),
            "done: {{service}}"
        );
        assert_eq!(
            text_for(MessageKind::StatusUpdate, &overrides),
            default_text(MessageKind::StatusUpdate)
        );
    }

    #[test]
    fn a_default_renders_with_nothing_silently_empty() {
        let got = render(default_text(MessageKind::AllClear), &values());
        assert!(
            got.starts_with(
                "[SEV-1] All clear on checkout\nRunning revision 41 (‹unknown: to_image›)"
            ),
            "{got}"
        );
        assert!(!got.contains("{{"), "{got}");
        assert!(!got.contains("()"), "{got}");
    }
}

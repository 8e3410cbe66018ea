//! The console's target: the deployment it watches and acts on, how the console was
//! connected (kept to journal each `ConnectionSet`), and the popup that shows it and lets
//! the operator accept, edit or switch it (the target read from the runbook before the
//! first connection; `T` at any time).

use ratatui_textarea::TextArea;

use crate::domain::cluster::Target;

/// The parts of the connection the target popup does not edit, journaled with each
/// `ConnectionSet`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionBase {
    pub kubeconfig: Option<String>,
    pub prometheus_url: Option<String>,
    pub theme: Option<String>,
    pub read_only: bool,
}

/// Where the console's target stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetState {
    pub base: ConnectionBase,
    /// Why there are no cluster panes: the one `cluster off: …` line.
    pub off: Option<String>,
    /// A connection asked for and not answered yet: its generation and target.
    pub connecting: Option<(u64, Target)>,
    /// The last generation asked for; older answers are dropped.
    pub generation: u64,
}

/// The fields of the target popup, in order.
pub const FIELDS: [&str; 3] = ["deployment", "namespace", "context"];

/// The target popup: what the console will connect to, editable.
pub struct TargetForm {
    pub title: String,
    /// What was read and from where (the runbook's lines), or the current target.
    pub evidence: Vec<String>,
    /// One editor per [`FIELDS`] entry.
    pub inputs: [TextArea<'static>; 3],
    /// Shown in an empty field (`context`: "current").
    pub hints: [String; 3],
    pub focus: usize,
    /// `ConnectionSet.source` when accepted (`inferred`, `operator`).
    pub source: String,
    pub error: Option<String>,
}

impl TargetForm {
    /// A form holding `values` (deployment, namespace, context), the first empty field
    /// focused.
    pub fn new(
        title: impl Into<String>,
        evidence: Vec<String>,
        values: [Option<String>; 3],
        hints: [String; 3],
        source: impl Into<String>,
    ) -> TargetForm {
        let inputs = values.map(|v| {
            let mut ta = TextArea::default();
            if let Some(v) = v {
                ta.insert_str(v);
            }
            ta
        });
        let focus = inputs
            .iter()
            .position(|t| t.lines().concat().trim().is_empty())
            .filter(|&i| i == 0)
            .unwrap_or(0);
        TargetForm {
            title: title.into(),
            evidence,
            inputs,
            hints,
            focus,
            source: source.into(),
            error: None,
        }
    }

    /// A field's text, trimmed (`None` when empty).
    pub fn value(&self, field: usize) -> Option<String> {
        let text = self.inputs.get(field)?.lines().concat();
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_string())
    }
}

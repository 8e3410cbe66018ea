//! The keymap's sections: which layer (popup, pane) a key is read in, each a `[section]`
//! of `keymap.toml`.

use serde::{Deserialize, Serialize};

/// Which layer the keys are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Normal,
    Confirm,
    Input,
    Note,
    Help,
    /// The cluster actions menu.
    Actions,
    /// The severity declaration (`S`): pick a decision table row or a severity.
    Severity,
    /// The choice of an alternative (its members' keys pick one too).
    Choice,
    /// The target popup (the inferred target's confirmation, `T`).
    Target,
    /// A block's line failed: retry, continue or stop.
    LineFailed,
    /// A cluster pane (Rollout, Pods, Events) has the focus: its keys come before
    /// `normal`'s.
    Cluster,
    /// The text views: the runbook view, logs, describe, YAML, a revision's changes.
    View,
    /// The messages list (`M`); its keys were in `[help]` before issue 11.
    Messages,
    /// After a failed verification check; its keys were in `[confirm]`.
    NextMoves,
    /// A message that only needs closing; its keys were in `[confirm]`.
    Notice,
    /// The message composer (`m`); its keys were in `[note]`.
    Compose,
    /// A cluster action's confirmation; its keys were in `[confirm]`.
    ClusterConfirm,
    /// A cluster action's confirmation by typing the name; its keys were in `[input]`.
    ClusterConfirmTyped,
    /// The runbook view (`R`); its keys were in `[view]`.
    RunbookView,
    /// A drill-down view of the cluster (logs, describe, YAML); its keys were in `[view]`.
    ClusterView,
}

impl Mode {
    /// Every section the default keymap has (`View` is only read from older files: it
    /// was split into `RunbookView` and `ClusterView`).
    pub const ALL: [Mode; 19] = [
        Mode::Normal,
        Mode::Cluster,
        Mode::RunbookView,
        Mode::ClusterView,
        Mode::Actions,
        Mode::ClusterConfirm,
        Mode::ClusterConfirmTyped,
        Mode::Severity,
        Mode::Choice,
        Mode::Target,
        Mode::Confirm,
        Mode::NextMoves,
        Mode::Notice,
        Mode::Input,
        Mode::Note,
        Mode::Compose,
        Mode::Messages,
        Mode::Help,
        Mode::LineFailed,
    ];

    /// The section names of every mode, as a keymap file writes them (`[line_failed]`),
    /// in the order of `Mode::ALL`.
    pub fn section_names() -> Vec<String> {
        Mode::ALL
            .iter()
            .filter_map(|m| toml::Value::try_from(m).ok())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    pub fn title(self) -> &'static str {
        match self {
            Mode::Normal => "Procedure",
            Mode::Confirm => "Confirmation",
            Mode::Input => "Prompt",
            Mode::Note => "Note editor",
            Mode::Help => "Help",
            Mode::Actions => "Cluster actions menu",
            Mode::Severity => "Severity declaration",
            Mode::Choice => "Choosing an alternative",
            Mode::Target => "Target (deployment, namespace, context)",
            Mode::LineFailed => "A failed line",
            Mode::Cluster => "Cluster panes (Rollout, Pods, Events focused)",
            Mode::View => "Runbook view, logs, describe, YAML (an older keymap's section)",
            Mode::Messages => "Messages list",
            Mode::NextMoves => "After a failed check",
            Mode::Notice => "Notice",
            Mode::Compose => "Message composer",
            Mode::ClusterConfirm => "Cluster action confirmation",
            Mode::ClusterConfirmTyped => "Cluster action, typed confirmation",
            Mode::RunbookView => "Runbook view",
            Mode::ClusterView => "Logs, describe, YAML",
        }
    }
}

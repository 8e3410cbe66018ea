//! What a key can ask for. Keys map to actions through the keymap (`keymap.rs`);
//! `update` is the only place actions take effect.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPhase,
    PrevPhase,
    NextPane,
    PrevPane,
    Toggle,
    Run,
    Skip,
    Note,
    CancelCommand,
    Help,
    Quit,
    CloseSession,
    RecaptureBaseline,
    Undo,
    AcknowledgeSeverity,
    Confirm,
    Cancel,
    Submit,
}

impl Action {
    /// One line for the help overlay.
    pub fn description(self) -> &'static str {
        match self {
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "go to the first step",
            Action::Bottom => "go to the last step",
            Action::NextPhase => "jump to the next phase",
            Action::PrevPhase => "jump to the previous phase",
            Action::NextPane => "focus the next pane",
            Action::PrevPane => "focus the previous pane",
            Action::Toggle => "tick / untick the step",
            Action::Run => "run the step's command (asks first)",
            Action::Skip => "skip the step, with a reason",
            Action::Note => "add a note to the journal",
            Action::CancelCommand => "cancel the running command",
            Action::Help => "show this help",
            Action::Quit => "quit (the session stays resumable)",
            Action::CloseSession => "close the session (marks it finished)",
            Action::RecaptureBaseline => "re-capture metric baselines from current values",
            Action::Undo => "roll the deployment back to the selected revision (Rollout pane)",
            Action::AcknowledgeSeverity => {
                "acknowledge the severity the matrix decided (a drill's time to detect)"
            }
            Action::Confirm => "confirm",
            Action::Cancel => "cancel / close",
            Action::Submit => "save / submit",
        }
    }

    /// Short label for the key-hint line.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Up | Action::Down => "move",
            Action::PageUp | Action::PageDown => "page",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::NextPhase | Action::PrevPhase => "phase",
            Action::NextPane | Action::PrevPane => "pane",
            Action::Toggle => "tick",
            Action::Run => "run",
            Action::Skip => "skip",
            Action::Note => "note",
            Action::CancelCommand => "cancel cmd",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::CloseSession => "close session",
            Action::RecaptureBaseline => "baseline",
            Action::Undo => "undo",
            Action::AcknowledgeSeverity => "ack severity",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Submit => "save",
        }
    }
}

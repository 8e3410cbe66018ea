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
    Verify,
    CutShort,
    UndoFurther,
    Escalate,
    KeepWatching,
    AcknowledgeSeverity,
    /// Declare or change the incident's severity by hand (a table row or a severity).
    DeclareSeverity,
    Confirm,
    Cancel,
    Submit,
    /// Open the cluster actions menu.
    ClusterActions,
    Pause,
    Resume,
    Restart,
    Scale,
    SetImage,
    SetEnv,
    SwitchSelector,
    DeletePods,
    /// Pods pane: next sort column.
    SortPods,
    /// Pods pane: type a filter.
    FilterPods,
    ComposeMessage,
    ShowMessages,
    NextMessageKind,
    RetryMessage,
    /// Messages list: the selected draft was posted by hand (asks where).
    PostedByHand,
    /// Choose (or change) an alternative on the selected choice row.
    Choose,
    /// Show the console's target and switch it.
    SwitchTarget,
    /// Target popup: the next field.
    NextField,
    /// Target popup: the previous field.
    PrevField,
    /// A block's line failed: run that line again.
    RetryLine,
    /// A block's line failed: go on with the next line.
    ContinueLine,
    /// A block's line failed: stop the block there.
    StopLines,
    /// Open the whole runbook, rendered (the runbook view).
    RunbookView,
    /// A text view: type a search.
    Search,
    NextMatch,
    PrevMatch,
    ToggleWrap,
    ToggleFollow,
    /// The runbook view: select the next / previous code block.
    NextBlock,
    PrevBlock,
    /// The runbook view: jump to the section of the step selected in the Procedure pane.
    JumpToStep,
    /// The runbook view: back to where the last jump started.
    JumpBack,
    /// A cluster pane: the selected pod's logs.
    Logs,
    /// A cluster pane: describe the selection (a pod; a revision's changes; an event's object).
    Describe,
    /// A cluster pane: the selection's YAML.
    Yaml,
    /// Logs: the previous container's logs (`--previous`).
    PreviousContainer,
    /// Logs: pick another container of the pod.
    PickContainer,
    /// Logs: since when (`--since`).
    SinceTime,
    /// The auto-sync guard's warning: turn the Argo CD application's auto-sync off first.
    AutoSyncOff,
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
            Action::Verify => "start the selected step's verification checks",
            Action::CutShort => "cut a verification window short (asks why)",
            Action::UndoFurther => "failed check: roll back further",
            Action::Escalate => "failed check: note it, go to communication",
            Action::KeepWatching => "failed check: restart its monitor window",
            Action::AcknowledgeSeverity => "acknowledge the severity, or record who approved",
            Action::DeclareSeverity => {
                "declare or change the severity (a decision table row or a bare severity)"
            }
            Action::Confirm => "confirm",
            Action::Cancel => "cancel / close",
            Action::Submit => "save / submit",
            Action::ClusterActions => {
                "cluster actions on the target deployment (pause, scale, set image, …)"
            }
            Action::Pause => "pause the rollout (kubectl rollout pause)",
            Action::Resume => "resume the rollout (kubectl rollout resume)",
            Action::Restart => "restart the pods (kubectl rollout restart)",
            Action::Scale => "scale to a number of replicas (asks how many)",
            Action::SetImage => "set a container's image (asks CONTAINER=IMAGE)",
            Action::SetEnv => "set or unset an environment variable, e.g. a feature flag",
            Action::SwitchSelector => "switch the runbook's Service to another selector",
            Action::DeletePods => "delete pods by label selector (a stuck rollout)",
            Action::SortPods => "sort the Pods pane by the next column",
            Action::FilterPods => "filter the Pods pane by a typed substring",
            Action::ComposeMessage => "compose a message: preview, edit, send",
            Action::ShowMessages => "list messages and their delivery per sink",
            Action::NextMessageKind => "message editor: next kind (redrafts the text)",
            Action::RetryMessage => "resend the selected failed message",
            Action::PostedByHand => {
                "messages list: record that the selected draft was posted by hand"
            }
            Action::Choose => "choose or change an alternative (choice row)",
            Action::SwitchTarget => "show the console's target and switch it",
            Action::NextField => "next field",
            Action::PrevField => "previous field",
            Action::RetryLine => "failed line: run it again (in the same shell)",
            Action::ContinueLine => "failed line: go on with the next line (journaled)",
            Action::StopLines => "failed line: stop the block there",
            Action::RunbookView => "read the whole runbook (search, jump, run its code blocks)",
            Action::Search => "search (Enter keeps it, Esc drops it)",
            Action::NextMatch => "next match",
            Action::PrevMatch => "previous match",
            Action::ToggleWrap => "wrap long lines on / off",
            Action::ToggleFollow => "follow new lines on / off",
            Action::NextBlock => "runbook view: select the next code block",
            Action::PrevBlock => "runbook view: select the previous code block",
            Action::JumpToStep => "runbook view: jump to the selected step's section",
            Action::JumpBack => "runbook view: back to where the jump started",
            Action::Logs => "Pods: the selected pod's logs (streaming)",
            Action::Describe => {
                "Pods: describe the pod · Rollout: what the revision changed · Events: its object"
            }
            Action::Yaml => "Pods: the pod's YAML · Rollout: the revision's pod template",
            Action::PreviousContainer => "logs: the previous container's (--previous) on / off",
            Action::PickContainer => "logs: next container of the pod",
            Action::SinceTime => "logs: since 1m / 10m / 1h / all",
            Action::AutoSyncOff => {
                "Argo CD self-heal warning: turn the application's auto-sync off first"
            }
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
            Action::Verify => "verify",
            Action::CutShort => "cut short",
            Action::UndoFurther => "undo further",
            Action::Escalate => "escalate",
            Action::KeepWatching => "keep watching",
            Action::AcknowledgeSeverity => "ack severity",
            Action::DeclareSeverity => "severity",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Submit => "save",
            Action::ClusterActions => "actions",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Restart => "restart",
            Action::Scale => "scale",
            Action::SetImage => "set image",
            Action::SetEnv => "set env",
            Action::SwitchSelector => "switch selector",
            Action::DeletePods => "delete pods",
            Action::SortPods => "sort pods",
            Action::FilterPods => "filter pods",
            Action::ComposeMessage => "message",
            Action::ShowMessages => "messages",
            Action::NextMessageKind => "kind",
            Action::RetryMessage => "retry",
            Action::PostedByHand => "posted",
            Action::Choose => "choose",
            Action::SwitchTarget => "target",
            Action::NextField | Action::PrevField => "field",
            Action::RetryLine => "retry line",
            Action::ContinueLine => "continue",
            Action::StopLines => "stop",
            Action::RunbookView => "runbook",
            Action::Search => "search",
            Action::NextMatch | Action::PrevMatch => "match",
            Action::ToggleWrap => "wrap",
            Action::ToggleFollow => "follow",
            Action::NextBlock | Action::PrevBlock => "block",
            Action::JumpToStep => "step's section",
            Action::JumpBack => "back",
            Action::Logs => "logs",
            Action::Describe => "describe",
            Action::Yaml => "yaml",
            Action::PreviousContainer => "previous",
            Action::PickContainer => "container",
            Action::SinceTime => "since",
            Action::AutoSyncOff => "auto-sync off",
        }
    }
}

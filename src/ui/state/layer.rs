//! The modal layer stack's entries: what each popup holds while it is open.

use ratatui_textarea::TextArea;

use crate::domain::runbook::StepId;
use crate::ui::keymap::Mode;

use super::cluster::ClusterConfirm;
use super::messaging::Composer;

/// A confirmed intent the confirm layer hands back to `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    RunCommand {
        step: StepId,
    },
    /// A block of kubectl lines run line by line: natively where understood, the
    /// others in the shell.
    RunKubectlLines {
        step: StepId,
    },
    /// Start the verification checks of a step (asked first when one is a shell command).
    StartVerification {
        step: StepId,
    },
    CloseSession,
    /// Send a message to every configured sink.
    SendMessage {
        kind: crate::domain::notify::MessageKind,
        text: String,
    },
    QuitCancellingCommand,
    /// A simulated drill's shell step that would reach outside the simulator: journaled
    /// as rehearsed, nothing runs.
    RehearseCommand {
        step: StepId,
    },
    /// A block that stopped part-way (the session ended between two of its lines, or
    /// while one ran): go on from line `from` (0-based) in a new shell. Declining offers
    /// the whole block instead.
    ContinueBlock {
        step: StepId,
        from: usize,
    },
    /// A changing kubectl line of a running block, its server dry run and diff shown:
    /// run it for real (declining ends the block, declined).
    RunPreviewedLine {
        step: StepId,
    },
}

/// The confirm layer: what will happen, and the intent to carry out on `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    /// Lines shown verbatim (the exact command, with secrets masked).
    pub body: Vec<String>,
    pub question: String,
    pub intent: Intent,
}

/// What a single-line prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    /// A value for a placeholder; then try to run the step again.
    Placeholder {
        name: String,
        written: String,
        secret: bool,
        then_run: StepId,
    },
    SkipReason {
        step: StepId,
    },
    /// The value a cluster action needs (replicas, image, …); then start it.
    ClusterParam {
        kind: super::action_menu::ActionKind,
    },
    /// The Pods pane's filter (empty clears it).
    PodFilter,
    /// Why verification check `check` (an index into `App::verification`) is cut short.
    CutShortReason {
        check: usize,
    },
    /// Why the operator declares this severity (`S`); then it is journaled.
    SeverityReason {
        choice: crate::domain::decision::SeverityChoice,
    },
    /// Where a message drafted without a sink was posted by hand.
    PostedWhere {
        key: String,
    },
    /// Who approved the declared severity, as its decision table row asks (`after` records
    /// "approve after" where the row allows it).
    Approver {
        severity: String,
        can_defer: bool,
    },
    /// The name to type before a block's line that changes the target (delete, scale to
    /// zero) or anything in another namespace or context runs.
    GuardedLine {
        expected: String,
    },
}

pub struct Prompt {
    pub title: String,
    pub hint: String,
    pub purpose: PromptPurpose,
    pub input: TextArea<'static>,
    pub error: Option<String>,
}

pub struct NoteEditor {
    pub step: Option<StepId>,
    pub input: TextArea<'static>,
}

/// The modal layer stack: the top layer gets keys first.
pub enum Layer {
    Help {
        scroll: u16,
    },
    Confirm(Confirm),
    Prompt(Box<Prompt>),
    Note(Box<NoteEditor>),
    /// A cluster action's diff and typed confirmation.
    ClusterConfirm(Box<ClusterConfirm>),
    /// The cluster actions menu, each action with its key and whether it is allowed.
    ActionMenu(super::action_menu::ActionMenu),
    /// A message that only needs closing (an action not allowed, a lock held).
    Notice {
        title: String,
        lines: Vec<String>,
    },
    /// The message composer (preview and editor).
    Compose(Box<Composer>),
    /// The list of messages and their delivery per sink.
    Messages {
        cursor: usize,
    },
    /// After a failed verification check: undo further, escalate or keep watching.
    NextMoves {
        check: usize,
    },
    /// A line of a block failed: retry it, continue with the next, or stop
    /// (`state::block_run` holds which line and how it ended).
    LineFailed {
        step: StepId,
    },
    /// `backout drill`'s intro: what is about to happen and which keys matter. Any key
    /// closes it.
    DrillIntro(Box<super::drill::DrillIntro>),
    /// Declaring the severity (`S`): the decision table's rows and bare severities.
    DeclareSeverity {
        cursor: usize,
    },
    /// Choosing a member of a group of alternatives: every member previewed, one picked.
    Choice(ChoiceLayer),
    /// The console's target: accept, edit or switch it.
    Target(Box<super::target::TargetForm>),
    /// `R`: the whole runbook rendered, its code blocks runnable.
    RunbookView(Box<super::runbook_view::RunbookView>),
    /// A drill-down view of the cluster: logs, describe, YAML, a revision's changes.
    ClusterView(Box<super::cluster_view::ClusterView>),
}

/// The choice popup: the group (an index into `Runbook::alternatives`) and the member
/// previewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChoiceLayer {
    pub group: usize,
    pub selected: usize,
}

impl Layer {
    pub fn mode(&self) -> Mode {
        match self {
            Layer::Help { .. } => Mode::Help,
            Layer::Confirm(_) => Mode::Confirm,
            Layer::Prompt(_) => Mode::Input,
            Layer::Note(_) => Mode::Note,
            Layer::ClusterConfirm(cc) if cc.typed => Mode::ClusterConfirmTyped,
            Layer::ClusterConfirm(_) => Mode::ClusterConfirm,
            Layer::ActionMenu(_) => Mode::Actions,
            Layer::Notice { .. } => Mode::Notice,
            Layer::Compose(_) => Mode::Compose,
            Layer::Messages { .. } => Mode::Messages,
            Layer::NextMoves { .. } => Mode::NextMoves,
            // Any key starts the drill: no keys of its own (its hints are `[confirm]`'s).
            Layer::DrillIntro(_) => Mode::Confirm,
            Layer::DeclareSeverity { .. } => Mode::Severity,
            Layer::Choice(_) => Mode::Choice,
            Layer::Target(_) => Mode::Target,
            Layer::LineFailed { .. } => Mode::LineFailed,
            Layer::RunbookView(_) => Mode::RunbookView,
            Layer::ClusterView(_) => Mode::ClusterView,
        }
    }
}

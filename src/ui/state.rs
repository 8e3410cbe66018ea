//! The console's state. Only `update` changes it; the view reads it.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Utc};
use ratatui_textarea::TextArea;

use crate::domain::journal::Record;
use crate::domain::progress::Progress;
use crate::domain::redact::Redactor;
use crate::domain::runbook::{Runbook, Step, StepId, StepKind};

use super::cluster::{ClusterConfirm, LiveCluster};
use super::keymap::{Keymap, Mode};
use super::live::LiveMetrics;
use super::messages::{Composer, Messaging};
use super::msg::Stream;
use super::theme::Theme;
use super::verify::Verification;

/// Who is working the session and on what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: String,
    /// `user@host`, written as the actor of every record.
    pub actor: String,
}

/// Panes that can take focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Procedure,
    /// The Rollout pane (only with a cluster).
    Rollout,
    Output,
    Journal,
}

impl Pane {
    pub fn next(self) -> Pane {
        match self {
            Pane::Procedure => Pane::Rollout,
            Pane::Rollout => Pane::Output,
            Pane::Output => Pane::Journal,
            Pane::Journal => Pane::Procedure,
        }
    }
    pub fn prev(self) -> Pane {
        match self {
            Pane::Procedure => Pane::Journal,
            Pane::Rollout => Pane::Procedure,
            Pane::Output => Pane::Rollout,
            Pane::Journal => Pane::Output,
        }
    }
}

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
    /// `backout drill`'s intro: what is about to happen and which keys matter. Any key
    /// closes it.
    DrillIntro(Box<super::drill::DrillIntro>),
}

impl Layer {
    pub fn mode(&self) -> Mode {
        match self {
            Layer::Help { .. } => Mode::Help,
            Layer::Confirm(_) => Mode::Confirm,
            Layer::Prompt(_) => Mode::Input,
            Layer::Note(_) => Mode::Note,
            Layer::ClusterConfirm(cc) if cc.typed => Mode::Input,
            Layer::ClusterConfirm(_) => Mode::Confirm,
            Layer::ActionMenu(_) => Mode::Actions,
            Layer::Notice { .. } => Mode::Confirm,
            Layer::Compose(_) => Mode::Note,
            Layer::Messages { .. } => Mode::Help,
            Layer::NextMoves { .. } => Mode::Confirm,
            Layer::DrillIntro(_) => Mode::Confirm,
        }
    }
}

/// What to do once a journal write is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    Nothing,
    Spawn {
        run: u32,
        script: String,
        env: Vec<(String, String)>,
    },
    RunStep(StepId),
    /// Send cluster action `op` (its request record is on disk).
    ClusterExecute {
        op: u64,
    },
    /// Run the next lines of the step running natively (its start record is on disk).
    NativeAdvance,
    /// Send this message to this sink (its `MessageQueued` record is on disk).
    Deliver {
        sink: String,
        msg: Box<crate::domain::notify::Outgoing>,
    },
    /// Start sampling verification check `check` (its start record is on disk).
    VerifyStart {
        check: usize,
        run: u64,
    },
    /// Show verification check `check` finished (its record is on disk).
    VerifyFinished {
        check: usize,
        run: u64,
    },
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingWrite {
    pub req: u64,
    /// The step whose state this write changes (shown as "saving…").
    pub step: Option<StepId>,
    pub then: Then,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    pub stream: Stream,
    pub text: String,
}

/// The output pane's content: the latest command's lines, bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputLog {
    pub run: Option<u32>,
    pub step: Option<StepId>,
    /// The command as shown (secrets masked).
    pub command: String,
    /// The run goes line by line (natively or in the shell), each line printed as it
    /// starts: the pane does not repeat the command above them.
    pub line_by_line: bool,
    pub lines: VecDeque<OutputLine>,
    /// Lines dropped from the front to stay bounded.
    pub dropped: usize,
    /// Lines scrolled up from the bottom; 0 follows the output.
    pub scroll_back: usize,
}

impl OutputLog {
    pub const MAX_LINES: usize = 5_000;

    /// A fresh pane for run `run` of step `step`, showing `command` (masked).
    pub fn for_run(run: u32, step: StepId, command: String) -> OutputLog {
        OutputLog {
            run: Some(run),
            step: Some(step),
            command,
            ..OutputLog::default()
        }
    }

    pub fn push(&mut self, stream: Stream, text: String) {
        if self.lines.len() == Self::MAX_LINES {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(OutputLine { stream, text });
        if self.scroll_back > 0 {
            self.scroll_back += 1;
        }
    }
}

/// A command that is running now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub run: u32,
    pub step: StepId,
    pub started: DateTime<Utc>,
    /// Spawn was requested (its start record is on disk).
    pub spawned: bool,
    pub cancel_requested: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub level: FlashLevel,
    pub text: String,
    pub until: DateTime<Utc>,
}

/// Where a flat step index lives in the runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepPos {
    pub phase: usize,
    pub index: usize,
}

pub struct App {
    pub runbook: Runbook,
    pub session: SessionInfo,
    pub progress: Progress,
    /// Every record of the session, in order (the journal pane shows the tail).
    pub records: Vec<Record>,
    /// Steps in document order.
    pub steps: Vec<StepPos>,
    /// Index into `steps` of the selected step.
    pub cursor: usize,
    pub focus: Pane,
    pub output: OutputLog,
    pub running: Option<Running>,
    pub layers: Vec<Layer>,
    pub pending: Vec<PendingWrite>,
    pub next_req: u64,
    /// A phase whose `PhaseEntered` record is in flight.
    pub entering_phase: Option<usize>,
    pub flash: Option<Flash>,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub theme: Theme,
    pub keymap: Keymap,
    /// Values typed for secret placeholders: in memory only, never journaled or shown.
    pub secrets: BTreeMap<String, String>,
    /// Masks every known secret (secret-named environment values, typed secrets, and
    /// credential syntax) in what is shown or journaled.
    pub redactor: Redactor,
    /// A drill on the simulator: a shell step whose commands would reach outside it
    /// (`argocd`, `curl` to a webhook) is rehearsed, not run (`domain::drill_guard`).
    pub rehearse_outside_commands: bool,
    /// The journal pane's scroll, in records back from the newest.
    pub journal_scroll: usize,
    /// Quit once the running command has ended and been journaled.
    pub quit_after_run: bool,
    pub quitting: bool,
    /// Presentation only: first visible row of the procedure list (adjusted while drawing).
    pub procedure_offset: Cell<usize>,
    /// Live metrics and the decision matrix; `None` when the runbook has no
    /// `metrics.queries` or no Prometheus is configured (then no metrics panes).
    pub metrics: Option<LiveMetrics>,
    /// The live cluster panes; `None` without a target deployment or a connection
    /// (then no cluster panes at all).
    pub cluster: Option<LiveCluster>,
    /// The sinks and every message with its delivery (no sinks: composing says so).
    pub messaging: Messaging,
    /// The runbook's verification checks and their monitor windows.
    pub verification: Verification,
}

impl App {
    pub fn new(
        runbook: Runbook,
        session: SessionInfo,
        records: Vec<Record>,
        theme: Theme,
        keymap: Keymap,
        now: DateTime<Utc>,
    ) -> App {
        let progress = Progress::replay(&records);
        let steps: Vec<StepPos> = runbook
            .phases
            .iter()
            .enumerate()
            .flat_map(|(p, ph)| (0..ph.steps.len()).map(move |i| StepPos { phase: p, index: i }))
            .collect();
        let verification = Verification::restore(&runbook, &records);
        let mut app = App {
            runbook,
            session,
            progress,
            records,
            steps,
            cursor: 0,
            focus: Pane::Procedure,
            output: OutputLog::default(),
            running: None,
            layers: Vec::new(),
            pending: Vec::new(),
            next_req: 1,
            entering_phase: None,
            flash: None,
            now,
            size: (0, 0),
            theme,
            keymap,
            secrets: BTreeMap::new(),
            redactor: Redactor::default(),
            rehearse_outside_commands: false,
            journal_scroll: 0,
            quit_after_run: false,
            quitting: false,
            procedure_offset: Cell::new(0),
            metrics: None,
            cluster: None,
            messaging: Messaging::default(),
            verification,
        };
        app.cursor = app.first_open_step().unwrap_or(0);
        app
    }

    pub fn step_at(&self, flat: usize) -> Option<&Step> {
        let pos = self.steps.get(flat)?;
        self.runbook.phases.get(pos.phase)?.steps.get(pos.index)
    }

    pub fn selected(&self) -> Option<&Step> {
        self.step_at(self.cursor)
    }

    pub fn selected_pos(&self) -> Option<StepPos> {
        self.steps.get(self.cursor).copied()
    }

    pub fn flat_index_of(&self, id: StepId) -> Option<usize> {
        (0..self.steps.len()).find(|&i| self.step_at(i).map(|s| s.id) == Some(id))
    }

    pub fn find_step(&self, id: StepId) -> Option<&Step> {
        self.flat_index_of(id).and_then(|i| self.step_at(i))
    }

    pub fn phase_of(&self, id: StepId) -> Option<usize> {
        self.flat_index_of(id).map(|i| self.steps[i].phase)
    }

    /// Whether a step counts as finished: ticked, skipped, or its command succeeded.
    pub fn is_finished(&self, step: &Step) -> bool {
        self.progress
            .is_finished(step.id, matches!(step.kind, StepKind::Command(_)))
    }

    /// (finished, total) steps of a phase.
    pub fn phase_progress(&self, phase: usize) -> (usize, usize) {
        let Some(ph) = self.runbook.phases.get(phase) else {
            return (0, 0);
        };
        (
            ph.steps.iter().filter(|s| self.is_finished(s)).count(),
            ph.steps.len(),
        )
    }

    pub fn total_progress(&self) -> (usize, usize) {
        (0..self.runbook.phases.len())
            .map(|p| self.phase_progress(p))
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    }

    pub fn first_open_step(&self) -> Option<usize> {
        (0..self.steps.len()).find(|&i| self.step_at(i).is_some_and(|s| !self.is_finished(s)))
    }

    /// The phase the operator is working in: the last one entered.
    pub fn current_phase(&self) -> Option<usize> {
        self.entering_phase
            .or_else(|| self.progress.phase_visits.last().map(|v| v.phase))
    }

    pub fn is_pending(&self, step: StepId) -> bool {
        self.pending.iter().any(|p| p.step == Some(step))
    }

    pub fn pending_steps(&self) -> BTreeSet<StepId> {
        self.pending.iter().filter_map(|p| p.step).collect()
    }

    pub fn mode(&self) -> Mode {
        self.layers.last().map(Layer::mode).unwrap_or(Mode::Normal)
    }

    /// Bindings for filling placeholders: journaled values plus in-memory secrets.
    pub fn bindings(&self) -> BTreeMap<String, String> {
        let mut b = self
            .runbook
            .front
            .as_ref()
            .map(|f| f.vars.clone())
            .unwrap_or_default();
        b.extend(self.progress.bindings.clone());
        b.extend(self.secrets.clone());
        b
    }

    /// A command block as shown and journaled: filled with every secret placeholder as
    /// `‹redacted›` — whatever quoting or escaping its real value would have needed, which
    /// masking the filled text by value could miss — then masked for any other known
    /// secret. Unbound placeholders stay as written.
    pub fn shown_command(&self, script: &str) -> String {
        let mut b = self.bindings();
        for (name, value) in b.iter_mut() {
            if self.secrets.contains_key(name) || crate::domain::redact::is_secret_name(name) {
                *value = crate::domain::redact::REDACTED.to_string();
            }
        }
        let filled =
            crate::domain::runbook::fill(script, &b).unwrap_or_else(|_| script.to_string());
        self.mask_secrets(&filled)
    }

    /// Masks every secret in a text.
    pub fn mask_secrets(&self, text: &str) -> String {
        self.redactor.redact(text).into_owned()
    }
}

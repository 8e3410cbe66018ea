//! The console's state. Only the reducers in `ui::update` change it; the view reads it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration as ChronoDuration, Utc};

use crate::domain::journal::{Entry, Record};
use crate::domain::progress::Progress;
use crate::domain::redact::Redactor;
use crate::domain::runbook::{Runbook, Step, StepId, StepKind};
use crate::ui::effect::Effect;
use crate::ui::keymap::{Keymap, Mode};
use crate::ui::theme::Theme;

use super::cluster::LiveCluster;
use super::flash::{Flash, FlashLevel};
use super::layer::Layer;
use super::messaging::Messaging;
use super::metrics::LiveMetrics;
use super::native_run::{BlockPlan, plan_block};
use super::output::{OutputLog, Running};
use super::pane::Pane;
use super::pending::{PendingWrite, Then};
use super::session::SessionInfo;
use super::verification::Verification;

/// How long a flash message stays on the key-hint line.
const FLASH_SECS: i64 = 6;

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
    /// Shell blocks outside the steps, runnable from the runbook view through the step
    /// path (`Runbook::view_steps`: ids after the last step, never in a phase).
    pub view_steps: Vec<Step>,
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
        App::with_progress(runbook, session, records, progress, theme, keymap, now)
    }

    /// `new` for records already replayed into `progress`.
    pub fn with_progress(
        runbook: Runbook,
        session: SessionInfo,
        records: Vec<Record>,
        progress: Progress,
        theme: Theme,
        keymap: Keymap,
        now: DateTime<Utc>,
    ) -> App {
        let steps: Vec<StepPos> = runbook
            .phases
            .iter()
            .enumerate()
            .flat_map(|(p, ph)| (0..ph.steps.len()).map(move |i| StepPos { phase: p, index: i }))
            .collect();
        let verification = Verification::restore(&runbook, &records);
        let view_steps = runbook.view_steps();
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
            metrics: None,
            cluster: None,
            messaging: Messaging::default(),
            verification,
            view_steps,
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

    /// A step of the runbook's phases, or a block the runbook view runs as one.
    pub fn find_step(&self, id: StepId) -> Option<&Step> {
        self.flat_index_of(id)
            .and_then(|i| self.step_at(i))
            .or_else(|| self.view_steps.iter().find(|s| s.id == id))
    }

    /// The view step for the code block starting at 1-based `line`.
    pub fn view_step_at(&self, line: usize) -> Option<StepId> {
        self.view_steps
            .iter()
            .find(|s| s.line == line)
            .map(|s| s.id)
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
        match self.layers.last() {
            Some(layer) => layer.mode(),
            None if self.focus.is_cluster() && self.cluster.is_some() => Mode::Cluster,
            None => Mode::Normal,
        }
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

    /// Shows `text` on the key-hint line for a few seconds.
    pub fn flash(&mut self, level: FlashLevel, text: &str) {
        self.flash = Some(Flash {
            level,
            text: text.to_string(),
            until: self.now + ChronoDuration::seconds(FLASH_SECS),
        });
    }

    /// Asks for `entry` to be journaled: the write is pending (shown as "saving…" on
    /// `step`) until `Msg::Journaled` brings the record back; then `then` happens.
    pub fn journal(&mut self, entry: Entry, step: Option<StepId>, then: Then) -> Effect {
        let req = self.next_req;
        self.next_req += 1;
        self.pending.push(PendingWrite { req, step, then });
        Effect::Journal { req, entry }
    }

    /// How the selected step's block will run, for the step pane: `None` without a
    /// cluster or a command.
    pub fn block_plan(&self, script: &str) -> Option<BlockPlan> {
        let c = self.cluster.as_ref()?;
        let filled = crate::domain::runbook::fill(script, &self.bindings()).ok()?;
        Some(plan_block(&filled, &c.target()))
    }

    /// A severity fires that the operator has not acknowledged yet (a drill's time to
    /// detect ends with the acknowledgement).
    pub fn awaiting_acknowledgement(&self) -> bool {
        let Some(severity) = self.metrics.as_ref().and_then(|m| m.severity()) else {
            return false;
        };
        self.last_acknowledged().as_deref() != Some(severity)
    }

    /// The severity last acknowledged in this session.
    pub fn last_acknowledged(&self) -> Option<String> {
        self.records.iter().rev().find_map(|r| match &r.entry {
            Entry::SeverityAcknowledged { severity } => Some(severity.clone()),
            _ => None,
        })
    }
}

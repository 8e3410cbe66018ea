//! The console's state. Only the reducers in `ui::update` change it; the view reads it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration as ChronoDuration, Utc};

use crate::domain::decision::SeverityState;
use crate::domain::journal::{Entry, Record};
use crate::domain::redact::Redactor;
use crate::domain::runbook::{MatrixRow, Runbook, Step, StepId, StepKind};
use crate::domain::session_state::SessionState;
use crate::ui::effect::{Effect, JournalEffect};
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

pub use super::procedure_rows::StepPos;

pub struct App {
    pub runbook: Runbook,
    pub session: SessionInfo,
    /// Everything derived from the journal, in its one fold: every record is applied as
    /// it comes back from the disk (`App::journaled`), and a resumed console starts from
    /// the journal replayed. Progress, messages and their delivery, the declared
    /// severity, approvals, acknowledgements, baselines are read from here.
    pub state: SessionState,
    /// Every record of the session, in order (the journal pane shows the tail).
    pub records: Vec<Record>,
    /// The procedure's rows in document order: steps, and one choice row per group of
    /// alternatives (only the chosen member's steps are rows; see `procedure_rows`).
    pub steps: Vec<StepPos>,
    /// Index into `steps` of the selected row.
    pub cursor: usize,
    pub focus: Pane,
    pub output: OutputLog,
    pub running: Option<Running>,
    /// A command block running in the shell line by line (also while a failed line
    /// waits for retry, continue or stop).
    pub block_run: Option<super::block_run::BlockRun>,
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
    /// The console's target: why there is no cluster, a connection under way.
    pub target: super::target::TargetState,
    /// The sinks and every message with its delivery (no sinks: composing says so).
    pub messaging: Messaging,
    /// The runbook's verification checks and their monitor windows.
    pub verification: Verification,
    /// The severity declared by hand (`S`), its RTO clock and approval: `state.severity`
    /// read with the runbook's decision table rows, again after each record
    /// (`App::journaled`), never folded on its own.
    pub severity: SeverityState,
    /// Shell blocks outside the steps, runnable from the runbook view through the step
    /// path (`Runbook::view_steps`: ids after the last step, never in a phase).
    pub view_steps: Vec<Step>,
    /// A rollout the previous console was following when it stopped, followed again once
    /// the resumed console sees the Deployment (taken then).
    pub follow_to_reattach: Option<crate::domain::unfinished_follow::UnfinishedFollow>,
    /// Argo CD: `argocd` lines running through its API, the application managing the
    /// target.
    pub argo: super::argo::ArgoState,
    /// A deploy service's HTTP API: `curl` lines aimed at it running through the console.
    pub deploy_api: super::deploy_api::DeployApiState,
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
        let state = SessionState::replay(&records);
        App::with_state(runbook, session, records, state, theme, keymap, now)
    }

    /// `new` for records already replayed into `state`.
    pub fn with_state(
        runbook: Runbook,
        session: SessionInfo,
        records: Vec<Record>,
        state: SessionState,
        theme: Theme,
        keymap: Keymap,
        now: DateTime<Utc>,
    ) -> App {
        let steps = super::procedure_rows::procedure_rows(&runbook, &state.progress);
        let verification = Verification::restore(&runbook, &state);
        let severity = SeverityState::of(table_rows(&runbook), &state.severity);
        let view_steps = runbook.view_steps();
        let follow_to_reattach = state.follow.open.clone();
        let mut app = App {
            runbook,
            session,
            state,
            records,
            steps,
            cursor: 0,
            focus: Pane::Procedure,
            output: OutputLog::default(),
            running: None,
            block_run: None,
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
            target: super::target::TargetState::default(),
            messaging: Messaging::default(),
            verification,
            severity,
            view_steps,
            follow_to_reattach,
            argo: super::argo::ArgoState::default(),
            deploy_api: super::deploy_api::DeployApiState::default(),
        };
        app.cursor = app.first_open_step().unwrap_or(0);
        app
    }

    /// The step on row `flat` (`None` on a choice row).
    pub fn step_at(&self, flat: usize) -> Option<&Step> {
        let pos = self.steps.get(flat)?;
        if pos.choice.is_some() {
            return None;
        }
        self.runbook.phases.get(pos.phase)?.steps.get(pos.index)
    }

    /// The group of alternatives whose choice row is on row `flat`.
    pub fn choice_at(&self, flat: usize) -> Option<usize> {
        self.steps.get(flat)?.choice
    }

    /// The group of alternatives whose choice row is selected.
    pub fn selected_choice(&self) -> Option<usize> {
        self.choice_at(self.cursor)
    }

    /// The index of the member chosen in group `group`.
    pub fn chosen_member(&self, group: usize) -> Option<usize> {
        super::procedure_rows::chosen_member(&self.runbook, &self.state.progress, group)
    }

    /// The member the runbook's decision table recommends in group `group`: the strategy
    /// of the row for the declared severity (else the one the matrix decides), else of the
    /// first row naming a member.
    pub fn recommended_member(&self, group: usize) -> Option<usize> {
        let g = self.runbook.alternatives.get(group)?;
        let rows: Vec<crate::domain::runbook::MatrixRow> = self
            .runbook
            .decision_tables
            .iter()
            .flat_map(|t| t.matrix_rows())
            .collect();
        let declared = self
            .state
            .severity
            .declared
            .as_ref()
            .map(|d| d.severity.as_str());
        let severity = declared.or_else(|| self.metrics.as_ref().and_then(|m| m.severity()));
        crate::domain::alternatives::recommended(g, &rows, severity)
    }

    /// Rebuilds the procedure's rows after a choice, keeping the selection on the same
    /// row (or the choice row of the group whose step it was).
    pub fn refresh_rows(&mut self) {
        let selected = self.steps.get(self.cursor).copied();
        self.steps = super::procedure_rows::procedure_rows(&self.runbook, &self.state.progress);
        let Some(sel) = selected else {
            return;
        };
        let group_of_step = || {
            let step = self.runbook.phases.get(sel.phase)?.steps.get(sel.index)?;
            step.alternative.map(|a| a.group)
        };
        let same = self.steps.iter().position(|r| *r == sel).or_else(|| {
            let group = sel.choice.or_else(group_of_step)?;
            self.steps.iter().position(|r| r.choice == Some(group))
        });
        if let Some(i) = same {
            self.cursor = i;
        }
        self.cursor = self.cursor.min(self.steps.len().saturating_sub(1));
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

    /// The step with this id, whether or not it is a row (a member not taken is not), or a
    /// block the runbook view runs as one.
    pub fn find_step(&self, id: StepId) -> Option<&Step> {
        self.runbook
            .step(id)
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
        self.runbook.phase_of(id)
    }

    /// Whether a step counts as finished: ticked, skipped, or its command succeeded.
    pub fn is_finished(&self, step: &Step) -> bool {
        self.state
            .progress
            .is_finished(step.id, matches!(step.kind, StepKind::Command(_)))
    }

    /// Whether row `flat` is finished: its step is, or its group has a chosen member.
    pub fn row_finished(&self, flat: usize) -> bool {
        match self.choice_at(flat) {
            Some(group) => self.chosen_member(group).is_some(),
            None => self.step_at(flat).is_some_and(|s| self.is_finished(s)),
        }
    }

    /// (finished, total) rows of a phase: its steps, each group of alternatives counting
    /// once (done when chosen) with the chosen member's steps; members not taken never
    /// count.
    pub fn phase_progress(&self, phase: usize) -> (usize, usize) {
        (0..self.steps.len())
            .filter(|&i| self.steps[i].phase == phase)
            .fold((0, 0), |(done, total), i| {
                (done + usize::from(self.row_finished(i)), total + 1)
            })
    }

    pub fn total_progress(&self) -> (usize, usize) {
        (0..self.runbook.phases.len())
            .map(|p| self.phase_progress(p))
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    }

    /// The first row not finished (a step, or a group of alternatives not chosen yet).
    pub fn first_open_step(&self) -> Option<usize> {
        (0..self.steps.len()).find(|&i| !self.row_finished(i))
    }

    /// The phase the operator is working in: the last one entered.
    pub fn current_phase(&self) -> Option<usize> {
        self.entering_phase
            .or_else(|| self.state.progress.phase_visits.last().map(|v| v.phase))
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
        b.extend(self.state.progress.bindings.clone());
        b.extend(self.secrets.clone());
        // A drill's simulator serving a deploy service: the runbook's deploy API is it.
        if let Some(base) = &self.deploy_api.sim_base {
            b.insert("DEPLOY_API".into(), base.clone());
        } else if let Some(api) = self
            .runbook
            .front
            .as_ref()
            .and_then(|f| f.deploy_api.as_ref())
        {
            // The front matter's `deploy_api.url`, unless the runbook binds it itself.
            b.entry("DEPLOY_API".into())
                .or_insert_with(|| api.url.trim().to_string());
        }
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
    /// How a step's run is shown (Output pane header, journal): its command block with
    /// the secrets' values masked, or `filled` masked when the step has no block.
    pub fn shown_run_command(&self, step: StepId, filled: &str) -> String {
        match self.find_step(step).map(|s| &s.kind) {
            Some(StepKind::Command(block)) => self.shown_command(&block.script),
            _ => self.mask_secrets(filled),
        }
    }

    /// A run cannot start while another action or command is under way: says so.
    pub fn flash_busy(&mut self) {
        self.flash(
            FlashLevel::Warning,
            "An action or command is in progress; wait for it to end.",
        );
    }

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
        Effect::Journal(JournalEffect::Append { req, entry })
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
    /// Declaring a severity by hand acknowledges it too.
    pub fn last_acknowledged(&self) -> Option<String> {
        self.state.severity.acknowledged.clone()
    }

    /// A record is on disk: the session state moves by it (the one fold), what is read
    /// from it with the runbook follows, and the journal pane shows it.
    pub fn journaled(&mut self, record: Record) {
        self.state.apply(&record);
        if matches!(
            record.entry,
            Entry::SeverityDeclared { .. }
                | Entry::ApprovalRecorded { .. }
                | Entry::SeverityAcknowledged { .. }
        ) {
            self.severity = SeverityState::of(
                std::mem::take(&mut self.severity.rows),
                &self.state.severity,
            );
        }
        if matches!(record.entry, Entry::AlternativeChosen { .. }) {
            self.refresh_rows();
        }
        self.records.push(record);
        if self.journal_scroll > 0 {
            self.journal_scroll += 1;
        }
    }
}

/// The rows of the runbook's first decision table, read by meaning (none without one).
pub fn table_rows(runbook: &Runbook) -> Vec<MatrixRow> {
    runbook
        .decision_tables
        .first()
        .map(|t| t.matrix_rows())
        .unwrap_or_default()
}

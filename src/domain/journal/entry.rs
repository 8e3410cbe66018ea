//! What a journal record says happened. Every state change of a session is one entry.
//!
//! Entries never carry secrets: values of placeholders that look secret are stored
//! redacted (see [`crate::domain::redact`]), and command output is not journaled.

use serde::{Deserialize, Serialize};

use crate::domain::runbook::StepId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    /// First record of every session.
    SessionStarted {
        runbook_path: String,
        /// SHA-256 (hex) of the runbook bytes at session start.
        runbook_sha256: String,
        title: String,
        /// `live` or `drill`.
        mode: String,
        host: String,
    },
    /// The console was reopened on this session (`backout resume`).
    SessionResumed {
        host: String,
    },
    /// The operator moved into a phase for the first time (or back into it).
    PhaseEntered {
        phase: usize,
        title: String,
    },
    StepTicked {
        step: StepId,
        title: String,
    },
    StepUnticked {
        step: StepId,
        title: String,
    },
    StepSkipped {
        step: StepId,
        title: String,
        reason: String,
    },
    NoteAdded {
        text: String,
        step: Option<StepId>,
    },
    /// A placeholder was given a value. `secret` values are stored as
    /// [`REDACTED`](crate::domain::redact::REDACTED) (`‹redacted›`)
    /// and must be asked for again after a resume.
    PlaceholderBound {
        name: String,
        value: String,
        secret: bool,
    },
    /// Written and fsynced before the command is spawned.
    CommandStarted {
        step: StepId,
        run: u32,
        command: String,
    },
    CommandFinished {
        step: StepId,
        run: u32,
        /// `None` when killed by a signal.
        exit_code: Option<i32>,
        duration_ms: u64,
        cancelled: bool,
    },
    /// A change to the cluster is about to be requested: written and fsynced before the
    /// request leaves. `action` is the equivalent kubectl command; `target` is
    /// `context/namespace/deployment`.
    ClusterActionRequested {
        action: String,
        target: String,
    },
    /// How the cluster change ended: kubectl's result line (`deployment.apps/web rolled
    /// back`, a refusal, an API error, the rollout's final status).
    ClusterActionFinished {
        action: String,
        outcome: String,
        ok: bool,
    },
    /// The operator ended the session (quit with everything done, or `q` twice).
    SessionClosed,
}

impl Entry {
    /// Short kind name, as in the JSON `type` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::SessionStarted { .. } => "session_started",
            Entry::SessionResumed { .. } => "session_resumed",
            Entry::PhaseEntered { .. } => "phase_entered",
            Entry::StepTicked { .. } => "step_ticked",
            Entry::StepUnticked { .. } => "step_unticked",
            Entry::StepSkipped { .. } => "step_skipped",
            Entry::NoteAdded { .. } => "note_added",
            Entry::PlaceholderBound { .. } => "placeholder_bound",
            Entry::CommandStarted { .. } => "command_started",
            Entry::CommandFinished { .. } => "command_finished",
            Entry::ClusterActionRequested { .. } => "cluster_action_requested",
            Entry::ClusterActionFinished { .. } => "cluster_action_finished",
            Entry::SessionClosed => "session_closed",
        }
    }
}

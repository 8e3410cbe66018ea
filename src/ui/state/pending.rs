//! Journal writes in flight and what to do once each is on disk.

use crate::domain::runbook::StepId;

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
    /// Run line run `run` of the block running in the shell (its start record is on disk).
    ShellLine {
        run: u32,
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
    /// Run the next `argocd` line of the step running through Argo CD's API (its start
    /// record is on disk).
    ArgoAdvance,
    /// Send Argo CD line `op` (its `ClusterActionRequested` record is on disk).
    ArgoExecute {
        op: u64,
    },
    /// Run the next `curl` line of the step running against the deploy API (its start
    /// record is on disk).
    DeployAdvance,
    /// Send deploy API line `op` (its `ClusterActionRequested` record is on disk).
    DeployExecute {
        op: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingWrite {
    pub req: u64,
    /// The step whose state this write changes (shown as "saving…").
    pub step: Option<StepId>,
    pub then: Then,
}

//! Argo CD in the console: a command step whose `argocd app` lines run through Argo CD's
//! API (`ui::update::argo_runs`), line by line, a mutating line previewed, confirmed with
//! the application's name and journaled like a cluster action; and the application that
//! manages the console's target, as the header shows it.

use super::line_run::{LineCurrent, LineRun};
pub use crate::domain::argocd::ArgoAppStatus;
use crate::domain::argocd::ArgoBlockLine;
use crate::domain::journal::ChangeDetail;

/// Argo CD as the console knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArgoState {
    /// `argocd` lines reach the drill's simulator (its Argo CD API): they run, never
    /// rehearsed.
    pub on_the_simulator: bool,
    /// `ARGOCD_SERVER` is set: the console can reach Argo CD's API. Without it (and
    /// without `--server` on every line) the `argocd` CLI's own login is what the runbook
    /// relies on, so its lines run in the shell.
    pub server_from_env: bool,
    /// The step whose lines are running.
    pub run: Option<ArgoRun>,
    /// The application managing the console's target, from the last poll.
    pub status: Option<ArgoAppStatus>,
    /// Ids of the lines sent to the executor (answers for another id are stale).
    pub next_op: u64,
    /// A kubectl change confirmed despite the auto-sync guard's warning: watched for
    /// Argo CD's revert.
    pub revert_watch: Option<RevertWatch>,
    /// The auto-sync guard's offer taken: auto-sync being turned off (`argocd app set APP
    /// --sync-policy none`) before the kubectl change waiting in its confirmation.
    pub auto_sync_off: Option<AutoSyncOff>,
}

/// Auto-sync being turned off from the guard's warning, before kubectl change
/// `cluster_op` (whose confirmation waits underneath) is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoSyncOff {
    /// The Argo CD request's id (`ArgoEffect::Run`).
    pub op: u64,
    pub app: String,
    /// `argocd app set APP --sync-policy none`.
    pub line: String,
    /// The kubectl change it clears the way for.
    pub cluster_op: u64,
    /// Its kubectl line (the journal's `via`).
    pub kubectl: String,
    /// `Previewing`, `Confirming`, `Journaling` or `Executing`.
    pub stage: ArgoStage,
}

/// The auto-sync guard after a kubectl change of a Deployment Argo CD heals: the pod
/// template and revision before the change. A newer revision with the template of before
/// is Argo CD's revert (the change in between may be too brief for the watch to show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevertWatch {
    pub app: String,
    pub action: String,
    pub before: Vec<crate::domain::cluster::TemplateContainer>,
    pub before_revision: i64,
}

/// A step's `argocd` lines running.
pub type ArgoRun = LineRun<ArgoBlockLine, ArgoStage>;

/// The `argocd` line in flight and where it is.
pub type ArgoCurrent = LineCurrent<ArgoBlockLine, ArgoStage>;

/// Where a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgoStage {
    /// A read (`history`, `get`, `wait`) running.
    Reading,
    /// A mutating line's preview being read.
    Previewing,
    /// Waiting for the operator to type the application's name.
    Confirming { change: ChangeDetail },
    /// Its `ClusterActionRequested` record is being written.
    Journaling,
    /// Sent, and followed until the operation ends.
    Executing,
}

/// What a stage of a line answered (`Msg::Argo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgoAnswer {
    /// A read or an execution: what the CLI prints and whether it succeeded.
    Printed { output: Vec<String>, ok: bool },
    /// The preview of a mutating line.
    Preview {
        lines: Vec<String>,
        change: ChangeDetail,
    },
    /// The request failed (as the CLI says it).
    Failed(String),
}

/// Which stage of a line the executor runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgoCall {
    /// A read-only line (`history`, `get`, `wait`).
    Read,
    /// A mutating line's preview.
    Prepare,
    /// A mutating line, confirmed and journaled, followed to its end.
    Execute,
}

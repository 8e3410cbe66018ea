//! Everything that can happen to the console: keys, time, and results from adapters.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::domain::cluster::ClusterEvent;
use crate::domain::journal::Record;

use super::state::metrics::MetricsUpdate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug)]
pub enum Msg {
    /// The console opens: the clock and the terminal's size (when known) before the first
    /// frame; messages a previous console left unsent are sent again.
    Start {
        now: DateTime<Utc>,
        size: Option<(u16, u16)>,
    },
    Key(KeyEvent),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Wall-clock time, once a second (drives timers; nothing else uses the clock).
    Tick(DateTime<Utc>),
    /// A journal write finished: the record is on disk, or the write failed.
    Journaled {
        req: u64,
        result: Result<Record, String>,
    },
    /// A line of output from a running command.
    Output {
        run: u32,
        stream: Stream,
        line: String,
    },
    /// A command ended.
    Exited {
        run: u32,
        exit_code: Option<i32>,
        duration_ms: u64,
        cancelled: bool,
    },
    /// A repeated line (`watch`) starts its next round: the next output replaces the last.
    OutputFrame {
        run: u32,
    },
    /// A line of block `block`'s shell ended: `$?` (130 after an interrupt), or `None`
    /// with `shell_gone` when the shell itself ended (an `exit`, a kill, a start failure).
    LineExited {
        block: u32,
        run: u32,
        exit_code: Option<i32>,
        shell_gone: bool,
        duration_ms: u64,
    },
    /// A command could not be started.
    SpawnFailed {
        run: u32,
        error: String,
    },
    /// A refresh of every named metrics query, from the metrics task.
    Metrics(MetricsUpdate),
    /// A message from the cluster watchers.
    Cluster(ClusterEvent),
    /// The answer to one step of cluster action `op`.
    ClusterStep {
        op: u64,
        step: super::state::cluster::ClusterStep,
    },
    /// The console connected to the target asked for by `ClusterEffect::Connect`
    /// `generation` (its watchers are running).
    ClusterConnected {
        generation: u64,
        context: String,
        namespace: String,
        deployment: String,
        production: bool,
        read_only: bool,
    },
    /// Connecting to the target of `ClusterEffect::Connect` `generation` failed.
    ClusterConnectFailed {
        generation: u64,
        error: String,
    },
    /// Part of the answer to a drill-down view's read (`ClusterEffect::Read`).
    ClusterRead {
        view: u64,
        answer: crate::domain::cluster::ReadAnswer,
    },
    /// What the notifier reports about a message delivery.
    Notify(super::state::messaging::NotifyEvent),
    /// A draft (`NotifyEffect::Draft`) saved (`Ok(path)`) or not, and whether it was
    /// copied to the clipboard.
    DraftSaved {
        key: String,
        template: String,
        text: String,
        saved: Result<String, String>,
        copied: bool,
    },
    /// A verification window's sample or end, from the verification executor.
    Verify(super::state::verification::VerifyMsg),
    /// Something the drill's scenario just did (`backout drill`): journaled as
    /// `DrillEvent` so the scorecard can time the team against it.
    DrillEvent(String),
    /// SIGTERM / SIGHUP: leave cleanly.
    Terminate,
    /// A background thread panicked (`thread NAME: MESSAGE at FILE:LINE`); the console
    /// goes on and says so.
    BackgroundPanic(String),
    /// The answer to `ShellEffect::PreviewLine`: a changing kubectl line's server dry run and
    /// the live object, for line `line` (0-based) of block `block`.
    LinePreviewed {
        block: u32,
        line: usize,
        answer: crate::domain::cluster::line_preview::PreviewAnswer,
    },
    /// The answer to one stage of `argocd` line `op` (`ArgoEffect::Run`).
    Argo {
        op: u64,
        answer: super::state::argo::ArgoAnswer,
    },
    /// The Argo CD application managing the console's target (`None`: none does, or
    /// Argo CD cannot be read).
    ArgoStatus(Option<crate::domain::argocd::ArgoAppStatus>),
    /// The answer to deploy API request `op` (`DeployApiEffect::Request`).
    DeployApi {
        op: u64,
        answer: super::state::deploy_api::DeployAnswer,
    },
    /// The answer to `ClusterEffect::NativeRead` for native run `run`: kubectl's stdout, or its
    /// error message (the line failed, as kubectl exits 1).
    NativeRead {
        run: u32,
        printed: Result<String, String>,
    },
}

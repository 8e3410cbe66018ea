//! What `update` asks the runtime to do. Effects are the only way state reaches the world.
//!
//! An effect names its family first (`Effect::Cluster(ClusterEffect::Lock { .. })`); each
//! family has one executor in `runtime/` and `runtime/effects.rs` only hands a family to
//! it.

use crate::domain::cluster::ClusterAction;
use crate::domain::journal::Entry;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// The drill's timeline (`runtime::drill_feed`).
    Drill(DrillEffect),
    /// The journal writer (`runtime::journal_writer`).
    Journal(JournalEffect),
    /// Shell commands and lines, and kubectl line previews (`runtime::shell_exec`).
    Shell(ShellEffect),
    /// The cluster: connecting, actions, drill-down and native reads
    /// (`runtime::cluster_exec`, `runtime::cluster_connect`).
    Cluster(ClusterEffect),
    /// Start or steer a verification window (`runtime::verification`).
    Verify(super::state::verification::VerifyEffect),
    /// The metrics task (`runtime::metrics_task`).
    Metrics(MetricsEffect),
    /// Messages: deliveries to sinks and drafts without one (`runtime::notify_exec`).
    Notify(NotifyEffect),
    /// Leave: the runtime waits for pending journal writes, then restores the terminal.
    Quit,
    /// Argo CD's API (`runtime::argo_exec`).
    Argo(ArgoEffect),
    /// The deploy API (`runtime::deploy_api_exec`).
    DeployApi(DeployApiEffect),
}

#[derive(Debug, Clone, PartialEq)]
pub enum DrillEffect {
    /// The operator left the drill's intro: start the scenario's timeline.
    Start,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JournalEffect {
    /// Append to the journal (and fsync); answered with `Msg::Journaled { req, .. }`.
    Append { req: u64, entry: Entry },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ShellEffect {
    /// Start a confirmed command in its own process group. Sent only after its
    /// `CommandStarted` record is on disk.
    Spawn {
        run: u32,
        script: String,
        env: Vec<(String, String)>,
    },
    /// Cancel a running command: SIGTERM to its process group, SIGKILL after a grace period.
    /// For a line of a block's shell (`Line`), SIGINT: that line stops, the shell
    /// and the block go on.
    Cancel { run: u32 },
    /// Run one logical line (line run `run`) in block `block`'s shell, starting the shell
    /// (with `env`) when it is not running; `every_secs` re-runs it as `watch` does until
    /// interrupted. Sent only after the line's `CommandStarted` record is on disk;
    /// answered with `Msg::Output`/`Msg::OutputFrame` and `Msg::LineExited`.
    Line {
        block: u32,
        run: u32,
        text: String,
        every_secs: Option<u64>,
        env: Vec<(String, String)>,
    },
    /// Block `block`'s lines are over: its shell ends (its stdin closes).
    End { block: u32 },
    /// Preview a changing kubectl line before it may run: its server dry run and the
    /// live object (nothing is changed); answered with `Msg::LinePreviewed`.
    PreviewLine {
        block: u32,
        line: usize,
        preview: crate::domain::cluster::line_preview::LinePreview,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClusterEffect {
    /// Connect to `target` (empty context: the current one; empty namespace: the
    /// context's), replacing the watched deployment; answered with
    /// `Msg::ClusterConnected` or `Msg::ClusterConnectFailed`.
    Connect {
        generation: u64,
        target: crate::domain::cluster::Target,
    },
    /// RBAC preflight of a cluster action; answered with `ClusterStep::Preflight`.
    Preflight { op: u64, action: ClusterAction },
    /// Server dry-run; answered with `ClusterStep::Planned`.
    DryRun { op: u64, action: ClusterAction },
    /// Take the Lease lock for the target; answered with `ClusterStep::Locked`.
    Lock { op: u64 },
    /// Send the request (holding the lock). Sent only after its
    /// `ClusterActionRequested` record is on disk; answered with `ClusterStep::Executed`.
    Execute { op: u64, action: ClusterAction },
    /// Follow the rollout: `ClusterStep::Progress`…, then `ClusterStep::Followed`.
    Follow { op: u64 },
    /// Release the Lease lock of `op` (if taken).
    Release { op: u64 },
    /// A drill-down view's read-only look at the cluster (logs stream until stopped);
    /// answered with `Msg::ClusterRead { view, .. }`.
    Read {
        view: u64,
        read: crate::domain::cluster::ClusterRead,
    },
    /// The view closed: stop its read (a log stream is cancelled).
    StopRead { view: u64 },
    /// A native run's read-only kubectl line the watch cannot answer (`get deployment -o
    /// json|yaml|jsonpath=|custom-columns=`, `rollout history --revision=N`): read through
    /// the API and printed as kubectl prints it (`adapters::kube::native_read`); answered
    /// with `Msg::NativeRead { run, .. }`.
    NativeRead {
        run: u32,
        query: crate::domain::cluster::ReadOnlyQuery,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum MetricsEffect {
    /// Read the metric baselines from Prometheus with `offset` at the next refresh;
    /// answered by a `Msg::Metrics` whose `baselines` are set.
    ReadBaselines,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NotifyEffect {
    /// Send a message to one sink (its `MessageQueued` record is on disk); answered
    /// with `Msg::Notify`.
    Deliver {
        sink: String,
        msg: Box<crate::domain::notify::Outgoing>,
    },
    /// A message drafted without a sink: copy it to the terminal's clipboard (OSC 52,
    /// written by the runtime to the terminal it owns) and save it under the session
    /// directory; answered with `Msg::DraftSaved`.
    Draft {
        key: String,
        template: String,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArgoEffect {
    /// One stage of an `argocd` line (`op`) through Argo CD's API; answered with
    /// `Msg::Argo { op, .. }`. `Execute` is sent only after the line's
    /// `ClusterActionRequested` record is on disk.
    Run {
        op: u64,
        text: String,
        call: super::state::argo::ArgoCall,
    },
    /// Watch the Argo CD application managing Deployment `namespace/deployment` (replacing
    /// any earlier watch); answered with `Msg::ArgoStatus` on each change.
    Watch {
        namespace: String,
        deployment: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeployApiEffect {
    /// One deploy API request of a `curl` line (`op`); answered with `Msg::DeployApi`.
    Request {
        op: u64,
        call: crate::domain::deploy_api::CurlCall,
        /// The bearer token's value when the session holds it (masked in `Debug`).
        token: Option<crate::adapters::secret::Secret>,
    },
}

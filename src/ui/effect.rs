//! What `update` asks the runtime to do. Effects are the only way state reaches the world.

use crate::domain::cluster::ClusterAction;
use crate::domain::journal::Entry;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// The operator left the drill's intro: start the scenario's timeline.
    StartDrill,
    /// Append to the journal (and fsync); answered with `Msg::Journaled { req, .. }`.
    Journal { req: u64, entry: Entry },
    /// Start a confirmed command in its own process group. Sent only after its
    /// `CommandStarted` record is on disk.
    Spawn {
        run: u32,
        script: String,
        env: Vec<(String, String)>,
    },
    /// Cancel a running command: SIGTERM to its process group, SIGKILL after a grace period.
    /// For a line of a block's shell (`ShellLine`), SIGINT: that line stops, the shell
    /// and the block go on.
    Cancel { run: u32 },
    /// Connect to `target` (empty context: the current one; empty namespace: the
    /// context's), replacing the watched deployment; answered with
    /// `Msg::ClusterConnected` or `Msg::ClusterConnectFailed`.
    ClusterConnect {
        generation: u64,
        target: crate::domain::cluster::Target,
    },
    /// Run one logical line (line run `run`) in block `block`'s shell, starting the shell
    /// (with `env`) when it is not running; `every_secs` re-runs it as `watch` does until
    /// interrupted. Sent only after the line's `CommandStarted` record is on disk;
    /// answered with `Msg::Output`/`Msg::OutputFrame` and `Msg::LineExited`.
    ShellLine {
        block: u32,
        run: u32,
        text: String,
        every_secs: Option<u64>,
        env: Vec<(String, String)>,
    },
    /// Block `block`'s lines are over: its shell ends (its stdin closes).
    EndShell { block: u32 },
    /// RBAC preflight of a cluster action; answered with `ClusterStep::Preflight`.
    ClusterPreflight { op: u64, action: ClusterAction },
    /// Server dry-run; answered with `ClusterStep::Planned`.
    ClusterDryRun { op: u64, action: ClusterAction },
    /// Take the Lease lock for the target; answered with `ClusterStep::Locked`.
    ClusterLock { op: u64 },
    /// Send the request (holding the lock). Sent only after its
    /// `ClusterActionRequested` record is on disk; answered with `ClusterStep::Executed`.
    ClusterExecute { op: u64, action: ClusterAction },
    /// Follow the rollout: `ClusterStep::Progress`…, then `ClusterStep::Followed`.
    ClusterFollow { op: u64 },
    /// Release the Lease lock of `op` (if taken).
    ClusterRelease { op: u64 },
    /// Start or steer a verification window.
    Verify(super::state::verification::VerifyEffect),
    /// Read the metric baselines from Prometheus with `offset` at the next refresh;
    /// answered by a `Msg::Metrics` whose `baselines` are set.
    ReadBaselines,
    /// Send a message to one sink (its `MessageQueued` record is on disk); answered
    /// with `Msg::Notify`.
    Deliver {
        sink: String,
        msg: Box<crate::domain::notify::Outgoing>,
    },
    /// A message drafted without a sink: copy it to the terminal's clipboard (OSC 52,
    /// written by the runtime to the terminal it owns) and save it under the session
    /// directory; answered with `Msg::DraftSaved`.
    DraftMessage {
        key: String,
        template: String,
        text: String,
    },
    /// Leave: the runtime waits for pending journal writes, then restores the terminal.
    Quit,
    /// A drill-down view's read-only look at the cluster (logs stream until stopped);
    /// answered with `Msg::ClusterRead { view, .. }`.
    ClusterRead {
        view: u64,
        read: crate::domain::cluster::ClusterRead,
    },
    /// The view closed: stop its read (a log stream is cancelled).
    StopRead { view: u64 },
    /// Preview a changing kubectl line before it may run: its server dry run and the
    /// live object (nothing is changed); answered with `Msg::LinePreviewed`.
    PreviewLine {
        block: u32,
        line: usize,
        preview: crate::domain::cluster::line_preview::LinePreview,
    },
    /// One stage of an `argocd` line (`op`) through Argo CD's API; answered with
    /// `Msg::Argo { op, .. }`. `Execute` is sent only after the line's
    /// `ClusterActionRequested` record is on disk.
    Argo {
        op: u64,
        text: String,
        call: super::state::argo::ArgoCall,
    },
    /// Watch the Argo CD application managing Deployment `namespace/deployment` (replacing
    /// any earlier watch); answered with `Msg::ArgoStatus` on each change.
    ArgoWatch {
        namespace: String,
        deployment: String,
    },
    /// One deploy API request of a `curl` line (`op`); answered with `Msg::DeployApi`.
    DeployApi {
        op: u64,
        call: crate::domain::deploy_api::CurlCall,
        /// The bearer token's value when the session holds it (masked in `Debug`).
        token: Option<crate::adapters::secret::Secret>,
    },
    /// A native run's read-only kubectl line the watch cannot answer (`get deployment -o
    /// json|yaml|jsonpath=|custom-columns=`, `rollout history --revision=N`): read through
    /// the API and printed as kubectl prints it (`adapters::kube::native_read`); answered
    /// with `Msg::NativeRead { run, .. }`.
    NativeRead {
        run: u32,
        query: crate::domain::cluster::ReadOnlyQuery,
    },
}

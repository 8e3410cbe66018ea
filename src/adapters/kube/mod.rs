//! The Kubernetes adapter: connecting like kubectl, watching the target workload into
//! slim rows, performing rollback actions with kubectl's semantics, the `--read-only`
//! guard, and the Lease lock that keeps two consoles from acting at once.

mod action_kube_error;
mod action_plan;
mod action_request;
mod action_send;
pub mod actions;
pub mod connect;
pub mod convert;
pub mod describe_container;
pub mod describe_pod;
pub mod describe_pod_template;
pub mod describe_writer;
pub mod go_tabwriter;
pub mod guard;
pub mod lease;
pub mod liveness;
pub mod native_read;
pub mod object_yaml;
pub mod pod_proto;
pub mod proto_envelope;
pub mod proto_watch;
pub mod proto_wire;
pub mod reads;
pub mod revision_diff;
mod set_env;
pub mod shell_context;
pub mod slim_meta;
pub mod timed_out;
pub mod watch;
pub mod watched_event;
pub mod watched_pod;
pub mod watched_replica_set;

pub use actions::{
    ActionError, ActionRunner, ClientPlanned, Executed, FollowOutcome, Planned, Preflight,
};
pub use connect::{ConnectError, ConnectOptions, Connection, connect};
pub use guard::{ReadOnlyLayer, ReadOnlyViolation};
pub use lease::{LeaseError, LeaseGuard, LeaseHeld};
pub use watch::{WatchHandle, spawn_watchers};

//! The target workload as the console sees it, in plain data: slim pod rows and the pod
//! table, the rollout (revisions, progress, conditions), events, the typed cluster actions
//! with their kubectl equivalents, the before/after diff, and the parser of `kubectl` lines
//! found in runbooks. No Kubernetes client types: the kube adapter converts on arrival.

pub mod action;
pub mod change_of;
pub mod diff;
pub mod env_args;
pub mod events;
pub mod go_yaml;
pub mod go_yaml_resolve;
pub mod kubectl_args;
pub mod kubectl_line;
pub mod line_preview;
pub mod message;
pub mod pipeline;
pub mod pod_changes;
pub mod pod_row;
pub mod pod_table;
pub mod pods_watch;
pub mod printers;
pub mod read;
pub mod rollout;
#[cfg(test)]
pub mod rollout_fixtures;
pub mod rollout_follow;
pub mod shell_words;
pub mod target;
pub mod template_container;

pub use action::{ClusterAction, EnvChange, EnvSource, ReadOnlyQuery};
pub use diff::{Diff, text_diff, unified_diff};
pub use events::{EventRow, summarize_events};
pub use kubectl_line::{Command, KubectlLine, ParsedLine, parse_kubectl_line};
pub use message::{ClusterEvent, Stream, WatchState};
pub use pipeline::{
    AccessCheck, ActionError, Executed, FollowOutcome, FollowProgress, Planned, Preflight,
};
pub use pod_changes::{PodChange, PodChanges};
pub use pod_row::{ContainerState, ContainerStatus, PodFacts, PodRow, pod_status};
pub use pod_table::{PodTable, SortKey};
pub use read::{ClusterRead, ReadAnswer};
pub use rollout::{
    Condition, DeploymentFacts, ReplicaSetFacts, Revision, RolloutStatus, RolloutView, UndoChoice,
    UndoError, choose_undo_revision, rollout_status,
};
pub use rollout_follow::RolloutFollow;
pub use target::Target;
pub use template_container::{EnvValue, EnvVarShown, TemplateContainer};

//! Drill scenarios: YAML files describing an initial cluster (namespaces, applications
//! with their revision history, services, config maps), how each application version
//! behaves, and a timeline of events (deploys, crash loops, stalled rollouts, config map
//! changes, API faults). See `docs/simulator.md` for the format.
//!
//! - `format.rs`: the file format, parsing and loading;
//! - `builtin.rs`: the drills shipped in the binary;
//! - `behaviour.rs`: pod behaviours and which one applies to a pod;
//! - `setup.rs`: the initial cluster;
//! - `timeline.rs`: playing the timeline.

pub mod behaviour;
pub mod builtin;
pub mod format;
pub mod setup;
pub mod timeline;

pub use super::cluster_basics::ensure_namespace;
pub use behaviour::{Behaviour, behaviour_for, behaviour_index, version_of};
pub use builtin::BUILTIN;
pub use format::{
    AppSpec, ConfigMapSpec, DeployAction, FaultWindow, HistoryEntry, ScaleAction, Scenario,
    ScenarioError, SelectorAction, ServiceSpec, SetEnvAction, TimelineEntry, parse_duration,
};
pub use setup::set_version;
pub use timeline::{apply, run_timeline};

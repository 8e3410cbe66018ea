//! Pure domain code: no terminal, async runtime, Kubernetes or HTTP types.

pub mod action_match;
pub mod alternatives;
pub mod argocd;
pub mod cluster;
pub mod decision;
pub mod deploy_api;
pub mod drill_guard;
pub mod drill_record;
pub mod duration;
pub mod duration_text;
pub mod journal;
pub mod metrics_source;
pub mod notify;
pub mod progress;
pub mod redact;
pub mod report;
pub mod runbook;
pub mod scorecard;
pub mod session_state;
pub mod text_cut;
pub mod token_shapes;
pub mod unfinished_follow;
pub mod verify;

//! Argo CD runbook lines (`argocd app …`) understood natively: the parsed command, and
//! the `argocd` CLI's output printed from the API's answers (pure: no HTTP here; the
//! client is `adapters::argocd`).

pub mod cli_output;
pub mod command;
pub mod preview;

pub use command::{ArgoCommand, ArgoLine, SyncPolicyChange, parse_argocd_line};

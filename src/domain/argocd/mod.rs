//! Argo CD runbook lines (`argocd app …`) understood natively: the parsed command, which
//! blocks run through the API (`block.rs`), and the `argocd` CLI's output printed from the
//! API's answers (pure: no HTTP here; the client is `adapters::argocd`).

pub mod block;
pub mod cli_output;
pub mod command;
pub mod preview;
pub mod server;
pub mod status;

pub use block::{ArgoBlockLine, ArgoBlockPlan, plan_argocd_block};
pub use command::{ArgoCommand, ArgoLine, SyncPolicyChange, parse_argocd_line};
pub use status::ArgoAppStatus;

//! Argo CD's REST API, for `argocd app …` runbook lines run natively: the server and
//! token come from the line (`--server`, `--grpc-web-root-path`, `--insecure`) and the
//! environment as the `argocd` CLI reads them (`ARGOCD_SERVER`, `ARGOCD_AUTH_TOKEN`); the
//! token is a [`Secret`](crate::adapters::secret::Secret), never logged or journaled.

pub mod client;
pub mod runner;

pub use client::{ArgoError, ArgoServer};
pub use runner::{Outcome, execute, prepare, run_read};

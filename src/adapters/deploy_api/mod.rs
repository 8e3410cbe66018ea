//! A deploy service's HTTP API (the `curl` lines of a runbook, run by the console): the
//! request through reqwest, and the `jq` the runbook pipes the answer into.

pub mod client;

pub use client::{Answer, DeployApi, DeployApiError, jq};

//! Adapters: the I/O edges of the program (files, processes, network).

pub mod argocd;
pub mod clipboard;
pub mod config;
pub mod deploy_api;
pub mod drill_history;
pub mod identity;
pub mod journal_file;
pub mod kube;
pub mod kubectl_preview;
pub mod log_file;
pub mod metrics_source;
pub mod notify;
pub mod private_files;
pub mod prometheus;
pub mod runbook_file;
pub mod secret;
pub mod secret_file;
pub mod session_store;
pub mod session_summary;
pub mod shell;
pub mod shell_session;
pub mod verify;
pub mod view_spot_file;

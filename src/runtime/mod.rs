//! Runtime: owns the terminal, runs the event loop, and carries out effects through
//! the adapters.

pub mod argo_exec;
pub mod cluster_connect;
pub mod cluster_effects;
pub mod cluster_exec;
pub mod console;
pub mod deploy_api_exec;
pub mod drafts;
pub mod drill_feed;
pub mod effects;
pub mod first_frame;
pub mod frame_pacer;
pub mod frame_writer;
pub mod input;
pub mod journal_port;
pub mod journal_writer;
pub mod logging;
pub mod metrics_task;
pub mod notifier;
pub mod notify_exec;
pub mod notify_feed;
pub mod scorecard_screen;
pub mod shell_exec;
pub mod terminal;
pub mod verification;
pub mod wake_pacer;

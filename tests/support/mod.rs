//! Shared helpers of the integration tests.

pub mod notify_fixtures;
pub mod prometheus;
pub mod receiver;
pub mod session_files;
pub mod tmux;

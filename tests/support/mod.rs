//! Shared helpers of the integration tests.

pub mod console;
pub mod notify_fixtures;
pub mod poll;
pub mod prometheus;
pub mod receiver;
pub mod session_files;
pub mod tmux;

//! Shared helpers of the integration tests.

pub mod prometheus;
pub mod receiver;
pub mod tmux;

//! Runtime: owns the terminal, runs the event loop, and carries out effects through
//! the adapters.

pub mod console;
pub mod drill_feed;
pub mod journal_port;
pub mod logging;
pub mod scorecard_screen;
pub mod terminal;

//! Runtime: owns the terminal, runs the event loop, and carries out effects through
//! the adapters.

pub mod console;
pub mod drill_feed;
pub mod first_frame;
pub mod journal_port;
pub mod logging;
pub mod notifier;
pub mod notify_feed;
pub mod scorecard_screen;
pub mod terminal;
pub mod verification;

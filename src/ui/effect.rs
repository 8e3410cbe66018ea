//! What `update` asks the runtime to do. Effects are the only way state reaches the world.

use crate::domain::journal::Entry;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append to the journal (and fsync); answered with `Msg::Journaled { req, .. }`.
    Journal { req: u64, entry: Entry },
    /// Start a confirmed command in its own process group. Sent only after its
    /// `CommandStarted` record is on disk.
    Spawn {
        run: u32,
        script: String,
        env: Vec<(String, String)>,
    },
    /// Cancel a running command: SIGTERM to its process group, SIGKILL after a grace period.
    Cancel { run: u32 },
    /// Leave: the runtime waits for pending journal writes, then restores the terminal.
    Quit,
}

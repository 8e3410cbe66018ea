//! I/O at the edges: shell commands, the journal file, the session store.

pub mod config;
pub mod shell;

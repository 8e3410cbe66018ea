//! The crash-safe session journal: records, hash chain, recovery.

mod entry;
mod record;

pub use entry::Entry;
pub use record::{GENESIS, Record};

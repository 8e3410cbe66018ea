//! The crash-safe session journal: records, the line codec and hash chain, recovery.
//!
//! Pure: this module works on bytes. The file writer is `crate::adapters::journal_file`.

mod chain;
mod change_detail;
mod entry;
mod entry_redaction;
mod error;
mod record;
mod recover;
#[cfg(test)]
pub(crate) mod testing;

pub use chain::{journal_time, open_line, seal, sha256_hex};
pub use change_detail::ChangeDetail;
pub use entry::Entry;
pub use error::{Corruption, JOURNAL_FILE_NAME, JournalError, Problem};
pub use record::{GENESIS, Record};
pub use recover::{Recovered, TornTail, recover};

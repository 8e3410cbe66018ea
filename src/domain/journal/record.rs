//! One journal line: sequence number, UTC time, actor, entry, and the hash chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::entry::Entry;

/// The `prev` of the first record of a journal: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A journal record. Serialized as one JSON line with the fields in this order;
/// `hash` is always the last field and is the SHA-256 (hex) of the line's bytes
/// without it (see `chain.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// 1-based, contiguous.
    pub seq: u64,
    pub ts: DateTime<Utc>,
    /// Who did it: `user@host` of the operator.
    pub actor: String,
    pub entry: Entry,
    /// `hash` of the previous record, [`GENESIS`] for the first.
    pub prev: String,
    pub hash: String,
}

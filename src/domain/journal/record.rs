//! One journal line: sequence number, UTC time, actor, entry, and the hash chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::entry::Entry;

/// The `prev` of the first record of a journal: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A journal record. Serialized as one JSON line with the fields in this order;
/// `hash` is always the last field and is the SHA-256 (hex) of the line's bytes
/// without it (see `chain.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// 1-based, contiguous.
    pub seq: u64,
    /// RFC 3339 UTC with exactly six fractional digits (`2026-11-22T01:52:03.120000Z`).
    #[serde(with = "ts_micros")]
    pub ts: DateTime<Utc>,
    /// Who did it: `user@host` of the operator.
    pub actor: String,
    pub entry: Entry,
    /// `hash` of the previous record, [`GENESIS`] for the first.
    pub prev: String,
    pub hash: String,
}

/// The journal's timestamp format: RFC 3339, UTC (`Z`), microsecond precision, always
/// six fractional digits, so a timestamp has exactly one spelling.
pub(crate) mod ts_micros {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn format(ts: &DateTime<Utc>) -> String {
        ts.to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    pub fn serialize<S: Serializer>(ts: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(ts))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| D::Error::custom(format!("bad timestamp {text:?}: {e}")))
    }
}

//! The line codec and hash chain.
//!
//! A record is one line of JSON with its fields in a fixed order:
//!
//! ```text
//! {"seq":1,"ts":"2026-11-22T01:52:03.000000Z","actor":"alice@host","entry":{…},"prev":"000…","hash":"9f2…"}
//! ```
//!
//! `hash` is the hex SHA-256 of the same line with the `,"hash":"…"` member removed,
//! that is of the object serialized without `hash`. Verification therefore works on the
//! raw bytes read from disk: strip the fixed-length suffix, put back the `}`, hash. No
//! re-serialization is involved, so there is no ambiguity about number or string
//! spellings.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::entry::Entry;
use super::error::Problem;
use super::record::{Record, ts_micros};

/// `,"hash":"`
const HASH_OPEN: &[u8] = b",\"hash\":\"";
/// `"}`
const HASH_CLOSE: &[u8] = b"\"}";
/// Length of the hex SHA-256.
const HASH_HEX_LEN: usize = 64;
/// Bytes at the end of every line (before its newline) that hold the hash member.
const SUFFIX_LEN: usize = HASH_OPEN.len() + HASH_HEX_LEN + HASH_CLOSE.len();

/// Hex SHA-256 of some bytes (lowercase), as used for record hashes and runbook hashes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A timestamp as the journal stores it: truncated to whole microseconds.
pub fn journal_time(ts: DateTime<Utc>) -> DateTime<Utc> {
    ts.trunc_subsecs(6)
}

/// The record without its hash, in field order. Serializing this gives the hashed bytes.
#[derive(Serialize)]
struct Unsealed<'a> {
    seq: u64,
    #[serde(with = "ts_micros")]
    ts: &'a DateTime<Utc>,
    actor: &'a str,
    entry: &'a Entry,
    prev: &'a str,
}

/// Seals a record: computes its hash and its line (with the trailing `\n`).
///
/// `ts` is truncated to microseconds so that the returned [`Record`] equals the one
/// read back from the line.
pub fn seal(
    seq: u64,
    ts: DateTime<Utc>,
    actor: &str,
    entry: Entry,
    prev: &str,
) -> (Record, String) {
    let ts = journal_time(ts);
    let unsealed = Unsealed {
        seq,
        ts: &ts,
        actor,
        entry: &entry,
        prev,
    };
    // Serializing plain structs, strings, integers and booleans to a String cannot
    // fail: serde_json only errors on non-string map keys or failing custom impls.
    let mut line =
        serde_json::to_string(&unsealed).expect("a journal record always serializes to JSON");
    let hash = sha256_hex(line.as_bytes());
    debug_assert!(line.ends_with('}'));
    line.pop();
    line.reserve(SUFFIX_LEN + 1);
    line.push_str(",\"hash\":\"");
    line.push_str(&hash);
    line.push_str("\"}\n");
    let record = Record {
        seq,
        ts,
        actor: actor.to_owned(),
        entry,
        prev: prev.to_owned(),
        hash,
    };
    (record, line)
}

/// Reads one line (without its `\n`) and checks its own hash. Chain checks (seq, prev)
/// are the caller's, see [`super::recover`].
pub fn open_line(line: &[u8]) -> Result<Record, Problem> {
    if line.is_empty() {
        return Err(Problem::EmptyLine);
    }
    let stated = stated_hash(line).ok_or(Problem::NoHashField)?;
    let body = &line[..line.len() - SUFFIX_LEN];
    let mut hasher = Sha256::new();
    hasher.update(body);
    hasher.update(b"}");
    if hex::encode(hasher.finalize()).as_bytes() != stated {
        return Err(Problem::HashMismatch);
    }
    // The hash matches, so these are bytes some backout wrote: failing to parse them
    // means a version skew, not an alteration.
    serde_json::from_slice::<Record>(line).map_err(|e| Problem::Invalid {
        detail: e.to_string(),
    })
}

/// The 64 hex digits of the trailing `,"hash":"…"}` member, if the line ends with one.
fn stated_hash(line: &[u8]) -> Option<&[u8]> {
    if line.len() < SUFFIX_LEN + 1 || !line.ends_with(HASH_CLOSE) {
        return None;
    }
    let start = line.len() - SUFFIX_LEN;
    if &line[start..start + HASH_OPEN.len()] != HASH_OPEN {
        return None;
    }
    let hex = &line[start + HASH_OPEN.len()..line.len() - HASH_CLOSE.len()];
    hex.iter()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        .then_some(hex)
}

/// The `seq` a line claims, read from its `{"seq":N,` prefix without parsing the rest:
/// used to name a broken record in an error message.
pub(crate) fn claimed_seq(line: &[u8]) -> Option<u64> {
    let rest = line.strip_prefix(b"{\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&b',') {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::GENESIS;
    use crate::domain::runbook::StepId;
    use chrono::TimeZone;

    fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
        Utc.timestamp_opt(1_795_312_323 + secs, nanos).unwrap()
    }

    fn tick() -> Entry {
        Entry::StepTicked {
            step: StepId(2),
            title: "Confirm on-call is paged".into(),
        }
    }

    #[test]
    fn line_has_fields_in_order_and_hash_of_the_body() {
        let (record, line) = seal(1, at(0, 0), "alice@host", tick(), GENESIS);
        assert!(line.ends_with("\"}\n"));
        let expected_body = format!(
            "{{\"seq\":1,\"ts\":\"2026-11-22T01:52:03.000000Z\",\"actor\":\"alice@host\",\
             \"entry\":{{\"type\":\"step_ticked\",\"step\":2,\"title\":\"Confirm on-call is paged\"}},\
             \"prev\":\"{GENESIS}\"}}"
        );
        assert_eq!(record.hash, sha256_hex(expected_body.as_bytes()));
        let without_hash = format!(
            "{},\"hash\":\"{}\"}}\n",
            &expected_body[..expected_body.len() - 1],
            record.hash
        );
        assert_eq!(line, without_hash);
    }

    #[test]
    fn seal_then_open_round_trips_with_truncated_timestamp() {
        let (record, line) = seal(7, at(5, 123_456_789), "bob@box", tick(), &"a".repeat(64));
        assert_eq!(record.ts, at(5, 123_456_000));
        assert!(line.contains("\"ts\":\"2026-11-22T01:52:08.123456Z\""));
        let opened = open_line(line.trim_end().as_bytes()).unwrap();
        assert_eq!(opened, record);
    }

    #[test]
    fn record_serde_matches_the_line() {
        let (record, line) = seal(3, at(1, 500_000_000), "a@b", tick(), GENESIS);
        assert_eq!(serde_json::to_string(&record).unwrap() + "\n", line);
    }

    #[test]
    fn timestamps_always_have_six_fractional_digits() {
        let (_, line) = seal(1, at(0, 0), "a", Entry::SessionClosed, GENESIS);
        assert!(
            line.contains("\"ts\":\"2026-11-22T01:52:03.000000Z\""),
            "{line}"
        );
    }

    #[test]
    fn unicode_and_control_characters_stay_on_one_line() {
        let entry = Entry::NoteAdded {
            text: "first line\nsecond — «quoted» \"x\" \t tab \u{0}".into(),
            step: None,
        };
        let (record, line) = seal(1, at(0, 0), "ünï@höst", entry, GENESIS);
        assert_eq!(line.matches('\n').count(), 1);
        assert_eq!(open_line(line.trim_end().as_bytes()).unwrap(), record);
    }

    #[test]
    fn any_changed_byte_is_detected() {
        let (_, line) = seal(1, at(0, 0), "alice@host", tick(), GENESIS);
        let bytes = line.trim_end().as_bytes();
        for i in 0..bytes.len() {
            let mut altered = bytes.to_vec();
            altered[i] ^= 0x01;
            assert!(
                open_line(&altered).is_err(),
                "flip at byte {i} went unnoticed"
            );
        }
    }

    #[test]
    fn open_line_names_the_problem() {
        let (_, line) = seal(1, at(0, 0), "alice@host", tick(), GENESIS);
        let line = line.trim_end();
        assert_eq!(open_line(b""), Err(Problem::EmptyLine));
        assert_eq!(open_line(b"{\"seq\":1}"), Err(Problem::NoHashField));
        let upper = line[..line.len() - 3].to_string() + "A\"}";
        assert_eq!(open_line(upper.as_bytes()), Err(Problem::NoHashField));
        let edited = line.replace("Confirm", "Cancel");
        assert_eq!(open_line(edited.as_bytes()), Err(Problem::HashMismatch));
    }

    #[test]
    fn well_hashed_but_unknown_entry_is_invalid_not_altered() {
        let body = format!(
            "{{\"seq\":1,\"ts\":\"2026-11-22T01:52:03.000000Z\",\"actor\":\"a\",\
             \"entry\":{{\"type\":\"from_the_future\"}},\"prev\":\"{GENESIS}\"}}"
        );
        let line = format!(
            "{},\"hash\":\"{}\"}}",
            &body[..body.len() - 1],
            sha256_hex(body.as_bytes())
        );
        match open_line(line.as_bytes()) {
            Err(Problem::Invalid { detail }) => {
                assert!(detail.contains("from_the_future"), "{detail}")
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn claimed_seq_reads_the_prefix_only() {
        assert_eq!(claimed_seq(b"{\"seq\":42,\"ts\":garbage"), Some(42));
        assert_eq!(claimed_seq(b"{\"seq\":42"), None);
        assert_eq!(claimed_seq(b"{\"ts\":1,\"seq\":4,"), None);
        assert_eq!(claimed_seq(b"{\"seq\":99999999999999999999999,"), None);
    }
}

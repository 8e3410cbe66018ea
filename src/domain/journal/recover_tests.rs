use super::*;
use crate::domain::journal::testing::{build, line_starts, varied, varied_entries};
use crate::domain::journal::{Entry, seal};

fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn corruption(bytes: &[u8]) -> String {
    match recover(bytes) {
        Err(e @ JournalError::Corrupt(_)) => e.to_string(),
        other => panic!("expected corruption, got {other:?}"),
    }
}

#[test]
fn an_empty_file_is_an_empty_journal() {
    let r = recover(b"").unwrap();
    assert_eq!(r, Recovered::default());
    assert_eq!(r.next_seq(), 1);
    assert_eq!(r.head_hash(), GENESIS);
}

#[test]
fn a_whole_journal_recovers_every_record() {
    let (records, bytes) = varied();
    assert!(records.len() >= 30, "fixture has {} records", records.len());
    let r = recover(&bytes).unwrap();
    assert_eq!(r.records, records);
    assert_eq!(r.torn_tail, None);
    assert!(r.warnings.is_empty());
    assert_eq!(r.next_seq(), records.len() as u64 + 1);
    assert_eq!(r.head_hash(), records.last().unwrap().hash);
}

/// DESIGN §7: a journal truncated at every byte offset recovers exactly the complete
/// records before the cut, and reports the rest as a torn tail.
#[test]
fn truncation_at_every_byte_offset_recovers_the_complete_records_before_it() {
    let (records, bytes) = varied();
    let starts = line_starts(&bytes);
    for cut in 0..=bytes.len() {
        let r = recover(&bytes[..cut])
            .unwrap_or_else(|e| panic!("cut at {cut} of {}: {e}", bytes.len()));
        let complete = starts.iter().filter(|&&s| s > 0 && s <= cut).count();
        assert_eq!(r.records, records[..complete], "cut at {cut}");
        let boundary = starts[complete];
        if cut == boundary {
            assert_eq!(r.torn_tail, None, "cut at {cut}");
            assert!(r.warnings.is_empty(), "cut at {cut}");
        } else {
            let tail = TornTail {
                offset: boundary as u64,
                len: (cut - boundary) as u64,
            };
            assert_eq!(r.torn_tail, Some(tail), "cut at {cut}");
            assert_eq!(r.warnings.len(), 1, "cut at {cut}");
            assert_eq!(r.valid_len(cut as u64), boundary as u64);
        }
    }
}

#[test]
fn torn_tail_warnings_say_what_was_dropped() {
    let (_, bytes) = varied();
    let starts = line_starts(&bytes);
    // Cut inside line 3.
    let r = recover(&bytes[..starts[2] + 10]).unwrap();
    assert_eq!(
        r.warnings,
        [format!(
            "journal.jsonl line 3: dropped a torn last line at byte {} (10 bytes, an incomplete \
             record); the write it belongs to never completed",
            starts[2]
        )]
    );
    // A whole record that lost only its newline is still torn: its append never returned.
    let r = recover(&bytes[..starts[3] - 1]).unwrap();
    assert_eq!(r.records.len(), 2);
    assert!(
        r.warnings[0].contains("record seq 3 without its newline"),
        "{:?}",
        r.warnings
    );
    // NUL padding left by a filesystem that grew the file before the data landed.
    let mut padded = bytes[..starts[2]].to_vec();
    padded.extend_from_slice(&[0; 4096]);
    let r = recover(&padded).unwrap();
    assert_eq!(r.records.len(), 2);
    assert_eq!(
        r.torn_tail,
        Some(TornTail {
            offset: starts[2] as u64,
            len: 4096
        })
    );
    assert!(
        r.warnings[0].contains("4096 bytes, NUL padding"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn a_flipped_byte_in_a_middle_record_is_refused() {
    let (_, bytes) = varied();
    let starts = line_starts(&bytes);
    let mut altered = bytes.clone();
    // Inside line 7's entry text ("Freeze deploys" reason): still valid JSON.
    let pos = starts[6]
        + bytes[starts[6]..]
            .windows(6)
            .position(|w| w == b"frozen")
            .unwrap();
    altered[pos] = b'F';
    assert_eq!(
        corruption(&altered),
        "journal.jsonl line 7 (seq 7): hash mismatch — the record was altered"
    );
    // A byte that breaks the JSON itself is caught by the hash first, same message.
    let mut altered = bytes.clone();
    altered[starts[6] + 1] = b'X';
    assert_eq!(
        corruption(&altered),
        "journal.jsonl line 7: hash mismatch — the record was altered"
    );
}

#[test]
fn a_deleted_line_is_refused() {
    let (_, bytes) = varied();
    let mut l = lines(&bytes);
    l.remove(6);
    assert_eq!(
        corruption(&l.concat()),
        "journal.jsonl line 7 (seq 8): expected seq 7 — a record was deleted, duplicated or moved"
    );
}

#[test]
fn reordered_lines_are_refused() {
    let (_, bytes) = varied();
    let mut l = lines(&bytes);
    l.swap(9, 10);
    assert_eq!(
        corruption(&l.concat()),
        "journal.jsonl line 10 (seq 11): expected seq 10 — a record was deleted, duplicated or moved"
    );
}

#[test]
fn a_duplicated_line_is_refused() {
    let (_, bytes) = varied();
    let mut l = lines(&bytes);
    let copy = l[4].clone();
    l.insert(5, copy);
    assert_eq!(
        corruption(&l.concat()),
        "journal.jsonl line 6 (seq 5): expected seq 6 — a record was deleted, duplicated or moved"
    );
}

#[test]
fn an_edited_entry_with_a_stale_hash_is_refused() {
    let (_, bytes) = varied();
    let mut l = lines(&bytes);
    let edited = String::from_utf8(l[2].clone())
        .unwrap()
        .replace("step_ticked", "step_skipped\",\"reason\":\"n/a");
    l[2] = edited.into_bytes();
    assert_eq!(
        corruption(&l.concat()),
        "journal.jsonl line 3 (seq 3): hash mismatch — the record was altered"
    );
}

#[test]
fn a_replaced_record_with_a_fresh_hash_breaks_the_chain() {
    // Someone re-sealed line 5 with new content: its own hash is fine, but line 6's
    // `prev` no longer matches it.
    let (records, bytes) = varied();
    let mut l = lines(&bytes);
    let forged = seal(
        5,
        records[4].ts,
        &records[4].actor,
        Entry::NoteAdded {
            text: "nothing happened".into(),
            step: None,
        },
        &records[3].hash,
    );
    l[4] = forged.1.into_bytes();
    assert_eq!(
        corruption(&l.concat()),
        "journal.jsonl line 6 (seq 6): prev does not match the hash of the record before — \
         the chain is broken (a record was replaced)"
    );
}

#[test]
fn a_complete_last_line_with_a_bad_hash_is_corruption_not_a_tear() {
    let (records, bytes) = varied();
    let n = records.len();
    let mut altered = bytes.clone();
    let last = altered.len() - 4; // last hex digit of the final hash: …X"}\n
    altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
    assert_eq!(
        corruption(&altered),
        format!("journal.jsonl line {n} (seq {n}): hash mismatch — the record was altered")
    );
}

#[test]
fn garbage_and_blank_lines_in_the_middle_are_refused() {
    let (_, bytes) = varied();
    let starts = line_starts(&bytes);
    let mut l = lines(&bytes);
    l.insert(3, b"\n".to_vec());
    assert_eq!(
        corruption(&l.concat()),
        "journal.jsonl line 4: empty line — the file was edited"
    );
    let mut with_garbage = bytes[..starts[3]].to_vec();
    with_garbage.extend_from_slice(b"{\"seq\":4, oops\n");
    with_garbage.extend_from_slice(&bytes[starts[3]..]);
    assert_eq!(
        corruption(&with_garbage),
        "journal.jsonl line 4 (seq 4): the line does not end with its \"hash\" field — the record \
         was altered"
    );
}

#[test]
fn the_first_record_must_start_the_chain() {
    let (_, bytes) = varied();
    let l = lines(&bytes);
    assert_eq!(
        corruption(&l[1..].concat()),
        "journal.jsonl line 1 (seq 2): expected seq 1 — a record was deleted, duplicated or moved"
    );
    let (rec, line) = seal(
        1,
        crate::domain::journal::testing::t0(),
        "a",
        Entry::SessionClosed,
        &"f".repeat(64),
    );
    assert_eq!(rec.seq, 1);
    assert_eq!(
        corruption(line.as_bytes()),
        "journal.jsonl line 1 (seq 1): prev does not match the hash of the record before — the \
         chain is broken (a record was replaced)"
    );
}

#[test]
fn corruption_before_a_torn_tail_is_still_refused() {
    let (_, bytes) = varied();
    let mut l = lines(&bytes);
    l.remove(1);
    let mut joined = l.concat();
    joined.extend_from_slice(b"{\"seq\":31,\"ts");
    assert!(corruption(&joined).starts_with("journal.jsonl line 2 (seq 3): expected seq 2"));
}

#[test]
fn a_small_journal_round_trips() {
    let (records, bytes) = build(varied_entries().into_iter().take(1).collect());
    assert_eq!(recover(&bytes).unwrap().records, records);
}

use super::*;
use crate::domain::journal::testing::{t0, varied_entries};
use crate::domain::journal::{GENESIS, JournalError};
use crate::domain::progress::Progress;
use crate::domain::runbook::StepId;
use chrono::Duration;

fn note(text: &str) -> Entry {
    Entry::NoteAdded {
        text: text.into(),
        step: None,
    }
}

#[test]
fn open_creates_an_empty_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (journal, recovered) = JournalFile::open(&path).unwrap();
    assert!(path.exists());
    assert_eq!(recovered, Recovered::default());
    assert_eq!(journal.next_seq(), 1);
    assert_eq!(journal.path(), path);
}

#[test]
fn appends_chain_and_reopen_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (mut journal, _) = JournalFile::open(&path).unwrap();
    let a = journal.append("alice@host", note("one")).unwrap();
    let b = journal.append("alice@host", note("two")).unwrap();
    assert_eq!((a.seq, a.prev.as_str()), (1, GENESIS));
    assert_eq!((b.seq, &b.prev), (2, &a.hash));
    drop(journal);

    let (mut journal, recovered) = JournalFile::open(&path).unwrap();
    assert_eq!(recovered.records, [a, b.clone()]);
    assert_eq!(journal.next_seq(), 3);
    let c = journal.append("bob@box", note("three")).unwrap();
    assert_eq!((c.seq, &c.prev), (3, &b.hash));
    drop(journal);
    assert_eq!(JournalFile::open(&path).unwrap().1.records.len(), 3);
}

#[test]
fn the_file_holds_exactly_the_sealed_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (mut journal, _) = JournalFile::open(&path).unwrap();
    let r = journal.append_at(t0(), "a@b", note("x")).unwrap();
    let expected = crate::domain::journal::seal(1, t0(), "a@b", note("x"), GENESIS).1;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    assert_eq!(r.ts, t0());
}

#[test]
fn replay_of_the_reopened_file_equals_the_live_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (mut journal, _) = JournalFile::open(&path).unwrap();
    let mut live = Progress::default();
    for (i, (actor, entry)) in varied_entries().into_iter().enumerate() {
        let ts = t0() + Duration::milliseconds(1_337 * i as i64) + Duration::nanoseconds(987);
        let record = journal.append_at(ts, actor, entry).unwrap();
        live.apply(&record);
    }
    drop(journal);
    let (_, recovered) = JournalFile::open(&path).unwrap();
    assert_eq!(Progress::replay(&recovered.records), live);
    assert!(!live.steps.is_empty() && !live.runs.is_empty() && live.closed_at.is_some());
}

#[test]
fn a_torn_tail_is_cut_off_on_open_and_the_chain_continues() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (mut journal, _) = JournalFile::open(&path).unwrap();
    let a = journal.append("a@b", note("kept")).unwrap();
    drop(journal);
    let good_len = std::fs::metadata(&path).unwrap().len();
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"{\"seq\":2,\"ts\":\"2026-").unwrap();
    drop(f);

    let (mut journal, recovered) = JournalFile::open(&path).unwrap();
    assert_eq!(recovered.records, std::slice::from_ref(&a));
    assert_eq!(recovered.warnings.len(), 1, "{:?}", recovered.warnings);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), good_len);
    let b = journal.append("a@b", note("after the tear")).unwrap();
    assert_eq!((b.seq, &b.prev), (2, &a.hash));
    drop(journal);
    let (_, recovered) = JournalFile::open(&path).unwrap();
    assert_eq!(recovered.records.len(), 2);
    assert!(recovered.warnings.is_empty());
}

#[test]
fn a_corrupt_journal_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (mut journal, _) = JournalFile::open(&path).unwrap();
    for text in ["one", "two", "three"] {
        journal.append("a@b", note(text)).unwrap();
    }
    drop(journal);
    let altered = std::fs::read_to_string(&path)
        .unwrap()
        .replace("two", "TWO")
        + "{\"torn";
    std::fs::write(&path, &altered).unwrap();
    let err = JournalFile::open(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        "journal.jsonl line 2 (seq 2): hash mismatch — the record was altered"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), altered);
}

#[test]
fn a_second_writer_is_refused_while_the_first_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (first, _) = JournalFile::open(&path).unwrap();
    let err = JournalFile::open(&path).unwrap_err();
    assert!(matches!(err, JournalError::Locked { .. }), "{err:?}");
    assert!(
        err.to_string().ends_with(
            "journal.jsonl is open in another backout process; close that console first"
        )
    );
    drop(first);
    JournalFile::open(&path).unwrap();
}

#[test]
fn record_times_never_go_backwards() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = JournalFile::open(dir.path().join("j.jsonl")).unwrap();
    let a = journal.append_at(t0(), "a", note("1")).unwrap();
    let b = journal
        .append_at(t0() - Duration::seconds(30), "a", note("2"))
        .unwrap();
    assert_eq!(b.ts, a.ts);
    let c = journal
        .append_at(t0() + Duration::seconds(1), "a", note("3"))
        .unwrap();
    assert_eq!(c.ts, t0() + Duration::seconds(1));
}

#[test]
fn a_failed_write_poisons_the_writer_when_the_file_cannot_be_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (mut journal, _) = JournalFile::open(&path).unwrap();
    journal.append("a", note("on disk")).unwrap();
    // Swap in a read-only handle: both the write and the repairing truncate fail.
    journal.file = File::open(&path).unwrap();
    let err = journal.append("a", note("lost")).unwrap_err();
    assert!(
        matches!(
            err,
            JournalError::Io {
                op: "cannot write",
                ..
            }
        ),
        "{err:?}"
    );
    let err = journal.append("a", note("refused")).unwrap_err();
    assert!(matches!(err, JournalError::Poisoned { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("restart backout to resume from what is on disk")
    );
    drop(journal);
    assert_eq!(JournalFile::open(&path).unwrap().1.records.len(), 1);
}

#[tokio::test]
async fn the_handle_writes_in_order_and_shutdown_waits_for_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (journal, _) = JournalFile::open(&path).unwrap();
    let handle = JournalHandle::spawn(journal, "carol@console").unwrap();
    assert_eq!(handle.path(), path);

    let first = handle.append(note("first")).await.unwrap();
    assert_eq!((first.seq, first.actor.as_str()), (1, "carol@console"));
    // Queue many appends without awaiting them one by one, then shut down.
    let pending: Vec<_> = (0..50)
        .map(|i| {
            let h = handle.clone();
            tokio::spawn(async move {
                h.append(Entry::StepTicked {
                    step: StepId(i),
                    title: format!("step {i}"),
                })
                .await
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for p in pending {
        seqs.push(p.await.unwrap().unwrap().seq);
    }
    handle.shutdown().await.unwrap();
    seqs.sort_unstable();
    assert_eq!(seqs, (2..=51).collect::<Vec<_>>());

    assert!(matches!(
        handle.append(note("too late")).await,
        Err(JournalError::WriterStopped)
    ));
    handle.shutdown().await.unwrap();
    // The file is released and holds every record.
    let (_, recovered) = JournalFile::open(&path).unwrap();
    assert_eq!(recovered.records.len(), 51);
}

#[tokio::test]
async fn appends_queued_before_shutdown_are_all_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (journal, _) = JournalFile::open(&path).unwrap();
    let handle = JournalHandle::spawn(journal, "a").unwrap();
    // Queue 20 appends without waiting for any reply, then shut down at once.
    let mut replies = Vec::new();
    for i in 0..20 {
        let (reply, rx) = oneshot::channel();
        handle
            .tx
            .send(Request::Append(note(&i.to_string()), reply))
            .await
            .unwrap();
        replies.push(rx);
    }
    handle.shutdown().await.unwrap();
    for (i, mut rx) in replies.into_iter().enumerate() {
        let record = rx
            .try_recv()
            .expect("written before shutdown returned")
            .unwrap();
        assert_eq!(record.seq, i as u64 + 1);
    }
    assert_eq!(JournalFile::open(&path).unwrap().1.records.len(), 20);
}

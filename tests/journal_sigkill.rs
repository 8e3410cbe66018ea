//! Crash safety for real: a child process appends records in a loop and is killed with
//! SIGKILL at an arbitrary moment. Reopening the journal must recover every record whose
//! append had returned (the child prints each one after `append` returns).
//!
//! `harness = false`: this binary is both the test and, with `BACKOUT_SIGKILL_CHILD` set,
//! the child writer it kills.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use backout::adapters::journal_file::JournalFile;
use backout::domain::journal::Entry;

const CHILD_ENV: &str = "BACKOUT_SIGKILL_CHILD";

fn main() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        child(Path::new(&path));
    }
    if std::env::args().any(|a| a == "--list") {
        println!("sigkill_recovers_every_confirmed_record: test");
        return;
    }
    print!("test sigkill_recovers_every_confirmed_record ... ");
    sigkill_recovers_every_confirmed_record();
    println!("ok");
}

/// Appends forever, printing `confirmed <seq> <hash>` after each append returns.
fn child(path: &Path) -> ! {
    let (mut journal, _) = JournalFile::open(path).expect("child opens the journal");
    let pid = std::process::id();
    for i in 0u64.. {
        // Vary the size so kills land at different points of different-sized writes.
        let text = format!("child {pid} note {i} ") + &"ä".repeat((i as usize * 997) % 6_000);
        let record = journal
            .append("child@test", Entry::NoteAdded { text, step: None })
            .expect("append");
        println!("confirmed {} {}", record.seq, record.hash);
    }
    unreachable!("the loop only ends by SIGKILL")
}

fn sigkill_recovers_every_confirmed_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.jsonl");
    let exe = std::env::current_exe().expect("test binary path");
    let mut confirmed: BTreeMap<u64, String> = BTreeMap::new();

    // Several rounds on the same journal: each reopens what the previous kill left.
    for (round, kill_after) in [37usize, 101, 5, 250].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the child writer");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        for line in lines.by_ref() {
            record_confirmation(&line.expect("child output"), &mut confirmed);
            seen += 1;
            if seen == kill_after {
                child.kill().expect("SIGKILL the child");
                break;
            }
        }
        // Confirmations already in the pipe when the child died count too.
        for line in lines {
            record_confirmation(&line.expect("child output"), &mut confirmed);
        }
        let status = child.wait().expect("reap the child");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "round {round}: {status:?}");
        }
        #[cfg(not(unix))]
        assert!(!status.success());

        let (_, recovered) = JournalFile::open(&path)
            .unwrap_or_else(|e| panic!("round {round}: reopening after SIGKILL failed: {e}"));
        let by_seq: BTreeMap<u64, &str> = recovered
            .records
            .iter()
            .map(|r| (r.seq, r.hash.as_str()))
            .collect();
        for (seq, hash) in &confirmed {
            assert_eq!(
                by_seq.get(seq),
                Some(&hash.as_str()),
                "round {round}: confirmed record {seq} was not recovered intact"
            );
        }
        // At most the one record whose append was under way may exceed the confirmed.
        let max_confirmed = confirmed.keys().next_back().copied().unwrap_or(0);
        let recovered_len = recovered.records.len() as u64;
        assert!(
            recovered_len == max_confirmed || recovered_len == max_confirmed + 1,
            "round {round}: {recovered_len} records recovered, {max_confirmed} confirmed"
        );
        // Whatever the child wrote but never confirmed is now part of the chain.
        for r in &recovered.records {
            confirmed.entry(r.seq).or_insert_with(|| r.hash.clone());
        }
    }
    assert!(confirmed.len() >= 37 + 101 + 5 + 250);
}

fn record_confirmation(line: &str, confirmed: &mut BTreeMap<u64, String>) {
    let mut parts = line.split(' ');
    let (Some("confirmed"), Some(seq), Some(hash)) = (parts.next(), parts.next(), parts.next())
    else {
        panic!("unexpected child output: {line:?}");
    };
    let seq: u64 = seq.parse().expect("seq");
    confirmed.insert(seq, hash.to_owned());
}

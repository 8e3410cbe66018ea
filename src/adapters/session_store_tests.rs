use super::*;
use crate::domain::journal::testing::t0;
use crate::domain::runbook::StepId;
use chrono::Duration;

const RUNBOOK: &[u8] = b"# Checkout API rollback\n\n## Pre-rollback\n\n- [ ] Page on-call\n";

fn start<'a>(title: &'a str, at: DateTime<Utc>) -> SessionStart<'a> {
    SessionStart {
        runbook_path: Path::new("/srv/runbooks/checkout.md"),
        runbook_bytes: RUNBOOK,
        title,
        mode: "live",
        actor: "alice@ops".into(),
        host: "ops".into(),
        at,
    }
}

#[test]
fn slugs() {
    let cases = [
        ("Checkout API rollback", "checkout-api-rollback"),
        ("  --Hello,   World!!  ", "hello-world"),
        (
            "Blue/green HTTP API rollback (prod-eu)",
            "blue-green-http-api-roll",
        ),
        ("日本語", "session"),
        ("", "session"),
        ("a-very-long-title-that-goes-on", "a-very-long-title-that-g"),
        ("abcdefghijklmnopqrstuvw xyz", "abcdefghijklmnopqrstuvw"),
        ("Ünïcödé rollback", "n-c-d-rollback"),
    ];
    for (title, expected) in cases {
        let s = slug(title);
        assert_eq!(s, expected, "{title:?}");
        assert!(s.len() <= MAX_SLUG_LEN);
    }
}

#[test]
fn session_ids_are_utc_time_slug_and_hex() {
    assert_eq!(
        session_id(t0(), "Checkout API rollback", 0x3f2a),
        "20261122-015203-checkout-api-rollback-3f2a"
    );
    assert_eq!(session_id(t0(), "x", 7), "20261122-015203-x-0007");
}

#[test]
fn create_writes_the_copy_and_the_first_record() {
    let home = tempfile::tempdir().unwrap();
    let store = SessionStore::at(home.path());
    let new = store.create(&start("Checkout API rollback", t0())).unwrap();
    assert!(
        new.dir
            .id
            .starts_with("20261122-015203-checkout-api-rollback-")
    );
    assert_eq!(new.dir.path, home.path().join("sessions").join(&new.dir.id));
    assert_eq!(fs::read(new.dir.runbook_copy_path()).unwrap(), RUNBOOK);
    assert_eq!(new.started.seq, 1);
    assert_eq!(
        new.started.entry,
        Entry::SessionStarted {
            runbook_path: "/srv/runbooks/checkout.md".into(),
            runbook_sha256: sha256_hex(RUNBOOK),
            title: "Checkout API rollback".into(),
            mode: "live".into(),
            host: "ops".into(),
        }
    );
    // The journal is held open: a second console cannot open it.
    assert!(matches!(
        new.dir.open_journal(),
        Err(SessionError::Journal {
            source: JournalError::Locked { .. },
            ..
        })
    ));
    assert_eq!(new.journal.next_seq(), 2);
    assert!(new.dir.is_live());
    let dir = new.dir.clone();
    drop(new);
    assert!(!dir.is_live());
}

#[test]
fn same_second_same_title_gets_distinct_ids() {
    let home = tempfile::tempdir().unwrap();
    let store = SessionStore::at(home.path());
    let a = store.create(&start("Same", t0())).unwrap();
    let b = store.create(&start("Same", t0())).unwrap();
    assert_ne!(a.dir.id, b.dir.id);
}

#[test]
fn an_empty_store_lists_nothing_and_has_no_latest() {
    let home = tempfile::tempdir().unwrap();
    let store = SessionStore::at(home.path().join("does-not-exist-yet"));
    assert!(store.list().unwrap().is_empty());
    let err = store.latest().unwrap_err();
    assert!(err.to_string().starts_with("no sessions yet in "), "{err}");
}

/// Three sessions: one open with progress, one closed, one corrupt.
fn populated() -> (tempfile::TempDir, SessionStore, [String; 3]) {
    let home = tempfile::tempdir().unwrap();
    let store = SessionStore::at(home.path());

    let mut first = store.create(&start("Checkout API rollback", t0())).unwrap();
    let j = &mut first.journal;
    let at = |m| t0() + Duration::minutes(m);
    for (i, entry) in [
        Entry::StepTicked {
            step: StepId(0),
            title: "Page on-call".into(),
        },
        Entry::StepTicked {
            step: StepId(1),
            title: "Open channel".into(),
        },
        Entry::StepSkipped {
            step: StepId(2),
            title: "Freeze".into(),
            reason: "frozen".into(),
        },
        Entry::NoteAdded {
            text: "5xx at 12%".into(),
            step: None,
        },
        Entry::CommandStarted {
            step: StepId(3),
            run: 1,
            command: "kubectl rollout undo".into(),
        },
        Entry::CommandFinished {
            step: StepId(3),
            run: 1,
            exit_code: Some(0),
            duration_ms: 900,
            cancelled: false,
        },
    ]
    .into_iter()
    .enumerate()
    {
        j.append_at(at(i as i64 + 1), "alice@ops", entry).unwrap();
    }

    let mut second = store
        .create(&start("Payments rollback", t0() + Duration::hours(1)))
        .unwrap();
    second
        .journal
        .append_at(t0() + Duration::hours(2), "bob@ops", Entry::SessionClosed)
        .unwrap();

    let third = store
        .create(&start("Search rollback", t0() + Duration::hours(3)))
        .unwrap();
    drop(third.journal);
    let path = third.dir.journal_path();
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("Search", "Sea rch");
    fs::write(&path, text + "{\"seq\":2,\"ts\":\"torn").unwrap();

    let ids = [first.dir.id, second.dir.id, third.dir.id];
    (home, store, ids)
}

#[test]
fn list_summarizes_every_session_newest_first_and_never_aborts() {
    let (_home, store, [first, second, third]) = populated();
    let list = store.list().unwrap();
    let ids: Vec<_> = list.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [third.as_str(), second.as_str(), first.as_str()]);

    let corrupt = &list[0];
    assert_eq!(corrupt.state, SessionState::Corrupt);
    assert_eq!(
        corrupt.error.as_deref(),
        Some(
            format!(
                "session {third}: journal.jsonl line 1 (seq 1): hash mismatch — the record was altered"
            )
            .as_str()
        )
    );

    let closed = &list[1];
    assert_eq!((closed.state, closed.closed), (SessionState::Closed, true));
    assert_eq!(closed.title, "Payments rollback");
    assert_eq!(closed.last_activity, Some(t0() + Duration::hours(2)));

    let open = &list[2];
    assert_eq!(
        open,
        &SessionSummary {
            id: first.clone(),
            title: "Checkout API rollback".into(),
            target: None,
            runbook_path: "/srv/runbooks/checkout.md".into(),
            started: Some(t0()),
            last_activity: Some(t0() + Duration::minutes(6)),
            steps_done: 2,
            steps_skipped: 1,
            notes: 1,
            commands: 1,
            records: 7,
            closed: false,
            live: false,
            state: SessionState::Open,
            error: None,
            warnings: vec![],
        }
    );

    // A session a console holds open is marked live.
    let held = store.open(&second).unwrap().open_journal().unwrap();
    let list = store.list().unwrap();
    assert_eq!(
        list.iter().map(|s| s.live).collect::<Vec<_>>(),
        [false, true, false]
    );
    drop(held);
}

#[test]
fn list_reports_a_torn_tail_without_cutting_it() {
    let (_home, store, [first, ..]) = populated();
    let dir = store.open(&first).unwrap();
    let path = dir.journal_path();
    let mut bytes = fs::read(&path).unwrap();
    bytes.extend_from_slice(b"{\"seq\":8");
    fs::write(&path, &bytes).unwrap();
    let list = store.list().unwrap();
    let s = list.iter().find(|s| s.id == first).unwrap();
    assert_eq!(s.state, SessionState::Open);
    assert_eq!(s.warnings.len(), 1);
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

/// Issue 15, point 6: a directory whose start was interrupted before its first record
/// (an older version created the directory first; 3 of 181 crashes left one) is no
/// session: `latest` (resume, report) skips it and `list` (sessions) leaves it out, and
/// a one-line note names it. Was: listed as an empty session and picked by `latest`.
#[test]
fn an_interrupted_start_leaves_nothing_resume_picks() {
    let home = tempfile::tempdir().unwrap();
    let store = SessionStore::at(home.path());
    let real = store.create(&start("Real", t0())).unwrap();
    drop(real.journal);
    let sessions = store.sessions_dir();
    // Later ids than the real session: `latest` would pick them if they counted.
    fs::create_dir_all(sessions.join("29990101-000000-crashed-0000")).unwrap();
    fs::create_dir_all(sessions.join("29990101-000001-torn-0000")).unwrap();
    fs::write(
        sessions.join("29990101-000001-torn-0000/journal.jsonl"),
        b"",
    )
    .unwrap();
    fs::create_dir_all(sessions.join(".creating-29990101-000002-new-0000")).unwrap();
    fs::write(sessions.join("stray-file"), b"").unwrap();
    assert_eq!(store.latest().unwrap().id, real.dir.id);
    let list = store.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, real.dir.id);
    assert!(store.open("29990101").is_err());
    assert_eq!(
        store.leftovers_note().unwrap(),
        "note: ignoring 3 session directories whose start was interrupted before the first \
         record (safe to delete): .creating-29990101-000002-new-0000, \
         29990101-000000-crashed-0000, 29990101-000001-torn-0000"
    );
}

#[test]
fn create_leaves_no_temporary_directory_and_the_journal_is_named_where_it_is() {
    let home = tempfile::tempdir().unwrap();
    let store = SessionStore::at(home.path());
    let new = store.create(&start("Atomic", t0())).unwrap();
    let names: Vec<String> = fs::read_dir(store.sessions_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, std::slice::from_ref(&new.dir.id));
    assert_eq!(new.journal.path(), new.dir.journal_path());
    assert!(store.leftovers_note().is_none());
    // The open journal keeps writing to the renamed file.
    let mut journal = new.journal;
    journal
        .append_at(
            t0(),
            "alice@ops",
            Entry::NoteAdded {
                step: None,
                text: "after rename".into(),
            },
        )
        .unwrap();
    drop(journal);
    let recovered = new.dir.read_journal().unwrap();
    assert_eq!(recovered.records.len(), 2);
}

#[test]
fn open_accepts_an_id_or_a_unique_prefix() {
    let (_home, store, [first, second, _]) = populated();
    assert_eq!(store.open(&first).unwrap().id, first);
    assert_eq!(store.open(&first[..20]).unwrap().id, first);
    assert_eq!(store.open("20261122-025203").unwrap().id, second);
    assert_eq!(store.latest().unwrap().id, store.list().unwrap()[0].id);
}

#[test]
fn open_refuses_ambiguous_unknown_and_path_like_ids() {
    let (_home, store, [first, second, third]) = populated();
    let err = store.open("20261122").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("\"20261122\" matches 3 sessions: {first}, {second}, {third}; give more of the id")
    );
    let err = store.open("2025").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no session matches \"2025\" in {} (see `backout sessions`)",
            store.sessions_dir().display()
        )
    );
    for bad in ["", "..", ".", "../x", "a/b"] {
        assert!(
            matches!(store.open(bad), Err(SessionError::NotFound { .. })),
            "{bad}"
        );
    }
}

#[test]
fn resume_after_create_continues_the_chain() {
    let (_home, store, [first, ..]) = populated();
    let dir = store.open(&first).unwrap();
    let (mut journal, recovered) = dir.open_journal().unwrap();
    assert_eq!(recovered.records.len(), 7);
    let r = journal
        .append(
            "bob@bastion",
            Entry::SessionResumed {
                host: "bastion".into(),
            },
        )
        .unwrap();
    assert_eq!((r.seq, &r.prev), (8, &recovered.records[6].hash));
}

#[test]
fn home_and_log_dirs() {
    let over = Some(PathBuf::from("/srv/backout"));
    assert_eq!(
        home_dir_for(over.clone(), None).unwrap(),
        Path::new("/srv/backout")
    );
    assert_eq!(
        log_dir_for(over, None).unwrap(),
        Path::new("/srv/backout/logs")
    );
    assert!(matches!(
        home_dir_for(None, None),
        Err(SessionError::NoHome)
    ));
    assert_eq!(
        log_dir_for(None, None).unwrap_err().to_string(),
        "cannot find a data directory for backout; set BACKOUT_HOME to choose one"
    );
    if let Some(dirs) = project_dirs() {
        let home = home_dir_for(None, Some(&dirs)).unwrap();
        assert!(home.ends_with("backout"), "{}", home.display());
        let logs = log_dir_for(None, Some(&dirs)).unwrap();
        assert!(logs.ends_with("backout/logs"), "{}", logs.display());
        #[cfg(target_os = "linux")]
        assert!(
            logs.to_string_lossy().contains("/state/"),
            "{}",
            logs.display()
        );
    }
}

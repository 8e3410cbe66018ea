//! A secret canary never reaches the journal, the log or the report. Its own binary: it
//! captures the `tracing` log with a scoped subscriber, and tracing caches each callsite's
//! interest process-wide, so another test registering the same event on another thread
//! at the same moment could leave it "never enabled" (it did, once, in CI).

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use backout::adapters::notify::configure;
use backout::domain::notify::MessageKind;
use backout::domain::progress::Progress;
use backout::domain::report;
use backout::domain::runbook::front_matter::{GithubSink, Notify};
use support::notify_fixtures::{Journal, draft, notifier, records};
use support::receiver::{Receiver, Reply};

/// The canary: a token that must never be written anywhere but the request.
const CANARY: &str = "canary-7f3c9e1d5b";

#[tokio::test]
async fn a_secret_canary_never_reaches_the_journal_the_log_or_the_report() {
    // the name does not look secret, so only the sink configuration can know it is one
    // SAFETY: this test binary's tests do not read this variable concurrently elsewhere
    unsafe { std::env::set_var("BACKOUT_TEST_CANARY_VALUE", CANARY) };
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("backout.log");
    let log_file = std::fs::File::create(&log_path).unwrap();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Mutex::new(log_file))
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // GitHub rejects the token and echoes it back, as some APIs do
    let rx = Arc::new(
        Receiver::start(vec![
            Reply::status(401).body(&format!("{{\"message\":\"Bad credentials {CANARY}\"}}")),
        ])
        .await,
    );
    let notify = Notify {
        github: Some(GithubSink {
            repo: "acme/shop".into(),
            issue: 7,
            token_env: Some("BACKOUT_TEST_CANARY_VALUE".into()),
            api_url: Some(rx.url.clone()),
            ..GithubSink::default()
        }),
        ..Notify::default()
    };
    let c = configure(&notify, |k| std::env::var(k).ok(), Path::new("."));
    assert!(c.problems.is_empty(), "{:?}", c.problems);

    let path = dir.path().join("journal.jsonl");
    let mut journal = Journal::open(&path, None);
    for s in &c.secrets {
        journal.file.add_secret(s.expose());
    }
    let n = notifier(&c);
    // the operator even pasted it into the message
    let text = format!("rolling back; token was {CANARY}");
    let results = n
        .send(
            &mut journal,
            &draft(1, MessageKind::RollbackNotification, &text),
            |_, _| {},
        )
        .await;
    let failed = results[0]
        .delivery
        .as_ref()
        .unwrap()
        .outcome
        .clone()
        .unwrap_err();
    assert_eq!(
        failed,
        "HTTP 401: {\"message\":\"Bad credentials ‹redacted›\"}"
    );

    // it did reach the receiver, the one place it belongs
    let got = rx.received();
    assert_eq!(
        got[0].header("authorization"),
        Some(format!("Bearer {CANARY}").as_str())
    );

    let journal_text = std::fs::read_to_string(&path).unwrap();
    assert!(journal_text.contains("message_failed"), "{journal_text}");
    assert!(!journal_text.contains(CANARY), "journal: {journal_text}");

    drop(_guard);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("message not delivered"), "{log}");
    assert!(!log.contains(CANARY), "log: {log}");

    let rs = records(&path);
    let rep = report::build(&Progress::replay(&rs), &rs, None);
    let md = report::to_markdown(&rep);
    assert!(md.contains("## Messages"), "{md}");
    assert!(!md.contains(CANARY), "report: {md}");
    let json = serde_json::to_string(&rep).unwrap();
    assert!(!json.contains(CANARY), "report json: {json}");
}

/// Issue 15, point 8: redaction by shape and by piece. A token-shaped value given to a
/// plainly named placeholder, a pasted GitLab token and a JWT in a note, and pieces of a
/// known webhook URL (its tail, as `${VAR#https://hooks.slack.com/}` prints it, and a
/// fragment pasted into a note) reach neither the journal nor either report.
#[test]
fn token_shapes_and_pieces_of_secrets_never_reach_the_journal_or_the_report() {
    use backout::domain::journal::Entry;
    use backout::domain::runbook::StepId;

    // Synthetic values in the providers' formats.
    const GHP: &str = "ghp_Zq7XwY3vB9nM2kL5pR8tU1sA4dF6gH0jK9lQ";
    const GLPAT: &str = "glpat-Xy7Zq3Wv9Bn2Mk5Lp8Rt";
    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMtYm90In0.Q2FuYXJ5U2lnbmF0dXJlMTIz";
    const HOOK: &str =
        "https://hooks.example.net/hooks/T7QX2M4LK/B9PW3N6RZ/q8Vw2Ls5Kd9Fj3Hm7Np1Rt4Y";
    let tail = "T7QX2M4LK/B9PW3N6RZ/q8Vw2Ls5Kd9Fj3Hm7Np1Rt4Y";
    let fragment = "Ls5Kd9Fj3Hm7";

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut journal = Journal::open(&path, None);
    journal.file.add_secret(HOOK);
    let entries = [
        Entry::PlaceholderBound {
            name: "release-ref".into(),
            value: GHP.into(),
            secret: false,
        },
        Entry::NoteAdded {
            text: format!("pasted by mistake: {GLPAT} and the bot's {JWT}"),
            step: Some(StepId(0)),
        },
        Entry::NoteAdded {
            text: format!("echo ${{HOOK#https://hooks.example.net/hooks/}} printed {tail}"),
            step: None,
        },
        Entry::NoteAdded {
            text: format!("the part that changed was …{fragment}…"),
            step: None,
        },
    ];
    for entry in entries {
        journal.file.append("alice@ops", entry).unwrap();
    }
    drop(journal);

    let journal_text = std::fs::read_to_string(&path).unwrap();
    let rs = records(&path);
    let rep = report::build(&Progress::replay(&rs), &rs, None);
    let md = report::to_markdown(&rep);
    let json = serde_json::to_string(&rep).unwrap();
    for (place, text) in [("journal", &journal_text), ("report", &md), ("json", &json)] {
        for secret in [GHP, GLPAT, JWT, tail, fragment, "q8Vw2Ls5"] {
            assert!(!text.contains(secret), "{place} holds {secret}:\n{text}");
        }
    }
    assert!(journal_text.contains("pasted by mistake"), "{journal_text}");
    assert!(md.contains("the part that changed was"), "{md}");
}

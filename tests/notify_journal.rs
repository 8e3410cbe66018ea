//! Messages with the journal as the ledger: `MessageQueued` is durable before the first
//! attempt, a crash leaves dedup-capable sinks resendable and the others "may have been
//! sent", and drills reach only the outbox. (The secret canary has its own binary,
//! `notify_secret_canary.rs`: it captures the log, which needs a process of its own.)

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use backout::adapters::notify::{Configured, configure, outbox};
use backout::domain::journal::Entry;
use backout::domain::notify::{MessageKind, unfinished};
use backout::domain::progress::Progress;
use backout::domain::report;
use backout::domain::runbook::front_matter::{
    FrontMatter, GrafanaSink, Notify, SecretUrl, StatuspageSink,
};
use backout::runtime::journal_port::JournalAppend;
use backout::runtime::notify_feed;
use support::notify_fixtures::{Journal, draft, facts, notifier, records};
use support::receiver::{Receiver, Reply};

fn hooks(rx: &Receiver, names: &[&str]) -> Configured {
    configure(&notify_block(names), env(rx), Path::new("."))
}

/// `webhook` and `slack` blocks whose URLs (`HOOK`, `SLACK`) point at `rx`.
fn notify_block(names: &[&str]) -> Notify {
    let webhook = SecretUrl {
        webhook_env: Some("HOOK".into()),
        ..SecretUrl::default()
    };
    let slack = SecretUrl {
        webhook_env: Some("SLACK".into()),
        ..SecretUrl::default()
    };
    Notify {
        webhook: names.contains(&"webhook").then_some(webhook),
        slack: names.contains(&"slack").then_some(slack),
        ..Notify::default()
    }
}

fn env(rx: &Receiver) -> impl Fn(&str) -> Option<String> {
    let url = rx.url.clone();
    move |k| match k {
        "HOOK" => Some(format!("{url}/hook")),
        "SLACK" => Some(format!("{url}/slack")),
        _ => None,
    }
}

#[tokio::test]
async fn queued_is_journaled_for_every_sink_before_any_attempt() {
    let rx = Arc::new(Receiver::start(vec![]).await);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut journal = Journal::open(&path, Some(rx.clone()));
    let n = notifier(&hooks(&rx, &["slack", "webhook"]));
    let results = n
        .send(
            &mut journal,
            &draft(1, MessageKind::AllClear, "all clear"),
            |_, _| {},
        )
        .await;
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .all(|r| r.delivery.as_ref().unwrap().outcome.is_ok())
    );
    assert_eq!(*journal.seen_at_queue.lock().unwrap(), [0, 0]);
    assert_eq!(rx.received().len(), 2);

    let kinds: Vec<String> = records(&path)
        .iter()
        .map(|r| match &r.entry {
            Entry::MessageQueued { sink, key, .. } => format!("queued {sink} {key}"),
            Entry::MessageDelivered { sink, attempts, .. } => {
                format!("delivered {sink} {attempts}")
            }
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "queued slack backout-s1-m1-slack",
            "queued webhook backout-s1-m1-webhook",
            "delivered slack 1",
            "delivered webhook 1",
        ]
    );
    // the generic webhook carried the journaled key
    let hook = rx
        .received()
        .into_iter()
        .find(|r| r.path == "/hook")
        .unwrap();
    assert_eq!(
        hook.header("idempotency-key"),
        Some("backout-s1-m1-webhook")
    );
}

#[tokio::test]
async fn a_failure_is_journaled_with_its_attempts() {
    let rx = Arc::new(Receiver::start(vec![Reply::status(503); 5]).await);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut journal = Journal::open(&path, None);
    let n = notifier(&hooks(&rx, &["webhook"]));
    let retries = Arc::new(Mutex::new(Vec::new()));
    let log = retries.clone();
    n.send(
        &mut journal,
        &draft(2, MessageKind::StatusUpdate, "still watching"),
        move |sink, p| log.lock().unwrap().push((sink.to_string(), p)),
    )
    .await;
    assert_eq!(retries.lock().unwrap().len(), 2);
    assert!(retries.lock().unwrap().iter().all(|(s, _)| s == "webhook"));
    let last = records(&path).pop().unwrap();
    assert_eq!(
        last.entry,
        Entry::MessageFailed {
            key: "backout-s1-m2-webhook".into(),
            sink: "webhook".into(),
            attempts: 3,
            error: "HTTP 503".into(),
        }
    );
}

#[tokio::test]
async fn after_a_crash_only_dedup_capable_sinks_are_resent_with_the_same_key() {
    let rx = Arc::new(Receiver::start(vec![]).await);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    {
        // the process queued the message for both sinks, then died before any outcome
        let mut journal = Journal::open(&path, None);
        for sink in ["slack", "webhook"] {
            journal
                .append(Entry::MessageQueued {
                    key: format!("backout-s1-m4-{sink}"),
                    sink: sink.into(),
                    template: "rollback_notification".into(),
                    text: "rolling back".into(),
                })
                .unwrap();
        }
        drop(journal);
    }
    let left = unfinished(records(&path).iter().map(|r| &r.entry));
    assert_eq!(left.len(), 2);

    let mut journal = Journal::open(&path, None);
    let n = notifier(&hooks(&rx, &["slack", "webhook"]));
    let (resent, may_have_been_sent) = n.resume(&mut journal, &left, &facts(), 0).await;
    assert_eq!(resent.len(), 1);
    assert_eq!(resent[0].sink, "webhook");
    assert_eq!(may_have_been_sent.len(), 1);
    assert_eq!(may_have_been_sent[0].sink, "slack");
    assert!(!may_have_been_sent[0].resend_safe);

    let got = rx.received();
    assert_eq!(got.len(), 1, "slack must not be resent by itself");
    assert_eq!(got[0].path, "/hook");
    assert_eq!(
        got[0].header("idempotency-key"),
        Some("backout-s1-m4-webhook")
    );
    let left = unfinished(records(&path).iter().map(|r| &r.entry));
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].sink, "slack");
}

#[tokio::test]
async fn a_drill_reaches_only_the_outbox() {
    let rx = Arc::new(Receiver::start(vec![]).await);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut journal = Journal::open(&path, None);
    // The console's own drill setup: both secrets are set and point at `rx`, yet every
    // sink the runbook names writes to the session's outbox.
    let front = FrontMatter {
        notify: Some(notify_block(&["slack", "webhook"])),
        ..FrontMatter::default()
    };
    let setup = notify_feed::setup(
        Some(&front),
        env(&rx),
        dir.path(),
        dir.path(),
        true,
        &Default::default(),
    );
    assert_eq!(setup.sinks, ["outbox:slack", "outbox:webhook"]);
    let n = setup.feed.expect("a drill has a feed").notifier;
    let results = n
        .send(
            &mut journal,
            &draft(1, MessageKind::RollbackNotification, "drill: rolling back"),
            |_, _| {},
        )
        .await;
    let sinks: Vec<&str> = results.iter().map(|r| r.sink.as_str()).collect();
    assert_eq!(sinks, ["outbox:slack", "outbox:webhook"]);
    assert!(rx.received().is_empty());
    let lines = std::fs::read_to_string(dir.path().join(outbox::FILE_NAME)).unwrap();
    assert_eq!(lines.lines().count(), 2);
    let rs = records(&path);
    let md = report::to_markdown(&report::build(&Progress::replay(&rs), &rs, None));
    assert!(md.contains("| rollback_notification | outbox:slack | delivered after 1 attempt: written to the outbox"), "{md}");
}

#[tokio::test]
async fn a_resumed_session_updates_the_incident_and_region_it_opened() {
    // one receiver each: the two sinks are sent to concurrently
    let sp = Receiver::start(vec![Reply::status(201).body(r#"{"id":"inc9"}"#)]).await;
    let gf = Receiver::start(vec![
        Reply::status(200).body(r#"{"id":77,"message":"Annotation added"}"#),
    ])
    .await;
    let notify = Notify {
        statuspage: Some(StatuspageSink {
            page_id: "pg1".into(),
            token_env: Some("SP".into()),
            api_url: Some(sp.url.clone()),
            ..StatuspageSink::default()
        }),
        grafana: Some(GrafanaSink {
            url: gf.url.clone(),
            ..GrafanaSink::default()
        }),
        ..Notify::default()
    };
    let env = |k: &str| (k == "SP").then(|| "sp-key-1234".to_string());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    {
        let mut journal = Journal::open(&path, None);
        let first = notifier(&configure(&notify, env, Path::new(".")));
        first
            .send(
                &mut journal,
                &draft(1, MessageKind::RollbackNotification, "rolling back"),
                |_, _| {},
            )
            .await;
    }
    // the console restarts: new sinks that know nothing, until the journal tells them
    let mut journal = Journal::open(&path, None);
    let resumed = notifier(&configure(&notify, env, Path::new(".")));
    resumed.remember(records(&path).iter().map(|r| &r.entry));
    resumed
        .send(
            &mut journal,
            &draft(2, MessageKind::AllClear, "all clear"),
            |_, _| {},
        )
        .await;
    let calls = |rx: &Receiver| -> Vec<(String, String)> {
        rx.received()
            .iter()
            .map(|r| (r.method.clone(), r.path.clone()))
            .collect()
    };
    let pair = |m: &str, p: &str| (m.to_string(), p.to_string());
    assert_eq!(
        calls(&sp),
        [
            pair("POST", "/v1/pages/pg1/incidents"),
            pair("PATCH", "/v1/pages/pg1/incidents/inc9")
        ]
    );
    assert_eq!(
        calls(&gf),
        [
            pair("POST", "/api/annotations"),
            pair("PATCH", "/api/annotations/77")
        ]
    );
}

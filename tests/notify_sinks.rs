//! Every notification sink against a local HTTP receiver: the exact method, path,
//! headers and JSON body, and the retry behaviour (429 with and without `Retry-After`,
//! 5xx, a timeout, a final 4xx). Waits are reported, not slept: the delivery loop is
//! given a sleeper that returns at once, so nothing here depends on timing.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use backout::adapters::notify::{self, Delivery, Progress, Sink, configure, deliver};
use backout::domain::notify::{IncidentFacts, MessageKind, Outgoing, RetryPolicy, SinkKind};
use backout::domain::redact::REDACTED;
use backout::domain::runbook::front_matter::{
    GithubSink, GrafanaSink, Notify, PagerdutySink, SecretUrl, StatuspageSink,
};
use serde_json::json;
use support::receiver::{Receiver, Reply};

const STARTED: i64 = 1_763_790_000_000;
const NOW: i64 = 1_763_790_600_000;

fn msg(kind: MessageKind, seq: u64) -> Outgoing {
    Outgoing {
        key: format!("backout-s1-m{seq}-sink"),
        at_ms: NOW,
        kind,
        text: format!("{} for checkout\nsecond line", kind.title()),
        incident: IncidentFacts {
            id: "s1".into(),
            title: "checkout rollback".into(),
            service: "checkout".into(),
            severity: "SEV-1".into(),
            started_at_ms: STARTED,
        },
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base: Duration::from_millis(2),
        ceiling: Duration::from_millis(10),
        retry_after_cap: Duration::from_secs(3600),
    }
}

/// The one sink `notify` configures, with these environment variables.
fn sink(notify: Notify, env: &[(&str, &str)]) -> Sink {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let configured = configure(
        &notify,
        |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
        std::path::Path::new("."),
    );
    assert!(configured.problems.is_empty(), "{:?}", configured.problems);
    assert_eq!(configured.sinks.len(), 1);
    configured.sinks.into_iter().next().expect("one sink")
}

async fn send_with(sink: &Sink, m: &Outgoing, timeout: Duration) -> (Delivery, Vec<Progress>) {
    let http = notify::http_client(timeout).expect("client");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let d = deliver(
        sink,
        &http,
        m,
        &fast(),
        |_| async {},
        move |p| log.lock().unwrap().push(p),
    )
    .await;
    let progress = seen.lock().unwrap().clone();
    (d, progress)
}

async fn send(sink: &Sink, m: &Outgoing) -> (Delivery, Vec<Progress>) {
    send_with(sink, m, Duration::from_secs(20)).await
}

fn url_sink(url: String) -> SecretUrl {
    let _ = url;
    SecretUrl {
        webhook_env: Some("HOOK_URL".into()),
        ..SecretUrl::default()
    }
}

fn webhook(rx: &Receiver) -> Sink {
    let url = format!("{}/hook/secret-part", rx.url);
    sink(
        Notify {
            webhook: Some(url_sink(url.clone())),
            ..Notify::default()
        },
        &[("HOOK_URL", &url)],
    )
}

fn wait_of(p: &Progress) -> Duration {
    match p {
        Progress::Retrying { wait, .. } => *wait,
    }
}

#[tokio::test]
async fn slack_posts_the_text_to_the_webhook() {
    let rx = Receiver::start(vec![Reply::status(200).body("ok")]).await;
    let url = format!("{}/services/T0/B0/xyz", rx.url);
    let s = sink(
        Notify {
            slack: Some(SecretUrl {
                webhook_env: Some("SLACK_WEBHOOK_URL".into()),
                channel: Some("#incidents".into()),
                ..SecretUrl::default()
            }),
            ..Notify::default()
        },
        &[("SLACK_WEBHOOK_URL", &url)],
    );
    assert_eq!(s.journal_name(), "slack");
    let m = msg(MessageKind::RollbackNotification, 1);
    let (d, _) = send(&s, &m).await;
    assert_eq!(d.outcome, Ok("HTTP 200".to_string()));
    assert_eq!(d.attempts, 1);
    let got = rx.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/services/T0/B0/xyz");
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    assert!(got[0].header("user-agent").unwrap().starts_with("backout/"));
    assert_eq!(
        got[0].json(),
        json!({ "text": m.text, "channel": "#incidents" })
    );
}

#[tokio::test]
async fn teams_posts_an_adaptive_card() {
    let rx = Receiver::start(vec![Reply::status(202)]).await;
    let url = format!(
        "{}/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t",
        rx.url
    );
    let s = sink(
        Notify {
            teams: Some(SecretUrl {
                webhook_env: Some("TEAMS_WEBHOOK_URL".into()),
                ..SecretUrl::default()
            }),
            ..Notify::default()
        },
        &[("TEAMS_WEBHOOK_URL", &url)],
    );
    let m = msg(MessageKind::AllClear, 2);
    let (d, _) = send(&s, &m).await;
    assert_eq!(d.outcome, Ok("HTTP 202".to_string()));
    let got = rx.received();
    assert_eq!(got[0].method, "POST");
    assert_eq!(
        got[0].path,
        "/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t"
    );
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    assert_eq!(
        got[0].json(),
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        { "type": "TextBlock", "text": "All clear: checkout", "weight": "Bolder", "size": "Medium", "wrap": true },
                        { "type": "TextBlock", "text": m.text, "wrap": true },
                        { "type": "FactSet", "facts": [
                            { "title": "Incident", "value": "s1" },
                            { "title": "Severity", "value": "SEV-1" }
                        ] }
                    ]
                }
            }]
        })
    );
}

#[tokio::test]
async fn the_generic_webhook_sends_json_and_an_idempotency_key() {
    let rx = Receiver::start(vec![Reply::status(200)]).await;
    let s = webhook(&rx);
    let m = msg(MessageKind::StatusUpdate, 3);
    let (d, _) = send(&s, &m).await;
    assert_eq!(d.outcome, Ok("HTTP 200".to_string()));
    let got = rx.received();
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/hook/secret-part");
    assert_eq!(got[0].header("idempotency-key"), Some("backout-s1-m3-sink"));
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    assert_eq!(
        got[0].json(),
        json!({
            "key": "backout-s1-m3-sink",
            "kind": "status_update",
            "text": m.text,
            "at_ms": NOW,
            "incident": {
                "id": "s1",
                "title": "checkout rollback",
                "service": "checkout",
                "severity": "SEV-1",
                "started_at_ms": STARTED,
            }
        })
    );
}

#[tokio::test]
async fn github_comments_on_the_issue() {
    let rx = Receiver::start(vec![Reply::status(201).body(r#"{"id":1}"#)]).await;
    let s = sink(
        Notify {
            github: Some(GithubSink {
                repo: "acme/shop".into(),
                issue: 42,
                token_env: Some("GH_TOKEN".into()),
                api_url: Some(format!("{}/", rx.url)),
                ..GithubSink::default()
            }),
            ..Notify::default()
        },
        &[("GH_TOKEN", "ghp_canary123")],
    );
    let m = msg(MessageKind::PostRollbackSummary, 4);
    let (d, _) = send(&s, &m).await;
    assert_eq!(d.outcome, Ok("HTTP 201".to_string()));
    let got = rx.received();
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/repos/acme/shop/issues/42/comments");
    assert_eq!(got[0].header("authorization"), Some("Bearer ghp_canary123"));
    assert_eq!(got[0].header("accept"), Some("application/vnd.github+json"));
    assert_eq!(got[0].header("x-github-api-version"), Some("2022-11-28"));
    assert!(got[0].header("user-agent").unwrap().starts_with("backout/"));
    assert_eq!(got[0].json(), json!({ "body": m.text }));
}

#[tokio::test]
async fn statuspage_creates_an_incident_then_updates_it() {
    let rx = Receiver::start(vec![Reply::status(201).body(r#"{"id":"inc9","name":"x"}"#)]).await;
    let s = sink(
        Notify {
            statuspage: Some(StatuspageSink {
                page_id: "pg1".into(),
                component_id: Some("cmp7".into()),
                token_env: Some("SP_KEY".into()),
                api_url: Some(rx.url.clone()),
                ..StatuspageSink::default()
            }),
            ..Notify::default()
        },
        &[("SP_KEY", "sp-key-123")],
    );
    let first = msg(MessageKind::RollbackNotification, 1);
    let (d, _) = send(&s, &first).await;
    assert_eq!(d.outcome, Ok("HTTP 201: created incident inc9".to_string()));
    let last = msg(MessageKind::AllClear, 2);
    let (d, _) = send(&s, &last).await;
    assert_eq!(d.outcome, Ok("HTTP 200: updated incident inc9".to_string()));

    let got = rx.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/v1/pages/pg1/incidents");
    assert_eq!(got[0].header("authorization"), Some("OAuth sp-key-123"));
    assert_eq!(
        got[0].json(),
        json!({ "incident": {
            "name": "checkout rollback",
            "status": "identified",
            "body": first.text,
            "component_ids": ["cmp7"],
            "components": { "cmp7": "partial_outage" },
        }})
    );
    assert_eq!(got[1].method, "PATCH");
    assert_eq!(got[1].path, "/v1/pages/pg1/incidents/inc9");
    assert_eq!(got[1].header("authorization"), Some("OAuth sp-key-123"));
    assert_eq!(
        got[1].json(),
        json!({ "incident": {
            "status": "resolved",
            "body": last.text,
            "component_ids": ["cmp7"],
            "components": { "cmp7": "operational" },
        }})
    );
}

#[tokio::test]
async fn grafana_marks_a_region_from_rollback_start_to_all_clear() {
    let rx = Receiver::start(vec![
        Reply::status(200).body(r#"{"message":"Annotation added","id":77}"#),
        Reply::status(200).body(r#"{"message":"Annotation patched"}"#),
    ])
    .await;
    let s = sink(
        Notify {
            grafana: Some(GrafanaSink {
                url: rx.url.clone(),
                dashboard_uid: Some("dash1".into()),
                token_env: Some("GRAFANA_TOKEN".into()),
                ..GrafanaSink::default()
            }),
            ..Notify::default()
        },
        &[("GRAFANA_TOKEN", "glsa_token_1")],
    );
    let first = msg(MessageKind::RollbackNotification, 1);
    let (d, _) = send(&s, &first).await;
    assert_eq!(d.outcome, Ok("HTTP 200: added annotation 77".to_string()));
    let last = msg(MessageKind::AllClear, 2);
    let (d, _) = send(&s, &last).await;
    assert_eq!(
        d.outcome,
        Ok("HTTP 200: closed region annotation 77".to_string())
    );
    let got = rx.received();
    let tags = json!(["backout", "incident:s1", "checkout", "SEV-1"]);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/api/annotations");
    assert_eq!(got[0].header("authorization"), Some("Bearer glsa_token_1"));
    assert_eq!(
        got[0].json(),
        json!({ "dashboardUID": "dash1", "time": STARTED, "tags": tags, "text": first.text })
    );
    assert_eq!(got[1].method, "PATCH");
    assert_eq!(got[1].path, "/api/annotations/77");
    assert_eq!(got[1].header("authorization"), Some("Bearer glsa_token_1"));
    assert_eq!(
        got[1].json(),
        json!({ "timeEnd": NOW, "tags": tags, "text": last.text })
    );
}

#[tokio::test]
async fn pagerduty_triggers_then_resolves_one_alert() {
    let rx = Receiver::start(vec![
        Reply::status(202).body(r#"{"status":"success","dedup_key":"x"}"#),
        Reply::status(202).body(r#"{"status":"success"}"#),
        Reply::status(202).body(r#"{"status":"success"}"#),
    ])
    .await;
    let s = sink(
        Notify {
            pagerduty: Some(PagerdutySink {
                routing_key_env: Some("PD_ROUTING_KEY".into()),
                api_url: Some(rx.url.clone()),
                ..PagerdutySink::default()
            }),
            ..Notify::default()
        },
        &[("PD_ROUTING_KEY", "R0UT1NGKEY")],
    );
    let trigger = msg(MessageKind::RollbackNotification, 1);
    assert_eq!(send(&s, &trigger).await.0.outcome, Ok("HTTP 202".into()));
    assert_eq!(
        send(&s, &msg(MessageKind::StatusUpdate, 2)).await.0.outcome,
        Ok("HTTP 202".into())
    );
    assert_eq!(
        send(&s, &msg(MessageKind::AllClear, 3)).await.0.outcome,
        Ok("HTTP 202".into())
    );
    let got = rx.received();
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/v2/enqueue");
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let dedup = "backout-s1-m0-pagerduty";
    assert_eq!(
        got[0].json(),
        json!({
            "routing_key": "R0UT1NGKEY",
            "event_action": "trigger",
            "dedup_key": dedup,
            "client": "backout",
            "payload": {
                "summary": "Rollback notification for checkout",
                "source": "checkout",
                "severity": "critical",
                "custom_details": { "message": trigger.text, "incident": "s1", "key": "backout-s1-m1-sink" },
            }
        })
    );
    assert_eq!(
        got[1].json(),
        json!({ "routing_key": "R0UT1NGKEY", "event_action": "acknowledge", "dedup_key": dedup })
    );
    assert_eq!(
        got[2].json(),
        json!({ "routing_key": "R0UT1NGKEY", "event_action": "resolve", "dedup_key": dedup })
    );
}

#[tokio::test]
async fn the_outbox_writes_json_lines_and_skips_a_key_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = notify::Outbox {
        path: dir.path().join(notify::outbox::FILE_NAME),
    };
    // As a drill builds it (runtime::notify_feed::setup): the runbook's sink, outbox target.
    let s = Sink::new(SinkKind::Webhook, notify::Target::Outbox(outbox.clone()));
    assert_eq!(s.journal_name(), "outbox:webhook");
    assert!(s.dedups());
    let m = msg(MessageKind::RollbackNotification, 1);
    let (d, _) = send(&s, &m).await;
    assert!(d.outcome.unwrap().starts_with("written to the outbox"));
    let (again, _) = send(&s, &m).await;
    assert!(again.outcome.unwrap().starts_with("already in the outbox"));
    let second = msg(MessageKind::AllClear, 2);
    send(&s, &second).await;

    let text = std::fs::read_to_string(&outbox.path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            json!({ "key": m.key, "sink": "webhook", "kind": "rollback_notification", "text": m.text, "at_ms": NOW, "incident": "s1" }),
            json!({ "key": second.key, "sink": "webhook", "kind": "all_clear", "text": second.text, "at_ms": NOW, "incident": "s1" }),
        ]
    );
}

#[tokio::test]
async fn a_429_with_retry_after_seconds_waits_that_long() {
    let rx = Receiver::start(vec![
        Reply::status(429).header("Retry-After", "7"),
        Reply::status(200),
    ])
    .await;
    let (d, progress) = send(&webhook(&rx), &msg(MessageKind::StatusUpdate, 1)).await;
    assert_eq!(d.outcome, Ok("HTTP 200".into()));
    assert_eq!(d.attempts, 2);
    assert_eq!(progress.len(), 1);
    assert_eq!(wait_of(&progress[0]), Duration::from_secs(7));
    let got = rx.received();
    assert_eq!(got.len(), 2);
    // a retry is the same message with the same key
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(
        got[0].header("idempotency-key"),
        got[1].header("idempotency-key")
    );
}

#[tokio::test]
async fn a_429_with_retry_after_http_date_waits_until_then() {
    let then = chrono::Utc::now() + chrono::Duration::seconds(120);
    let date = then.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let rx = Receiver::start(vec![
        Reply::status(429).header("Retry-After", &date),
        Reply::status(200),
    ])
    .await;
    let (d, progress) = send(&webhook(&rx), &msg(MessageKind::StatusUpdate, 1)).await;
    assert_eq!(d.outcome, Ok("HTTP 200".into()));
    assert_eq!(d.attempts, 2);
    let wait = wait_of(&progress[0]);
    // whole seconds on the wire, and the clock moved while the request ran
    assert!(
        wait > Duration::from_secs(60) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_within_the_ceiling() {
    let rx = Receiver::start(vec![
        Reply::status(429),
        Reply::status(429),
        Reply::status(200),
    ])
    .await;
    let (d, progress) = send(&webhook(&rx), &msg(MessageKind::StatusUpdate, 1)).await;
    assert_eq!(d.outcome, Ok("HTTP 200".into()));
    assert_eq!(d.attempts, 3);
    assert_eq!(progress.len(), 2);
    for p in &progress {
        let w = wait_of(p);
        assert!(
            w >= Duration::from_millis(1) && w <= fast().ceiling,
            "{w:?}"
        );
    }
    match &progress[0] {
        Progress::Retrying {
            attempt, detail, ..
        } => {
            assert_eq!(*attempt, 1);
            assert_eq!(detail, "HTTP 429");
        }
    }
}

#[tokio::test]
async fn server_errors_are_retried_until_the_attempts_are_spent() {
    let rx = Receiver::start(vec![
        Reply::status(503).body("upstream down"),
        Reply::status(502),
        Reply::status(200),
    ])
    .await;
    let (d, progress) = send(&webhook(&rx), &msg(MessageKind::StatusUpdate, 1)).await;
    assert_eq!((d.attempts, d.outcome), (3, Ok("HTTP 200".into())));
    assert_eq!(progress.len(), 2);

    let rx = Receiver::start(vec![Reply::status(500).body("boom"); 10]).await;
    let (d, progress) = send(&webhook(&rx), &msg(MessageKind::StatusUpdate, 1)).await;
    assert_eq!(d.attempts, 4);
    assert_eq!(d.outcome, Err("HTTP 500: boom".into()));
    assert_eq!(progress.len(), 3);
    assert_eq!(rx.received().len(), 4);
}

#[tokio::test]
async fn a_timeout_is_retried() {
    let rx = Receiver::start(vec![
        Reply::status(200).after(Duration::from_secs(30)),
        Reply::status(200),
    ])
    .await;
    let (d, progress) = send_with(
        &webhook(&rx),
        &msg(MessageKind::StatusUpdate, 1),
        Duration::from_millis(500),
    )
    .await;
    assert_eq!(d.outcome, Ok("HTTP 200".into()));
    assert_eq!(d.attempts, 2);
    match &progress[0] {
        Progress::Retrying { detail, .. } => assert_eq!(detail, "timed out"),
    }
}

#[tokio::test]
async fn a_client_error_is_final() {
    let rx = Receiver::start(vec![Reply::status(404).body("no such hook")]).await;
    let (d, progress) = send(&webhook(&rx), &msg(MessageKind::StatusUpdate, 1)).await;
    assert_eq!(d.attempts, 1);
    assert_eq!(d.outcome, Err("HTTP 404: no such hook".into()));
    assert!(progress.is_empty());
    assert_eq!(rx.received().len(), 1);
}

#[tokio::test]
async fn a_connection_error_never_shows_the_webhook_url() {
    // a port nothing listens on: bind, note it, close
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/services/T0/B0/very-secret-path");
    let s = sink(
        Notify {
            slack: Some(url_sink(url.clone())),
            ..Notify::default()
        },
        &[("HOOK_URL", &url)],
    );
    let (d, progress) = send(&s, &msg(MessageKind::StatusUpdate, 1)).await;
    let err = d.outcome.unwrap_err();
    assert!(err.starts_with("cannot connect"), "{err}");
    assert_eq!(d.attempts, 4);
    for text in progress
        .iter()
        .map(|p| match p {
            Progress::Retrying { detail, .. } => detail.clone(),
        })
        .chain([err])
    {
        assert!(!text.contains("very-secret-path"), "{text}");
        assert!(!text.contains(&port.to_string()), "{text}");
    }
}

#[test]
fn configuration_reads_secrets_registers_them_and_reports_problems() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pd.key"), "  file-routing-key \n").unwrap();
    std::fs::write(dir.path().join("empty"), "\n").unwrap();
    let notify = Notify {
        slack: Some(SecretUrl {
            webhook_env: Some("SLACK_URL".into()),
            ..SecretUrl::default()
        }),
        teams: Some(SecretUrl {
            webhook_env: Some("UNSET_VAR".into()),
            ..SecretUrl::default()
        }),
        webhook: Some(SecretUrl::default()),
        github: Some(GithubSink {
            repo: "not-a-repo".into(),
            issue: 1,
            token_env: Some("SLACK_URL".into()),
            ..GithubSink::default()
        }),
        statuspage: Some(StatuspageSink {
            page_id: "p".into(),
            token_env: Some("A".into()),
            token_file: Some("empty".into()),
            ..StatuspageSink::default()
        }),
        grafana: Some(GrafanaSink {
            url: "http://grafana.local".into(),
            token_file: Some("empty".into()),
            ..GrafanaSink::default()
        }),
        pagerduty: Some(PagerdutySink {
            routing_key_file: Some("pd.key".into()),
            ..PagerdutySink::default()
        }),
    };
    let c = configure(
        &notify,
        |k| (k == "SLACK_URL").then(|| "https://hooks.slack.com/services/T/B/abcdef".into()),
        dir.path(),
    );
    let redactor = c.redactor();
    let kinds: Vec<SinkKind> = c.sinks.iter().map(Sink::kind).collect();
    assert_eq!(kinds, [SinkKind::Slack, SinkKind::Pagerduty]);
    let problems: Vec<String> = c
        .problems
        .iter()
        .map(|p| {
            p.to_string()
                .replace(&dir.path().display().to_string(), "DIR")
        })
        .collect();
    assert_eq!(
        problems,
        [
            "notify.teams: webhook_env names `UNSET_VAR`, which is not set",
            "notify.webhook: needs webhook_env or webhook_file",
            "notify.github: repo must be `owner/name`, not `not-a-repo`",
            "notify.statuspage: sets both token_env and token_file; keep one",
            "notify.grafana: token_file DIR/empty is empty",
        ]
    );
    assert_eq!(
        redactor.redact("url https://hooks.slack.com/services/T/B/abcdef key file-routing-key"),
        format!("url {REDACTED} key {REDACTED}")
    );
    // and a sink's Debug never shows its secret
    let shown = format!("{:?}", c.sinks);
    assert!(
        !shown.contains("abcdef") && !shown.contains("file-routing-key"),
        "{shown}"
    );
}

/// Issue 15, point 7: secret files are bounded. `/dev/zero` used to be read until the
/// process held 2.1 GB; a FIFO blocked the console before its first frame.
#[test]
fn secret_files_that_are_not_small_regular_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("hook.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    std::fs::write(dir.path().join("huge"), vec![b'h'; 64 * 1024 + 1]).unwrap();
    let file_sink = |file: &str| SecretUrl {
        webhook_file: Some(file.into()),
        ..SecretUrl::default()
    };
    let notify = Notify {
        slack: Some(file_sink("/dev/zero")),
        teams: Some(file_sink("hook.fifo")),
        webhook: Some(file_sink("huge")),
        ..Notify::default()
    };
    let c = configure(&notify, |_| None, dir.path());
    assert!(c.sinks.is_empty());
    let problems: Vec<String> = c
        .problems
        .iter()
        .map(|p| {
            p.to_string()
                .replace(&dir.path().display().to_string(), "DIR")
        })
        .collect();
    assert_eq!(
        problems,
        [
            "notify.slack: cannot read webhook_file /dev/zero: not a regular file (a character device); a secret file must be a plain file",
            "notify.teams: cannot read webhook_file DIR/hook.fifo: not a regular file (a FIFO); a secret file must be a plain file",
            "notify.webhook: cannot read webhook_file DIR/huge: 65537 bytes is too large for a secret file (at most 64 KiB)",
        ]
    );
}

//! The console's notifier: an owned task that delivers messages (`NotifyEffect::Deliver`)
//! concurrently and reports retries and outcomes as `Msg::Notify`. The journaling is the
//! reducer's: `MessageQueued` is on disk before a delivery is asked for, and the outcome
//! is journaled when `Msg::Notify(Finished)` comes back.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::notifier::Notifier;
use crate::adapters::notify::Progress;
use crate::domain::notify::Outgoing;
use crate::ui::msg::Msg;
use crate::ui::state::messaging::NotifyEvent;

/// Deliveries waiting for the task; more are refused (and reported as failed, to retry).
const QUEUE: usize = 64;

/// The sinks the console sends to (already diverted to the outbox in a drill).
pub struct NotifierFeed {
    pub notifier: Notifier,
}

pub struct NotifyTask {
    jobs: mpsc::Sender<(String, Outgoing)>,
    task: JoinHandle<()>,
}

impl NotifyTask {
    pub fn spawn(feed: NotifierFeed, tx: mpsc::Sender<Msg>) -> NotifyTask {
        let (jobs, mut rx) = mpsc::channel::<(String, Outgoing)>(QUEUE);
        let notifier = Arc::new(feed.notifier);
        let task = tokio::spawn(async move {
            while let Some((sink, msg)) = rx.recv().await {
                let notifier = notifier.clone();
                let tx = tx.clone();
                tokio::spawn(async move { deliver(&notifier, sink, msg, tx).await });
            }
        });
        NotifyTask { jobs, task }
    }

    /// Queues a delivery; when the queue is full or closed, answers at once with a
    /// failure the operator can retry.
    pub fn send(&self, sink: String, msg: Outgoing, tx: &mpsc::Sender<Msg>) {
        if let Err(e) = self.jobs.try_send((sink, msg)) {
            let (sink, msg) = e.into_inner();
            refuse(
                tx,
                sink,
                msg,
                "the notifier is busy; retry from the messages list",
            );
        }
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

/// Answers a delivery that cannot be attempted.
pub fn refuse(tx: &mpsc::Sender<Msg>, sink: String, msg: Outgoing, why: &str) {
    let _ = tx.try_send(Msg::Notify(NotifyEvent::Finished {
        key: msg.key,
        sink,
        attempts: 0,
        outcome: Err(why.to_string()),
    }));
}

async fn deliver(notifier: &Notifier, sink: String, msg: Outgoing, tx: mpsc::Sender<Msg>) {
    let key = msg.key.clone();
    let progress = |name: &str, p: Progress| {
        let Progress::Retrying {
            attempt,
            wait,
            detail,
        } = p;
        // progress is advisory: dropped if the console is busy
        let _ = tx.try_send(Msg::Notify(NotifyEvent::Retrying {
            key: key.clone(),
            sink: name.to_string(),
            attempt,
            wait,
            detail,
        }));
    };
    let event = match notifier.deliver_to(&sink, &msg, &progress).await {
        Some(d) => NotifyEvent::Finished {
            key: msg.key.clone(),
            sink,
            attempts: d.attempts,
            outcome: d.outcome,
        },
        None => NotifyEvent::Finished {
            key: msg.key.clone(),
            sink,
            attempts: 0,
            outcome: Err("this sink is not configured in this console".into()),
        },
    };
    let _ = tx.send(Msg::Notify(event)).await;
}

/// What a console session's `notify` block gave.
pub struct Setup {
    /// `None` when no sink is usable.
    pub feed: Option<NotifierFeed>,
    /// The journal names of the usable sinks (`outbox:slack` in a drill).
    pub sinks: Vec<String>,
    /// Sinks that could not be configured, for the operator.
    pub problems: Vec<String>,
    /// Every secret read: register them with the journal and the console's redactor.
    pub secrets: Vec<String>,
}

/// Builds the session's sinks from the runbook's `notify` block (secrets from `env` or
/// files relative to `runbook_dir`); with `drill`, every sink writes to the outbox in
/// `session_dir` instead. `delivered` (the session's state so far: what each sink's
/// deliveries said) restores what earlier deliveries created (a Statuspage incident, a
/// Grafana annotation).
pub fn setup(
    front: Option<&crate::domain::runbook::front_matter::FrontMatter>,
    env: impl Fn(&str) -> Option<String>,
    runbook_dir: &std::path::Path,
    session_dir: &std::path::Path,
    drill: bool,
    delivered: &crate::domain::session_state::Deliveries,
) -> Setup {
    use crate::adapters::notify::{Outbox, Sink, Target, configure, named_sinks, outbox};
    use crate::domain::notify::RetryPolicy;
    let Some(notify) = front.and_then(|f| f.notify.as_ref()) else {
        return Setup {
            feed: None,
            sinks: Vec::new(),
            problems: Vec::new(),
            secrets: Vec::new(),
        };
    };
    let configured = configure(notify, env, runbook_dir);
    // A drill sends nothing anywhere: every sink the runbook names writes to the outbox,
    // whether or not its secret is set on this machine.
    let (sinks, mut problems): (Vec<Sink>, Vec<String>) = if drill {
        let outbox = Outbox {
            path: session_dir.join(outbox::FILE_NAME),
        };
        let sinks = named_sinks(notify)
            .into_iter()
            .map(|kind| Sink::new(kind, Target::Outbox(outbox.clone())))
            .collect();
        (sinks, Vec::new())
    } else {
        let problems = configured.problems.iter().map(|p| p.to_string()).collect();
        (configured.sinks.clone(), problems)
    };
    let secrets: Vec<String> = configured
        .secrets
        .iter()
        .map(|s| s.expose().to_string())
        .collect();
    let redactor = configured.redactor();
    let built = Notifier::new(
        sinks,
        RetryPolicy::default(),
        std::time::Duration::from_secs(10),
        redactor,
    );
    let notifier = match built {
        Ok(n) => Some(n),
        Err(e) => {
            problems.push(format!("notify: cannot build the HTTP client: {e}"));
            None
        }
    };
    let notifier = notifier.filter(|n| !n.sinks().is_empty());
    if let Some(n) = &notifier {
        n.remember_delivered(delivered);
    }
    let sinks = notifier
        .as_ref()
        .map(|n| n.sinks().iter().map(|s| s.journal_name()).collect())
        .unwrap_or_default();
    Setup {
        feed: notifier.map(|notifier| NotifierFeed { notifier }),
        sinks,
        problems,
        secrets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::runbook::front_matter::{FrontMatter, Notify, PagerdutySink, SecretUrl};

    fn front() -> FrontMatter {
        FrontMatter {
            notify: Some(Notify {
                webhook: Some(SecretUrl {
                    webhook_env: Some("HOOK".into()),
                    ..SecretUrl::default()
                }),
                slack: Some(SecretUrl {
                    webhook_env: Some("UNSET".into()),
                    ..SecretUrl::default()
                }),
                pagerduty: Some(PagerdutySink {
                    routing_key_env: Some("PD".into()),
                    ..PagerdutySink::default()
                }),
                ..Notify::default()
            }),
            ..FrontMatter::default()
        }
    }

    fn env(k: &str) -> Option<String> {
        match k {
            "HOOK" => Some("http://127.0.0.1:9/hook-secret".into()),
            "PD" => Some("pd-routing-key".into()),
            _ => None,
        }
    }

    #[test]
    fn a_drill_diverts_every_sink_and_secrets_come_back_for_redaction() {
        let dir = std::path::Path::new("/tmp/session");
        let s = setup(Some(&front()), env, dir, dir, true, &Default::default());
        // Slack's variable is unset on this machine: in a drill its outbox stands in anyway.
        assert_eq!(
            s.sinks,
            ["outbox:slack", "outbox:webhook", "outbox:pagerduty"]
        );
        assert!(s.feed.is_some());
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(
            s.secrets,
            ["http://127.0.0.1:9/hook-secret", "pd-routing-key"]
        );
        let live = setup(Some(&front()), env, dir, dir, false, &Default::default());
        assert_eq!(live.sinks, ["webhook", "pagerduty"]);
        assert_eq!(
            live.problems,
            ["notify.slack: webhook_env names `UNSET`, which is not set"]
        );
    }

    #[test]
    fn no_notify_block_no_feed() {
        let dir = std::path::Path::new(".");
        let s = setup(
            Some(&FrontMatter::default()),
            env,
            dir,
            dir,
            false,
            &Default::default(),
        );
        assert!(s.feed.is_none() && s.sinks.is_empty() && s.problems.is_empty());
        let s = setup(None, env, dir, dir, true, &Default::default());
        assert!(s.feed.is_none());
    }
}

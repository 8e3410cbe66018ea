//! End to end, as an operator: the real binary in tmux sends a message to a generic
//! webhook and a GitHub issue (local receivers), the messages list shows the delivery,
//! `backout report` lists it, and a canary token given in the environment appears in no
//! file under the session home (journal, log, outbox) and on no screen.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::receiver::Receiver;
use support::tmux::Tmux;

const CANARY: &str = "ghp-canary-5d1e9a7c3b";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_backout")
}

fn runbook(dir: &Path, api: &str) -> std::path::PathBuf {
    let path = dir.join("notify-rollback.md");
    let text = format!(
        "---
title: Checkout rollback
target: {{ namespace: shop, deployment: checkout }}
notify:
  webhook: {{ webhook_env: BACKOUT_E2E_HOOK }}
  github: {{ repo: acme/shop, issue: 7, token_env: BACKOUT_E2E_GH, api_url: \"{api}\" }}
messages:
  rollback_notification: \"Rolling back {{{{service}}}} in {{{{namespace}}}}\"
---
# Checkout rollback

## Execute

- [ ] Roll back the deployment

## Communicate

- [ ] Tell the stakeholders
"
    );
    std::fs::write(&path, text).expect("write runbook");
    path
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_message_reaches_its_sinks_and_the_token_reaches_nothing_else() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let rx = rt.block_on(Receiver::start(vec![]));
    let home = tempfile::tempdir().expect("tempdir");
    let work = tempfile::tempdir().expect("tempdir");
    let rb = runbook(work.path(), &rx.url);
    let hook = format!("{}/hook/abc", rx.url);
    let t = Tmux::start(
        "notify",
        120,
        40,
        &[
            ("BACKOUT_HOME", home.path()),
            ("BACKOUT_E2E_HOOK", Path::new(&hook)),
            ("BACKOUT_E2E_GH", Path::new(CANARY)),
        ],
        &format!("{} {}", bin(), rb.display()),
    );
    let mut screens = Vec::new();
    screens.push(t.wait_for("Procedure 0/2"));
    t.keys(&["m"]);
    screens.push(t.wait_for("Message: Rollback notification"));
    assert!(
        screens[1].contains("Rolling back checkout in shop"),
        "{}",
        screens[1]
    );
    assert!(screens[1].contains("To: webhook, github"), "{}", screens[1]);
    t.keys(&["C-s"]);
    screens.push(t.wait_for("Send it now?"));
    t.keys(&["y"]);

    let deadline = Instant::now() + Duration::from_secs(60);
    while rx.received().len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the sinks got {:?}",
            rx.received()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let got = rx.received();
    let gh = got
        .iter()
        .find(|r| r.path == "/repos/acme/shop/issues/7/comments")
        .expect("a GitHub comment");
    assert_eq!(
        gh.header("authorization"),
        Some(format!("Bearer {CANARY}").as_str())
    );
    assert_eq!(gh.json()["body"], "Rolling back checkout in shop");
    let hook_req = got
        .iter()
        .find(|r| r.path == "/hook/abc")
        .expect("a webhook");
    assert!(
        hook_req
            .header("idempotency-key")
            .unwrap()
            .ends_with("-webhook")
    );

    t.keys(&["M"]);
    screens.push(t.wait_until("both delivered", |s| {
        s.matches("delivered after 1 attempt").count() >= 2
    }));
    t.keys(&["Escape", "q"]);
    t.wait_exit();

    for s in &screens {
        assert!(!s.contains(CANARY), "a screen shows the token:\n{s}");
    }
    let out = Command::new(bin())
        .args(["report", "--format", "md"])
        .env("BACKOUT_HOME", home.path())
        .output()
        .expect("backout report");
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        md.contains("| rollback_notification | webhook | delivered after 1 attempt: HTTP 200 |"),
        "{md}"
    );
    assert!(
        md.contains("| rollback_notification | github | delivered after 1 attempt: HTTP 200 |"),
        "{md}"
    );
    assert!(!md.contains(CANARY), "{md}");

    let files = files_under(home.path());
    assert!(
        files
            .iter()
            .any(|f| f.file_name().is_some_and(|n| n == "journal.jsonl")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.to_string_lossy().contains("backout.log")),
        "{files:?}"
    );
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(CANARY), "{} holds the token", f.display());
        assert!(
            !text.contains("/hook/abc"),
            "{} holds the webhook URL",
            f.display()
        );
    }
}

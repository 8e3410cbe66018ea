//! The shell probe: runs a command (already confirmed by the operator) through
//! [`crate::adapters::shell`] and judges its exit code.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::adapters::shell::{ShellEvent, spawn};
use crate::domain::duration_text::precise_ms;
use crate::domain::verify::{Observation, judge_shell};

/// Runs `command` under `/bin/sh -c` with `env` added, at most `timeout` (then it is
/// cancelled and the sample is unknown).
pub async fn probe_shell(
    command: &str,
    env: &[(String, String)],
    timeout: Duration,
) -> Observation {
    let (tx, mut rx) = mpsc::channel(64);
    let handle = match spawn(command, env, tx) {
        Ok(h) => h,
        Err(e) => return judge_shell(Err(&format!("could not start: {e}")), ""),
    };
    let mut last = String::new();
    let waited = tokio::time::timeout(timeout, async {
        while let Some(event) = rx.recv().await {
            match event {
                ShellEvent::Line { text, .. } => {
                    if !text.trim().is_empty() {
                        last = text;
                    }
                }
                ShellEvent::Exited {
                    exit_code, signal, ..
                } => {
                    return match (exit_code, signal) {
                        (Some(code), _) => Ok(code),
                        (None, Some(sig)) => Err(format!("killed by signal {sig}")),
                        (None, None) => Err("no exit status".to_string()),
                    };
                }
            }
        }
        Err("no exit status".to_string())
    })
    .await;
    match waited {
        Ok(exit) => judge_shell(exit.as_ref().map(|c| *c).map_err(String::as_str), &last),
        Err(_) => {
            handle.cancel();
            judge_shell(
                Err(&format!(
                    "timed out after {}",
                    precise_ms(timeout.as_millis() as u64)
                )),
                &last,
            )
        }
    }
}

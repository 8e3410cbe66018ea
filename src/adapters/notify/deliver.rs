//! Delivering one message to one sink under the retry policy: attempts, waits (told to
//! the caller before they happen, so the console can show "retrying in 4s"), and the
//! outcome.

use std::future::Future;
use std::time::Duration;

use reqwest::Client;

use super::sink::Sink;
use crate::domain::notify::{AttemptClass, Decision, Outgoing, RetryPolicy};

/// The HTTP client every sink shares: a per-request timeout (a timeout is retryable) and
/// a `backout/<version>` User-Agent (GitHub requires one).
pub fn http_client(timeout: Duration) -> Result<Client, reqwest::Error> {
    Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("backout/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Something the caller should know while a delivery runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Attempt `attempt` failed as `detail`; the next one starts after `wait`.
    Retrying {
        attempt: u32,
        wait: Duration,
        detail: String,
    },
}

/// How the delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub attempts: u32,
    /// `Ok(detail)` delivered; `Err(error)` gave up (final answer or attempts spent).
    pub outcome: Result<String, String>,
}

/// Tries `msg` on `sink` until it is delivered, a final answer comes, or the policy's
/// attempts are spent. `sleep` waits (tests shorten it; the console uses tokio's).
/// Nothing is logged here: details may quote a sink's answer, so the caller redacts
/// them before they go anywhere.
pub async fn deliver<S, F>(
    sink: &Sink,
    http: &Client,
    msg: &Outgoing,
    policy: &RetryPolicy,
    mut sleep: S,
    mut progress: impl FnMut(Progress),
) -> Delivery
where
    S: FnMut(Duration) -> F,
    F: Future<Output = ()>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let tried = sink.attempt(http, msg).await;
        if tried.class == AttemptClass::Delivered {
            return Delivery {
                attempts: attempt,
                outcome: Ok(tried.detail),
            };
        }
        let jitter: f64 = rand::random();
        match policy.after_failure(attempt, &tried.class, jitter) {
            Decision::GiveUp => {
                return Delivery {
                    attempts: attempt,
                    outcome: Err(tried.detail),
                };
            }
            Decision::RetryIn(wait) => {
                progress(Progress::Retrying {
                    attempt,
                    wait,
                    detail: tried.detail,
                });
                sleep(wait).await;
            }
        }
    }
}

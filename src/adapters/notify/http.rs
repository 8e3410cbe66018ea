//! One HTTP attempt, classified for the retry policy. Transport errors are reported
//! without their URL (a webhook URL is a secret).

use chrono::Utc;
use reqwest::RequestBuilder;

use crate::domain::notify::{AttemptClass, classify_status, parse_retry_after};

/// How one attempt went: the class decides retrying, `detail` is journaled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub class: AttemptClass,
    pub detail: String,
}

impl Attempt {
    pub fn delivered(detail: impl Into<String>) -> Attempt {
        Attempt {
            class: AttemptClass::Delivered,
            detail: detail.into(),
        }
    }

    pub fn final_error(detail: impl Into<String>) -> Attempt {
        Attempt {
            class: AttemptClass::Final,
            detail: detail.into(),
        }
    }
}

/// A 2xx answer.
pub(super) struct Answer {
    pub status: u16,
    pub body: String,
}

/// Longest piece of a response body quoted in a detail.
const BODY_QUOTE: usize = 300;

/// Sends the request; a 2xx is `Ok`, anything else an `Err` attempt already classified.
pub(super) async fn send(req: RequestBuilder) -> Result<Answer, Attempt> {
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return Err(transport_error(e)),
    };
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, Utc::now()));
    let body = match resp.text().await {
        Ok(b) => b,
        Err(e) => return Err(transport_error(e)),
    };
    match classify_status(status, retry_after) {
        AttemptClass::Delivered => Ok(Answer { status, body }),
        class => {
            let quote: String = body.trim().chars().take(BODY_QUOTE).collect();
            let detail = if quote.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {quote}")
            };
            Err(Attempt { class, detail })
        }
    }
}

fn transport_error(e: reqwest::Error) -> Attempt {
    let e = e.without_url();
    let class = if e.is_builder() {
        AttemptClass::Final
    } else {
        AttemptClass::Retryable { retry_after: None }
    };
    let what = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        format!("cannot connect: {}", source_chain(&e))
    } else {
        source_chain(&e)
    };
    Attempt {
        class,
        detail: what,
    }
}

/// The error and its causes, without the URL.
fn source_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

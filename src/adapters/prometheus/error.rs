//! Everything that can go wrong talking to Prometheus, each readable on one line.

use std::fmt;
use std::time::Duration;

use thiserror::Error;

use crate::domain::duration_text::precise_ms;

/// A Prometheus API failure. Display is one line with no secrets (credentials never
/// enter URLs we print: they are moved out of the base URL when the client is built).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PromError {
    /// The base URL cannot be used.
    #[error("invalid Prometheus URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// No HTTP exchange happened (DNS, refused connection, TLS).
    #[error("cannot reach Prometheus at {url}: {reason}")]
    Connect { url: String, reason: String },
    /// No complete answer within the client timeout.
    #[error("Prometheus at {url} did not answer within {}", precise_ms(timeout.as_millis() as u64))]
    Timeout { url: String, timeout: Duration },
    /// Prometheus answered with its error envelope (`"status": "error"`).
    #[error("Prometheus refused the query (HTTP {status}, {error_type}): {message}")]
    Api {
        status: u16,
        error_type: ErrorType,
        message: String,
        /// The server's `Retry-After`, when it sent one (in seconds).
        retry_after: Option<Duration>,
    },
    /// Something answered that is not Prometheus' API (a proxy's HTML page, an empty
    /// body, …).
    #[error("HTTP {status} from {url} is not a Prometheus API answer: {excerpt}")]
    NotPrometheus {
        url: String,
        status: u16,
        excerpt: String,
        /// The server's `Retry-After`, when it sent one (in seconds).
        retry_after: Option<Duration>,
    },
    /// A Prometheus-shaped answer we cannot use (unknown result type, bad number, …).
    #[error("unexpected answer from Prometheus: {reason}")]
    Decode { reason: String },
    /// The answer exceeded the size limit.
    #[error("Prometheus' answer is larger than {limit} bytes; narrow the query or the range")]
    TooLarge { limit: usize },
}

impl PromError {
    /// How long the server asked us to wait before retrying (`Retry-After`), if it did.
    /// Absent on most Prometheus answers: callers then use their own backoff.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PromError::Api { retry_after, .. } | PromError::NotPrometheus { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    pub(crate) fn with_retry_after(mut self, value: Option<Duration>) -> Self {
        if let PromError::Api { retry_after, .. } | PromError::NotPrometheus { retry_after, .. } =
            &mut self
        {
            *retry_after = value;
        }
        self
    }

    /// Whether trying again later may help (timeouts, unreachable, overloaded or
    /// restarting server), as opposed to a query that will fail the same way again.
    pub fn is_transient(&self) -> bool {
        match self {
            PromError::Connect { .. } | PromError::Timeout { .. } => true,
            PromError::Api { error_type, .. } => matches!(
                error_type,
                ErrorType::Timeout | ErrorType::Unavailable | ErrorType::Canceled
            ),
            PromError::NotPrometheus { status, .. } => *status >= 500 || *status == 429,
            PromError::InvalidUrl { .. }
            | PromError::Decode { .. }
            | PromError::TooLarge { .. } => false,
        }
    }
}

/// Prometheus' `errorType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorType {
    /// `bad_data` (HTTP 400): the query or a parameter is malformed.
    BadData,
    /// `execution` (HTTP 422): the query cannot be executed (e.g. many-to-many matching).
    Execution,
    /// `timeout` (HTTP 503): the query hit the evaluation timeout.
    Timeout,
    /// `canceled` (HTTP 503).
    Canceled,
    /// `unavailable` (HTTP 503): e.g. the server is still starting.
    Unavailable,
    /// `internal` (HTTP 500).
    Internal,
    /// `not_found` (HTTP 404).
    NotFound,
    /// Any other value, as sent.
    Other(String),
}

impl ErrorType {
    /// From the wire name.
    pub fn parse(s: &str) -> ErrorType {
        match s {
            "bad_data" => ErrorType::BadData,
            "execution" => ErrorType::Execution,
            "timeout" => ErrorType::Timeout,
            "canceled" => ErrorType::Canceled,
            "unavailable" => ErrorType::Unavailable,
            "internal" => ErrorType::Internal,
            "not_found" => ErrorType::NotFound,
            other => ErrorType::Other(one_line(other, 40)),
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorType::BadData => "bad_data",
            ErrorType::Execution => "execution",
            ErrorType::Timeout => "timeout",
            ErrorType::Canceled => "canceled",
            ErrorType::Unavailable => "unavailable",
            ErrorType::Internal => "internal",
            ErrorType::NotFound => "not_found",
            ErrorType::Other(s) => s,
        })
    }
}

/// Collapses whitespace (newlines included) and cuts to `max` characters with `…`.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let mut cut: String = collapsed.chars().take(max).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_collapses_and_cuts() {
        assert_eq!(
            one_line("<html>\n  <body>502 Bad\tGateway</body>\n</html>", 100),
            "<html> <body>502 Bad Gateway</body> </html>"
        );
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("", 3), "");
    }
}

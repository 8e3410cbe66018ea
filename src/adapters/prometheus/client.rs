//! The HTTP client for Prometheus' query API (`/api/v1/query`, `/api/v1/query_range`).

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Url;

use super::error::PromError;
use super::response::{QueryResult, decode};
use crate::domain::duration_text::precise_ms;

/// Largest answer accepted, so a runaway range query cannot eat the console's memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

pub use crate::adapters::secret::Secret;

/// How to authenticate to Prometheus (or the proxy in front of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic …`.
    Basic { username: String, password: Secret },
}

/// A Prometheus query API client. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct PrometheusClient {
    http: reqwest::Client,
    base: Url,
    auth: Option<Auth>,
    timeout: Duration,
}

impl fmt::Debug for PrometheusClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrometheusClient")
            .field("base", &self.base.as_str())
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl PrometheusClient {
    /// A client for the Prometheus at `base_url` (`http://host:9090`, or a path prefix
    /// such as `https://host/prometheus`).
    ///
    /// `timeout` bounds each request as a whole; Prometheus is also sent a `timeout`
    /// parameter slightly shorter (by a tenth, at least 100 ms, at most 1 s) so that a
    /// slow query ends with Prometheus' own `timeout` error rather than a cut
    /// connection. Credentials written into the URL (`https://user:pass@host`) are
    /// moved out of it into basic auth (unless `auth` is given), so they never appear
    /// in error messages.
    pub fn new(
        base_url: &str,
        auth: Option<Auth>,
        timeout: Duration,
    ) -> Result<PrometheusClient, PromError> {
        let invalid = |reason: &str| PromError::InvalidUrl {
            url: strip_credentials_text(base_url),
            reason: reason.to_string(),
        };
        let mut base = Url::parse(base_url.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("only http and https are supported"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("a base URL takes no query or fragment"));
        }
        let mut auth = auth;
        if !base.username().is_empty() || base.password().is_some() {
            if auth.is_none() {
                auth = Some(Auth::Basic {
                    username: percent_decode(base.username()),
                    password: Secret::new(percent_decode(base.password().unwrap_or(""))),
                });
            }
            let _ = base.set_username("");
            let _ = base.set_password(None);
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        if timeout.is_zero() {
            return Err(invalid("the timeout must be more than zero"));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("backout/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| invalid(&e.to_string()))?;
        Ok(PrometheusClient {
            http,
            base,
            auth,
            timeout,
        })
    }

    /// The base URL, without credentials.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The client-side timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The `timeout` parameter sent to Prometheus.
    pub fn server_timeout(&self) -> Duration {
        let margin = (self.timeout / 10).clamp(Duration::from_millis(100), Duration::from_secs(1));
        self.timeout
            .saturating_sub(margin)
            .max(Duration::from_millis(1))
    }

    /// An instant query, evaluated at `at` (Prometheus' "now" when `None`).
    pub async fn instant(
        &self,
        query: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<QueryResult, PromError> {
        let mut params = vec![("query", query.to_string())];
        if let Some(at) = at {
            params.push(("time", unix(at)));
        }
        self.get("api/v1/query", params).await
    }

    /// A range query from `start` to `end` every `step` (at least 1 ms).
    pub async fn range(
        &self,
        query: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
    ) -> Result<QueryResult, PromError> {
        let step = step.max(Duration::from_millis(1));
        let params = vec![
            ("query", query.to_string()),
            ("start", unix(start)),
            ("end", unix(end)),
            ("step", seconds(step)),
        ];
        self.get("api/v1/query_range", params).await
    }

    async fn get(
        &self,
        path: &str,
        mut params: Vec<(&str, String)>,
    ) -> Result<QueryResult, PromError> {
        let url = self.base.join(path).map_err(|e| PromError::InvalidUrl {
            url: self.base.to_string(),
            reason: e.to_string(),
        })?;
        params.push(("timeout", seconds(self.server_timeout())));
        let mut request = self
            .http
            .get(url.clone())
            .query(&params)
            .header(reqwest::header::ACCEPT, "application/json");
        request = match &self.auth {
            Some(Auth::Bearer(token)) => request.bearer_auth(token.expose()),
            Some(Auth::Basic { username, password }) => {
                request.basic_auth(username, Some(password.expose()))
            }
            None => request,
        };
        let shown = url.as_str().to_string();
        let fail = |e: reqwest::Error| self.transport_error(&shown, e);
        let mut response = request.send().await.map_err(fail)?;
        let status = response.status().as_u16();
        // Only the delay-seconds form; an HTTP-date is rare from Prometheus or its proxies.
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(PromError::TooLarge {
                    limit: MAX_RESPONSE_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(url = %shown, status, bytes = body.len(), "prometheus answered");
        decode(status, &body, &shown).map_err(|e| e.with_retry_after(retry_after))
    }

    fn transport_error(&self, url: &str, e: reqwest::Error) -> PromError {
        if e.is_timeout() {
            return PromError::Timeout {
                url: url.to_string(),
                timeout: self.timeout,
            };
        }
        // reqwest's own message is generic; the cause chain says what happened.
        let mut reason = Vec::new();
        let mut source: Option<&dyn std::error::Error> = Some(&e);
        while let Some(s) = source {
            let text = s.to_string();
            if !reason.iter().any(|r: &String| r.contains(&text)) {
                reason.push(text);
            }
            source = s.source();
        }
        let reason = reason
            .into_iter()
            .filter(|r| !r.starts_with("error sending request"))
            .collect::<Vec<_>>()
            .join(": ");
        let reason = if reason.is_empty() {
            "connection failed".to_string()
        } else {
            super::error::one_line(&reason, 200)
        };
        if e.is_connect() || e.is_request() {
            PromError::Connect {
                url: url.to_string(),
                reason,
            }
        } else {
            PromError::Decode {
                reason: format!("reading the answer: {reason}"),
            }
        }
    }
}

/// Unix seconds with milliseconds, as Prometheus accepts for `time`, `start`, `end`.
fn unix(t: DateTime<Utc>) -> String {
    let ms = t.timestamp_millis();
    format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
}

/// A duration as Prometheus' duration syntax: `15s`, `250ms`.
fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `https://user:pass@host/x` → `https://host/x`, for messages about URLs that did not
/// even parse.
fn strip_credentials_text(url: &str) -> String {
    let url = url.trim();
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

impl fmt::Display for PrometheusClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (timeout {})",
            self.base.as_str(),
            precise_ms(self.timeout.as_millis() as u64)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_formatted_as_prometheus_reads_them() {
        let t = DateTime::from_timestamp_millis(1_700_000_000_250).unwrap();
        assert_eq!(unix(t), "1700000000.250");
        assert_eq!(seconds(Duration::from_secs(15)), "15s");
        assert_eq!(seconds(Duration::from_millis(2500)), "2500ms");
    }

    #[test]
    fn server_timeout_leaves_a_margin() {
        let c = |ms| {
            PrometheusClient::new("http://p:9090", None, Duration::from_millis(ms))
                .unwrap()
                .server_timeout()
        };
        assert_eq!(c(10_000), Duration::from_secs(9));
        assert_eq!(c(30_000), Duration::from_secs(29));
        assert_eq!(c(500), Duration::from_millis(400));
        assert_eq!(c(50), Duration::from_millis(1));
    }

    #[test]
    fn urls_are_normalised_and_credentials_moved_out() {
        let c = PrometheusClient::new(
            "https://ops%40corp:p%3Ass@prom.example/prometheus",
            None,
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(c.base_url(), "https://prom.example/prometheus/");
        assert_eq!(
            c.auth,
            Some(Auth::Basic {
                username: "ops@corp".into(),
                password: Secret::new("p:ss")
            })
        );
        let shown = format!("{c:?} {c}");
        assert!(
            !shown.contains("p:ss") && !shown.contains("p%3Ass"),
            "{shown}"
        );
        assert!(shown.contains("‹redacted›"), "{shown}");
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_credentials() {
        for (url, reason) in [
            ("prom:9090", "only http and https are supported"),
            ("not a url", "relative URL without a base"),
            ("ftp://prom", "only http and https are supported"),
            ("http://prom/?x=1", "a base URL takes no query or fragment"),
        ] {
            let e = PrometheusClient::new(url, None, Duration::from_secs(1)).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("invalid Prometheus URL `{url}`: {reason}")
            );
        }
        let e = PrometheusClient::new("http://u:secret@[bad", None, Duration::from_secs(1))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("secret"), "{e}");
        assert!(PrometheusClient::new("http://p", None, Duration::ZERO).is_err());
    }

    #[test]
    fn secrets_never_print() {
        let a = Auth::Bearer(Secret::new("tok-123456"));
        assert_eq!(format!("{a:?}"), "Bearer(‹redacted›)");
        assert_eq!(Secret::new("x").to_string(), "‹redacted›");
    }
}

//! The HTTP probe: one GET with a timeout, its latency measured from sending the request
//! to reading the whole body.

use std::time::{Duration, Instant};

use crate::domain::duration_text::precise_ms;
use crate::domain::verify::{HttpProbe, HttpResponse, Observation, judge_http};

/// GETs the probe's URL and judges the answer.
pub async fn probe_http(
    client: &reqwest::Client,
    probe: &HttpProbe,
    timeout: Duration,
) -> Observation {
    let started = Instant::now();
    let got = async {
        let response = client
            .get(&probe.url)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| one_line(e, timeout))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| one_line(e, timeout))?;
        let latency = started.elapsed();
        Ok::<_, String>(HttpResponse {
            status,
            latency,
            json: serde_json::from_slice(&body).ok(),
        })
    }
    .await;
    judge_http(probe, got.as_ref().map_err(String::as_str))
}

/// A transport error in one line, without the URL (it may carry credentials).
fn one_line(e: reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        format!("timed out after {}", precise_ms(timeout.as_millis() as u64))
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        e.without_url().to_string()
    }
}

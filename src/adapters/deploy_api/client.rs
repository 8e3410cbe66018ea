//! One `curl` line's request through reqwest (the bearer token from the variable the line
//! names, held as a `Secret`), and its `jq` filter run by the `jq` program fed the body.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use crate::adapters::secret::Secret;
use crate::domain::deploy_api::CurlCall;

/// Why a deploy API request did not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum DeployApiError {
    #[error("deploy API: {0}")]
    Client(String),
    #[error("deploy API: the request failed: {0}")]
    Transport(String),
    #[error("deploy API: {0} is not set (the line's bearer token)")]
    NoToken(String),
    #[error("jq: {0}")]
    Jq(String),
}

/// The answer: status, its phrase, the body as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub reason: String,
    pub body: String,
}

/// The client (the simulator's CA trusted in a drill).
#[derive(Debug, Clone)]
pub struct DeployApi {
    client: reqwest::Client,
}

impl DeployApi {
    /// With `ca_pem`, only that CA is trusted (the drill's simulator).
    pub fn new(ca_pem: Option<&str>) -> Result<DeployApi, DeployApiError> {
        let mut b = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30));
        if let Some(pem) = ca_pem {
            let cert = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| DeployApiError::Client(e.to_string()))?;
            b = b.tls_built_in_root_certs(false).add_root_certificate(cert);
        }
        let client = b
            .build()
            .map_err(|e| DeployApiError::Client(e.to_string()))?;
        Ok(DeployApi { client })
    }

    /// Sends `call`; `token` is the value of the variable its Authorization header names.
    pub async fn send(
        &self,
        call: &CurlCall,
        token: Option<&Secret>,
    ) -> Result<Answer, DeployApiError> {
        let method = reqwest::Method::from_bytes(call.method.as_bytes())
            .map_err(|e| DeployApiError::Client(e.to_string()))?;
        let mut req = self.client.request(method, &call.url);
        for (k, v) in &call.headers {
            req = req.header(k, v);
        }
        if let Some(var) = &call.token_env {
            let token = token.ok_or_else(|| DeployApiError::NoToken(var.clone()))?;
            let mut v =
                reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| {
                        DeployApiError::Client("the token is not a header value".into())
                    })?;
            v.set_sensitive(true);
            req = req.header(reqwest::header::AUTHORIZATION, v);
        }
        if let Some(d) = &call.data {
            req = req
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(d.clone());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| DeployApiError::Transport(e.without_url().to_string()))?;
        let status = resp.status();
        let body = resp
            .text()
            .await
            .map_err(|e| DeployApiError::Transport(e.without_url().to_string()))?;
        Ok(Answer {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or_default().to_string(),
            body,
        })
    }
}

/// The runbook's `jq …` (its words, `jq` first) run by the `jq` program with `body` on
/// its standard input, as the shell pipe would: what it prints, and whether it exited 0.
pub async fn jq(words: &[String], body: &str) -> Result<(Vec<String>, bool), DeployApiError> {
    let mut child = tokio::process::Command::new("jq")
        .args(words.iter().skip(1))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| DeployApiError::Jq(format!("cannot start jq: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(body.as_bytes())
            .await
            .map_err(|e| DeployApiError::Jq(e.to_string()))?;
    }
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| DeployApiError::Jq(e.to_string()))?;
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.extend(
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .map(str::to_string),
    );
    Ok((lines, out.status.success()))
}

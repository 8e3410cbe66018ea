//! The simulated application's HTTP server as seen from inside the cluster (a container's
//! `curl`/`wget`, `kubectl port-forward`): `/healthz` (also `/health`, `/livez`,
//! `/readyz`, `/ready`), `/metrics`, `/version` and `/`. Through a Service the answer is
//! the health of the pods it selects (`sim::app::health`); through one pod, that pod's.

use serde_json::{Value, json};

use super::container::Container;
use crate::sim::scenario::version_of;
use crate::sim::{Shared, res};

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub code: u16,
    pub reason: &'static str,
    pub content_type: &'static str,
    pub body: String,
}

/// Where a request goes.
#[derive(Debug, Clone)]
pub enum Peer {
    Service(Value),
    Pod(Value),
}

/// Why a connection failed (curl's exit codes 6 and 7).
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectError {
    Resolve(String),
    Refused { host: String, port: u16 },
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        404 => "Not Found",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// `(host, port, path)` of an `http://` URL (scheme optional, port 80 by default).
pub fn parse_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    if rest.starts_with("https://") || rest.is_empty() {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, 80),
    };
    Some((host.to_string(), port, path))
}

/// Resolves `host:port` from a container in namespace `ns` (cluster DNS: `svc`,
/// `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`; cluster IPs; pod IPs; `localhost`).
pub fn connect(
    shared: &Shared,
    from: Option<&Container>,
    ns: &str,
    host: &str,
    port: u16,
) -> Result<Peer, ConnectError> {
    let refused = || ConnectError::Refused {
        host: host.to_string(),
        port,
    };
    let port = i64::from(port);
    if let Some(c) = from
        && (host == "localhost"
            || host == "127.0.0.1"
            || host == c.hostname()
            || host == c.pod_ip())
    {
        return if c.ports().contains(&port) {
            Ok(Peer::Pod((*c.pod).clone()))
        } else {
            Err(refused())
        };
    }
    let svc_port = |svc: &Value| -> bool {
        svc["spec"]["ports"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["port"].as_i64() == Some(port)))
    };
    let trimmed = host
        .trim_end_matches('.')
        .trim_end_matches(".cluster.local")
        .trim_end_matches(".svc");
    let mut parts = trimmed.splitn(2, '.');
    let (name, svc_ns) = (parts.next().unwrap_or_default(), parts.next().unwrap_or(ns));
    if !svc_ns.contains('.')
        && let Some(svc) = shared.store.get(res("", "services"), svc_ns, name)
    {
        return if svc_port(&svc) {
            Ok(Peer::Service((*svc).clone()))
        } else {
            Err(refused())
        };
    }
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        let (_, svcs) = shared.store.list(res("", "services"), None);
        if let Some(svc) = svcs.iter().find(|s| s["spec"]["clusterIP"] == host) {
            return if svc_port(svc) {
                Ok(Peer::Service((**svc).clone()))
            } else {
                Err(refused())
            };
        }
        let (_, pods) = shared.store.list(res("", "pods"), None);
        if let Some(p) = pods.iter().find(|p| p["status"]["podIP"] == host) {
            let open = p["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| {
                    c["ports"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|cp| cp["containerPort"].as_i64() == Some(port))
                });
            return if open {
                Ok(Peer::Pod((**p).clone()))
            } else {
                Err(refused())
            };
        }
        return Err(refused());
    }
    Err(ConnectError::Resolve(host.to_string()))
}

/// The application's answer to `GET path` from `peer`.
pub fn get(shared: &Shared, peer: &Peer, path: &str) -> Answer {
    let path = path.split('?').next().unwrap_or("/");
    let (ns, app, version, health) = match peer {
        Peer::Service(svc) => {
            let ns = svc["metadata"]["namespace"].as_str().unwrap_or_default();
            let name = svc["metadata"]["name"].as_str().unwrap_or_default();
            let (ok, body) = crate::sim::app::health(shared, ns, name);
            let app = svc["spec"]["selector"]["app"]
                .as_str()
                .unwrap_or(name)
                .to_string();
            let version = body["versions"]
                .as_object()
                .and_then(|v| v.keys().next_back().cloned())
                .unwrap_or_default();
            (ns.to_string(), app, version, (ok, body))
        }
        Peer::Pod(pod) => {
            let ns = pod["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let app = pod["metadata"]["labels"]["app"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let version = version_of(&pod["spec"]);
            let b = shared.behaviour_of(&pod["spec"]);
            let ok = b.error_ratio <= 0.05 && b.latency_p95_ms <= 1000.0;
            let body = json!({"status": if ok { "ok" } else { "degraded" }, "app": app, "version": version,
                              "pod": pod["metadata"]["name"], "errorRatio": b.error_ratio, "latencyP95Ms": b.latency_p95_ms});
            (ns, app, version, (ok, body))
        }
    };
    let json_answer = |code: u16, v: &Value| Answer {
        code,
        reason: reason(code),
        content_type: "application/json",
        body: format!("{v}\n"),
    };
    match path {
        "/healthz" | "/health" | "/livez" | "/readyz" | "/ready" => {
            json_answer(if health.0 { 200 } else { 503 }, &health.1)
        }
        "/version" | "/" => json_answer(200, &json!({"app": app, "version": version})),
        "/metrics" => Answer {
            code: 200,
            reason: "OK",
            content_type: "text/plain; version=0.0.4; charset=utf-8",
            body: crate::sim::app::render_metrics(shared)
                .lines()
                .filter(|l| l.starts_with('#') || l.contains(&format!("namespace=\"{ns}\"")))
                .map(|l| format!("{l}\n"))
                .collect(),
        },
        _ => Answer {
            code: 404,
            reason: "Not Found",
            content_type: "text/plain; charset=utf-8",
            body: "404 page not found\n".into(),
        },
    }
}

/// The whole HTTP/1.1 response, for a byte stream (port-forward).
pub fn response_bytes(a: &Answer) -> Vec<u8> {
    format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        a.code,
        a.reason,
        a.content_type,
        a.body.len(),
        a.body
    )
    .into_bytes()
}

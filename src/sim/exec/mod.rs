//! `exec`, `attach` and `portforward` on pods over the WebSocket protocols kubectl 1.32
//! speaks (kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/remotecommand
//! `constants.go`, client-go tools/remotecommand `websocket.go`, `v4.go`, `v5.go`;
//! client-go tools/portforward `tunneling_connection.go` and apimachinery
//! `pkg/util/httpstream/wsstream`): each binary message starts with its stream id —
//! 0 stdin, 1 stdout, 2 stderr, 3 the error stream (a `metav1.Status` ending the command),
//! 4 terminal resize, and in `v5.channel.k8s.io` 255 closing a stream (`[255, id]`).
//! A plain SPDY/3.1 upgrade (`Upgrade: SPDY/3.1`, kubectl's fallback and older clients)
//! gets `v4.channel.k8s.io` over SPDY (`spdy.rs`); a request with no upgrade at all gets
//! 400 "Upgrade request required", as the API server answers a plain request.

pub mod builtins;
pub mod command_context;
pub mod container;
pub mod ephemeral;
pub mod fetch;
pub mod fs;
pub mod http;
pub mod runs;
pub mod session;
pub mod shell;
pub mod spdy;
pub mod tar;
pub mod tar_exit;
pub mod test_expr;
pub mod tty_shell;
pub mod untar;

use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Request};
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::auth::Attributes;
use super::status::ApiError;
use super::store;

pub use runs::RunState;

/// A command a scenario scripts in its containers (`exec:` in a scenario file), e.g.
/// `{command: "npm run migrate:down", stdout: "…", exit_code: 0}`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecScript {
    /// The command line as typed; a command whose words start with these matches.
    pub command: String,
    /// Only in the pods of this application (their `app` label); every pod when unset.
    #[serde(default)]
    pub app: Option<String>,
    #[serde(default)]
    pub stdout: String,
    #[serde(default)]
    pub stderr: String,
    #[serde(default)]
    pub exit_code: i32,
}

impl ExecScript {
    /// Whether the command line `line`, run in a pod of `app`, is this one.
    pub fn matches(&self, line: &str, app: Option<&str>) -> bool {
        let want = self.command.split_whitespace().collect::<Vec<_>>();
        let got = line.split_whitespace().collect::<Vec<_>>();
        !want.is_empty()
            && got.starts_with(&want)
            && self.app.as_deref().is_none_or(|a| Some(a) == app)
    }
}

/// The remote-command subprotocols, preferred first.
pub const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// The query of an exec/attach/portforward request (`command` repeats).
#[derive(Debug, Default, Clone)]
pub struct StreamQuery {
    pub command: Vec<String>,
    pub container: Option<String>,
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
    pub ports: Vec<u16>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl StreamQuery {
    /// Parses `command=a&command=b&container=c&stdin=true&…&ports=8080`.
    pub fn parse(query: Option<&str>) -> StreamQuery {
        let mut q = StreamQuery::default();
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            let yes = v == "true" || v == "1";
            match k {
                "command" => q.command.push(v),
                "container" => q.container = Some(v),
                "stdin" => q.stdin = yes,
                "stdout" => q.stdout = yes,
                "stderr" => q.stderr = yes,
                "tty" => q.tty = yes,
                "ports" => q
                    .ports
                    .extend(v.split(',').filter_map(|p| p.trim().parse::<u16>().ok())),
                _ => {}
            }
        }
        q
    }
}

/// Serves `exec`, `attach` or `portforward` (`sub`) on a pod: authorizes, finds the
/// container and upgrades to a WebSocket session (routed by `sim/http/mod.rs`).
pub async fn stream(
    shared: Arc<Shared>,
    ns: &str,
    name: &str,
    sub: &str,
    req: Request,
) -> Result<Response, ApiError> {
    shared.count_request(req.method().as_str());
    let auth = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    let user = shared.policy.authenticate_header(auth)?.clone();
    user.authorize(&Attributes {
        verb: "create".into(),
        group: String::new(),
        resource: "pods".into(),
        subresource: sub.into(),
        namespace: ns.into(),
        name: name.into(),
    })?;
    let pods = super::res("", "pods");
    let pod = shared
        .store
        .get(pods, ns, name)
        .ok_or_else(|| store::not_found(pods, name))?;
    let query = StreamQuery::parse(req.uri().query());
    if pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty) {
        return Err(ApiError::BadRequest(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    let (mut parts, _body) = req.into_parts();
    if sub == "portforward" {
        // SPDY/3.1 tunnelled through the WebSocket (`sim/portforward/`).
        return crate::sim::portforward::upgrade(shared, pod, parts).await;
    }
    let c = container::Container::of(&shared, pod.clone(), query.container.as_deref()).ok_or_else(
        || {
            ApiError::BadRequest(format!(
                "container {} is not valid for pod {name}",
                query.container.clone().unwrap_or_default()
            ))
        },
    )?;
    let run = if sub == "attach" {
        runs::attachable(&shared, &pod, &c)
    } else {
        None
    };
    if !c.running() && run.is_none() {
        return Err(ApiError::BadRequest(format!(
            "unable to upgrade connection: container not found (\"{}\")",
            c.name
        )));
    }
    if crate::sim::portforward::plain::is_spdy(&parts.headers) {
        let Some(protocol) =
            crate::sim::portforward::plain::negotiate(&parts.headers, &spdy::PROTOCOLS)
        else {
            return Err(ApiError::BadRequest(format!(
                "unable to upgrade: unable to negotiate protocol: server supports [{}]",
                spdy::PROTOCOLS.join(" ")
            )));
        };
        let sub = sub.to_string();
        return crate::sim::portforward::plain::upgrade(&mut parts, protocol, move |i, o| {
            spdy::serve(shared, c, sub, query, run, i, o)
        });
    }
    let ws = WebSocketUpgrade::from_request_parts(&mut parts, &shared)
        .await
        .map_err(|_| ApiError::BadRequest("Upgrade request required".into()))?;
    let sub = sub.to_string();
    Ok(ws
        .protocols(PROTOCOLS)
        .on_upgrade(move |socket| session::serve(shared, c, sub, query, run, socket))
        .into_response())
}

//! `kubectl logs -f`: the lines asked for, then every line the run writes as it writes it,
//! until the run ends (the kubelet's follow stops when the container exits: its last
//! lines, a crash's panic, then the end of the stream), the pod is gone, the client goes
//! away, the byte limit is reached, or 30 minutes have passed.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{LogOptions, Run, Voice, Writer, run_of};
use crate::sim::Shared;
use crate::sim::store::key_of;

/// How often a follow looks for new lines (real time).
const POLL: Duration = Duration::from_millis(200);
/// The longest a follow lasts (real time).
const LONGEST: Duration = Duration::from_secs(30 * 60);

/// Streams `head`, then the lines `run` writes after its first `written` ones.
pub fn follow(
    shared: Arc<Shared>,
    pod: &Value,
    run: Run,
    opts: LogOptions,
    head: String,
    written: u64,
) -> Response {
    let (ns, name) = key_of(pod);
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let head_len = head.len();
    tokio::spawn(async move {
        if tx.send(Bytes::from(head)).await.is_err() {
            return;
        }
        // What is left of the byte limit after the head.
        let mut rest = LogOptions {
            limit_bytes: opts.limit_bytes.map(|l| l.saturating_sub(head_len)),
            ..opts
        };
        if rest.limit_bytes == Some(0) {
            return;
        }
        let mut sent = written;
        let started = tokio::time::Instant::now();
        let mut tick = tokio::time::interval(POLL);
        while started.elapsed() < LONGEST {
            tokio::select! {
                _ = tick.tick() => {}
                _ = tx.closed() => return,
            }
            let Some(pod) = shared.store.get(crate::sim::res("", "pods"), &ns, &name) else {
                return;
            };
            // The same run, now perhaps over: the last terminated one, or already the
            // previous one when the container restarted between two looks.
            let same = |previous: bool| {
                let ask = LogOptions {
                    previous,
                    container: Some(run.container.clone()),
                    ..LogOptions::default()
                };
                run_of(&pod, &ask, shared.clock.speed())
                    .ok()
                    .flatten()
                    .filter(|r| r.started == run.started)
            };
            let current = same(false).or_else(|| same(true));
            let (now_run, over) = match current {
                Some(r) => {
                    let over = r.ended.is_some();
                    (r, over)
                }
                None => (run.clone(), true),
            };
            let voice = Voice::of(&shared, &pod);
            let n = now_run.len_at(shared.clock.now());
            let mut w = Writer::new(&rest);
            let mut more = true;
            for k in sent..n {
                let (at, text) = now_run.line(k, n, voice);
                if rest.since.is_some_and(|s| at < s) {
                    continue;
                }
                more = w.write(at, &text);
                if !more {
                    break;
                }
            }
            sent = n;
            if let Some(limit) = rest.limit_bytes.as_mut() {
                *limit = limit.saturating_sub(w.out.len());
            }
            if !w.out.is_empty() && tx.send(Bytes::from(w.out)).await.is_err() {
                return;
            }
            if over || !more || rest.limit_bytes == Some(0) {
                return;
            }
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<Bytes, std::convert::Infallible>(b), rx))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

//! `kubectl logs -f`: the lines asked for, then every line the run writes as it writes it,
//! until the run ends (the kubelet's follow stops when the container exits: its last
//! lines, a crash's panic, then the end of the stream), the pod is gone, the client goes
//! away, the byte limit is reached, or 30 minutes have passed.
//!
//! A follow looks every 200 ms real time ([`Following::look`]); a crash loop at a high
//! `--speed` may crash, restart and crash again between two looks, so the run followed is
//! then neither the container's current nor its previous one: its end comes from the
//! container's kept runs ([`super::KeptRuns`]), as the kubelet's follow reads a dead
//! container's log file to its end.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{LogOptions, Run, Voice, Writer, run_of};
use crate::sim::Shared;
use crate::sim::store::key_of;

/// How often a follow looks for new lines (real time).
const POLL: Duration = Duration::from_millis(200);
/// The longest a follow lasts (real time).
const LONGEST: Duration = Duration::from_secs(30 * 60);

/// A follow between two looks: the run it reads, how many of its lines were sent, and
/// what is left of the options (the byte limit shrinks as lines go out).
#[derive(Debug, Clone)]
pub struct Following {
    /// The UID of the pod followed (a pod of the same name made later is another pod).
    pub uid: String,
    pub run: Run,
    /// Lines of the run already sent.
    pub sent: u64,
    pub opts: LogOptions,
}

/// What one look found: the lines to send, and whether the follow ends after them.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    pub out: String,
    pub done: bool,
}

impl Following {
    /// One look at `pod` as stored now (`None`: gone) at `now`: the lines the run wrote
    /// since the last look, to its end when it ended (the panic of a crash), and whether
    /// the follow is over. `kept` are the container's kept ended runs, where a run that is
    /// no longer the current or previous one is found; a run found nowhere ends the
    /// follow with nothing more.
    pub fn look(
        &mut self,
        pod: Option<&Value>,
        kept: &[Run],
        voice: Voice,
        now: DateTime<Utc>,
    ) -> Look {
        let over = Look {
            out: String::new(),
            done: true,
        };
        let Some(pod) = pod.filter(|p| p["metadata"]["uid"].as_str() == Some(self.uid.as_str()))
        else {
            return over;
        };
        let speed = 1.0 / self.run.per_line_secs;
        let is_it = |r: &Run| r.ordinal == self.run.ordinal && r.started == self.run.started;
        // The same run, now perhaps over: the last terminated one, or already the
        // previous one when the container restarted between two looks, or one the
        // container has left further behind.
        let same = |previous: bool| {
            let ask = LogOptions {
                previous,
                container: Some(self.run.container.clone()),
                ..LogOptions::default()
            };
            run_of(pod, &ask, speed).ok().flatten().filter(is_it)
        };
        let Some(now_run) = same(false)
            .or_else(|| same(true))
            .or_else(|| kept.iter().find(|r| is_it(r)).cloned())
        else {
            return over;
        };
        let ended = now_run.ended.is_some();
        let n = now_run.len_at(now);
        let mut w = Writer::new(&self.opts);
        let mut more = true;
        for k in self.sent..n {
            let (at, text) = now_run.line(k, n, voice);
            if self.opts.since.is_some_and(|s| at < s) {
                continue;
            }
            more = w.write(at, &text);
            if !more {
                break;
            }
        }
        self.sent = n;
        if let Some(limit) = self.opts.limit_bytes.as_mut() {
            *limit = limit.saturating_sub(w.out.len());
        }
        Look {
            done: ended || !more || self.opts.limit_bytes == Some(0),
            out: w.out,
        }
    }
}

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
    let uid = pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let head_len = head.len();
    tokio::spawn(async move {
        if tx.send(Bytes::from(head)).await.is_err() {
            return;
        }
        // What is left of the byte limit after the head.
        let opts = LogOptions {
            limit_bytes: opts.limit_bytes.map(|l| l.saturating_sub(head_len)),
            ..opts
        };
        if opts.limit_bytes == Some(0) {
            return;
        }
        let mut following = Following {
            uid,
            run,
            sent: written,
            opts,
        };
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
            let voice = Voice::of(&shared, &pod);
            let kept = shared
                .kept_runs
                .of(&following.uid, &following.run.container);
            let look = following.look(Some(&pod), &kept, voice, shared.clock.now());
            if !look.out.is_empty() && tx.send(Bytes::from(look.out)).await.is_err() {
                return;
            }
            if look.done {
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

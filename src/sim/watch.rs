//! Watch streams: newline-delimited JSON events, resume from a resource version (or a 410
//! `ERROR` event when it is too old), bookmarks, `timeoutSeconds`, `sendInitialEvents`, and
//! Table-formatted events for `kubectl get -w`; for pods also protobuf frames
//! (`sim/protobuf/envelope.rs`) for clients that ask for them.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::Shared;
use super::discovery::ResourceInfo;
use super::params::Params;
use super::status::ApiError;
use super::store::{EventType, HistoryEntry, StoredEvent};
use super::table;

/// Longest a watch stays open without `timeoutSeconds` (the real server picks 30–60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

fn line(kind: &str, object: &Value) -> Bytes {
    raw_line(kind, &serde_json::to_vec(object).unwrap_or_default())
}

/// A watch event line around an already serialized object.
fn raw_line(kind: &str, object: &[u8]) -> Bytes {
    let mut v = Vec::with_capacity(object.len() + 40);
    v.extend_from_slice(b"{\"type\":\"");
    v.extend_from_slice(kind.as_bytes());
    v.extend_from_slice(b"\",\"object\":");
    v.extend_from_slice(object);
    v.extend_from_slice(b"}\n");
    Bytes::from(v)
}

/// How a watch writes its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// One JSON `{"type", "object"}` per line.
    Json,
    /// JSON lines whose objects are `Table`s (`kubectl get -w`).
    Table,
    /// Length-prefixed protobuf `WatchEvent` frames around enveloped objects (pods only).
    Protobuf,
}

impl Wire {
    fn content_type(self) -> &'static str {
        match self {
            Wire::Json | Wire::Table => "application/json",
            Wire::Protobuf => crate::sim::protobuf::negotiation::PROTOBUF_WATCH,
        }
    }

    /// An event around an object as is (bookmarks, errors).
    fn event(self, kind: &str, object: &Value) -> Bytes {
        match self {
            Wire::Json | Wire::Table => line(kind, object),
            Wire::Protobuf => {
                let embedded = if object["kind"] == "Status" {
                    crate::sim::protobuf::objects::status(object)
                } else {
                    crate::sim::protobuf::objects::pod(object)
                };
                Bytes::from(crate::sim::protobuf::envelope::watch_frame(kind, &embedded))
            }
        }
    }
}

/// What a watch with selectors sends for a change: `None` to skip it.
fn decide(kind: EventType, before: bool, now: bool) -> Option<&'static str> {
    match kind {
        EventType::Modified => match (before, now) {
            (true, true) => Some("MODIFIED"),
            (false, true) => Some("ADDED"),
            (true, false) => Some("DELETED"),
            (false, false) => None,
        },
        other if now => Some(other.as_str()),
        _ => None,
    }
}

struct Ctx {
    shared: Arc<Shared>,
    res: &'static ResourceInfo,
    namespace: Option<String>,
    params: Params,
    wire: Wire,
    sent_columns: bool,
}

impl Ctx {
    fn render(&mut self, kind: &str, obj: &Value) -> Bytes {
        if self.wire != Wire::Table {
            return self.wire.event(kind, obj);
        }
        let mut t = table::table(
            self.res,
            &[obj],
            json!({"resourceVersion": obj["metadata"]["resourceVersion"]}),
            &self.shared.clock,
            self.params.include,
        );
        if self.sent_columns {
            t["columnDefinitions"] = json!([]);
        }
        self.sent_columns = true;
        line(kind, &t)
    }

    fn in_namespace(&self, ns: &str) -> bool {
        self.namespace.as_deref().is_none_or(|n| n == ns)
    }

    fn selective(&self) -> bool {
        !self.params.label.is_empty() || !self.params.field.is_empty()
    }

    /// Translates a live event into what this watch sends, if anything.
    fn translate(&mut self, ev: &StoredEvent) -> Option<Bytes> {
        if !std::ptr::eq(ev.resource, self.res) || !self.in_namespace(&ev.namespace) {
            return None;
        }
        let before = ev.previous.as_ref().is_some_and(|p| self.params.selects(p));
        let kind = decide(ev.kind, before, self.params.selects(&ev.object))?;
        if self.wire != Wire::Json {
            return Some(self.render(kind, &ev.object));
        }
        Some(raw_line(kind, &ev.json))
    }

    /// Translates a history entry (resume) into what this watch sends, if anything.
    fn translate_history(&mut self, h: &HistoryEntry) -> Option<Bytes> {
        if !self.in_namespace(&h.namespace) {
            return None;
        }
        if !self.selective() && self.wire == Wire::Json {
            return Some(raw_line(h.kind.as_str(), &h.json));
        }
        let obj: Value = serde_json::from_slice(&h.json).ok()?;
        let before = h
            .previous
            .as_ref()
            .and_then(|p| serde_json::from_slice::<Value>(p).ok())
            .is_some_and(|p| self.params.selects(&p));
        let kind = decide(h.kind, before, self.params.selects(&obj))?;
        if self.wire != Wire::Json {
            return Some(self.render(kind, &obj));
        }
        Some(raw_line(kind, &h.json))
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        self.wire.event(
            "BOOKMARK",
            &json!({"kind": self.res.kind, "apiVersion": self.res.api_version(), "metadata": meta}),
        )
    }
}

/// Answers a watch request.
pub fn serve(
    shared: Arc<Shared>,
    res: &'static ResourceInfo,
    namespace: Option<String>,
    params: Params,
    wire: Wire,
) -> Response {
    let from: Option<u64> = match params.resource_version.as_deref() {
        None | Some("0") => None,
        Some(s) => match s.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                let e = ApiError::BadRequest(format!("invalid resource version: {s:?}"));
                return match wire {
                    Wire::Protobuf => crate::sim::protobuf::response::error(&e),
                    _ => e.into_response(),
                };
            }
        },
    };
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let timeout = params
        .timeout_secs
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    let mut ctx = Ctx {
        shared: shared.clone(),
        res,
        namespace,
        params,
        wire,
        sent_columns: false,
    };
    let started = shared.store.watch(res, from);
    let mut epoch = shared.watch_epoch();
    tokio::spawn(async move {
        let (replay, mut events, start_rv) = match started {
            Ok(s) => s,
            Err(e) => {
                // Too old: the real server answers 200 and one ERROR event.
                let _ = tx.send(wire.event("ERROR", &e.to_status())).await;
                return;
            }
        };
        // A version the store has not reached yet: skip everything up to it.
        let mut last_rv = start_rv.max(from.unwrap_or(0));
        if from.is_none() {
            // No resource version: synthetic ADDED events for the current state.
            let (_, items) = ctx.shared.store.list(ctx.res, ctx.namespace.as_deref());
            for item in &items {
                if !ctx.params.selects(item) {
                    continue;
                }
                let b = ctx.render("ADDED", item);
                if tx.send(b).await.is_err() {
                    return;
                }
            }
            if ctx.params.send_initial_events && ctx.params.bookmarks {
                let b = ctx.bookmark(start_rv, true);
                if tx.send(b).await.is_err() {
                    return;
                }
            }
        } else {
            for h in &replay {
                last_rv = h.rv;
                if let Some(b) = ctx.translate_history(h)
                    && tx.send(b).await.is_err()
                {
                    return;
                }
            }
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut bookmark_tick = tokio::time::interval(ctx.shared.bookmark_interval);
        bookmark_tick.tick().await;
        let mut bookmarked_rv = last_rv;
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                _ = epoch.changed() => return,
                _ = tx.closed() => return,
                _ = bookmark_tick.tick() => {
                    if ctx.params.bookmarks && last_rv > bookmarked_rv {
                        bookmarked_rv = last_rv;
                        if tx.send(ctx.bookmark(last_rv, false)).await.is_err() {
                            return;
                        }
                    }
                }
                ev = events.recv() => match ev {
                    Ok(ev) => {
                        if ev.rv <= last_rv {
                            continue;
                        }
                        if std::ptr::eq(ev.resource, ctx.res) {
                            last_rv = last_rv.max(ev.rv);
                        }
                        if let Some(b) = ctx.translate(&ev)
                            && tx.send(b).await.is_err()
                        {
                            return;
                        }
                    }
                    // Fell behind: end the stream; the client resumes from its last version.
                    Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => return,
                },
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
        [
            (header::CONTENT_TYPE, wire.content_type()),
            (header::CACHE_CONTROL, "no-cache, private"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

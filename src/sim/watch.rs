//! Watch streams: newline-delimited JSON events, resume from a resource version (or a 410
//! `ERROR` event when it is too old), bookmarks, `timeoutSeconds`, `sendInitialEvents`, and
//! Table-formatted events for `kubectl get -w`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::Shared;
use super::discovery::ResourceInfo;
use super::server::Params;
use super::status::ApiError;
use super::store::{EventType, StoredEvent};
use super::table;

/// Longest a watch stays open without `timeoutSeconds` (the real server picks 30–60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

fn line(kind: &str, object: &Value) -> Bytes {
    let mut v = serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
    v.push(b'\n');
    Bytes::from(v)
}

struct Ctx {
    shared: Arc<Shared>,
    res: &'static ResourceInfo,
    namespace: Option<String>,
    params: Params,
    as_table: bool,
    sent_columns: bool,
}

impl Ctx {
    fn render(&mut self, kind: &str, obj: &Value) -> Bytes {
        if !self.as_table {
            return line(kind, obj);
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

    /// Translates a stored event into what this watch sends, if anything.
    fn translate(&mut self, ev: &StoredEvent) -> Option<Bytes> {
        if !std::ptr::eq(ev.resource, self.res) {
            return None;
        }
        if let Some(ns) = &self.namespace
            && *ns != ev.namespace
        {
            return None;
        }
        let now = self.params.selects(&ev.object);
        let kind = match ev.kind {
            EventType::Modified => {
                let before = ev.previous.as_ref().is_some_and(|p| self.params.selects(p));
                match (before, now) {
                    (true, true) => "MODIFIED",
                    (false, true) => "ADDED",
                    (true, false) => "DELETED",
                    (false, false) => return None,
                }
            }
            other if now => other.as_str(),
            _ => return None,
        };
        Some(self.render(kind, &ev.object))
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        line(
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
    as_table: bool,
) -> Response {
    let from: Option<u64> = match params.resource_version.as_deref() {
        None | Some("0") => None,
        Some(s) => match s.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                return ApiError::BadRequest(format!("invalid resource version: {s:?}"))
                    .into_response();
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
        as_table,
        sent_columns: false,
    };
    let started = shared.store.watch(res, from);
    let mut epoch = shared.watch_epoch();
    tokio::spawn(async move {
        let (replay, mut events, start_rv) = match started {
            Ok(s) => s,
            Err(e) => {
                // Too old: the real server answers 200 and one ERROR event.
                let _ = tx.send(line("ERROR", &e.to_status())).await;
                return;
            }
        };
        let mut last_rv = start_rv;
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
            for ev in &replay {
                last_rv = ev.rv;
                if let Some(b) = ctx.translate(ev)
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
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache, private"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

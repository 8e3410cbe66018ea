//! The pods watcher: kube-runtime's `watcher` semantics, asking the API server for
//! protobuf as client-go's typed clients do, and reading whatever it answers.
//!
//! kube-runtime's watcher decodes every body as JSON (`serde_json` through kube-client's
//! `request_events`), so it cannot be given protobuf. [`pod_watcher`] is that watcher
//! (kube-runtime 5.0.0, `src/watcher.rs`, the version in Cargo.lock; ported first in
//! fdbb173 as `line_watch`) for [`WatchedPod`], with the `ListWatch` and `StreamingList`
//! initial strategies, the same states, requests, events and `watcher::Error` variants,
//! whose list and watch requests carry client-go's `Accept:
//! application/vnd.kubernetes.protobuf,application/json` (client-go `rest/request.go`,
//! `UseProtobufAsDefault`; the same header for a watch: the server answers it with
//! `application/vnd.kubernetes.protobuf;stream=watch`, apiserver
//! `pkg/endpoints/handlers/watch.go`, `serveWatchHandler`). Each response is read by its
//! `Content-Type`: protobuf by `pod_proto`/`proto_envelope` (and watch frames by
//! `body::WatchBody`), anything else as JSON, exactly as before (a server, simulator or
//! proxy that answers JSON). [`Encodings`] counts the responses read in each.
//!
//! Requests go through kube's `Client::send`, so the client's stack (auth, TLS,
//! impersonation, the `--read-only` layer, timeouts) is the same as for every other call.
//!
//! What is kept from kube-runtime, step by step (`step.rs`, `step_trampolined`):
//! - the list: pages of `Config::page_size` (500 by default, client-go's pager) with the
//!   `continue` token of each page, objects sent as `Init`, `InitApply`…, `InitDone`; a
//!   list without resourceVersion and continue token is `Error::NoResourceVersion`; a
//!   failed list is `Error::InitialListFailed` and starts over (`Init` again);
//! - the watch: `watch=true`, `timeoutSeconds` (290 unless configured),
//!   `allowWatchBookmarks=true`, the label and field selectors, and `resourceVersion` of
//!   the list (kube-core's `Request::watch`, `Accept-Encoding: identity` as
//!   `request_events` sets it); a failed start (an HTTP error status, as a `Status`, or a
//!   connection error) is `Error::WatchStartFailed` and the watch is retried from the same
//!   version;
//! - while watching: `ADDED`/`MODIFIED` → `Apply`, `DELETED` → `Delete` (an object
//!   without resourceVersion is `NoResourceVersion` and a re-list), each moving the
//!   resource version on; `BOOKMARK` moves it on silently; an `ERROR` event is
//!   `Error::WatchError`, and with code 410 (`Gone`: the version is older than the
//!   server's history, apiserver `pkg/storage/cacher`) the watcher re-lists; a failed
//!   read is `Error::WatchFailed` and the stream goes on; a body that ends, or stays
//!   silent for `timeoutSeconds` + 5 s, is resumed from the last resource version without
//!   a re-list.

mod body;
mod chunk_cursor;
mod frames;
mod lines;
mod step;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::Stream;
use http::HeaderValue;
use http::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_TYPE};
use kube::api::{Api, ListParams, VersionMatch, WatchEvent, WatchParams};
use kube::core::{ObjectList, Status};
use kube::runtime::watcher::{Config, Error, Event, InitialListStrategy, ListSemantic};
use kube::{Client, Resource, ResourceExt};

pub use body::WatchBody;
pub use frames::{FrameBuf, FrameTooLarge, MAX_FRAME};
pub use lines::LineBuf;

use super::proto_envelope::{self, PodPage};
use super::watched_pod::WatchedPod;

type Result<T, E = Error> = std::result::Result<T, E>;
type Body = WatchBody<kube::client::Body>;

/// What a list or watch asks for: client-go's typed clients' `Accept`
/// (`UseProtobufAsDefault`).
pub const ACCEPT_PROTOBUF: &str = "application/vnd.kubernetes.protobuf,application/json";

/// The media type of Kubernetes' protobuf (apimachinery `runtime.ContentTypeProtobuf`).
const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

/// The encoding of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    /// The encoding a response's `Content-Type` names: protobuf for
    /// `application/vnd.kubernetes.protobuf` with any parameters (`;stream=watch`), JSON
    /// for anything else.
    pub fn of(headers: &http::HeaderMap) -> Self {
        let media = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim);
        match media {
            Some(m) if m.eq_ignore_ascii_case(PROTOBUF) => Self::Protobuf,
            _ => Self::Json,
        }
    }
}

/// How many list pages and watch bodies the watcher read in each encoding.
#[derive(Debug, Default)]
pub struct Encodings {
    protobuf: AtomicU64,
    json: AtomicU64,
}

impl Encodings {
    fn count(&self, e: Encoding) {
        match e {
            Encoding::Protobuf => &self.protobuf,
            Encoding::Json => &self.json,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    /// Responses (list pages and watch bodies) read as protobuf.
    pub fn protobuf(&self) -> u64 {
        self.protobuf.load(Ordering::Relaxed)
    }

    /// Responses read as JSON.
    pub fn json(&self) -> u64 {
        self.json.load(Ordering::Relaxed)
    }
}

/// The watcher's state (kube-runtime's `State`).
enum State {
    Empty,
    InitPage {
        continue_token: Option<String>,
        objects: VecDeque<WatchedPod>,
        last_bookmark: Option<String>,
    },
    InitialWatch {
        body: Body,
    },
    InitListed {
        resource_version: String,
    },
    Watching {
        resource_version: String,
        body: Body,
    },
}

/// What the steps share.
struct Ctx {
    client: Client,
    api: Api<WatchedPod>,
    wc: Config,
    encodings: Arc<Encodings>,
}

/// `Config::to_list_params` of kube-runtime.
fn list_params(wc: &Config) -> ListParams {
    let (resource_version, version_match) = match wc.list_semantic {
        ListSemantic::Any => (Some("0".into()), Some(VersionMatch::NotOlderThan)),
        ListSemantic::MostRecent => (None, None),
    };
    ListParams {
        label_selector: wc.label_selector.clone(),
        field_selector: wc.field_selector.clone(),
        version_match,
        resource_version,
        limit: wc.page_size,
        continue_token: None,
        ..Default::default()
    }
}

/// `Config::to_watch_params` of kube-runtime (`initial`: the streaming list's first watch).
fn watch_params(wc: &Config, initial: bool) -> WatchParams {
    WatchParams {
        label_selector: wc.label_selector.clone(),
        field_selector: wc.field_selector.clone(),
        timeout: wc.timeout,
        bookmarks: wc.bookmarks,
        send_initial_events: initial
            && wc.initial_list_strategy == InitialListStrategy::StreamingList,
    }
}

/// Sends `req` asking for protobuf or JSON; an HTTP error status is kube-client's
/// `handle_api_errors` error.
async fn send(
    client: &Client,
    mut req: http::Request<Vec<u8>>,
) -> kube::Result<http::Response<kube::client::Body>> {
    req.headers_mut()
        .insert(ACCEPT, HeaderValue::from_static(ACCEPT_PROTOBUF));
    let res = client.send(req.map(kube::client::Body::from)).await?;
    let status = res.status();
    if status.is_client_error() || status.is_server_error() {
        return Err(api_error(status, res.into_body()).await);
    }
    Ok(res)
}

/// kube-client's `handle_api_errors`, for a `Status` body in JSON or in protobuf.
async fn api_error(status: http::StatusCode, body: kube::client::Body) -> kube::Error {
    let bytes = match body.collect_bytes().await {
        Ok(b) => b,
        Err(e) => return e,
    };
    if let Some(s) = proto_envelope::status_object(&bytes) {
        return kube::Error::Api(s.boxed());
    }
    let text = match String::from_utf8(bytes.to_vec()) {
        Ok(t) => t,
        Err(e) => return kube::Error::FromUtf8(e),
    };
    match serde_json::from_str::<Status>(&text) {
        Ok(s) => kube::Error::Api(s.boxed()),
        Err(_) => kube::Error::Api(
            Status::failure(text.trim(), "Failed to parse error data")
                .with_code(status.as_u16())
                .boxed(),
        ),
    }
}

/// One page of the list, as `Api::list` requests it, decoded by its encoding.
async fn list_page(ctx: &Ctx, lp: &ListParams) -> kube::Result<PodPage> {
    let mut req = kube::core::Request::new(ctx.api.resource_url())
        .list(lp)
        .map_err(kube::Error::BuildRequest)?;
    req.extensions_mut().insert("list");
    let res = send(&ctx.client, req).await?;
    let encoding = Encoding::of(res.headers());
    let bytes = res.into_body().collect_bytes().await?;
    ctx.encodings.count(encoding);
    match encoding {
        Encoding::Protobuf => proto_envelope::pod_list(&bytes)
            .map_err(|e| kube::Error::SerdeError(serde::de::Error::custom(e))),
        Encoding::Json => {
            let text = std::str::from_utf8(&bytes)
                .map_err(|e| kube::Error::SerdeError(serde::de::Error::custom(e)))?;
            let list: ObjectList<WatchedPod> =
                serde_json::from_str(text).map_err(kube::Error::SerdeError)?;
            Ok(PodPage {
                resource_version: list.metadata.resource_version,
                continue_token: list.metadata.continue_,
                items: list.items,
            })
        }
    }
}

/// Starts a watch as `Api::watch` → `Client::request_events` does, up to the body, framed
/// by the response's encoding.
async fn start_watch(ctx: &Ctx, wp: &WatchParams, version: &str) -> kube::Result<Body> {
    let mut req = kube::core::Request::new(ctx.api.resource_url())
        .watch(wp, version)
        .map_err(kube::Error::BuildRequest)?;
    req.extensions_mut().insert("watch");
    req.headers_mut()
        .entry(ACCEPT_ENCODING)
        .or_insert(HeaderValue::from_static("identity"));
    let res = send(&ctx.client, req).await?;
    let encoding = Encoding::of(res.headers());
    ctx.encodings.count(encoding);
    Ok(match encoding {
        Encoding::Protobuf => WatchBody::protobuf(res.into_body()),
        Encoding::Json => WatchBody::json(res.into_body()),
    })
}

/// The next item of a watch body, or `None` when it ended or stayed silent for the
/// watch's timeout plus 5 s (kube-runtime's `next_with_idle_timeout`; a timeout of 0
/// waits forever).
async fn next_with_idle_timeout(
    body: &mut Body,
    timeout: Option<u32>,
) -> Option<kube::Result<WatchEvent<WatchedPod>>> {
    if timeout == Some(0) {
        return body.next().await;
    }
    let idle = Duration::from_secs(u64::from(timeout.unwrap_or(290))) + Duration::from_secs(5);
    tokio::time::timeout(idle, body.next()).await.ok().flatten()
}

fn is_forbidden(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.is_forbidden())
}

/// Lists and watches `api`'s pods with `wc`, as `kube::runtime::watcher(api, wc)` does
/// (same events, errors and requests), asking for protobuf and reading protobuf or JSON;
/// `encodings` counts the responses read in each.
pub fn pod_watcher(
    api: Api<WatchedPod>,
    wc: Config,
    encodings: Arc<Encodings>,
) -> impl Stream<Item = Result<Event<WatchedPod>>> + Send {
    let ctx = Ctx {
        client: api.clone().into_client(),
        api,
        wc,
        encodings,
    };
    futures::stream::unfold((ctx, State::Empty), |(ctx, state)| async move {
        let (event, state) = step::step(&ctx, state).await;
        Some((event, (ctx, state)))
    })
}

/// Whether `obj` carries a resource version (`Apply`/`Delete` need one).
fn version_of<K: Resource>(obj: &K) -> Option<String> {
    obj.resource_version().filter(|v| !v.is_empty())
}

//! A watcher with kube-runtime's semantics whose watch bodies are framed by our own code:
//! [`line_watcher`] is `kube::runtime::watcher` (kube-runtime 5.0.0, `src/watcher.rs`, the
//! version in Cargo.lock) with the `ListWatch` and `StreamingList` initial strategies, the
//! same states, requests, events and errors, except that a watch response body is read by
//! [`body::WatchBody`] — split on `\n` in one reusable buffer with `memchr`, each line
//! decoded in place by `watch_line::decode_watch_line` — instead of kube-client's
//! `request_events` (a `StreamReader` + `LinesCodec`, one `String` per line).
//!
//! What is kept from kube-runtime, step by step (`step_trampolined`):
//! - the list: pages of `Config::page_size` (500 by default, client-go's pager) with the
//!   `continue` token of each page, objects sent as `Init`, `InitApply`…, `InitDone`; a
//!   list without resourceVersion and continue token is `Error::NoResourceVersion`; a
//!   failed list is `Error::InitialListFailed` and starts over (`Init` again);
//! - the watch: `watch=true`, `timeoutSeconds` (290 unless configured),
//!   `allowWatchBookmarks=true`, the label and field selectors, and `resourceVersion` of
//!   the list (kube-core's `Request::watch`, `Accept-Encoding: identity` as
//!   `request_events` sets it); a failed start (an HTTP error status, as a `Status`, or a
//!   connection error) is `Error::WatchStartFailed` and the watch is retried from the same
//!   version (kube-runtime does not re-list on an HTTP 410 here: the API server reports an
//!   expired version as a 410 `ERROR` event on a `200` watch, see below);
//! - while watching: `ADDED`/`MODIFIED` → `Apply`, `DELETED` → `Delete` (an object
//!   without resourceVersion is `NoResourceVersion` and a re-list), each moving the
//!   resource version on; `BOOKMARK` moves it on silently; an `ERROR` event is
//!   `Error::WatchError`, and with code 410 (`Gone`: the version is older than the
//!   server's history) the watcher re-lists; a failed read is `Error::WatchFailed` and the
//!   stream goes on; a body that ends, or stays silent for `timeoutSeconds` + 5 s, is
//!   resumed from the last resource version without a re-list.
//!
//! Upstream (kubernetes/kubernetes `staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
//! watch.go`, `serveWatch`/`ServeHTTP`): one JSON object per line (`json.Encoder` ends each
//! with `\n`), flushed after each event; the watch ends when `timeoutSeconds` has passed;
//! and the watch cache (`pkg/storage/cacher/cacher.go`, `newErrWatcher`) reports a too old
//! resourceVersion as an `ERROR` event holding a `Status` with code 410 once the watch has
//! started.

mod body;
mod lines;
mod step;

use std::collections::VecDeque;
use std::fmt::Debug;
use std::time::Duration;

use futures::Stream;
use kube::api::{Api, ListParams, VersionMatch, WatchEvent, WatchParams};
use kube::runtime::watcher::{Config, Error, Event, InitialListStrategy, ListSemantic};
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;

pub use body::WatchBody;
pub use lines::LineBuf;

type Result<T, E = Error> = std::result::Result<T, E>;
type Body<K> = WatchBody<kube::client::Body, K>;

/// The watcher's state (kube-runtime's `State`).
enum State<K> {
    Empty,
    InitPage {
        continue_token: Option<String>,
        objects: VecDeque<K>,
        last_bookmark: Option<String>,
    },
    InitialWatch {
        body: Body<K>,
    },
    InitListed {
        resource_version: String,
    },
    Watching {
        resource_version: String,
        body: Body<K>,
    },
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

/// Starts a watch as `Api::watch` → `Client::request_events` does, up to the body.
async fn start_watch<K>(
    client: &Client,
    url_path: &str,
    wp: &WatchParams,
    version: &str,
) -> kube::Result<Body<K>>
where
    K: DeserializeOwned,
{
    let mut req = kube::core::Request::new(url_path)
        .watch(wp, version)
        .map_err(kube::Error::BuildRequest)?;
    req.extensions_mut().insert("watch");
    req.headers_mut()
        .entry(http::header::ACCEPT_ENCODING)
        .or_insert(http::HeaderValue::from_static("identity"));
    let res = client.send(req.map(kube::client::Body::from)).await?;
    let status = res.status();
    if status.is_client_error() || status.is_server_error() {
        return Err(api_error(status, res.into_body()).await);
    }
    Ok(WatchBody::new(res.into_body()))
}

/// kube-client's `handle_api_errors` for a failed watch start.
async fn api_error(status: http::StatusCode, body: kube::client::Body) -> kube::Error {
    let bytes = match body.collect_bytes().await {
        Ok(b) => b,
        Err(e) => return e,
    };
    let text = match String::from_utf8(bytes.to_vec()) {
        Ok(t) => t,
        Err(e) => return kube::Error::FromUtf8(e),
    };
    match serde_json::from_str::<kube::core::Status>(&text) {
        Ok(s) => kube::Error::Api(s.boxed()),
        Err(_) => kube::Error::Api(
            kube::core::Status::failure(text.trim(), "Failed to parse error data")
                .with_code(status.as_u16())
                .boxed(),
        ),
    }
}

/// The next item of a watch body, or `None` when it ended or stayed silent for the
/// watch's timeout plus 5 s (kube-runtime's `next_with_idle_timeout`; a timeout of 0
/// waits forever).
async fn next_with_idle_timeout<K: DeserializeOwned>(
    body: &mut Body<K>,
    timeout: Option<u32>,
) -> Option<kube::Result<WatchEvent<K>>> {
    if timeout == Some(0) {
        return body.next().await;
    }
    let idle = Duration::from_secs(u64::from(timeout.unwrap_or(290))) + Duration::from_secs(5);
    tokio::time::timeout(idle, body.next()).await.ok().flatten()
}

fn is_forbidden(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.is_forbidden())
}

/// Lists and watches `api`'s resources with `wc`, as `kube::runtime::watcher(api, wc)`
/// does (same events, errors and requests), reading watch bodies with our own framing.
pub fn line_watcher<K>(api: Api<K>, wc: Config) -> impl Stream<Item = Result<Event<K>>> + Send
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let client = api.clone().into_client();
    futures::stream::unfold(
        (client, api, wc, State::Empty),
        |(client, api, wc, state)| async move {
            let (event, state) = step::step(&client, &api, &wc, state).await;
            Some((event, (client, api, wc, state)))
        },
    )
}

/// Whether `obj` carries a resource version (`Apply`/`Delete` need one).
fn version_of<K: Resource>(obj: &K) -> Option<String> {
    obj.resource_version().filter(|v| !v.is_empty())
}

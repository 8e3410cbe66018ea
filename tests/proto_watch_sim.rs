//! `adapters::kube::proto_watch::pod_watcher` against the simulator, beside kube-runtime's
//! own `watcher` on the same server: the same list (in pages, with `continue` tokens),
//! the same watch events, a dropped watch resumed without a re-list, `410 Gone` (what the
//! scenario field `force_410` does: `SimShared::force_gone`) re-listing, and API faults
//! surfacing as the same `watcher::Error` variants. The semantics followed are
//! kube-runtime 5.0.0's `src/watcher.rs` (`step_trampolined`); upstream, the API server's
//! watch cache reports an expired resourceVersion as an `ERROR` event with code 410
//! (kubernetes `staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go`,
//! `newErrWatcher`), which the simulator does too (`src/sim/watch.rs`).
//!
//! The watcher asks for protobuf (`Accept: application/vnd.kubernetes.protobuf,
//! application/json`) and reads what the server answers. The simulator serves pods in
//! protobuf as kube-apiserver does (docs/simulator.md): every test checks that protobuf
//! was used throughout ([`Encodings`]), and the paged-list test runs once more with the
//! simulator's protobuf switched off (`Shared::protobuf_pods`), as a server or proxy that
//! answers JSON would, to prove the JSON fallback gives the same items.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use std::sync::Arc;

use backout::adapters::kube::proto_watch::{Encoding, Encodings, pod_watcher};
use backout::adapters::kube::watched_pod::WatchedPod;
use backout::sim::ApiFaults;
use common::{Sim, WEB};
use futures::{Stream, StreamExt};
use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, watcher as kube_watcher};
use tokio::sync::mpsc;

/// Our watcher with its encoding counts.
fn ours(
    api: Api<WatchedPod>,
    wc: watcher::Config,
) -> (
    impl Stream<Item = Result<Event<WatchedPod>, watcher::Error>> + Send + 'static,
    Arc<Encodings>,
) {
    let encodings = Arc::new(Encodings::default());
    (pod_watcher(api, wc, encodings.clone()), encodings)
}

/// Reports the encoding the responses came in and checks it was `want` throughout.
fn report(test: &str, e: &Encodings, want: Encoding) -> Encoding {
    let (pb, json) = (e.protobuf(), e.json());
    eprintln!("{test}: {pb} protobuf and {json} JSON responses");
    assert!(pb + json > 0, "no response read");
    assert!(
        pb == 0 || json == 0,
        "mixed encodings: {pb} protobuf, {json} JSON"
    );
    let used = if pb > 0 {
        Encoding::Protobuf
    } else {
        Encoding::Json
    };
    assert_eq!(used, want, "{test}");
    used
}

/// One watcher item as text: `init`, `init-apply NAME`, `init-done`, `apply NAME`,
/// `delete NAME`, or `error VARIANT: message`.
fn describe(item: Result<Event<WatchedPod>, watcher::Error>) -> String {
    match item {
        Ok(Event::Init) => "init".into(),
        Ok(Event::InitApply(p)) => format!("init-apply {}", p.row.name),
        Ok(Event::InitDone) => "init-done".into(),
        Ok(Event::Apply(p)) => format!("apply {}", p.row.name),
        Ok(Event::Delete(p)) => format!("delete {}", p.row.name),
        Err(e) => {
            let variant = match &e {
                watcher::Error::InitialListFailed(_) => "InitialListFailed",
                watcher::Error::WatchStartFailed(_) => "WatchStartFailed",
                watcher::Error::WatchError(s) if s.code == 410 => "WatchError 410",
                watcher::Error::WatchError(_) => "WatchError",
                watcher::Error::WatchFailed(_) => "WatchFailed",
                watcher::Error::NoResourceVersion => "NoResourceVersion",
            };
            format!("error {variant}: {e}")
        }
    }
}

/// Everything a watcher sent so far.
struct Log {
    rx: mpsc::UnboundedReceiver<String>,
    items: Vec<String>,
}

fn run<S>(sim: &Sim, stream: S) -> Log
where
    S: Stream<Item = Result<Event<WatchedPod>, watcher::Error>> + Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    sim.runtime.spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(item) = stream.next().await {
            if tx.send(describe(item)).is_err() {
                return;
            }
        }
    });
    Log {
        rx,
        items: Vec::new(),
    }
}

impl Log {
    /// Receives until `pred` holds for everything received (60 s at most).
    fn until(&mut self, sim: &Sim, what: &str, pred: impl Fn(&[String]) -> bool) {
        sim.runtime.block_on(async {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while !pred(&self.items) {
                match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                    Ok(Some(item)) => self.items.push(item),
                    _ => panic!("timed out waiting for {what}; got {:#?}", self.items),
                }
            }
        });
    }

    fn count(&self, item: &str) -> usize {
        self.items.iter().filter(|i| *i == item).count()
    }
}

/// The pod names listed or applied since the last `init`, without those deleted.
fn pods(items: &[String]) -> BTreeSet<String> {
    let from = items.iter().rposition(|i| i == "init").unwrap_or(0);
    let mut pods = BTreeSet::new();
    for i in &items[from..] {
        if let Some(n) = i.strip_prefix("init-apply ").or(i.strip_prefix("apply ")) {
            pods.insert(n.to_string());
        } else if let Some(n) = i.strip_prefix("delete ") {
            pods.remove(n);
        }
    }
    pods
}

fn pods_api(sim: &Sim) -> Api<WatchedPod> {
    // The read-only connection: the `--read-only` layer is in the client's stack.
    let conn = sim.connect("backout-sim", true);
    Api::namespaced(conn.client, "shop")
}

/// Page size 2 for 3 pods: the list takes two pages and a `continue` token.
fn config() -> watcher::Config {
    watcher::Config::default().labels("app=web").page_size(2)
}

#[test]
fn lists_in_pages_watches_and_resumes_a_dropped_watch_like_kube_runtime() {
    paged_list_and_resumed_watch(Encoding::Protobuf);
}

#[test]
fn a_server_answering_json_is_read_the_same() {
    paged_list_and_resumed_watch(Encoding::Json);
}

fn paged_list_and_resumed_watch(answered: Encoding) {
    let sim = Sim::start(WEB, 20.0);
    sim.handle().shared().protobuf_pods.store(
        answered == Encoding::Protobuf,
        std::sync::atomic::Ordering::Relaxed,
    );
    let api = pods_api(&sim);
    let (stream, encodings) = ours(api.clone(), config());
    let mut ours = run(&sim, stream);
    let mut kube = run(&sim, kube_watcher(api, config()));
    let listed = |i: &[String]| i.iter().any(|i| i == "init-done");
    ours.until(&sim, "our list", listed);
    kube.until(&sim, "kube's list", listed);
    assert_eq!(ours.items[0], "init");
    assert_eq!(ours.items.len(), 5, "{:?}", ours.items);
    assert_eq!(pods(&ours.items).len(), 3);
    assert_eq!(ours.items, kube.items, "the same list, item for item");

    // Watching: a change arrives as `apply` (the watch is established once it does).
    sim.ok(&["scale", "deploy/web", "--replicas=4"]);
    ours.until(&sim, "a fourth pod", |i| pods(i).len() == 4);
    kube.until(&sim, "a fourth pod (kube)", |i| pods(i).len() == 4);

    // A dropped watch is resumed from the last resource version: no re-list, no error,
    // nothing lost.
    sim.handle().shared().drop_watches();
    sim.ok(&["scale", "deploy/web", "--replicas=5"]);
    ours.until(&sim, "a fifth pod", |i| pods(i).len() == 5);
    kube.until(&sim, "a fifth pod (kube)", |i| pods(i).len() == 5);
    assert_eq!(ours.count("init"), 1, "{:#?}", ours.items);
    assert!(
        !ours.items.iter().any(|i| i.starts_with("error")),
        "{:#?}",
        ours.items
    );
    assert_eq!(pods(&ours.items), pods(&kube.items));
    report("paged list and resumed watch", &encodings, answered);
    assert!(
        encodings.protobuf() + encodings.json() >= 4,
        "two pages and two watches at least"
    );
}

#[test]
fn a_streaming_list_is_init_the_objects_and_init_done_too() {
    let sim = Sim::start(WEB, 20.0);
    let api = pods_api(&sim);
    let streaming = || {
        watcher::Config::default()
            .labels("app=web")
            .streaming_lists()
    };
    let (stream, encodings) = ours(api.clone(), streaming());
    let mut ours = run(&sim, stream);
    let mut kube = run(&sim, kube_watcher(api, streaming()));
    let listed = |i: &[String]| i.iter().any(|i| i == "init-done");
    ours.until(&sim, "our streamed list", listed);
    kube.until(&sim, "kube's streamed list", listed);
    assert_eq!(ours.items.len(), 5, "{:?}", ours.items);
    assert_eq!(pods(&ours.items), pods(&kube.items));
    sim.ok(&["scale", "deploy/web", "--replicas=4"]);
    ours.until(&sim, "a fourth pod", |i| pods(i).len() == 4);
    report("streaming list", &encodings, Encoding::Protobuf);
}

#[test]
fn gone_relists_and_api_faults_are_kube_runtimes_errors() {
    let sim = Sim::start(WEB, 20.0);
    let api = pods_api(&sim);
    let (stream, encodings) = ours(api, config());
    let mut ours = run(&sim, stream.default_backoff());
    ours.until(&sim, "the list", |i| i.iter().any(|i| i == "init-done"));
    sim.ok(&["scale", "deploy/web", "--replicas=4"]);
    ours.until(&sim, "a fourth pod", |i| pods(i).len() == 4);

    // 410 Gone (`force_410`): a `WatchError` with code 410, then a re-list. A write
    // elsewhere first, so that the pod watch's resource version is older than the
    // compaction; provoked again (three times at most) if a bookmark had moved the watch
    // past it.
    let gone = |i: &[String]| {
        i.iter()
            .position(|i| i.starts_with("error WatchError 410"))
            .is_some_and(|at| {
                i.get(at + 1).is_some_and(|next| next == "init")
                    && i[at..].iter().any(|i| i == "init-done")
            })
    };
    for bump in 1..=3 {
        sim.ok(&[
            "label",
            "--overwrite",
            "deploy/web",
            &format!("bump={bump}"),
        ]);
        sim.handle().shared().force_gone();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !gone(&ours.items) && std::time::Instant::now() < deadline {
            if let Ok(Some(item)) = sim.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(1), ours.rx.recv()).await
            }) {
                ours.items.push(item);
            }
        }
        if gone(&ours.items) {
            break;
        }
    }
    ours.until(&sim, "a 410 and a re-list", gone);
    assert_eq!(pods(&ours.items).len(), 4, "the re-list has every pod");

    // Every request failing: the resumed watch cannot start (`WatchStartFailed`, with the
    // server's message), and once the server answers again the watch goes on.
    sim.handle().shared().set_faults(ApiFaults {
        latency_ms: 0,
        error_ratio: 1.0,
    });
    sim.handle().shared().drop_watches();
    ours.until(&sim, "a failed watch start", |i| {
        i.iter().any(|i| {
            i.starts_with("error WatchStartFailed") && i.contains("simulated API server fault")
        })
    });
    sim.handle().shared().set_faults(ApiFaults::default());
    sim.ok(&["scale", "deploy/web", "--replicas=2"]);
    ours.until(&sim, "two pods after the faults", |i| pods(i).len() == 2);
    report("410 and API faults", &encodings, Encoding::Protobuf);
}

//! The state shared by the HTTP handlers, the controllers and the simulated application
//! ([`Shared`]): the store, the clock, the policy, the injected API faults, the seeded
//! random generator, the pod behaviours, address allocation, the event recorder's cache,
//! request counters and each feature's own state (application traffic, Argo CD, the
//! deploy service, run-to-completion pods).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Notify, watch as tokio_watch};

use super::auth::Policy;
use super::clock::SimClock;
use super::discovery::{self, ResourceInfo};
use super::scenario::behaviour::{self, Behaviour};
use super::scenario::format::Scenario;
use super::status::ApiError;
use super::store::{self, Store};
use super::{app, argocd, deploy_api, events, exec, logs};

/// Faults injected into API requests (scenario windows, tests, `PUT /sim/faults`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiFaults {
    /// Added latency per API request, in real milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// Share of API requests answered with a 500 `Status` (0.0–1.0).
    #[serde(default)]
    pub error_ratio: f64,
}

/// Who a request asked to act as (`Impersonate-User`, `Impersonate-Group` headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impersonation {
    pub user: String,
    pub groups: Vec<String>,
}

/// One API request as it asked for its answer (`Shared::accept_log`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptRecord {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// The `Accept` header (empty when absent).
    pub accept: String,
}

/// How many [`AcceptRecord`]s are kept.
const ACCEPT_LOG_LIMIT: usize = 1000;

/// State shared by the HTTP handlers, the controllers and the simulated application.
pub struct Shared {
    pub store: Store,
    pub clock: SimClock,
    pub policy: Policy,
    /// `https://127.0.0.1:PORT`.
    pub server_address: String,
    pub bookmark_interval: Duration,
    rng: Mutex<ChaCha8Rng>,
    faults: RwLock<ApiFaults>,
    fault_rng: Mutex<ChaCha8Rng>,
    watch_epoch: tokio_watch::Sender<u64>,
    kick: Notify,
    /// The simulated application (traffic counters).
    pub app: Mutex<app::AppState>,
    /// Behaviour of each application version (first match wins).
    behaviours: RwLock<Vec<Behaviour>>,
    /// Bumped whenever `behaviours` changes (the application caches pod groups).
    behaviours_gen: AtomicU64,
    /// Events the current controller pass may still record.
    event_budget: AtomicU64,
    /// The event recorder's names and aggregation cache.
    pub(crate) event_log: Mutex<events::EventLog>,
    /// The new-style recorder's cache of isomorphic events (`sim/event_series.rs`).
    pub(crate) event_series: Mutex<super::event_series::SeriesCache>,
    /// Images on each simulated node: `node\0image` → UID of the pod pulling it, empty
    /// once pulled.
    node_images: Mutex<std::collections::HashMap<String, String>>,
    /// The API server's CA certificate (PEM), published in every namespace.
    pub(super) ca_pem: std::sync::OnceLock<String>,
    /// Next pod IP (an offset in 10.244.0.0/14).
    next_ip: AtomicU64,
    /// Next service cluster IP (an offset in 10.96.0.0/12).
    next_service_ip: AtomicU64,
    /// Bumped by every `set_faults`.
    faults_gen: AtomicU64,
    /// Requests answered since start (for benchmarks).
    pub requests: AtomicU64,
    /// Timeline entries played so far (for drill scoring).
    timeline_log: Mutex<Vec<TimelineRecord>>,
    /// API requests received since start, by HTTP method (`GET`, `POST`, `PATCH`, …), for
    /// tests proving that nothing mutating reached the server.
    requests_by_method: Mutex<std::collections::BTreeMap<String, u64>>,
    impersonations: Mutex<Vec<Impersonation>>,
    /// Argo CD's Git repositories (the applications are in the store).
    pub argocd: argocd::ArgoCdState,
    /// The simulated deploy service (scenarios with `deploy_api:`).
    pub deploy_api: deploy_api::DeployApiState,
    /// Commands of run-to-completion pods (`sim/exec/runs.rs`).
    pub exec_runs: exec::RunState,
    /// Each container's last ended runs, for `kubectl logs -f` (`sim/logs/kept.rs`).
    pub kept_runs: logs::KeptRuns,
    /// Whether pods are served in protobuf to clients asking for it (`sim/protobuf/`); on
    /// by default, off to compare a client's view of the JSON answers.
    pub protobuf_pods: AtomicBool,
    /// The last API requests' `Accept` headers (tests: which clients ask for protobuf).
    accept_log: Mutex<std::collections::VecDeque<AcceptRecord>>,
}

/// A timeline entry the simulator has played.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineRecord {
    /// Simulated seconds since start when it was applied.
    pub at_secs: f64,
    /// Wall-clock time when it was applied (RFC 3339).
    pub wall_time: String,
    /// The entry's note, or a description of its action.
    pub what: String,
    /// Set when the entry could not be applied.
    pub error: Option<String>,
}

impl Shared {
    /// The state of a new simulator; `scenario` gives the pod behaviours and the
    /// commands of run-to-completion pods.
    pub(super) fn new(
        server_address: String,
        speed: f64,
        seed: u64,
        policy: &Policy,
        history_limit: usize,
        bookmark_interval: Duration,
        scenario: Option<&Scenario>,
    ) -> Self {
        let (watch_epoch, _) = tokio_watch::channel(0u64);
        let behaviours = scenario.map(|s| s.behaviours.clone()).unwrap_or_default();
        Self {
            store: Store::new(history_limit),
            clock: SimClock::new(speed),
            policy: policy.clone(),
            server_address,
            bookmark_interval,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
            faults: RwLock::new(ApiFaults::default()),
            fault_rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_fa17)),
            watch_epoch,
            kick: Notify::new(),
            app: Mutex::new(app::AppState::new(seed)),
            behaviours: RwLock::new(behaviours),
            requests: AtomicU64::new(0),
            behaviours_gen: AtomicU64::new(0),
            event_budget: AtomicU64::new(0),
            event_log: Mutex::new(events::EventLog::default()),
            event_series: Mutex::new(super::event_series::SeriesCache::default()),
            node_images: Mutex::new(Default::default()),
            ca_pem: std::sync::OnceLock::new(),
            next_ip: AtomicU64::new(2),
            next_service_ip: AtomicU64::new(16),
            faults_gen: AtomicU64::new(0),
            timeline_log: Mutex::new(Vec::new()),
            requests_by_method: Mutex::new(Default::default()),
            argocd: argocd::ArgoCdState::default(),
            deploy_api: deploy_api::DeployApiState::default(),
            exec_runs: exec::RunState::with_scripts(
                scenario.map(|s| s.exec.clone()).unwrap_or_default(),
            ),
            impersonations: Mutex::new(Vec::new()),
            kept_runs: logs::KeptRuns::default(),
            protobuf_pods: AtomicBool::new(true),
            accept_log: Mutex::new(Default::default()),
        }
    }

    /// Records an API request's `Accept` header (the last thousand are kept).
    pub fn record_accept(&self, method: &str, target: &str, headers: &http::HeaderMap) {
        let accept = headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let mut log = self.accept_log.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() >= ACCEPT_LOG_LIMIT {
            log.pop_front();
        }
        log.push_back(AcceptRecord {
            method: method.to_string(),
            target: target.to_string(),
            accept: accept.to_string(),
        });
    }

    /// The recorded `Accept` headers, oldest first.
    pub fn accept_log(&self) -> Vec<AcceptRecord> {
        let log = self.accept_log.lock().unwrap_or_else(|p| p.into_inner());
        log.iter().cloned().collect()
    }

    /// Whether pods are served in protobuf (see [`Shared::protobuf_pods`]).
    pub fn serves_protobuf(&self) -> bool {
        self.protobuf_pods.load(Ordering::Relaxed)
    }

    /// Keeps the `Impersonate-User` / `Impersonate-Group` headers of a request that has
    /// them (the simulator authorizes as the authenticated user; tests read what came).
    pub fn record_impersonation(&self, headers: &http::HeaderMap) {
        let Some(user) = headers
            .get("impersonate-user")
            .and_then(|v| v.to_str().ok())
        else {
            return;
        };
        let groups = headers
            .get_all("impersonate-group")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        self.impersonations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Impersonation {
                user: user.to_string(),
                groups,
            });
    }

    /// Every impersonation seen since start, in arrival order.
    pub fn impersonations(&self) -> Vec<Impersonation> {
        self.impersonations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Counts one API request (`/api`, `/apis`) by method.
    pub fn count_request(&self, method: &str) {
        *self
            .requests_by_method
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(method.to_string())
            .or_default() += 1;
    }

    /// API requests received since start, by HTTP method.
    pub fn requests_by_verb(&self) -> std::collections::BTreeMap<String, u64> {
        self.requests_by_method
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Random bytes from the seeded generator.
    pub fn random_bytes<const N: usize>(&self) -> [u8; N] {
        let mut out = [0u8; N];
        self.rng
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .fill_bytes(&mut out);
        out
    }

    /// The `namespaces` resource.
    pub fn namespaces(&self) -> &'static ResourceInfo {
        res("", "namespaces")
    }

    /// Wakes the controllers (a client changed something): the next pass runs at once
    /// instead of at the next tick.
    pub fn kick(&self) {
        self.kick.notify_one();
    }

    /// Resolves after the next [`Shared::kick`].
    pub async fn kicked(&self) {
        self.kick.notified().await;
    }

    /// The current API faults.
    pub fn faults(&self) -> ApiFaults {
        self.faults
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the API faults.
    pub fn set_faults(&self, f: ApiFaults) {
        *self.faults.write().unwrap_or_else(|p| p.into_inner()) = f;
        self.faults_gen.fetch_add(1, Ordering::Relaxed);
    }

    /// Changes whenever the faults are replaced (fault windows end only their own).
    pub fn faults_generation(&self) -> u64 {
        self.faults_gen.load(Ordering::Relaxed)
    }

    /// Closes every open watch (clients see the stream end and re-watch).
    pub fn drop_watches(&self) {
        self.watch_epoch.send_modify(|e| *e += 1);
    }

    /// Closes every open watch and forgets the event history, so that every resume from a
    /// resource version gets `410 Gone` and clients must re-list.
    pub fn force_gone(&self) {
        self.store.compact();
        self.drop_watches();
    }

    /// A receiver that changes when watches must close.
    pub fn watch_epoch(&self) -> tokio_watch::Receiver<u64> {
        self.watch_epoch.subscribe()
    }

    /// Applies latency and 500s from the current faults.
    pub async fn inject_faults(&self) -> Result<(), ApiError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let f = self.faults();
        if f.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(f.latency_ms)).await;
        }
        if f.error_ratio > 0.0 {
            let roll: f64 = self
                .fault_rng
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .random();
            if roll < f.error_ratio {
                return Err(ApiError::Internal(
                    "simulated API server fault (injected by backout sim)".into(),
                ));
            }
        }
        Ok(())
    }

    /// Removes owner references to `owner_uid` from every object (orphan deletion).
    pub fn orphan_dependents(&self, owner_uid: &str) {
        for r in [res("apps", "replicasets"), res("", "pods")] {
            let (_, items) = self.store.list(r, None);
            for item in items {
                let refs = item["metadata"]["ownerReferences"].as_array();
                if refs.is_some_and(|refs| refs.iter().any(|o| o["uid"] == owner_uid)) {
                    let mut o = (*item).clone();
                    if let Some(a) = o["metadata"]["ownerReferences"].as_array_mut() {
                        a.retain(|o| o["uid"] != owner_uid);
                    }
                    let _ = self.store.update(r, o, None);
                }
            }
        }
    }

    /// Deletes every namespaced object in `ns`.
    pub fn delete_namespace_contents(&self, ns: &str) {
        for r in discovery::RESOURCES.iter().filter(|r| r.namespaced) {
            let (_, items) = self.store.list(r, Some(ns));
            for item in items {
                let (n, name) = store::key_of(&item);
                let _ = self.store.delete(r, &n, &name);
            }
        }
    }

    /// Records a played timeline entry.
    pub fn log_timeline(&self, record: TimelineRecord) {
        let mut log = self.timeline_log.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() < 10_000 {
            log.push(record);
        }
    }

    /// The timeline entries played so far, in order.
    pub fn timeline_played(&self) -> Vec<TimelineRecord> {
        self.timeline_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A pod IP: sequential in 10.244.0.0/14, skipping network and broadcast-looking
    /// addresses, wrapping after ~260,000 pods.
    pub fn allocate_pod_ip(&self) -> String {
        next_host(&self.next_ip, 244, 4 << 16)
    }

    /// The next free cluster IP in `10.96.0.0/12` (skipping `.0` and `.255` hosts).
    pub fn next_service_ip(&self) -> String {
        next_host(&self.next_service_ip, 96, 1 << 20)
    }

    /// Allows `n` more events until the next reset (one reset per controller pass).
    pub fn reset_event_budget(&self, n: usize) {
        self.event_budget.store(n as u64, Ordering::Relaxed);
    }

    /// Takes one event from the budget; false when it is spent.
    pub fn take_event_budget(&self) -> bool {
        self.event_budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
            .is_ok()
    }

    /// The API server's CA certificate (PEM), once the server has one.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.get().map(String::as_str)
    }

    /// A pod on `node` needs `image`: true when it is neither there nor being pulled (the
    /// pod then pulls it).
    pub fn claim_image_pull(&self, node: &str, image: &str, pod_uid: &str) -> bool {
        let mut images = self.node_images.lock().unwrap_or_else(|p| p.into_inner());
        let key = format!("{node}\0{image}");
        if images.contains_key(&key) {
            return false;
        }
        images.insert(key, pod_uid.to_string());
        true
    }

    /// A pod on `node` starts with `image`: true when this pod pulled it (the pull ends
    /// now), false when it was already there.
    pub fn finish_image_pull(&self, node: &str, image: &str, pod_uid: &str) -> bool {
        let mut images = self.node_images.lock().unwrap_or_else(|p| p.into_inner());
        let key = format!("{node}\0{image}");
        match images.get(&key) {
            Some(puller) if puller == pod_uid => {
                images.insert(key, String::new());
                true
            }
            Some(_) => false,
            None => {
                images.insert(key, String::new());
                true
            }
        }
    }

    /// Adds a behaviour that takes precedence over the existing ones.
    pub fn add_behaviour(&self, b: Behaviour) {
        self.behaviours
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(0, b);
        self.behaviours_gen.fetch_add(1, Ordering::Relaxed);
    }

    /// Changes whenever the behaviours change.
    pub fn behaviours_generation(&self) -> u64 {
        self.behaviours_gen.load(Ordering::Relaxed)
    }

    /// Runs `f` with the behaviour of a pod, without copying it.
    pub fn with_behaviour<R>(&self, pod_spec: &Value, f: impl FnOnce(&Behaviour) -> R) -> R {
        static DEFAULT: std::sync::LazyLock<Behaviour> =
            std::sync::LazyLock::new(Behaviour::default);
        let list = self.behaviours.read().unwrap_or_else(|p| p.into_inner());
        let b = behaviour::behaviour_index(&list, pod_spec)
            .and_then(|i| list.get(i))
            .unwrap_or(&DEFAULT);
        f(b)
    }

    /// The index of a pod's behaviour (`None`: the defaults), for grouping pods.
    pub fn behaviour_index(&self, pod_spec: &Value) -> Option<usize> {
        let list = self.behaviours.read().unwrap_or_else(|p| p.into_inner());
        behaviour::behaviour_index(&list, pod_spec)
    }

    /// The behaviour at an index from [`Shared::behaviour_index`].
    pub fn behaviour_at(&self, index: Option<usize>) -> Behaviour {
        let list = self.behaviours.read().unwrap_or_else(|p| p.into_inner());
        index.and_then(|i| list.get(i)).cloned().unwrap_or_default()
    }

    /// The behaviour of a pod, from its image and environment.
    pub fn behaviour_of(&self, pod_spec: &Value) -> Behaviour {
        let list = self.behaviours.read().unwrap_or_else(|p| p.into_inner());
        behaviour::behaviour_for(&list, pod_spec)
    }
}

/// Looks up a served resource that is known to exist.
///
/// Only ever called with literals naming served resources; an unknown name is a bug caught
/// by `debug_assert` in tests (release builds fall back to namespaces).
pub fn res(group: &str, plural: &str) -> &'static ResourceInfo {
    let found = discovery::RESOURCES
        .iter()
        .find(|r| r.group == group && r.plural == plural);
    debug_assert!(found.is_some(), "unknown resource {group}/{plural}");
    found.unwrap_or(&discovery::RESOURCES[0])
}

/// The next address of a block of `size` addresses from `10.FIRST.0.0`, sequential from
/// `counter`, skipping `.0` and `.255` hosts and wrapping at the block's end.
fn next_host(counter: &AtomicU64, first: u64, size: u64) -> String {
    loop {
        let n = counter.fetch_add(1, Ordering::Relaxed) % size;
        let (a, b, c) = (first + (n >> 16), (n >> 8) & 255, n & 255);
        if c != 0 && c != 255 {
            return format!("10.{a}.{b}.{c}");
        }
    }
}

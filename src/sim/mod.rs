//! The simulated Kubernetes cluster (DESIGN.md §4): a real HTTP server on loopback that
//! speaks enough of the Kubernetes API for real `kubectl` and kube-rs, with deployment,
//! replica-set and pod-lifecycle controllers, a simulated application exposing Prometheus
//! metrics, and scripted drill scenarios.
//!
//! ```no_run
//! # async fn demo() -> Result<(), backout::sim::SimError> {
//! use backout::sim::{SimConfig, Simulator, Scenario};
//! let scenario = Scenario::load("bad-deploy", std::path::Path::new("runbooks/drills"))?;
//! let sim = Simulator::start(SimConfig { speed: 20.0, scenario: Some(scenario), ..SimConfig::default() }).await?;
//! sim.write_kubeconfig(std::path::Path::new("/tmp/kubeconfig"))?;
//! println!("listening on {}", sim.addr());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

pub mod app;
pub mod apply;
pub mod argocd;
pub mod auth;
pub mod clock;
pub mod cluster_basics;
pub mod controllers;
pub mod deploy_api;
pub mod discovery;
pub mod events;
pub mod exec;
pub mod field_validation;
pub mod kubeconfig;
pub mod logs;
pub mod metrics_api;
pub mod metrics_source;
pub mod objects;
pub mod patch;
pub mod portforward;
pub mod protobuf;
pub mod scenario;
pub mod scenario_retarget;
pub mod selectors;
pub mod server;
pub mod services;
pub mod status;
pub mod store;
pub mod table;
pub mod tls;
pub mod validation;
pub mod watch;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Notify, watch as tokio_watch};

pub use auth::Policy;
pub use clock::SimClock;
pub use scenario::{Behaviour, Scenario};
pub use status::ApiError;
pub use store::Store;

use discovery::ResourceInfo;

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

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot write kubeconfig {path}: {source}")]
    Kubeconfig {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Scenario(#[from] scenario::ScenarioError),
    #[error(transparent)]
    Policy(#[from] auth::PolicyError),
    #[error("scenario setup failed: {0}")]
    Setup(#[from] ApiError),
}

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Time compression factor.
    pub speed: f64,
    /// Seed of every random choice (names, UIDs, traffic noise).
    pub seed: u64,
    /// Users and what they may do.
    pub policy: Policy,
    /// The scenario to set up and play; `None` starts an empty cluster with a `default`
    /// namespace.
    pub scenario: Option<Scenario>,
    /// Events kept per resource for watch resume.
    pub history_limit: usize,
    /// How often watches with `allowWatchBookmarks` get a bookmark (real time).
    pub bookmark_interval: Duration,
    /// Hold the scenario's timeline until [`SimHandle::release_timeline`]: a drill starts
    /// it when the operator leaves the intro, its entries then play at their `at` from
    /// that moment.
    pub hold_timeline: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            speed: 1.0,
            seed: 1,
            policy: Policy::default(),
            scenario: None,
            history_limit: 10_000,
            bookmark_interval: Duration::from_secs(5),
            hold_timeline: false,
        }
    }
}

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
    /// Images on each simulated node: `node\0image` → UID of the pod pulling it, empty
    /// once pulled.
    node_images: Mutex<std::collections::HashMap<String, String>>,
    /// The API server's CA certificate (PEM), published in every namespace.
    ca_pem: std::sync::OnceLock<String>,
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
    fn new(config: &SimConfig, server_address: String) -> Self {
        let (watch_epoch, _) = tokio_watch::channel(0u64);
        let behaviours = config
            .scenario
            .as_ref()
            .map(|s| s.behaviours.clone())
            .unwrap_or_default();
        Self {
            store: Store::new(config.history_limit),
            clock: SimClock::new(config.speed),
            policy: config.policy.clone(),
            server_address,
            bookmark_interval: config.bookmark_interval,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            faults: RwLock::new(ApiFaults::default()),
            fault_rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed_fa17)),
            watch_epoch,
            kick: Notify::new(),
            app: Mutex::new(app::AppState::new(config.seed)),
            behaviours: RwLock::new(behaviours),
            requests: AtomicU64::new(0),
            behaviours_gen: AtomicU64::new(0),
            event_budget: AtomicU64::new(0),
            event_log: Mutex::new(events::EventLog::default()),
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
                config
                    .scenario
                    .as_ref()
                    .map(|s| s.exec.clone())
                    .unwrap_or_default(),
            ),
            impersonations: Mutex::new(Vec::new()),
        }
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
        loop {
            let n = self.next_ip.fetch_add(1, Ordering::Relaxed) % (4 << 16);
            let (a, b, c) = (244 + (n >> 16), (n >> 8) & 255, n & 255);
            if c != 0 && c != 255 {
                return format!("10.{a}.{b}.{c}");
            }
        }
    }

    /// The next free cluster IP in `10.96.0.0/12` (skipping `.0` and `.255` hosts).
    pub fn next_service_ip(&self) -> String {
        loop {
            let n = self.next_service_ip.fetch_add(1, Ordering::Relaxed) % (1 << 20);
            let (a, b, c) = (96 + (n >> 16), (n >> 8) & 255, n & 255);
            if c != 0 && c != 255 {
                return format!("10.{a}.{b}.{c}");
            }
        }
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
        let b = scenario::behaviour_index(&list, pod_spec)
            .and_then(|i| list.get(i))
            .unwrap_or(&DEFAULT);
        f(b)
    }

    /// The index of a pod's behaviour (`None`: the defaults), for grouping pods.
    pub fn behaviour_index(&self, pod_spec: &Value) -> Option<usize> {
        let list = self.behaviours.read().unwrap_or_else(|p| p.into_inner());
        scenario::behaviour_index(&list, pod_spec)
    }

    /// The behaviour at an index from [`Shared::behaviour_index`].
    pub fn behaviour_at(&self, index: Option<usize>) -> Behaviour {
        let list = self.behaviours.read().unwrap_or_else(|p| p.into_inner());
        index.and_then(|i| list.get(i)).cloned().unwrap_or_default()
    }

    /// The behaviour of a pod, from its image and environment.
    pub fn behaviour_of(&self, pod_spec: &Value) -> Behaviour {
        let list = self.behaviours.read().unwrap_or_else(|p| p.into_inner());
        scenario::behaviour_for(&list, pod_spec)
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

/// The simulator; see [`Simulator::start`].
pub struct Simulator;

/// A running simulator. Dropping it does not stop it; call [`SimHandle::shutdown`].
pub struct SimHandle {
    addr: SocketAddr,
    ca_pem: String,
    ca_der: Vec<u8>,
    shared: Arc<Shared>,
    stop: tokio_watch::Sender<bool>,
    /// Set to start a held timeline.
    timeline_go: Arc<tokio_watch::Sender<bool>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    default_namespace: String,
}

impl Simulator {
    /// Starts a simulator in this tokio runtime: binds, sets the scenario's initial cluster
    /// up (settled: its pods are already running), and starts serving, the controllers,
    /// the simulated application and the scenario timeline.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| SimError::Bind {
                addr: config.listen.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: config.listen.to_string(),
            source,
        })?;
        let certs = tls::generate()?;
        let shared = Arc::new(Shared::new(&config, format!("https://{addr}")));
        let (stop, stop_rx) = tokio_watch::channel(false);
        let _ = shared.ca_pem.set(certs.ca_pem.clone());
        cluster_basics::bootstrap(&shared)?;
        let default_namespace = match &config.scenario {
            Some(s) => {
                s.setup(&shared)?;
                s.default_namespace()
            }
            None => {
                scenario::ensure_namespace(&shared, "default")?;
                "default".to_string()
            }
        };
        // Let the initial cluster settle before anyone looks at it.
        controllers::settle(&shared);
        let mut tasks = Vec::new();
        let router = server::router(shared.clone());
        let (listener, accept_loop) =
            tls::accept_loop(listener, certs.server.clone(), stop_rx.clone()).map_err(
                |source| SimError::Bind {
                    addr: config.listen.to_string(),
                    source,
                },
            )?;
        tasks.push(tokio::spawn(accept_loop));
        let mut srv_stop = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = srv_stop.wait_for(|s| *s).await;
                })
                .await;
        }));
        tasks.push(tokio::spawn(controllers::run(
            shared.clone(),
            stop_rx.clone(),
        )));
        let (timeline_go, go_rx) = tokio_watch::channel(!config.hold_timeline);
        if let Some(s) = config.scenario {
            tasks.push(tokio::spawn(scenario::run_timeline(
                shared.clone(),
                s,
                stop_rx.clone(),
                go_rx,
            )));
        }
        Ok(SimHandle {
            addr,
            ca_pem: certs.ca_pem,
            ca_der: certs.ca_der,
            shared,
            stop,
            timeline_go: Arc::new(timeline_go),
            tasks,
            default_namespace,
        })
    }
}

impl SimHandle {
    /// Starts a timeline held by [`SimConfig::hold_timeline`] (no effect otherwise, or a
    /// second time).
    pub fn release_timeline(&self) {
        self.timeline_go.send_replace(true);
    }

    /// [`SimHandle::release_timeline`] as a callback that outlives a borrow of the handle.
    pub fn timeline_starter(&self) -> Box<dyn FnOnce() + Send> {
        let go = Arc::clone(&self.timeline_go);
        Box::new(move || {
            go.send_replace(true);
        })
    }

    /// The address the API server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The certificate of the CA that signed the server certificate (PEM), generated at
    /// start; generated kubeconfigs carry it as `certificate-authority-data`.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate, DER (e.g. for `kube::Config::root_cert`).
    pub fn ca_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// An HTTP client that trusts the simulator's CA (and only it), sending `token` as
    /// bearer token when given: for tests, benchmarks and scripts talking to the API or to
    /// `/sim/*` directly.
    pub fn http_client(&self, token: Option<&str>) -> Result<reqwest::Client, reqwest::Error> {
        let mut b = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(self.ca_pem.as_bytes())?);
        if let Some(t) = token
            && let Ok(mut v) = reqwest::header::HeaderValue::from_str(&format!("Bearer {t}"))
        {
            v.set_sensitive(true);
            let mut h = reqwest::header::HeaderMap::new();
            h.insert(reqwest::header::AUTHORIZATION, v);
            b = b.default_headers(h);
        }
        b.build()
    }

    /// The shared state (store, clock, faults) for tests and drills.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The kubeconfig YAML (contexts `backout-sim` for the admin user and
    /// `backout-sim-<user>` for the others).
    pub fn kubeconfig_yaml(&self) -> String {
        kubeconfig::render(
            &self.url(),
            &self.ca_pem,
            &self.shared.policy,
            &self.default_namespace,
        )
    }

    /// Writes the kubeconfig (mode 0600).
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), SimError> {
        kubeconfig::write(path, &self.kubeconfig_yaml()).map_err(|source| SimError::Kubeconfig {
            path: path.display().to_string(),
            source,
        })
    }

    /// Stops serving and every background task, and waits for them.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        self.shared.drop_watches();
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
    }
}

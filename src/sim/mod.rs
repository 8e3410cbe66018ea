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
pub mod auth;
pub mod clock;
pub mod controllers;
pub mod discovery;
pub mod kubeconfig;
pub mod objects;
pub mod patch;
pub mod protobuf;
pub mod scenario;
pub mod selectors;
pub mod server;
pub mod status;
pub mod store;
pub mod table;
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
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            speed: 1.0,
            seed: 1,
            policy: Policy::default(),
            scenario: None,
            history_limit: 50_000,
            bookmark_interval: Duration::from_secs(5),
        }
    }
}

/// State shared by the HTTP handlers, the controllers and the simulated application.
pub struct Shared {
    pub store: Store,
    pub clock: SimClock,
    pub policy: Policy,
    /// `http://127.0.0.1:PORT`.
    pub server_address: String,
    pub bookmark_interval: Duration,
    rng: Mutex<ChaCha8Rng>,
    faults: RwLock<ApiFaults>,
    fault_rng: Mutex<ChaCha8Rng>,
    watch_epoch: tokio_watch::Sender<u64>,
    kick: Notify,
    /// The simulated application (traffic counters).
    pub app: Mutex<app::AppState>,
    /// Behaviour of each application version.
    pub behaviours: RwLock<Vec<Behaviour>>,
    /// Requests answered since start (for benchmarks).
    pub requests: AtomicU64,
    /// API requests received since start, by HTTP method (`GET`, `POST`, `PATCH`, …), for
    /// tests proving that nothing mutating reached the server.
    requests_by_method: Mutex<std::collections::BTreeMap<String, u64>>,
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
            requests_by_method: Mutex::new(Default::default()),
        }
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

    /// Wakes the controllers (something changed).
    pub fn kick(&self) {
        self.kick.notify_one();
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

    /// The behaviour of a pod, from its image and environment.
    pub fn behaviour_of(&self, pod_spec: &Value) -> Behaviour {
        let list = self.behaviours.read().unwrap_or_else(|p| p.into_inner());
        scenario::behaviour_for(&list, pod_spec)
    }
}

/// Looks up a served resource that is known to exist.
pub fn res(group: &str, plural: &str) -> &'static ResourceInfo {
    discovery::RESOURCES
        .iter()
        .find(|r| r.group == group && r.plural == plural)
        .unwrap_or(&discovery::RESOURCES[0])
}

/// The simulator; see [`Simulator::start`].
pub struct Simulator;

/// A running simulator. Dropping it does not stop it; call [`SimHandle::shutdown`].
pub struct SimHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: tokio_watch::Sender<bool>,
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
        let shared = Arc::new(Shared::new(&config, format!("http://{addr}")));
        let (stop, stop_rx) = tokio_watch::channel(false);
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
        if let Some(s) = config.scenario {
            tasks.push(tokio::spawn(scenario::run_timeline(
                shared.clone(),
                s,
                stop_rx.clone(),
            )));
        }
        Ok(SimHandle {
            addr,
            shared,
            stop,
            tasks,
            default_namespace,
        })
    }
}

impl SimHandle {
    /// The address the API server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state (store, clock, faults) for tests and drills.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The kubeconfig YAML (contexts `backout-sim` for the admin user and
    /// `backout-sim-<user>` for the others).
    pub fn kubeconfig_yaml(&self) -> String {
        kubeconfig::render(&self.url(), &self.shared.policy, &self.default_namespace)
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

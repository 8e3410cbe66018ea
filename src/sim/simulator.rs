//! Starting and stopping a simulator: [`SimConfig`], [`Simulator::start`] (bind, set the
//! scenario's cluster up, serve, run the controllers and the timeline) and the running
//! [`SimHandle`].

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch as tokio_watch;

use super::auth::{self, Policy};
use super::scenario::{self, Scenario};
use super::state::Shared;
use super::status::ApiError;
use super::{cluster_basics, http, kubeconfig, tick, tls};

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
        let shared = Arc::new(Shared::new(
            format!("https://{addr}"),
            config.speed,
            config.seed,
            &config.policy,
            config.history_limit,
            config.bookmark_interval,
            config.scenario.as_ref(),
        ));
        let (stop, stop_rx) = tokio_watch::channel(false);
        let _ = shared.ca_pem.set(certs.ca_pem.clone());
        cluster_basics::bootstrap(&shared)?;
        let default_namespace = match &config.scenario {
            Some(s) => {
                s.setup(&shared)?;
                s.default_namespace()
            }
            None => {
                cluster_basics::ensure_namespace(&shared, "default")?;
                "default".to_string()
            }
        };
        // Let the initial cluster settle before anyone looks at it.
        tick::settle(&shared);
        let mut tasks = Vec::new();
        let router = http::router(shared.clone());
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
        tasks.push(tokio::spawn(tick::run(shared.clone(), stop_rx.clone())));
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

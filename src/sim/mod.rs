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
pub mod cluster_dns;
pub mod controllers;
pub mod defaults;
pub mod deletion;
pub mod deploy_api;
pub mod discovery;
pub mod event_series;
pub mod events;
pub mod exec;
pub mod field_validation;
pub mod http;
pub mod kubeconfig;
pub mod latency;
pub mod logs;
pub mod metrics_api;
pub mod metrics_source;
pub mod objects;
pub mod params;
pub mod patch;
pub mod portforward;
pub mod predicates;
pub mod protobuf;
pub mod scale;
pub mod scenario;
pub mod scenario_retarget;
pub mod selectors;
pub mod server;
pub mod services;
pub mod simulator;
pub mod state;
pub mod status;
pub mod store;
pub mod table;
pub mod tick;
pub mod tls;
pub mod validation;
pub mod watch;

pub use auth::Policy;
pub use clock::SimClock;
pub use scenario::{Behaviour, Scenario};
pub use simulator::{SimConfig, SimError, SimHandle, Simulator};
pub use state::{AcceptRecord, ApiFaults, Impersonation, Shared, TimelineRecord, res};
pub use status::ApiError;
pub use store::Store;

//! Probes for verification checks: each measures one thing (an HTTP answer, PromQL
//! readings, the target's pods and rollout, a shell command's exit) and hands the facts
//! to the pure judges in [`crate::domain::verify`]; [`run_window`] samples a check over its
//! monitor window on a scalable clock.

mod cluster;
mod http;
mod in_cluster;
mod promql;
mod shell;
mod window;

use std::sync::Arc;
use std::time::Duration;

use crate::adapters::metrics_source::MetricsSource;
use crate::domain::cluster::Target;
use crate::domain::verify::{Check, Observation, Probe};

pub use cluster::ClusterProbe;
pub use http::probe_http;
pub use in_cluster::simulated_service_url;
pub use promql::probe_promql;
pub use shell::probe_shell;
pub use window::{Control, Progress, TimeScale, run_window};

/// Everything a check may need to take a sample.
#[derive(Clone)]
pub struct Prober {
    /// For HTTP checks (in drills: one that trusts the simulator's CA).
    pub http: reqwest::Client,
    /// Bound on each HTTP request and shell command.
    pub timeout: Duration,
    /// For pods and rollout checks; `None` when no cluster is connected.
    pub cluster: Option<ClusterProbe>,
    /// For PromQL checks: it must serve every metric the checks name (the runbook's
    /// `metrics.queries` plus the queries the checks introduce).
    pub metrics: Option<Arc<dyn MetricsSource>>,
    /// In a drill, the simulator's URL: HTTP checks naming an in-cluster Service are
    /// answered by the simulator (see [`simulated_service_url`]).
    pub simulated_services: Option<String>,
    /// Environment of shell checks (`KUBECONFIG` pinning the console's context).
    pub shell_env: Vec<(String, String)>,
    /// A drill on the simulator: an HTTP check whose URL the simulator does not answer is
    /// not requested (it would measure the real world, not the drill).
    pub simulated_only: bool,
}

impl std::fmt::Debug for Prober {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prober")
            .field("timeout", &self.timeout)
            .field("cluster", &self.cluster.is_some())
            .field("metrics", &self.metrics.as_ref().map(|m| m.names()))
            .finish_non_exhaustive()
    }
}

impl Prober {
    /// A prober with a plain HTTP client, no cluster and no metrics.
    pub fn new(timeout: Duration) -> Prober {
        Prober {
            http: reqwest::Client::new(),
            timeout,
            cluster: None,
            metrics: None,
            simulated_services: None,
            shell_env: Vec::new(),
            simulated_only: false,
        }
    }

    /// Takes one sample of `check` and judges it.
    pub async fn observe(&self, check: &Check) -> Observation {
        match &check.probe {
            Probe::Http(p) => {
                let routed = self
                    .simulated_services
                    .as_deref()
                    .and_then(|sim| simulated_service_url(&p.url, sim));
                match routed {
                    Some(url) => {
                        let p = crate::domain::verify::HttpProbe { url, ..p.clone() };
                        probe_http(&self.http, &p, self.timeout).await
                    }
                    None if self.simulated_only => Observation::Unknown {
                        reason: format!(
                            "drill: {} is outside the simulator (only in-cluster Service URLs are answered); not requested",
                            p.url
                        ),
                    },
                    None => probe_http(&self.http, p, self.timeout).await,
                }
            }
            Probe::Promql(p) => match &self.metrics {
                Some(m) => probe_promql(m.as_ref(), p, chrono::Utc::now()).await,
                None => Observation::Unknown {
                    reason: "no metrics source: configure `metrics.prometheus` or run a drill"
                        .into(),
                },
            },
            Probe::Pods(p) => match &self.cluster {
                Some(c) => c.pods(p).await,
                None => no_cluster(),
            },
            Probe::Rollout(p) => match &self.cluster {
                Some(c) => c.rollout(p).await,
                None => no_cluster(),
            },
            Probe::Shell(p) => probe_shell(&p.command, &self.shell_env, self.timeout).await,
        }
    }
}

fn no_cluster() -> Observation {
    Observation::Unknown {
        reason: "no cluster connection".into(),
    }
}

/// The namespace and Deployment a probe names, each filled from the runbook's target.
pub(crate) fn target_of(
    default: &Target,
    namespace: Option<&String>,
    deployment: Option<&String>,
) -> Target {
    Target {
        context: default.context.clone(),
        namespace: namespace
            .cloned()
            .unwrap_or_else(|| default.namespace.clone()),
        deployment: deployment
            .cloned()
            .unwrap_or_else(|| default.deployment.clone()),
    }
}

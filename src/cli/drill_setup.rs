//! What `backout drill` hands the console: the simulator's kubeconfig, metrics and
//! verification sources, the scenario's timeline and the intro layer.

use std::sync::Arc;

use crate::adapters::metrics_source::MetricsSource;
use crate::runtime::drill_feed::DrillFeed;
use crate::ui::state::drill::DrillIntro;

/// What `backout drill` adds to a console session (see `cli/drill.rs`).
pub struct DrillSetup {
    /// Metrics when no Prometheus is configured (the simulator's model): the source and
    /// the label the metrics pane shows.
    pub fallback_metrics: Option<(Arc<dyn MetricsSource>, String)>,
    /// The source verification checks read when no Prometheus is configured (it also
    /// serves the runbook's ```promql checks, even without `metrics.queries`).
    pub verify_metrics: Option<Arc<dyn MetricsSource>>,
    /// The scenario's timeline events as they happen.
    pub timeline: Option<DrillFeed>,
    /// The intro layer shown over the first frame.
    pub intro: DrillIntro,
    /// The simulator's kubeconfig: written into the session directory and used (with
    /// its `backout-sim` context) in place of `--kubeconfig`/`--context`.
    pub kubeconfig_yaml: Option<String>,
    /// How many check seconds pass per real second in verification monitor windows
    /// (over `BACKOUT_VERIFY_TIME_SCALE`).
    pub verify_time_scale: Option<f64>,
    /// A CA (PEM) that HTTP checks trust: the simulator's, for its health endpoints.
    pub verify_ca_pem: Option<String>,
    /// The simulator's URL: HTTP checks naming an in-cluster Service
    /// (`NAME.NAMESPACE.svc.cluster.local`) are answered by the simulated Service.
    pub verify_sim_url: Option<String>,
    /// The simulator's Argo CD (`ARGOCD_SERVER`, `ARGOCD_AUTH_TOKEN` and its CA): `argocd`
    /// lines of the drill's runbook run against it instead of being rehearsed.
    pub argocd: Option<crate::runtime::argo_exec::ArgoSetup>,
    /// The simulator model's readings given to a runbook that names no metrics (see
    /// `cli/drill_metrics.rs`): the console shows them in its Metrics pane.
    pub added_metrics: Option<crate::domain::runbook::front_matter::Metrics>,
}

/// The context of the simulator's admin user in its kubeconfig.
pub const SIM_CONTEXT: &str = "backout-sim";

//! `backout status [deployment/NAME] [-o json|yaml]`: pods summary, rollout state and
//! revision history, read once (no watch), for scripts and quick looks.
//!
//! With `--runbook FILE` whose front matter has `metrics.queries`, also every metric's
//! value and the decision matrix's verdict, for a CI rollback gate ([`status_gate`]).

use std::process::ExitCode;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde::Serialize;

use super::status_gate::{self, EXIT_HEALTHY, EXIT_ROLLOUT_FAILED, GateOptions, evaluate_gate};
use super::{CliError, ClusterArgs, StatusArgs, deployment_name, output, with_causes};
use crate::adapters::kube::{ConnectOptions, Connection, connect, convert};
use crate::adapters::prometheus::{DEFAULT_TIMEOUT, PROMETHEUS_URL_ENV, PrometheusSource};
use crate::adapters::runbook_file;
use crate::domain::cluster::{PodTable, RolloutView};
use crate::domain::decision::{DEFAULT_STALENESS, Matrix};
use crate::domain::runbook::Runbook;
use crate::domain::runbook::front_matter::DurationSpec;

/// The status of one deployment.
#[derive(Debug, Serialize)]
pub struct DeploymentStatus {
    pub context: String,
    pub namespace: String,
    pub production: bool,
    pub rollout: RolloutView,
    /// Pods per STATUS text, most frequent first.
    pub pods: Vec<(String, usize)>,
    pub pod_count: usize,
    pub restarts: u64,
}

/// `-o json|yaml` of `status` (kind `Status`): the same shape with and without a
/// deployment argument or a runbook; `prometheus_url`, `metrics` and `matrix` are null
/// when no runbook metrics were read.
#[derive(Serialize)]
struct StatusDocument<'a> {
    deployments: &'a [DeploymentStatus],
    prometheus_url: Option<&'a str>,
    metrics: Option<&'a std::collections::BTreeMap<String, status_gate::MetricValue>>,
    matrix: Option<&'a status_gate::MatrixVerdict>,
}

impl<'a> StatusDocument<'a> {
    fn new(deployments: &'a [DeploymentStatus], gate: Option<&'a status_gate::Gate>) -> Self {
        StatusDocument {
            deployments,
            prometheus_url: gate.map(|g| g.prometheus_url.as_str()),
            metrics: gate.map(|g| &g.metrics),
            matrix: gate.map(|g| &g.matrix),
        }
    }
}

pub fn connect_options(c: &ClusterArgs) -> Result<ConnectOptions, CliError> {
    Ok(ConnectOptions {
        kubeconfig: c.kubeconfig.clone(),
        context: c.context.clone(),
        namespace: c.namespace.clone(),
        read_only: c.read_only,
        request_timeout: (!c.request_timeout.is_zero()).then_some(c.request_timeout),
        impersonate: c.as_user.clone(),
        impersonate_groups: c.as_group.clone(),
        ..ConnectOptions::default()
    })
}

fn msg(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

/// Reads one deployment's status.
pub async fn read_status(conn: &Connection, name: &str) -> Result<DeploymentStatus, CliError> {
    let deployments: Api<Deployment> = Api::namespaced(conn.client.clone(), &conn.namespace);
    let d = deployments.get(name).await.map_err(|e| {
        msg(format!(
            "cannot read deployment.apps/{name}: {}",
            with_causes(&e)
        ))
    })?;
    let template = d.spec.as_ref().map(|s| s.template.clone());
    let selector = d
        .spec
        .as_ref()
        .map(|s| convert::selector_string(&s.selector))
        .unwrap_or_default();
    let rs: Api<ReplicaSet> = Api::namespaced(conn.client.clone(), &conn.namespace);
    let sets: Vec<_> = rs
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| msg(format!("cannot list replica sets: {}", with_causes(&e))))?
        .items
        .iter()
        .filter(|r| convert::owned_by(r, &d))
        .map(|r| convert::replica_set_facts(r, template.as_ref()))
        .collect();
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), &conn.namespace);
    let mut table = PodTable::new();
    let list = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| msg(format!("cannot list pods: {}", with_causes(&e))))?;
    table.replace_all(list.items.iter().map(convert::pod_row).collect());
    let restarts = table
        .visible(0, usize::MAX)
        .iter()
        .map(|r| u64::from(r.restarts))
        .sum();
    Ok(DeploymentStatus {
        context: conn.context.clone(),
        namespace: conn.namespace.clone(),
        production: conn.is_production,
        rollout: RolloutView::build(&convert::deployment_facts(&d), &sets),
        pods: table.status_counts(),
        pod_count: table.len(),
        restarts,
    })
}

/// The human rendering.
pub fn render(s: &DeploymentStatus) -> String {
    let r = &s.rollout;
    let mut out = String::new();
    if s.production {
        out.push_str("!!! PRODUCTION CONTEXT !!!\n");
    }
    out.push_str(&format!(
        "deployment.apps/{} in {} (context {})\n",
        r.deployment, s.namespace, s.context
    ));
    out.push_str(&format!(
        "rollout: {}{}\n",
        r.status.message(),
        if r.paused { " (paused)" } else { "" }
    ));
    out.push_str(&format!(
        "replicas: {} desired, {} updated, {} ready, {} available, {} unavailable\n",
        r.desired, r.updated, r.ready, r.available, r.unavailable
    ));
    let pods: Vec<String> = s.pods.iter().map(|(k, n)| format!("{n} {k}")).collect();
    out.push_str(&format!(
        "pods: {} ({}), {} restarts\n",
        s.pod_count,
        if pods.is_empty() {
            "none".into()
        } else {
            pods.join(", ")
        },
        s.restarts
    ));
    for c in &r.conditions {
        out.push_str(&format!(
            "condition {}={} {}: {}\n",
            c.type_, c.status, c.reason, c.message
        ));
    }
    out.push_str("REVISION  IMAGES                          CHANGE-CAUSE\n");
    for rev in &r.revisions {
        let mark = if rev.current { "*" } else { " " };
        out.push_str(&format!(
            "{:<8}{mark} {:<31} {}\n",
            rev.number,
            rev.images.join(","),
            rev.change_cause.as_deref().unwrap_or("<none>")
        ));
    }
    out
}

/// The runbook, its matrix and a metrics source for `status --runbook`, or `None` when
/// no runbook was given or it has no `metrics.queries`.
struct GatePlan {
    source: PrometheusSource,
    matrix: Matrix,
    url: String,
    offset: std::time::Duration,
}

fn gate_plan(args: &StatusArgs, runbook: Option<&Runbook>) -> Result<Option<GatePlan>, CliError> {
    let Some(runbook) = runbook else {
        return Ok(None);
    };
    let Some(front) = &runbook.front else {
        return Ok(None);
    };
    let Some(metrics) = front.metrics.as_ref().filter(|m| !m.queries.is_empty()) else {
        return Ok(None);
    };
    let offset = DurationSpec::parse(&args.baseline_offset)
        .map_err(|e| msg(format!("--baseline-offset: {e}")))?
        .0;
    let matrix = Matrix::from_front_matter(front).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        msg(format!(
            "the runbook's matrix does not load (`backout check {}`):\n{}",
            runbook.source.display(),
            lines.join("\n")
        ))
    })?;
    let config = super::prometheus_url::config(runbook, args.prometheus_url.as_deref())
        .map_err(msg)?
        .ok_or_else(|| {
            msg(format!(
                "{} has metrics but no Prometheus URL resolves: give --prometheus-url, set metrics.prometheus.url in the runbook, or set {PROMETHEUS_URL_ENV}",
                runbook.source.display()
            ))
        })?;
    let client = config.client(DEFAULT_TIMEOUT).map_err(msg)?;
    Ok(Some(GatePlan {
        source: PrometheusSource::new(client, metrics.queries.clone()),
        matrix,
        url: config.url,
        offset,
    }))
}

/// Exit codes: 0 healthy; 3 a matrix rule fires; 4 nothing fires but some rule cannot
/// be decided (metrics unknown); 1 a failed rollout (with nothing firing or unknown);
/// 2 an error that stopped the command.
pub fn run(args: StatusArgs) -> Result<ExitCode, CliError> {
    let runbook = match &args.runbook {
        Some(p) => Some(runbook_file::load(p).map_err(|e| msg(format!("{e}")))?),
        None => None,
    };
    let target = runbook
        .as_ref()
        .and_then(|r| r.front.as_ref())
        .and_then(|f| f.target.clone());
    let plan = gate_plan(&args, runbook.as_ref())?;
    let mut cluster = args.cluster.clone();
    if let Some(t) = &target {
        cluster.context = cluster.context.or_else(|| t.context.clone());
        cluster.namespace = cluster.namespace.or_else(|| t.namespace.clone());
    }
    let deployment = args
        .deployment
        .clone()
        .or_else(|| target.as_ref().and_then(|t| t.deployment.clone()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let conn = connect(&connect_options(&cluster)?).await.map_err(msg)?;
        conn.preflight().await.map_err(|e| msg(with_causes(&e)))?;
        let names = match &deployment {
            Some(d) => vec![deployment_name(d)?],
            None => {
                let api: Api<Deployment> = Api::namespaced(conn.client.clone(), &conn.namespace);
                api.list_metadata(&ListParams::default())
                    .await
                    .map_err(|e| msg(format!("cannot list deployments: {}", with_causes(&e))))?
                    .items
                    .into_iter()
                    .filter_map(|d| d.metadata.name)
                    .collect()
            }
        };
        let mut all = Vec::new();
        for n in &names {
            all.push(read_status(&conn, n).await?);
        }
        let gate = match &plan {
            Some(p) => Some(
                evaluate_gate(
                    &p.source,
                    &p.matrix,
                    &p.url,
                    chrono::Utc::now(),
                    GateOptions {
                        baseline_offset: p.offset,
                        staleness: DEFAULT_STALENESS,
                    },
                )
                .await,
            ),
            None => None,
        };
        if let Some(g) = &gate {
            for e in g.errors() {
                crate::stderr_line!("backout: {e}");
            }
        }
        match args.output.structured() {
            Some(format) => {
                let doc = StatusDocument::new(&all, gate.as_ref());
                print!("{}", output::document(format, "Status", &doc)?);
            }
            None => {
                let texts: Vec<String> = all.iter().map(render).collect();
                print!("{}", texts.join("\n"));
                if all.is_empty() {
                    println!("No deployments found in {}", conn.namespace);
                }
                if let Some(g) = &gate {
                    print!("{}", status_gate::render(g));
                }
            }
        }
        let failed = all.iter().any(|s| {
            matches!(
                s.rollout.status,
                crate::domain::cluster::RolloutStatus::Failed { .. }
            )
        });
        let code = match gate.as_ref().map(|g| g.exit_code()) {
            Some(c) if c != EXIT_HEALTHY => c,
            _ if failed => EXIT_ROLLOUT_FAILED,
            _ => EXIT_HEALTHY,
        };
        Ok(ExitCode::from(code))
    })
}

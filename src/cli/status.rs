//! `backout status [deployment/NAME] [--format json]`: pods summary, rollout state and
//! revision history, read once (no watch), for scripts and quick looks.

use std::process::ExitCode;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde::Serialize;

use super::{CliError, ClusterArgs, StatusArgs, TextOrJson, deployment_name};
use crate::adapters::kube::{ConnectOptions, Connection, connect, convert};
use crate::domain::cluster::{PodTable, RolloutView};

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

pub fn connect_options(c: &ClusterArgs) -> ConnectOptions {
    ConnectOptions {
        kubeconfig: c.kubeconfig.clone(),
        context: c.context.clone(),
        namespace: c.namespace.clone(),
        read_only: c.read_only,
        ..ConnectOptions::default()
    }
}

fn msg(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

/// Reads one deployment's status.
pub async fn read_status(conn: &Connection, name: &str) -> Result<DeploymentStatus, CliError> {
    let deployments: Api<Deployment> = Api::namespaced(conn.client.clone(), &conn.namespace);
    let d = deployments
        .get(name)
        .await
        .map_err(|e| msg(format!("cannot read deployment.apps/{name}: {e}")))?;
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
        .map_err(|e| msg(format!("cannot list replica sets: {e}")))?
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
        .map_err(|e| msg(format!("cannot list pods: {e}")))?;
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

pub fn run(args: StatusArgs) -> Result<ExitCode, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let conn = connect(&connect_options(&args.cluster))
            .await
            .map_err(msg)?;
        conn.preflight().await.map_err(msg)?;
        let names = match &args.deployment {
            Some(d) => vec![deployment_name(d)?],
            None => {
                let api: Api<Deployment> = Api::namespaced(conn.client.clone(), &conn.namespace);
                api.list_metadata(&ListParams::default())
                    .await
                    .map_err(|e| msg(format!("cannot list deployments: {e}")))?
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
        match args.format {
            TextOrJson::Json => {
                let v = if args.deployment.is_some() {
                    serde_json::to_value(&all[0])
                } else {
                    serde_json::to_value(&all)
                }
                .map_err(msg)?;
                println!("{}", serde_json::to_string_pretty(&v).map_err(msg)?);
            }
            TextOrJson::Human => {
                let texts: Vec<String> = all.iter().map(render).collect();
                print!("{}", texts.join("\n"));
                if all.is_empty() {
                    println!("No deployments found in {}", conn.namespace);
                }
            }
        }
        let failed = all.iter().any(|s| {
            matches!(
                s.rollout.status,
                crate::domain::cluster::RolloutStatus::Failed { .. }
            )
        });
        Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

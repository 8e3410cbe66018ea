//! The pods and rollout probes: read the target Deployment, its ReplicaSets and pods
//! (GETs and LISTs only, allowed under `--read-only`) and judge them with kubectl's rules.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ListParams};

use crate::adapters::kube::convert::{
    deployment_facts, owned_by, pod_row, replica_set_facts, selector_string,
};
use crate::domain::cluster::Target;
use crate::domain::cluster::rollout::history;
use crate::domain::verify::{
    Observation, PodOnRevision, PodsProbe, RolloutProbe, judge_pods, judge_rollout,
};

const TEMPLATE_HASH: &str = "pod-template-hash";

/// How many refused or lost reads one sample survives: a flaky API server is not a
/// measurement of the workload (only a read that keeps failing makes the sample unknown).
const READ_RETRIES: u32 = 3;
const READ_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(150);

/// A server-side failure (5xx, 429) or a lost connection.
fn transient(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(s) => s.code >= 500 || s.code == 429,
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

/// One read, repeated while it fails transiently (reads change nothing).
async fn patiently<T, F, Fut>(mut read: F) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, kube::Error>>,
{
    let mut faults = 0;
    loop {
        match read().await {
            Err(e) if transient(&e) && faults < READ_RETRIES => {
                faults += 1;
                tokio::time::sleep(READ_RETRY_PAUSE * faults).await;
            }
            other => return other,
        }
    }
}

/// The server's message for an API error (`HTTP 500: …`), else the error in one line.
fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("HTTP {}: {}", s.code, s.message),
        other => other.to_string(),
    }
}

/// Reads the target workload for pods and rollout checks.
#[derive(Clone)]
pub struct ClusterProbe {
    client: Client,
    /// The runbook's target: what a probe naming no namespace or Deployment is about.
    target: Target,
}

impl ClusterProbe {
    pub fn new(client: Client, target: Target) -> ClusterProbe {
        ClusterProbe { client, target }
    }

    async fn deployment(&self, t: &Target) -> Result<Option<Deployment>, String> {
        let api = Api::<Deployment>::namespaced(self.client.clone(), &t.namespace);
        patiently(|| api.get_opt(&t.deployment))
            .await
            .map_err(|e| format!("reading deployment/{}: {}", t.deployment, describe(&e)))
    }

    /// `kubectl rollout status` on one read of the Deployment.
    pub async fn rollout(&self, probe: &RolloutProbe) -> Observation {
        let t = super::target_of(
            &self.target,
            probe.namespace.as_ref(),
            probe.deployment.as_ref(),
        );
        match self.deployment(&t).await {
            Ok(d) => judge_rollout(d.as_ref().map(deployment_facts).as_ref()),
            Err(reason) => Observation::Unknown { reason },
        }
    }

    /// Every pod the Deployment's selector picks, with the revision of its ReplicaSet.
    pub async fn pods(&self, probe: &PodsProbe) -> Observation {
        let t = super::target_of(
            &self.target,
            probe.namespace.as_ref(),
            probe.deployment.as_ref(),
        );
        match self.read_pods(&t).await {
            Ok((pods, current, desired)) => judge_pods(probe, &pods, current, desired),
            Err(reason) => Observation::Unknown { reason },
        }
    }

    async fn read_pods(
        &self,
        t: &Target,
    ) -> Result<(Vec<PodOnRevision>, Option<i64>, i32), String> {
        let Some(d) = self.deployment(t).await? else {
            return Err(format!("deployment/{} not found", t.deployment));
        };
        let selector = d
            .spec
            .as_ref()
            .map(|s| selector_string(&s.selector))
            .unwrap_or_default();
        let params = ListParams::default().labels(&selector);
        let sets_api = Api::<ReplicaSet>::namespaced(self.client.clone(), &t.namespace);
        let sets = patiently(|| sets_api.list(&params))
            .await
            .map_err(|e| format!("listing replicasets: {}", describe(&e)))?;
        let template = d.spec.as_ref().map(|s| &s.template);
        let mut revision_of_hash: BTreeMap<String, i64> = BTreeMap::new();
        let mut facts = Vec::new();
        for rs in sets.items.iter().filter(|rs| owned_by(rs, &d)) {
            let f = replica_set_facts(rs, template);
            if let (Some(hash), Some(rev)) = (
                rs.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(TEMPLATE_HASH)),
                f.revision,
            ) {
                revision_of_hash.insert(hash.clone(), rev);
            }
            facts.push(f);
        }
        let current = history(&facts).iter().find(|r| r.current).map(|r| r.number);
        let pods_api = Api::<Pod>::namespaced(self.client.clone(), &t.namespace);
        let pods = patiently(|| pods_api.list(&params))
            .await
            .map_err(|e| format!("listing pods: {}", describe(&e)))?;
        let pods = pods
            .items
            .iter()
            .map(|p| {
                let row = pod_row(p);
                PodOnRevision {
                    name: row.name.clone(),
                    ready: row.total > 0 && row.ready == row.total && row.status == "Running",
                    terminating: p.metadata.deletion_timestamp.is_some(),
                    revision: revision_of_hash.get(&row.template_hash).copied(),
                    image: p
                        .spec
                        .as_ref()
                        .and_then(|s| s.containers.first())
                        .and_then(|c| c.image.clone())
                        .unwrap_or_default(),
                }
            })
            .collect();
        let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        Ok((pods, current, desired))
    }
}

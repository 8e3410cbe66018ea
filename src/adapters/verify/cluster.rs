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
        Api::<Deployment>::namespaced(self.client.clone(), &t.namespace)
            .get_opt(&t.deployment)
            .await
            .map_err(|e| format!("reading deployment/{}: {e}", t.deployment))
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
        let sets = Api::<ReplicaSet>::namespaced(self.client.clone(), &t.namespace)
            .list(&params)
            .await
            .map_err(|e| format!("listing replicasets: {e}"))?;
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
        let pods = Api::<Pod>::namespaced(self.client.clone(), &t.namespace)
            .list(&params)
            .await
            .map_err(|e| format!("listing pods: {e}"))?;
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

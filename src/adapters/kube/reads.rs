//! The drill-down views' reads through the console's kube client (GETs and a log stream
//! only, so `--read-only` lets them through): a pod's logs (streamed, `--previous`,
//! `--since`, a container chosen), `describe pod`, a pod's YAML, and a revision's pod
//! template and changes from the Deployment's ReplicaSets.

use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, LogParams};
use serde_json::Value;
use tokio::sync::mpsc;

use super::convert::REVISION;
use crate::domain::cluster::read::{ClusterRead, LOG_TAIL, ReadAnswer};

/// Why a read failed (shown in the view as the server said it).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}", kube_message(.0))]
    Kube(#[from] kube::Error),
    #[error("revision {0} not found among the deployment's ReplicaSets")]
    NoRevision(i64),
    #[error("the deployment has no current revision yet")]
    NoCurrentRevision,
}

/// The API server's own message for an API error (`pods "x" not found`), else the error.
fn kube_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) if !status.message.is_empty() => status.message.clone(),
        other => other.to_string(),
    }
}

/// The kubectl annotation naming a pod's default container.
const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";

#[derive(Clone)]
pub struct Reader {
    client: kube::Client,
    namespace: String,
    deployment: String,
}

impl Reader {
    pub fn new(client: kube::Client, namespace: &str, deployment: &str) -> Reader {
        Reader {
            client,
            namespace: namespace.to_string(),
            deployment: deployment.to_string(),
        }
    }

    fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    /// A one-shot read's whole text (not logs: see [`Reader::logs`]).
    ///
    /// # Errors
    ///
    /// The API's refusal or a revision not found.
    pub async fn once(&self, read: &ClusterRead) -> Result<String, ReadError> {
        match read {
            ClusterRead::DescribePod { pod } => {
                let object = self.raw_pod(pod).await?;
                let uid = object["metadata"]["uid"].as_str().map(str::to_string);
                let events: Api<Event> = Api::namespaced(self.client.clone(), &self.namespace);
                let events: Vec<Value> = events
                    .list(&ListParams::default())
                    .await?
                    .items
                    .into_iter()
                    .filter(|e| {
                        e.involved_object.kind.as_deref() == Some("Pod")
                            && e.involved_object.name.as_deref() == Some(pod.as_str())
                            && (uid.is_none() || e.involved_object.uid == uid)
                    })
                    .filter_map(|e| serde_json::to_value(e).ok())
                    .collect();
                Ok(super::describe_pod::describe_pod(
                    &object,
                    &events,
                    chrono::Utc::now(),
                ))
            }
            ClusterRead::PodYaml { pod } => {
                let object = self.raw_pod(pod).await?;
                Ok(super::object_yaml::object_yaml(&object))
            }
            ClusterRead::RevisionTemplate { revision } => {
                let (_, templates) = self.templates().await?;
                let template = find(&templates, *revision)?;
                Ok(super::object_yaml::object_yaml(template))
            }
            ClusterRead::RevisionDiff { revision } => {
                let (current, templates) = self.templates().await?;
                let current = current.ok_or(ReadError::NoCurrentRevision)?;
                Ok(super::revision_diff::revision_diff(
                    (current, find(&templates, current)?),
                    (*revision, find(&templates, *revision)?),
                ))
            }
            ClusterRead::Logs { .. } => Ok(String::new()),
        }
    }

    /// The pod's JSON as the server sent it (not through the typed `Pod`, which drops what
    /// it does not model, such as a condition's `lastProbeTime: null`), as kubectl reads it.
    async fn raw_pod(&self, pod: &str) -> Result<Value, ReadError> {
        let path = format!("/api/v1/namespaces/{}/pods", self.namespace);
        let request = kube::core::Request::new(path)
            .get(pod, &kube::api::GetParams::default())
            .map_err(|e| ReadError::Kube(kube::Error::BuildRequest(e)))?;
        let text = self.client.request_text(request).await?;
        serde_json::from_str(&text).map_err(|e| ReadError::Kube(kube::Error::SerdeError(e)))
    }

    /// The Deployment's current revision and each of its ReplicaSets' pod template, by
    /// revision.
    async fn templates(&self) -> Result<(Option<i64>, Vec<(i64, Value)>), ReadError> {
        let deployments: Api<Deployment> = Api::namespaced(self.client.clone(), &self.namespace);
        let d = deployments.get(&self.deployment).await?;
        let revision_of = |meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
            meta.annotations
                .as_ref()
                .and_then(|a| a.get(REVISION))
                .and_then(|r| r.parse::<i64>().ok())
        };
        let current = revision_of(&d.metadata);
        let uid = d.metadata.uid.clone();
        let sets: Api<ReplicaSet> = Api::namespaced(self.client.clone(), &self.namespace);
        let templates = sets
            .list(&ListParams::default())
            .await?
            .items
            .into_iter()
            .filter(|rs| {
                rs.metadata.owner_references.as_ref().is_some_and(|o| {
                    o.iter().any(|r| {
                        r.kind == "Deployment"
                            && r.name == self.deployment
                            && (uid.is_none() || Some(&r.uid) == uid.as_ref())
                    })
                })
            })
            .filter_map(|rs| {
                let revision = revision_of(&rs.metadata)?;
                let template = serde_json::to_value(rs.spec?.template?).ok()?;
                Some((revision, template))
            })
            .collect();
        Ok((current, templates))
    }

    /// Streams a pod's log as `ReadAnswer`s until it ends, fails, or `out` is closed:
    /// first the pod's containers and the one chosen (when none was given), then lines in
    /// batches, then `Ended`. Follows (`-f`) unless `previous`.
    pub async fn logs(&self, read: &ClusterRead, out: mpsc::Sender<ReadAnswer>) {
        let ClusterRead::Logs {
            pod,
            container,
            previous,
            since_seconds,
        } = read
        else {
            return;
        };
        let end = match self
            .stream_logs(pod, container.clone(), *previous, *since_seconds, &out)
            .await
        {
            Ok(()) => None,
            Err(e) => Some(e.to_string()),
        };
        let _ = out.send(ReadAnswer::Ended(end)).await;
    }

    async fn stream_logs(
        &self,
        pod: &str,
        container: Option<String>,
        previous: bool,
        since_seconds: Option<i64>,
        out: &mpsc::Sender<ReadAnswer>,
    ) -> Result<(), ReadError> {
        let container = match container {
            Some(c) => c,
            None => {
                let p = self.pods().get(pod).await?;
                let all: Vec<String> = p
                    .spec
                    .as_ref()
                    .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
                    .unwrap_or_default();
                let default = p
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(DEFAULT_CONTAINER))
                    .filter(|c| all.contains(c))
                    .cloned();
                let chosen = default.or_else(|| all.first().cloned()).unwrap_or_default();
                let _ = out
                    .send(ReadAnswer::Containers {
                        all,
                        chosen: chosen.clone(),
                    })
                    .await;
                chosen
            }
        };
        let params = LogParams {
            container: (!container.is_empty()).then_some(container),
            follow: !previous,
            previous,
            since_seconds,
            tail_lines: since_seconds.is_none().then_some(LOG_TAIL),
            ..LogParams::default()
        };
        let reader = self.pods().log_stream(pod, &params).await?;
        let mut batches = reader.lines().ready_chunks(256);
        while let Some(batch) = batches.next().await {
            let mut lines = Vec::with_capacity(batch.len());
            for line in batch {
                match line {
                    Ok(l) => lines.push(l),
                    Err(e) => {
                        if !lines.is_empty() {
                            let _ = out.send(ReadAnswer::Lines(lines)).await;
                        }
                        return Err(ReadError::Kube(kube::Error::ReadEvents(e)));
                    }
                }
            }
            if out.send(ReadAnswer::Lines(lines)).await.is_err() {
                return Ok(());
            }
        }
        Ok(())
    }
}

fn find(templates: &[(i64, Value)], revision: i64) -> Result<&Value, ReadError> {
    templates
        .iter()
        .find(|(r, _)| *r == revision)
        .map(|(_, t)| t)
        .ok_or(ReadError::NoRevision(revision))
}

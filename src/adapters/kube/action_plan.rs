//! Planning an action on the target Deployment from what the API server says now: the
//! request kubectl would send (`rollout undo`'s JSON patch of the template and annotations,
//! the strategic merge patches of pause, resume, restart, set image and set env, scale), or
//! kubectl's "skipped"/refusal. Reads are repeated when the server refused or lost them.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, ListParams, Patch};
use serde_json::{Value, json};

use super::action_kube_error::{FromKube, READ_RETRIES, READ_RETRY_PAUSE, transient};
use super::action_request::{
    MANAGER_BACKOUT, MANAGER_ROLLOUT, MANAGER_SET, Plan, RESTARTED_AT, Request,
};
use super::actions::ActionRunner;
use super::convert::{self, POD_TEMPLATE_HASH};
use super::set_env;
use crate::domain::cluster::diff::{deployment_subtree, service_subtree};
use crate::domain::cluster::pipeline::ActionError;
use crate::domain::cluster::rollout::rollback_annotations;
use crate::domain::cluster::{ClusterAction, UndoChoice, choose_undo_revision};

impl ActionRunner {
    pub(super) async fn get_deployment(&self) -> Result<Deployment, ActionError> {
        self.deployments()
            .get(self.name())
            .await
            .map_err(|e| ActionError::api(format!("cannot read {}", self.qualified()), e))
    }

    /// [`plan`](Self::plan), reading again when the API server refused or lost a read
    /// (a flaky control plane): reads change nothing, so they are safe to repeat. Sends
    /// are never repeated this way (an undo sent twice would go back two revisions).
    pub(super) async fn plan_patiently(&self, action: &ClusterAction) -> Result<Plan, ActionError> {
        let mut faults = 0;
        loop {
            match self.plan(action).await {
                Err(e) if transient(&e) && faults < READ_RETRIES => {
                    faults += 1;
                    tracing::info!(attempt = faults, "reading again before {action:?}: {e}");
                    tokio::time::sleep(READ_RETRY_PAUSE * faults).await;
                }
                other => return other,
            }
        }
    }

    async fn plan(&self, action: &ClusterAction) -> Result<Plan, ActionError> {
        let q = self.qualified();
        match action {
            ClusterAction::SwitchSelector { service, selector } => {
                let api: Api<Service> =
                    Api::namespaced(self.client.clone(), &self.target.namespace);
                let svc = api
                    .get(service)
                    .await
                    .map_err(|e| ActionError::api(format!("cannot read service/{service}"), e))?;
                let before = service_subtree(&serde_json::to_value(&svc).unwrap_or_default());
                let current: BTreeMap<String, String> = svc
                    .spec
                    .as_ref()
                    .and_then(|s| s.selector.clone())
                    .unwrap_or_default();
                let unchanged = selector.iter().all(|(k, v)| current.get(k) == Some(v));
                if unchanged {
                    return Ok(Plan::Skip(format!("service/{service} patched (no change)")));
                }
                return Ok(Plan::Do {
                    request: Request::PatchService {
                        name: service.clone(),
                        patch: json!({"spec": {"selector": selector}}),
                    },
                    before,
                    success: format!("service/{service} patched"),
                });
            }
            ClusterAction::DeletePods { selector } => {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), &self.target.namespace);
                let list = api
                    .list_metadata(&ListParams::default().labels(selector))
                    .await
                    .map_err(|e| ActionError::api(format!("cannot list pods -l {selector}"), e))?;
                let names: Vec<String> = list
                    .items
                    .into_iter()
                    .filter_map(|p| p.metadata.name)
                    .collect();
                if names.is_empty() {
                    return Ok(Plan::Skip("No resources found".into()));
                }
                let before = json!({"pods": names});
                let success = names
                    .iter()
                    .map(|n| format!("pod {n:?} deleted"))
                    .collect::<Vec<_>>()
                    .join("\n");
                return Ok(Plan::Do {
                    request: Request::DeletePods { names },
                    before,
                    success,
                });
            }
            _ => {}
        }
        let d = self.get_deployment().await?;
        let before_json = serde_json::to_value(&d).unwrap_or_default();
        let before = deployment_subtree(&before_json);
        let paused = d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        let template = d
            .spec
            .as_ref()
            .map(|s| s.template.clone())
            .unwrap_or_default();
        let plan = |request, success: String| Plan::Do {
            request,
            before: before.clone(),
            success,
        };
        let strategic = |patch: Value, manager| Request::PatchDeployment {
            patch: Patch::Strategic(patch),
            manager,
        };
        Ok(match action {
            ClusterAction::Undo { to_revision } => {
                let to = to_revision.unwrap_or(0);
                let selector = d
                    .spec
                    .as_ref()
                    .map(|s| convert::selector_string(&s.selector))
                    .unwrap_or_default();
                let rs_api: Api<ReplicaSet> =
                    Api::namespaced(self.client.clone(), &self.target.namespace);
                let sets: Vec<ReplicaSet> = rs_api
                    .list(&ListParams::default().labels(&selector))
                    .await
                    .map_err(|e| {
                        ActionError::api(
                            format!(
                                "failed to retrieve replica sets from deployment {}",
                                self.name()
                            ),
                            e,
                        )
                    })?
                    .items
                    .into_iter()
                    .filter(|rs| convert::owned_by(rs, &d))
                    .collect();
                let facts: Vec<_> = sets
                    .iter()
                    .map(|rs| convert::replica_set_facts(rs, Some(&template)))
                    .collect();
                match choose_undo_revision(self.name(), paused, &facts, to)? {
                    UndoChoice::Skip { message } => Plan::Skip(format!("{q} {message}")),
                    UndoChoice::Rollback { index, .. } => {
                        let rs = &sets[index];
                        let rs_template = rs
                            .spec
                            .as_ref()
                            .and_then(|s| s.template.clone())
                            .unwrap_or_default();
                        let mut new_template =
                            serde_json::to_value(&rs_template).unwrap_or_default();
                        if let Some(l) = new_template
                            .get_mut("metadata")
                            .and_then(|m| m.get_mut("labels"))
                            .and_then(Value::as_object_mut)
                        {
                            l.remove(POD_TEMPLATE_HASH);
                        }
                        let empty = BTreeMap::new();
                        let annotations = rollback_annotations(
                            d.metadata.annotations.as_ref().unwrap_or(&empty),
                            rs.metadata.annotations.as_ref().unwrap_or(&empty),
                        );
                        let rv = d.metadata.resource_version.clone().unwrap_or_default();
                        let ops = json!([
                            {"op": "replace", "path": "/metadata/resourceVersion", "value": rv},
                            {"op": "replace", "path": "/spec/template", "value": new_template},
                            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
                        ]);
                        let patch = serde_json::from_value(ops).map_err(|e| ActionError::Api {
                            what: "cannot build the rollback patch".into(),
                            message: e.to_string(),
                            code: None,
                        })?;
                        plan(
                            Request::PatchDeployment {
                                patch: Patch::Json(patch),
                                manager: MANAGER_BACKOUT,
                            },
                            format!("{q} rolled back"),
                        )
                    }
                }
            }
            ClusterAction::Pause => {
                if paused {
                    return Err(ActionError::Refused(format!(
                        "deployments.apps {:?} is already paused",
                        self.name()
                    )));
                }
                plan(
                    strategic(json!({"spec": {"paused": true}}), MANAGER_ROLLOUT),
                    format!("{q} paused"),
                )
            }
            ClusterAction::Resume => {
                if !paused {
                    return Err(ActionError::Refused(format!(
                        "deployments.apps {:?} is not paused",
                        self.name()
                    )));
                }
                plan(
                    strategic(json!({"spec": {"paused": null}}), MANAGER_ROLLOUT),
                    format!("{q} resumed"),
                )
            }
            ClusterAction::Restart => {
                if paused {
                    return Err(ActionError::Refused(format!(
                        "deployments.apps {:?} can't restart paused deployment (run rollout resume first)",
                        self.name()
                    )));
                }
                let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                plan(
                    strategic(
                        json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}}),
                        MANAGER_ROLLOUT,
                    ),
                    format!("{q} restarted"),
                )
            }
            ClusterAction::Scale { replicas } => plan(
                Request::Scale {
                    replicas: *replicas,
                },
                format!("{q} scaled"),
            ),
            ClusterAction::SetImage { container, image } => {
                let spec = template.spec.clone().unwrap_or_default();
                let pick = |cs: &[k8s_openapi::api::core::v1::Container]| -> Vec<Value> {
                    cs.iter()
                        .filter(|c| container == "*" || &c.name == container)
                        .filter(|c| c.image.as_deref() != Some(image.as_str()))
                        .map(|c| json!({"name": c.name, "image": image}))
                        .collect()
                };
                let known = spec
                    .containers
                    .iter()
                    .chain(spec.init_containers.iter().flatten())
                    .any(|c| container == "*" || &c.name == container);
                if !known {
                    return Err(ActionError::Refused(format!(
                        "unable to find container named {container:?}"
                    )));
                }
                let containers = pick(&spec.containers);
                let inits = pick(spec.init_containers.as_deref().unwrap_or(&[]));
                if containers.is_empty() && inits.is_empty() {
                    return Ok(Plan::Skip(format!(
                        "{q}: image already {image} (no change)"
                    )));
                }
                let mut tspec = serde_json::Map::new();
                if !containers.is_empty() {
                    tspec.insert("containers".into(), Value::Array(containers));
                }
                if !inits.is_empty() {
                    tspec.insert("initContainers".into(), Value::Array(inits));
                }
                plan(
                    strategic(json!({"spec": {"template": {"spec": tspec}}}), MANAGER_SET),
                    format!("{q} image updated"),
                )
            }
            ClusterAction::SetEnv { container, changes } => {
                let spec = template.spec.clone().unwrap_or_default();
                let update =
                    set_env::resolve(&self.client, &self.target.namespace, changes).await?;
                match set_env::template_patch(&spec, container.as_deref(), self.name(), &update)
                    .map_err(ActionError::Refused)?
                {
                    None => {
                        return Ok(Plan::Skip(format!(
                            "{q}: environment already as requested (no change)"
                        )));
                    }
                    Some(patch) => plan(strategic(patch, MANAGER_SET), format!("{q} env updated")),
                }
            }
            // Handled before the Deployment is read.
            ClusterAction::SwitchSelector { .. } | ClusterAction::DeletePods { .. } => {
                return Err(ActionError::Refused(format!(
                    "{} is not an action on a Deployment",
                    action.verb()
                )));
            }
        })
    }
}

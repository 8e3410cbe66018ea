//! Sending a planned request, for real or as a server dry run (`dryRun=All`), and what
//! the object looks like after it (for the dry run's diff).

use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::action_kube_error::FromKube;
use super::action_request::{MANAGER_BACKOUT, MANAGER_PATCH, Request};
use super::actions::ActionRunner;
use crate::domain::cluster::diff::{deployment_subtree, service_subtree};
use crate::domain::cluster::pipeline::ActionError;

impl ActionRunner {
    pub(super) async fn send(
        &self,
        request: &Request,
        dry_run: bool,
    ) -> Result<Value, ActionError> {
        let q = self.qualified();
        match request {
            Request::PatchDeployment { patch, manager } => {
                let mut pp = PatchParams {
                    field_manager: Some((*manager).to_string()),
                    ..PatchParams::default()
                };
                pp.dry_run = dry_run;
                let d = self
                    .deployments()
                    .patch(self.name(), &pp, patch)
                    .await
                    .map_err(|e| ActionError::api(format!("cannot patch {q}"), e))?;
                Ok(deployment_subtree(
                    &serde_json::to_value(&d).unwrap_or_default(),
                ))
            }
            Request::Scale { replicas } => {
                let mut pp = PatchParams {
                    field_manager: Some(MANAGER_BACKOUT.into()),
                    ..PatchParams::default()
                };
                pp.dry_run = dry_run;
                let patch: Patch<Value> = Patch::Merge(json!({"spec": {"replicas": replicas}}));
                self.deployments()
                    .patch_scale(self.name(), &pp, &patch)
                    .await
                    .map_err(|e| ActionError::api(format!("cannot scale {q}"), e))?;
                // The scale subresource answers with a Scale; show the Deployment view.
                let d = self.get_deployment().await?;
                let mut v = deployment_subtree(&serde_json::to_value(&d).unwrap_or_default());
                if dry_run {
                    v["replicas"] = json!(replicas);
                }
                Ok(v)
            }
            Request::PatchService { name, patch } => {
                let api: Api<Service> =
                    Api::namespaced(self.client.clone(), &self.target.namespace);
                let mut pp = PatchParams {
                    field_manager: Some(MANAGER_PATCH.into()),
                    ..PatchParams::default()
                };
                pp.dry_run = dry_run;
                let s = api
                    .patch(name, &pp, &Patch::Strategic(patch.clone()))
                    .await
                    .map_err(|e| ActionError::api(format!("cannot patch service/{name}"), e))?;
                Ok(service_subtree(
                    &serde_json::to_value(&s).unwrap_or_default(),
                ))
            }
            Request::DeletePods { names } => {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), &self.target.namespace);
                let dp = DeleteParams {
                    dry_run,
                    ..DeleteParams::background()
                };
                let mut remaining = names.clone();
                for n in names {
                    match api.delete(n, &dp).await {
                        Ok(_) => remaining.retain(|x| x != n),
                        Err(kube::Error::Api(s)) if s.code == 404 => remaining.retain(|x| x != n),
                        Err(e) => {
                            return Err(ActionError::api(format!("cannot delete pod {n:?}"), e));
                        }
                    }
                }
                Ok(json!({"pods": remaining}))
            }
        }
    }
}

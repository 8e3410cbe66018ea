//! For a target read from the runbook whose deployment is a placeholder
//! (`deployment/<service-name>`) or a tie: the deployments of the namespace, read from the
//! cluster before the console opens, offered in the target popup.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ListParams};

use crate::adapters::kube::{ConnectOptions, connect};

/// How long listing may take before the popup opens without the list.
const LIST_TIMEOUT: Duration = Duration::from_secs(5);

/// The deployments of `namespace` (the context's when `None`), sorted; the error in words.
pub async fn deployments(
    options: &ConnectOptions,
    namespace: Option<&str>,
) -> Result<(String, Vec<String>), String> {
    let mut options = options.clone();
    if let Some(ns) = namespace {
        options.namespace = Some(ns.to_string());
    }
    let list = async {
        let conn = connect(&options).await.map_err(|e| e.to_string())?;
        let api: Api<Deployment> = Api::namespaced(conn.client.clone(), &conn.namespace);
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| format!("cannot list deployments in {}: {e}", conn.namespace))?;
        let mut names: Vec<String> = list
            .items
            .into_iter()
            .filter_map(|d| d.metadata.name)
            .collect();
        names.sort();
        Ok((conn.namespace, names))
    };
    tokio::time::timeout(LIST_TIMEOUT, list)
        .await
        .map_err(|_| format!("no answer listing deployments within {LIST_TIMEOUT:?}"))?
}

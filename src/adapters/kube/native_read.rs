//! The native answers to read-only kubectl lines that the live watch cannot give: `get
//! deployment NAME -o json|yaml|jsonpath=…|custom-columns=…` and `rollout history
//! deployment/NAME --revision=N`. The objects are read through the console's kube client as
//! the server sends them (raw JSON, as kubectl reads them into unstructured objects, so no
//! field the typed structs do not model is lost) and printed as kubectl prints them
//! (`domain::cluster::printers::object_output`, [`super::describe_pod_template`]);
//! `tests/native_output_parity.rs` compares each with kubectl byte for byte.

use serde_json::Value;

use super::convert::REVISION;
use super::describe_pod_template::print_revision;
use crate::domain::cluster::{ReadOnlyQuery, Target};

/// Why a native read printed nothing: kubectl's message for the same failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NativeReadError {
    /// The API server refused (`Error from server (NotFound): …`).
    #[error("Error from server ({reason}): {message}")]
    Server { reason: String, message: String },
    /// No answer, or an answer that is not an object.
    #[error("{0}")]
    Transport(String),
    /// kubectl's own refusal (`error: unable to find the specified revision`).
    #[error("error: {0}")]
    Kubectl(String),
    /// A query the watch answers, not this module.
    #[error("{0} is answered from the watch")]
    NotHere(String),
}

impl From<kube::Error> for NativeReadError {
    fn from(e: kube::Error) -> Self {
        match e {
            kube::Error::Api(s) => NativeReadError::Server {
                reason: s.reason,
                message: s.message,
            },
            other => NativeReadError::Transport(other.to_string()),
        }
    }
}

type Built = Result<http::Request<Vec<u8>>, kube::core::request::Error>;

async fn get_json(client: &kube::Client, request: Built) -> Result<Value, NativeReadError> {
    let request = request.map_err(|e| NativeReadError::Transport(e.to_string()))?;
    let text = client.request_text(request).await?;
    serde_json::from_str(&text).map_err(|e| NativeReadError::Transport(e.to_string()))
}

fn get_deployment(t: &Target) -> Built {
    kube::core::Request::new(format!(
        "/apis/apps/v1/namespaces/{}/deployments",
        t.namespace
    ))
    .get(&t.deployment, &kube::api::GetParams::default())
}

/// What kubectl prints for `query` on `target`'s Deployment (stdout, byte for byte).
///
/// # Errors
///
/// kubectl's message for the failure (to print on stderr, the line failed).
pub async fn print_query(
    client: &kube::Client,
    target: &Target,
    query: &ReadOnlyQuery,
) -> Result<String, NativeReadError> {
    match query {
        ReadOnlyQuery::GetDeploymentAs { output } => {
            let object = get_json(client, get_deployment(target)).await?;
            output.print(&object).map_err(NativeReadError::Kubectl)
        }
        ReadOnlyQuery::RolloutHistory {
            revision: Some(revision),
        } => {
            let deployment = get_json(client, get_deployment(target)).await?;
            let sets = get_json(
                client,
                kube::core::Request::new(format!(
                    "/apis/apps/v1/namespaces/{}/replicasets",
                    target.namespace
                ))
                .list(&kube::api::ListParams::default()),
            )
            .await?;
            let owned = owned_revisions(&deployment, &sets);
            print_revision(&target.deployment, *revision, &owned).map_err(NativeReadError::Kubectl)
        }
        other => Err(NativeReadError::NotHere(other.kubectl_command(target))),
    }
}

/// The ReplicaSets the Deployment controls (`deploymentutil.GetAllReplicaSets`: its
/// controller reference), with their revision, in list order.
fn owned_revisions(deployment: &Value, sets: &Value) -> Vec<(i64, Value)> {
    let uid = deployment["metadata"]["uid"].as_str().unwrap_or_default();
    sets["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|rs| {
            rs["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|refs| {
                    refs.iter().any(|r| {
                        r["controller"].as_bool() == Some(true) && r["uid"].as_str() == Some(uid)
                    })
                })
        })
        .filter_map(|rs| {
            let revision = rs["metadata"]["annotations"][REVISION]
                .as_str()?
                .parse::<i64>()
                .ok()?;
            Some((revision, rs.clone()))
        })
        .collect()
}

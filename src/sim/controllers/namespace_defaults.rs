//! What appears in every namespace, including those clients create: the `default`
//! ServiceAccount (the service-account controller, `pkg/controller/serviceaccount`) and
//! the `kube-root-ca.crt` ConfigMap holding the API server's CA (the root-CA publisher,
//! `pkg/controller/certificates/rootcacertpublisher/publisher.go`).

use serde_json::json;

use super::terminating;
use crate::sim::{Shared, res};

/// The root-CA publisher's ConfigMap name and its description annotation.
const ROOT_CA: &str = "kube-root-ca.crt";
const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/// Creates what an active namespace lacks.
pub fn sync(shared: &Shared) {
    let (_, namespaces) = shared.store.list(shared.namespaces(), None);
    let sa_res = res("", "serviceaccounts");
    let cm_res = res("", "configmaps");
    for ns in namespaces.iter().filter(|n| !terminating(n)) {
        let name = ns["metadata"]["name"].as_str().unwrap_or_default();
        if shared.store.get(sa_res, name, "default").is_none()
            && let Ok(o) =
                shared.prepare_create(sa_res, name, json!({"metadata": {"name": "default"}}))
        {
            let _ = shared.store.create(sa_res, o);
        }
        if let Some(pem) = shared.ca_pem()
            && shared.store.get(cm_res, name, ROOT_CA).is_none()
        {
            let cm = json!({
                "metadata": {"name": ROOT_CA, "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
                "data": {"ca.crt": pem},
            });
            if let Ok(o) = shared.prepare_create(cm_res, name, cm) {
                let _ = shared.store.create(cm_res, o);
            }
        }
    }
}

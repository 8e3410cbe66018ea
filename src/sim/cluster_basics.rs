//! The objects every 1.32 cluster has before anyone deploys anything: the simulated nodes
//! (with real condition times) and their Leases in `kube-node-lease`, the namespaces
//! `default`, `kube-system`, `kube-public` and `kube-node-lease` (`pkg/controlplane/
//! controller/systemnamespaces`), and the `kubernetes` Service in `default`
//! (`pkg/controlplane/controller/kubernetesservice`), and kubeadm's CoreDNS in
//! `kube-system` (`cluster_dns.rs`). The per-namespace `default`
//! ServiceAccount and `kube-root-ca.crt` ConfigMap come from
//! `controllers/namespace_defaults.rs`.

use serde_json::json;

use super::controllers::pod_lifecycle::{NODES, node_object};
use super::{ApiError, Shared, res};

/// The system namespaces the API server creates.
pub const SYSTEM_NAMESPACES: &[&str] =
    &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Creates the nodes, their Leases, the system namespaces, the `kubernetes` Service and
/// the cluster DNS.
pub fn bootstrap(shared: &Shared) -> Result<(), ApiError> {
    for ns in SYSTEM_NAMESPACES {
        ensure_namespace(shared, ns)?;
    }
    let now = shared.clock.now_rfc3339();
    let renew = shared.clock.now_micro();
    for (i, node_name) in NODES.iter().enumerate() {
        let mut node = node_object(i);
        if let Some(conds) = node["status"]["conditions"].as_array_mut() {
            for c in conds {
                c["lastHeartbeatTime"] = json!(now);
                c["lastTransitionTime"] = json!(now);
            }
        }
        let node = shared.prepare_create(res("", "nodes"), "", node)?;
        let node = shared.store.create(res("", "nodes"), node)?;
        // The kubelet's heartbeat Lease (`pkg/kubelet/nodelease`), owned by its Node.
        let lease = json!({
            "metadata": {"name": node_name, "ownerReferences": [{"apiVersion": "v1", "kind": "Node",
                "name": node_name, "uid": node["metadata"]["uid"]}]},
            "spec": {"holderIdentity": node_name, "leaseDurationSeconds": 40, "renewTime": renew},
        });
        let lease_res = res("coordination.k8s.io", "leases");
        let lease = shared.prepare_create(lease_res, "kube-node-lease", lease)?;
        shared.store.create(lease_res, lease)?;
    }
    let svc = json!({
        "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "type": "ClusterIP",
                 "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
                 "internalTrafficPolicy": "Cluster",
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
    });
    let svc = shared.prepare_create(res("", "services"), "default", svc)?;
    shared.store.create(res("", "services"), svc)?;
    super::cluster_dns::install(shared)
}

/// Creates a namespace unless it exists.
pub fn ensure_namespace(shared: &Shared, ns: &str) -> Result<(), ApiError> {
    if shared.store.get(shared.namespaces(), "", ns).is_some() {
        return Ok(());
    }
    let obj = shared.prepare_create(shared.namespaces(), "", json!({"metadata": {"name": ns}}))?;
    shared.store.create(shared.namespaces(), obj)?;
    Ok(())
}

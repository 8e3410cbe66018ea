//! The cluster DNS add-on as kubeadm 1.32 installs it (`cmd/kubeadm/app/phases/addons/dns/
//! manifests.go`, image `registry.k8s.io/coredns/coredns:v1.11.3` from
//! `cmd/kubeadm/app/constants/constants.go`): in `kube-system`, the `coredns` ServiceAccount
//! and ConfigMap (its Corefile), the `coredns` Deployment of 2 replicas labelled
//! `k8s-app: kube-dns`, and the `kube-dns` Service at `10.96.0.10` (the tenth address of
//! the service CIDR, kubeadm's `GetDNSIP`). The controllers run the Deployment like any
//! other, so two `coredns-<hash>-<suffix>` pods are Running and Ready once the cluster
//! settles, and the endpoints controllers fill `kube-dns`'s Endpoints and slices.

use serde_json::{Value, json};

use super::{ApiError, Shared, res};

/// The namespace of the add-on.
pub const NAMESPACE: &str = "kube-system";
/// The address kubeadm gives the `kube-dns` Service.
pub const DNS_IP: &str = "10.96.0.10";
/// CoreDNS's image in kubeadm 1.32.
pub const IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.11.3";

const COREFILE: &str = ".:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
";

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-dns"}},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
                    ],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [{
                        "name": "coredns",
                        "image": IMAGE,
                        "imagePullPolicy": "IfNotPresent",
                        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                        "args": ["-conf", "/etc/coredns/Corefile"],
                        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": true}],
                        "ports": [
                            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                            {"containerPort": 8080, "name": "liveness-probe", "protocol": "TCP"},
                            {"containerPort": 8181, "name": "readiness-probe", "protocol": "TCP"}
                        ],
                        "livenessProbe": {
                            "httpGet": {"path": "/health", "port": "liveness-probe", "scheme": "HTTP"},
                            "initialDelaySeconds": 60, "timeoutSeconds": 5, "successThreshold": 1, "failureThreshold": 5
                        },
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": "readiness-probe", "scheme": "HTTP"}},
                        "securityContext": {
                            "allowPrivilegeEscalation": false,
                            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                            "readOnlyRootFilesystem": true
                        }
                    }],
                    "dnsPolicy": "Default",
                    "volumes": [{"name": "config-volume", "configMap": {"name": "coredns",
                        "items": [{"key": "Corefile", "path": "Corefile"}]}}]
                }
            }
        }
    })
}

fn service() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}
        },
        "spec": {
            "clusterIP": DNS_IP, "clusterIPs": [DNS_IP], "type": "ClusterIP",
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster",
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}
            ],
            "selector": {"k8s-app": "kube-dns"}
        }
    })
}

/// Creates the add-on's objects in `kube-system` (which must exist).
pub fn install(shared: &Shared) -> Result<(), ApiError> {
    let objects = [
        (
            res("", "serviceaccounts"),
            json!({"metadata": {"name": "coredns"}}),
        ),
        (
            res("", "configmaps"),
            json!({"metadata": {"name": "coredns"}, "data": {"Corefile": COREFILE}}),
        ),
        (res("", "services"), service()),
        (res("apps", "deployments"), deployment()),
    ];
    for (r, obj) in objects {
        let obj = shared.prepare_create(r, NAMESPACE, obj)?;
        shared.store.create(r, obj)?;
    }
    Ok(())
}

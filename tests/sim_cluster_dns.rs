//! CoreDNS in `kube-system`, as kubeadm 1.32 installs it
//! (`cmd/kubeadm/app/phases/addons/dns/manifests.go`: the `coredns` Deployment of 2
//! replicas labelled `k8s-app: kube-dns`, the `kube-dns` Service at the tenth address of
//! the service CIDR, `cmd/kubeadm/app/constants/constants.go` for the image), read with
//! real kubectl 1.32: its pods count in `get pods -A`, not in a namespace's own list, and
//! stay out of the simulated application's metrics.

mod common;

use common::{Sim, TWO_APPS};
use serde_json::Value;

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

#[test]
fn kube_system_runs_coredns_as_kubeadm_installs_it() {
    let sim = Sim::start(TWO_APPS, 20.0);
    let dns = items(&sim.json(&["get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"]));
    assert_eq!(dns.len(), 2, "{dns:#?}");
    for p in &dns {
        let name = p["metadata"]["name"].as_str().unwrap_or_default();
        assert!(name.starts_with("coredns-"), "{name}");
        assert_eq!(p["status"]["phase"], "Running", "{p:#}");
        assert_eq!(
            p["spec"]["containers"][0]["image"],
            "registry.k8s.io/coredns/coredns:v1.11.3"
        );
        assert_eq!(p["spec"]["containers"][0]["name"], "coredns");
        assert_eq!(p["spec"]["serviceAccountName"], "coredns");
        assert_eq!(p["spec"]["priorityClassName"], "system-cluster-critical");
        assert_eq!(p["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
    }
    let deploy = sim.ok(&[
        "get",
        "deploy",
        "coredns",
        "-n",
        "kube-system",
        "--no-headers",
    ]);
    assert_eq!(
        deploy.split_whitespace().nth(1),
        Some("2/2"),
        "READY 2/2: {deploy}"
    );
    let svc = sim.json(&["get", "svc", "kube-dns", "-n", "kube-system"]);
    assert_eq!(svc["spec"]["clusterIP"], "10.96.0.10");
    assert_eq!(svc["spec"]["selector"]["k8s-app"], "kube-dns");
    let ports: Vec<(String, i64, String)> = svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["port"].as_i64().unwrap_or(0),
                p["protocol"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ports,
        [
            ("dns".to_string(), 53, "UDP".to_string()),
            ("dns-tcp".to_string(), 53, "TCP".to_string()),
            ("metrics".to_string(), 9153, "TCP".to_string()),
        ]
    );
    assert_eq!(
        svc["metadata"]["labels"]["kubernetes.io/name"], "CoreDNS",
        "{svc:#}"
    );
    // The endpoints controller serves kube-dns from the two ready pods.
    let ep = sim.json(&["get", "endpoints", "kube-dns", "-n", "kube-system"]);
    assert_eq!(
        ep["subsets"][0]["addresses"].as_array().map(Vec::len),
        Some(2),
        "{ep:#}"
    );

    // All namespaces: the scenario's five pods and CoreDNS's two; the scenario's
    // namespace (what the console's pod pane lists) still has its five.
    let all = sim.ok(&["get", "pods", "-A", "--no-headers"]);
    assert_eq!(all.lines().count(), 7, "{all}");
    assert_eq!(
        all.lines()
            .filter(|l| l.starts_with("kube-system "))
            .count(),
        2,
        "{all}"
    );
    let shop = sim.ok(&["get", "pods", "-n", "shop", "--no-headers"]);
    assert_eq!(shop.lines().count(), 5, "{shop}");

    // Not the simulated application: no kube-system series in /sim/metrics, so a drill's
    // unscoped `sum(container_memory_working_set_bytes)` is its own pods' alone.
    let metrics = backout::sim::app::render_metrics(sim.handle().shared());
    assert!(metrics.contains("namespace=\"shop\""), "{metrics}");
    assert!(!metrics.contains("kube-system"), "{metrics}");
}

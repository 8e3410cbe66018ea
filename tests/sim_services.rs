//! Real kubectl 1.32 against the simulator: the 404s every client reads the `details` of,
//! Services' endpoints, Secrets and `metrics.k8s.io` (issue 16, "What to build" 1 and 4).
//! Each expectation cites the upstream file it is taken from.

mod common;

use common::{Sim, WEB};

/// `kubectl debug` reads `ErrStatus.Details.Name` of the 404 it gets (a nil `details`
/// crashed kubectl with a nil-pointer panic). Source: kubernetes/kubectl
/// pkg/cmd/debug/debug.go (`debugByEphemeralContainer`), client-go
/// rest/request.go (`newUnstructuredResponseError`).
#[test]
fn every_404_status_carries_details_so_kubectl_never_crashes() {
    let sim = Sim::start(WEB, 20.0);
    let pod = sim.ok(&["get", "pods", "-n", "shop", "-o", "name"]);
    let pod = pod.lines().next().expect("a pod").to_string();
    let cases: &[(&[&str], &str)] = &[
        (
            &["get", "--raw", "/api/v1/namespaces/shop/nothing-here"],
            "Error from server (NotFound): the server could not find the requested resource",
        ),
        (
            &["get", "pods", "nope", "-n", "shop"],
            "Error from server (NotFound): pods \"nope\" not found",
        ),
        (
            &[
                "debug",
                "-n",
                "shop",
                "nope",
                "--image=busybox",
                "--profile=general",
            ],
            "Error from server (NotFound): pods \"nope\" not found",
        ),
    ];
    for (args, want) in cases {
        let err = sim.fail(args);
        assert!(err.contains(want), "kubectl {args:?}: {err}");
        assert!(!err.contains("panic"), "kubectl {args:?} crashed: {err}");
    }
    // The one whose 404 body used to lack `details`: a debug container on a live pod.
    let (_, out, err) = sim.run(&[
        "debug",
        "-n",
        "shop",
        &pod,
        "--image=busybox",
        "--profile=general",
    ]);
    assert!(
        !err.contains("panic") && !out.contains("panic"),
        "kubectl debug crashed: {err}"
    );
}

use std::collections::BTreeSet;

use common::TWO_APPS;

/// The IPs of the pods with this label selector, as `ip:port`.
fn pod_endpoints(sim: &Sim, selector: &str, port: u16) -> BTreeSet<String> {
    let ips = sim.ok(&[
        "get",
        "pods",
        "-n",
        "shop",
        "-l",
        selector,
        "-o",
        "jsonpath={.items[*].status.podIP}",
    ]);
    ips.split_whitespace()
        .map(|ip| format!("{ip}:{port}"))
        .collect()
}

/// The `ip:port` list after `label` on a line of kubectl's output (`ENDPOINTS` cell,
/// `Endpoints:` line), as a set.
fn listed(out: &str, line_start: &str) -> BTreeSet<String> {
    out.lines()
        .find(|l| l.starts_with(line_start))
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .find(|f| f.contains(':'))
                .unwrap_or_default()
                .split(',')
                .filter(|s| s.contains(':'))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Endpoints and EndpointSlices follow the ready pods a Service selects; a selector switch
/// (blue-green) moves them. Sources: kubernetes/kubernetes
/// pkg/controller/endpoint/endpoints_controller.go, pkg/controller/endpointslice,
/// pkg/printers/internalversion/printers.go (`formatEndpoints`: `ip:port`, comma-joined;
/// `printEndpointSlice` columns), kubernetes/kubectl pkg/describe/describe.go
/// (`describeService` reads EndpointSlices labelled `kubernetes.io/service-name`).
#[test]
fn endpoints_follow_the_selector_and_describe_svc_shows_them() {
    let sim = Sim::start(TWO_APPS, 20.0);
    let web = pod_endpoints(&sim, "app=web", 8080);
    let api = pod_endpoints(&sim, "app=api", 8080);
    assert_eq!((web.len(), api.len()), (3, 2), "{web:?} {api:?}");

    // (command, line the list is on, expected endpoints)
    type Case<'a> = (&'a [&'a str], &'a str, &'a BTreeSet<String>);
    let before: &[Case] = &[
        (&["get", "endpoints", "web", "-n", "shop"], "web ", &web),
        (&["get", "ep", "api", "-n", "shop"], "api ", &api),
        (
            &["describe", "svc", "web", "-n", "shop"],
            "Endpoints:",
            &web,
        ),
        (
            &["describe", "service", "api", "-n", "shop"],
            "Endpoints:",
            &api,
        ),
    ];
    for (args, line, want) in before {
        sim.wait_for(&format!("kubectl {args:?} lists {want:?}"), || {
            listed(&sim.ok(args), line) == **want
        });
    }
    let header = sim.ok(&["get", "endpoints", "-n", "shop"]);
    assert!(header.starts_with("NAME"), "{header}");
    assert!(
        header
            .lines()
            .next()
            .unwrap_or_default()
            .contains("ENDPOINTS"),
        "{header}"
    );
    let slices = sim.ok(&[
        "get",
        "endpointslices",
        "-n",
        "shop",
        "-l",
        "kubernetes.io/service-name=web",
    ]);
    let head: Vec<&str> = slices
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        head,
        ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
        "{slices}"
    );
    let row: Vec<&str> = slices
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert!(row[0].starts_with("web-"), "{slices}");
    assert_eq!((row[1], row[2]), ("IPv4", "8080"), "{slices}");
    let slice = sim.json(&[
        "get",
        "endpointslices",
        "-n",
        "shop",
        "-l",
        "kubernetes.io/service-name=web",
    ]);
    let item = &slice["items"][0];
    assert_eq!(
        item["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    assert_eq!(item["metadata"]["ownerReferences"][0]["kind"], "Service");
    assert_eq!(item["endpoints"].as_array().map(Vec::len), Some(3));
    assert_eq!(item["endpoints"][0]["conditions"]["ready"], true);
    assert_eq!(item["endpoints"][0]["targetRef"]["kind"], "Pod");

    // Blue-green: point `web` at the `api` pods.
    sim.ok(&[
        "patch",
        "svc",
        "web",
        "-n",
        "shop",
        "-p",
        r#"{"spec":{"selector":{"app":"api"}}}"#,
    ]);
    let after: &[Case] = &[
        (&["get", "endpoints", "web", "-n", "shop"], "web ", &api),
        (
            &["describe", "svc", "web", "-n", "shop"],
            "Endpoints:",
            &api,
        ),
    ];
    for (args, line, want) in after {
        sim.wait_for(
            &format!("kubectl {args:?} lists {want:?} after the switch"),
            || listed(&sim.ok(args), line) == **want,
        );
    }

    // `kubectl expose` gets a cluster IP from the service CIDR and its own endpoints.
    sim.ok(&[
        "expose",
        "deployment",
        "web",
        "-n",
        "shop",
        "--name",
        "web-direct",
        "--port",
        "80",
        "--target-port",
        "8080",
    ]);
    let ip = sim.ok(&[
        "get",
        "svc",
        "web-direct",
        "-n",
        "shop",
        "-o",
        "jsonpath={.spec.clusterIP}",
    ]);
    assert!(
        ip.starts_with("10.96.") || ip.starts_with("10.1"),
        "cluster IP {ip}"
    );
    sim.wait_for("web-direct's endpoints", || {
        listed(
            &sim.ok(&["get", "endpoints", "web-direct", "-n", "shop"]),
            "web-direct ",
        ) == web
    });
    // Deleting the Service removes its Endpoints and slices.
    sim.ok(&["delete", "svc", "web-direct", "-n", "shop"]);
    sim.wait_for("web-direct's endpoints gone", || {
        sim.run(&["get", "endpoints", "web-direct", "-n", "shop"]).0 != 0
            && sim
                .ok(&[
                    "get",
                    "endpointslices",
                    "-n",
                    "shop",
                    "-l",
                    "kubernetes.io/service-name=web-direct",
                    "-o",
                    "name",
                ])
                .trim()
                .is_empty()
    });
}

/// A scenario whose new version uses more CPU and memory than the old one.
const HUNGRY: &str = r#"
name: hungry
namespace: shop
apps:
  - {name: web, replicas: 2, image: shop/web, version: "1.0"}
behaviours:
  - {version: "1.0", cpu_millicores: 50, memory_mib: 100}
  - {version: "2.0", cpu_millicores: 400, memory_mib: 700}
"#;

/// The CPU (millicores) and memory (MiB) columns of `kubectl top` rows, by name.
fn top(out: &str) -> Vec<(String, i64, i64)> {
    out.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (cpu, mem) = if f.len() >= 5 {
                (f[1], f[3])
            } else {
                (*f.get(1)?, *f.get(2)?)
            };
            Some((
                f[0].to_string(),
                cpu.strip_suffix('m')?.parse().ok()?,
                mem.strip_suffix("Mi")?.parse().ok()?,
            ))
        })
        .collect()
}

/// `kubectl top pods|nodes` read `metrics.k8s.io/v1beta1` and print millicores and MiB;
/// the figures follow the version each pod runs. Sources: kubernetes/kubectl
/// pkg/metricsutil/metrics_printer.go (`PodColumns`, `NodeColumns`,
/// `printSingleResourceUsage`: `%vm`, `%vMi`), pkg/cmd/top/top.go
/// (`SupportedMetricsAPIVersionAvailable`), kubernetes-sigs/metrics-server pkg/api/pod.go.
#[test]
fn kubectl_top_prints_usage_that_moves_with_the_version() {
    let sim = Sim::start(HUNGRY, 20.0);
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["top", "pods", "-n", "shop"],
            &["NAME", "CPU(cores)", "MEMORY(bytes)"],
        ),
        (
            &["top", "nodes"],
            &["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"],
        ),
        (
            &["top", "pods", "-n", "shop", "-l", "app=web"],
            &["NAME", "CPU(cores)", "MEMORY(bytes)"],
        ),
    ];
    for (args, header) in cases {
        let out = sim.ok(args);
        let head: Vec<&str> = out
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(head, *header, "kubectl {args:?}:\n{out}");
        assert!(!top(&out).is_empty(), "kubectl {args:?}:\n{out}");
    }
    let before = top(&sim.ok(&["top", "pods", "-n", "shop"]));
    assert_eq!(before.len(), 2, "{before:?}");
    for (name, cpu, mem) in &before {
        assert!(
            (40..=60).contains(cpu) && (90..=110).contains(mem),
            "{name} {cpu}m {mem}Mi"
        );
    }
    let nodes = top(&sim.ok(&["top", "nodes"]));
    assert_eq!(nodes.len(), 3, "{nodes:?}");

    sim.ok(&["set", "image", "deploy/web", "-n", "shop", "*=shop/web:2.0"]);
    sim.wait_for("top pods shows the new version's usage", || {
        let rows = top(&sim.ok(&["top", "pods", "-n", "shop"]));
        rows.len() == 2 && rows.iter().all(|(_, cpu, mem)| *cpu >= 300 && *mem >= 600)
    });
    let err = sim.fail(&["top", "pod", "nope", "-n", "shop"]);
    assert!(
        err.contains("podmetrics.metrics.k8s.io \"shop/nope\" not found"),
        "{err}"
    );
}

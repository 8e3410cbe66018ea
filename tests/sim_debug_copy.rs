//! Real kubectl 1.32 `debug --copy-to` against the simulator (issue 16, "What to build"
//! 1): kubectl reads the pod, makes a copy with the debug container added, its labels
//! dropped (`--keep-labels=false`) and `nodeName` cleared (kubectl pkg/cmd/debug/debug.go,
//! `generatePodCopyWithDebugContainer`), and creates it through the typed client, whose
//! protobuf body the simulator decodes (`sim/protobuf.rs`, core/v1 `Pod` field numbers
//! from k8s.io/api core/v1 generated.proto). The copy is scheduled and runs.

mod common;

use common::{Sim, WEB};

#[test]
fn debug_copy_to_creates_a_running_copy_with_the_debug_container() {
    let sim = Sim::start(WEB, 20.0);
    let pod = sim.pod_name("shop", Some("web"), 0);
    sim.ok(&[
        "-n",
        "shop",
        "debug",
        &pod,
        "--copy-to=web-debug",
        "--image=busybox",
        "--container=dbg",
        "--",
        "sh",
        "-c",
        "echo hi",
    ]);
    sim.ok(&[
        "-n",
        "shop",
        "wait",
        "--for=condition=Ready",
        "pod/web-debug",
        "--timeout=60s",
    ]);
    let copy = sim.json(&["-n", "shop", "get", "pod", "web-debug"]);
    let containers = copy["spec"]["containers"].as_array().expect("containers");
    assert_eq!(containers.len(), 2, "{copy}");
    assert_eq!(containers[0]["name"], "app");
    assert_eq!(containers[0]["image"], "shop/web:1.2");
    assert_eq!(containers[1]["name"], "dbg");
    assert_eq!(containers[1]["image"], "busybox");
    assert_eq!(
        containers[1]["command"],
        serde_json::json!(["sh", "-c", "echo hi"])
    );
    assert!(copy["metadata"]["labels"].is_null(), "{copy}");
    assert!(copy["metadata"]["ownerReferences"].is_null(), "{copy}");
    assert!(
        copy["spec"]["nodeName"]
            .as_str()
            .is_some_and(|n| n.starts_with("sim-node-"))
    );
    // The original is untouched.
    assert_eq!(
        sim.ok(&[
            "-n",
            "shop",
            "get",
            "pod",
            &pod,
            "-o",
            "jsonpath={.spec.containers[*].name}"
        ]),
        "app"
    );
}

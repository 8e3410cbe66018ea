//! Real kubectl 1.32 `debug` with a command against the simulator (issue 16, "What to
//! build" 1, ephemeral containers for `kubectl debug`). kubectl adds the ephemeral
//! container with the command after `--`, `stdin`/`tty` from `-i`/`-t`, waits until it
//! runs or has terminated, then attaches — or, when it already terminated, prints its log
//! (kubernetes/kubectl pkg/cmd/debug/debug.go, `generateDebugContainer`,
//! `waitForContainer`, `handleAttachPod`). The kubelet runs an ephemeral container's
//! command once and never restarts it: it ends `terminated` with the command's exit code
//! (reason `Completed`/`Error`) while the pod runs on; an attach's error stream says
//! `Success` whatever the exit code (kubernetes/kubernetes
//! pkg/kubelet/cri/streaming/remotecommand/attach.go, `ServeAttach`), so kubectl debug
//! exits 0.

mod common;

use common::{Sim, WEB};

/// The ephemeral container `name`'s state in `pod`, once it has terminated.
fn terminated(sim: &Sim, pod: &str, name: &str) -> serde_json::Value {
    let mut state = serde_json::Value::Null;
    sim.wait_for(&format!("{name} terminated"), || {
        let p = sim.json(&["get", "pod", pod, "-n", "shop"]);
        state = p["status"]["ephemeralContainerStatuses"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["name"] == name))
            .map(|s| s["state"]["terminated"].clone())
            .unwrap_or_default();
        state.is_object()
    });
    state
}

#[test]
fn debug_with_a_command_runs_it_in_the_ephemeral_container_and_terminates() {
    let sim = Sim::start(WEB, 20.0);
    let pod = sim.pod_name("shop", Some("web"), 0);

    // -it with --target: attached, the command's output streams back; it exits 3.
    let (code, stdout, stderr) = sim.run(&[
        "debug",
        "-n",
        "shop",
        "-it",
        &pod,
        "--image=busybox",
        "--target=app",
        "--container=dbg1",
        "--",
        "sh",
        "-c",
        "echo hi from $HOSTNAME; exit 3",
    ]);
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains(&format!("hi from {pod}")),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        !stderr.contains("falling back to streaming logs"),
        "{stderr}"
    );
    let state = terminated(&sim, &pod, "dbg1");
    assert_eq!(state["exitCode"], 3, "{state}");
    assert_eq!(state["reason"], "Error", "{state}");
    let p = sim.json(&["get", "pod", &pod, "-n", "shop"]);
    assert_eq!(
        p["spec"]["ephemeralContainers"][0]["targetContainerName"],
        "app"
    );
    assert_eq!(
        p["spec"]["ephemeralContainers"][0]["command"],
        serde_json::json!(["sh", "-c", "echo hi from $HOSTNAME; exit 3"])
    );
    // The pod itself runs on.
    assert_eq!(p["status"]["phase"], "Running", "{}", p["status"]);
    assert!(
        p["status"]["containerStatuses"][0]["state"]["running"].is_object(),
        "{}",
        p["status"]
    );

    // Without -i kubectl does not attach: the command runs on its own and completes.
    sim.ok(&[
        "debug",
        "-n",
        "shop",
        &pod,
        "--image=busybox",
        "--container=dbg2",
        "--",
        "sh",
        "-c",
        "test -d /etc && echo etc is there",
    ]);
    let state = terminated(&sim, &pod, "dbg2");
    assert_eq!(state["exitCode"], 0, "{state}");
    assert_eq!(state["reason"], "Completed", "{state}");

    // -i with a command reading stdin: the input reaches the command.
    let out = sim.output_with_stdin(
        &[
            "debug",
            "-n",
            "shop",
            "-i",
            &pod,
            "--image=busybox",
            "--container=dbg3",
            "--",
            "sh",
            "-c",
            "grep -c line",
        ],
        b"line one\nline two\nother\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l == "2"),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(terminated(&sim, &pod, "dbg3")["exitCode"], 0);
}

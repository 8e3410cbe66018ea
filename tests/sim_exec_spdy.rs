//! Real kubectl 1.32 `exec`, `attach`-style streams and `cp` over plain SPDY/3.1
//! against the simulator (issue 16, "What to build" 1: the SPDY fallback). kubectl 1.32
//! dials the WebSocket executor first and falls back to SPDY on an upgrade failure; with
//! `KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false` it uses only the SPDY executor (POST,
//! `Upgrade: SPDY/3.1`) — kubernetes/kubectl pkg/cmd/exec/exec.go `createExecutor`,
//! pkg/cmd/util/helpers.go `FeatureGate.IsDisabled` — as older kubectl and client-go
//! without the WebSocket executor always do. The kubelet's side (kubernetes/kubernetes
//! pkg/kubelet/cri/streaming/remotecommand/httpstream.go) negotiates
//! `v4.channel.k8s.io`; client-go tools/remotecommand/v4.go turns the error stream's
//! `NonZeroExitCode` status into "command terminated with exit code N".

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{Sim, WEB};

/// kubectl forced to SPDY, verbose enough to log each request line (`-v=6`).
fn spdy_kubectl(sim: &Sim, args: &[&str]) -> Command {
    let mut c = Command::new(common::kubectl_bin());
    c.arg("--kubeconfig")
        .arg(&sim.kubeconfig)
        .arg("-v=6")
        .args(args)
        .env_remove("KUBECONFIG")
        .env("HOME", sim.dir.path())
        .env("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs kubectl forced to SPDY with `stdin`; checks that its `sub` request (`exec` or
/// `attach`) went over SPDY: a POST answered 101, no WebSocket GET.
fn run_sub(sim: &Sim, sub: &str, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = spdy_kubectl(sim, args)
        .stdin(Stdio::piped())
        .spawn()
        .expect("kubectl starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    let out = child.wait_with_output().expect("kubectl exits");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let path = format!("/{sub}?");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("POST https://") && l.contains(&path) && l.contains(" 101 ")),
        "{stderr}"
    );
    assert!(
        !stderr
            .lines()
            .any(|l| l.contains("GET https://") && l.contains(&path)),
        "{stderr}"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

fn run(sim: &Sim, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    run_sub(sim, "exec", args, stdin)
}

#[test]
fn exec_over_plain_spdy_streams_output_stdin_and_the_exit_code() {
    let sim = Sim::start(WEB, 20.0);
    let pod = sim.pod_name("shop", None, 0);

    let (code, stdout, stderr) = run(
        &sim,
        &["exec", "-n", "shop", &pod, "--", "printenv", "FEATURE_X"],
        b"",
    );
    assert_eq!((code, stdout.as_str()), (0, "off\n"), "{stderr}");

    let (code, stdout, stderr) = run(
        &sim,
        &[
            "exec",
            "-n",
            "shop",
            &pod,
            "--",
            "sh",
            "-c",
            "echo out; ls /nope; exit 4",
        ],
        b"",
    );
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stdout, "out\n");
    assert!(
        stderr.contains("ls: cannot access '/nope': No such file or directory"),
        "{stderr}"
    );
    assert!(
        stderr.contains("command terminated with exit code 4"),
        "{stderr}"
    );

    // stdin reaches the command; its end (the stream's FIN) ends `cat`.
    let (code, stdout, stderr) = run(
        &sim,
        &[
            "exec",
            "-i",
            "-n",
            "shop",
            &pod,
            "--",
            "sh",
            "-c",
            "cat | grep -v skip",
        ],
        b"keep me\nskip me\n",
    );
    assert_eq!((code, stdout.as_str()), (0, "keep me\n"), "{stderr}");

    // `kubectl run -i --rm` attaches over SPDY too: the output, then kubectl reads the
    // exit code from the pod's status and deletes it (kubectl pkg/cmd/run/run.go).
    let (code, stdout, stderr) = run_sub(
        &sim,
        "attach",
        &[
            "run",
            "-i",
            "--rm",
            "once",
            "--image=busybox",
            "--restart=Never",
            "-n",
            "shop",
            "--",
            "sh",
            "-c",
            "echo attached; exit 3",
        ],
        b"",
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.contains("attached\n"), "{stdout}");
    assert!(stdout.contains("pod \"once\" deleted"), "{stdout}");

    // `kubectl cp` both ways rides on the same executor.
    let local = sim.dir.path().join("in.txt");
    std::fs::write(&local, "over spdy\n").expect("local file");
    let mut cp_in = spdy_kubectl(
        &sim,
        &[
            "cp",
            &local.to_string_lossy(),
            &format!("shop/{pod}:/tmp/in.txt"),
        ],
    );
    let out = cp_in.output().expect("kubectl cp");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = sim.dir.path().join("back.txt");
    let mut cp_out = spdy_kubectl(
        &sim,
        &[
            "cp",
            &format!("shop/{pod}:/tmp/in.txt"),
            &back.to_string_lossy(),
        ],
    );
    let out = cp_out.output().expect("kubectl cp");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&back).expect("copied back"),
        "over spdy\n"
    );
}

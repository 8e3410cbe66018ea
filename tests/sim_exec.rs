//! Real kubectl 1.32 `exec`, `attach` and `run -i --rm` against the simulator over the
//! WebSocket remote-command protocol (`v5.channel.k8s.io`), with the simulated shell
//! (issue 16, "What to build" 1). Each expectation cites the upstream file it is taken
//! from.

mod common;

use common::{Sim, WEB};

/// `WEB` with a command the scenario scripts in its containers.
fn web_scripted() -> String {
    format!(
        r#"{WEB}exec:
  - {{command: "npm run migrate:down", app: web, stdout: "reverted 20240101_add_index\n"}}
  - {{command: "redis-cli FLUSHALL", stdout: "OK\n"}}
"#
    )
}

/// `kubectl exec deploy/web -- …`: (args after `--`, exit code, stdout must contain,
/// stderr must contain).
type Case<'a> = (&'a [&'a str], i32, &'a str, &'a str);

/// Sources: client-go tools/remotecommand/v4.go (`errorDecoderV4`: "command terminated
/// with exit code %d", kubectl exits with that code), dash's "sh: 1: X: not found" (exit
/// 127, src/exec.c), curl's exit 6 for a host it cannot resolve (curl docs/libcurl
/// libcurl-errors.3 `CURLE_COULDNT_RESOLVE_HOST`), GNU ls "cannot access" (exit 2).
#[test]
fn exec_runs_the_simulated_shell_with_the_template_env() {
    let sim = Sim::start(&web_scripted(), 20.0);
    let cases: &[Case] = &[
        (&["env"], 0, "FEATURE_X=off\n", ""),
        (&["printenv", "FEATURE_X"], 0, "off\n", ""),
        (
            &["printenv", "NOPE"],
            1,
            "",
            "command terminated with exit code 1",
        ),
        (
            &["sh", "-c", "echo \"flag is $FEATURE_X\" | grep flag"],
            0,
            "flag is off\n",
            "",
        ),
        (
            &["sh", "-c", "env | grep -c FEATURE_X && echo yes || echo no"],
            0,
            "1\nyes\n",
            "",
        ),
        (&["hostname"], 0, "web-", ""),
        (&["cat", "/etc/hostname"], 0, "web-", ""),
        (
            &[
                "cat",
                "/var/run/secrets/kubernetes.io/serviceaccount/namespace",
            ],
            0,
            "shop",
            "",
        ),
        (&["ls", "/"], 0, "etc\n", ""),
        (
            &["ls", "/nope"],
            2,
            "",
            "ls: cannot access '/nope': No such file or directory",
        ),
        (&["echo", "a", "b"], 0, "a b\n", ""),
        (&["sleep", "0.1"], 0, "", ""),
        (&["date"], 0, " UTC ", ""),
        (
            &["npx", "prisma", "migrate", "status"],
            127,
            "",
            "sh: 1: npx: not found",
        ),
        (
            &["sh", "-c", "redis-cli -n 0 PING"],
            127,
            "",
            "sh: 1: redis-cli: not found",
        ),
        (
            &["npm", "run", "migrate:down"],
            0,
            "reverted 20240101_add_index\n",
            "",
        ),
        (
            &["sh", "-c", "redis-cli FLUSHALL && echo flushed"],
            0,
            "OK\nflushed\n",
            "",
        ),
        (&["npx"], 127, "", "command terminated with exit code 127"),
        (
            &["curl", "-s", "http://web/healthz"],
            0,
            "\"status\":\"ok\"",
            "",
        ),
        (
            &["curl", "-s", "http://web.shop.svc.cluster.local/version"],
            0,
            "\"version\":\"1.2\"",
            "",
        ),
        (
            &["curl", "-s", "localhost:8080/healthz"],
            0,
            "\"status\":\"ok\"",
            "",
        ),
        (
            &["wget", "-qO-", "http://web.shop.svc/healthz"],
            0,
            "\"status\":\"ok\"",
            "",
        ),
        (
            &["curl", "-s", "http://nope/healthz"],
            6,
            "",
            "command terminated with exit code 6",
        ),
        (
            &["curl", "http://nope/healthz"],
            6,
            "",
            "curl: (6) Could not resolve host: nope",
        ),
        (
            &["curl", "-sf", "http://web/nothing-here"],
            22,
            "",
            "exit code 22",
        ),
    ];
    for (cmd, code, out, err) in cases {
        let mut args = vec!["exec", "deploy/web", "-n", "shop", "--"];
        args.extend_from_slice(cmd);
        let (got, stdout, stderr) = sim.run(&args);
        assert_eq!(
            got, *code,
            "kubectl {args:?}\nstdout: {stdout}\nstderr: {stderr}"
        );
        assert!(stdout.contains(out), "kubectl {args:?} stdout: {stdout:?}");
        assert!(stderr.contains(err), "kubectl {args:?} stderr: {stderr:?}");
    }

    // stdin (`-i`) reaches the command; v5 closes it when kubectl's input ends.
    let out = sim.output_with_stdin(
        &[
            "exec",
            "-i",
            "deploy/web",
            "-n",
            "shop",
            "--",
            "sh",
            "-c",
            "cat | grep -v skip",
        ],
        b"keep me\nskip me\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "keep me\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The env of a container is its template's: after `set env` and the rollout, exec sees
    // the new value.
    sim.ok(&["set", "env", "deploy/web", "-n", "shop", "FEATURE_X=on"]);
    sim.ok(&[
        "rollout",
        "status",
        "deploy/web",
        "-n",
        "shop",
        "--timeout=60s",
    ]);
    let env = sim.ok(&["exec", "deploy/web", "-n", "shop", "--", "env"]);
    assert!(env.lines().any(|l| l == "FEATURE_X=on"), "{env}");
}

/// `kubectl run -i --rm --restart=Never -- curl …` attaches, prints the command's output,
/// sees the pod complete and deletes it. Sources: kubernetes/kubectl pkg/cmd/run/run.go
/// (`handleAttachPod`, `waitForExitCode`, `removeCreatedObjects`), pkg/cmd/delete
/// ("pod \"debug\" deleted"); kubelet's terminated state `Completed`/`Error`.
#[test]
fn run_to_completion_prints_the_output_and_removes_the_pod() {
    let sim = Sim::start(WEB, 20.0);
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &[
                "run",
                "-i",
                "--rm",
                "debug",
                "--image=curlimages/curl",
                "--restart=Never",
                "-n",
                "shop",
                "--",
                "curl",
                "-s",
                "http://web.shop.svc/healthz",
            ],
            0,
            "\"status\":\"ok\"",
        ),
        (
            &[
                "run",
                "-it",
                "--rm",
                "debug2",
                "--image=busybox",
                "--restart=Never",
                "-n",
                "shop",
                "--",
                "sh",
                "-c",
                "echo hello from $HOSTNAME",
            ],
            0,
            "hello from debug2",
        ),
    ];
    for (args, code, want) in cases {
        let (got, out, err) = sim.run(args);
        assert_eq!(got, *code, "kubectl {args:?}\nstdout: {out}\nstderr: {err}");
        assert!(
            out.contains(want),
            "kubectl {args:?} stdout: {out:?} stderr: {err:?}"
        );
        let pod = args[3];
        assert!(
            out.contains(&format!("pod \"{pod}\" deleted")),
            "kubectl {args:?} stdout: {out:?}"
        );
        sim.wait_for(&format!("pod {pod} gone"), || {
            sim.run(&["get", "pod", pod, "-n", "shop"]).0 != 0
        });
    }
    // Without -i the pod runs on its own; its log is the output and it ends Succeeded/Failed.
    sim.ok(&[
        "run",
        "once",
        "--image=busybox",
        "--restart=Never",
        "-n",
        "shop",
        "--",
        "sh",
        "-c",
        "echo done; exit 3",
    ]);
    sim.wait_for("pod once failed", || {
        sim.ok(&[
            "get",
            "pod",
            "once",
            "-n",
            "shop",
            "-o",
            "jsonpath={.status.phase}",
        ]) == "Failed"
    });
    let code = sim.ok(&[
        "get",
        "pod",
        "once",
        "-n",
        "shop",
        "-o",
        "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}",
    ]);
    assert_eq!(code, "3");
    assert_eq!(sim.ok(&["logs", "once", "-n", "shop"]), "done\n");
    let table = sim.ok(&["get", "pod", "once", "-n", "shop"]);
    assert!(table.contains("Error"), "{table}");
}

/// `kubectl debug POD -i --image=busybox` adds an ephemeral container through
/// `pods/NAME/ephemeralcontainers`, waits for it to run and attaches to its shell; the
/// shell's `exit` terminates the container.
/// Sources: kubernetes/kubectl pkg/cmd/debug/debug.go (`debugByEphemeralContainer`,
/// "Defaulting debug container name to debugger-" on stdout), kubernetes/kubernetes
/// pkg/registry/core/pod/strategy.go (`podEphemeralContainersStrategy`).
#[test]
fn kubectl_debug_attaches_an_ephemeral_container() {
    let sim = Sim::start(WEB, 20.0);
    let pod = sim.pod_name("shop", None, 0);
    let out = sim.output_with_stdin(
        &[
            "debug",
            "-n",
            "shop",
            &pod,
            "-i",
            "--image=busybox",
            "--profile=general",
        ],
        b"hostname\necho debug-ok\nexit 0\n",
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains("Defaulting debug container name to debugger-"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{pod}\n")) && stdout.contains("debug-ok\n"),
        "{stdout}"
    );
    let pod_json = sim.json(&["get", "pod", &pod, "-n", "shop"]);
    assert_eq!(
        pod_json["spec"]["ephemeralContainers"][0]["image"],
        "busybox"
    );
    // The debug shell was the container's process: `exit 0` ended it, and an ephemeral
    // container is never restarted (kubelet), so it is terminated with that code.
    let state = &pod_json["status"]["ephemeralContainerStatuses"][0]["state"];
    assert_eq!(state["terminated"]["exitCode"], 0, "{}", pod_json["status"]);
}

/// Reads one WebSocket frame the server sent (unmasked, RFC 6455 5.2): `(opcode, payload)`.
async fn ws_frame<R: tokio::io::AsyncRead + Unpin>(r: &mut R) -> (u8, Vec<u8>) {
    use tokio::io::AsyncReadExt;
    let mut head = [0u8; 2];
    r.read_exact(&mut head).await.expect("frame header");
    let len = match head[1] & 0x7f {
        126 => u64::from(r.read_u16().await.expect("length")),
        127 => r.read_u64().await.expect("length"),
        n => u64::from(n),
    };
    let mut payload = vec![0u8; usize::try_from(len).expect("frame length")];
    r.read_exact(&mut payload).await.expect("frame payload");
    (head[0] & 0x0f, payload)
}

/// The session's output waits until the client answered a ping: kubectl 1.32's client-go
/// creates its streams beside its read loop and drops a message for a stream it has not
/// created yet (tools/remotecommand/websocket.go v0.32.1, `readDemuxLoop`: "Unknown stream
/// id %d, discarding message"), which once lost a command's first chunk in CI. A raw
/// WebSocket client: the first frame after the upgrade is a ping, not output; after the
/// pong come the output and the error stream's `Success` (v4.go, `errorDecoderV4`).
#[test]
fn exec_output_waits_for_the_clients_pong() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let sim = Sim::start(&web_scripted(), 20.0);
    let pod = sim.pod_name("shop", None, 0);
    let (addr, ca) = (sim.handle().addr(), sim.handle().ca_der().to_vec());
    sim.runtime.block_on(async move {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.into()).expect("the simulator's CA");
        let config = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(addr).await.expect("connects");
        let name = rustls::pki_types::ServerName::IpAddress(addr.ip().into());
        let mut tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
            .connect(name, tcp)
            .await
            .expect("TLS");
        let request = format!(
            "GET /api/v1/namespaces/shop/pods/{pod}/exec?command=redis-cli&command=FLUSHALL&stdout=true&stderr=true HTTP/1.1\r\n\
             Host: {addr}\r\nAuthorization: Bearer backout-sim-admin\r\nConnection: Upgrade\r\n\
             Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n"
        );
        tls.write_all(request.as_bytes()).await.expect("request");
        let mut response = Vec::new();
        while !response.ends_with(b"\r\n\r\n") {
            response.push(tls.read_u8().await.expect("response"));
        }
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 101"), "{response}");

        let (opcode, payload) = ws_frame(&mut tls).await;
        assert_eq!(opcode, 0x9, "a ping before any output, not {payload:?}");
        // The pong, masked as a client's frames are (RFC 6455 5.3; a zero mask).
        let mut pong = vec![0x8a, 0x80 | u8::try_from(payload.len()).expect("short ping")];
        pong.extend([0, 0, 0, 0]);
        pong.extend(&payload);
        tls.write_all(&pong).await.expect("pong");

        let mut frames = Vec::new();
        while frames.last().is_none_or(|(op, _)| *op != 0x8) {
            frames.push(ws_frame(&mut tls).await);
        }
        let data: Vec<&Vec<u8>> = frames
            .iter()
            .filter(|(op, _)| *op == 0x2)
            .map(|(_, p)| p)
            .collect();
        assert_eq!(data.len(), 2, "{frames:?}");
        assert_eq!(data[0].as_slice(), b"\x01OK\n", "{frames:?}");
        assert!(
            data[1].starts_with(b"\x03") && String::from_utf8_lossy(data[1]).contains("Success"),
            "{frames:?}"
        );
    });
}

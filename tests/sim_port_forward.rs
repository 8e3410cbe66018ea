//! Real kubectl 1.32 `port-forward` against the simulator (issue 16, "Done when":
//! `kubectl port-forward deploy/x 18080:8080` then `curl localhost:18080/healthz`).
//! kubectl tunnels SPDY/3.1 through a WebSocket (`SPDY/3.1+portforward.k8s.io`, client-go
//! tools/portforward `tunneling_dialer.go`); each local connection is an error and a data
//! stream (`portforward.go`, `handleConnection`) served as the kubelet does
//! (pkg/kubelet/cri/streaming/portforward/httpstream.go). The local port is kubectl's
//! choice (`:8080`), so parallel test runs on one machine never collide.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::sync::mpsc;
use std::time::Duration;

use common::{Sim, WEB};

/// The local port from kubectl's `Forwarding from 127.0.0.1:PORT -> REMOTE`
/// (`portforward.go`, `listenOnPortAndAddress`), read from its stdout; the rest of its
/// stdout keeps arriving on the returned channel.
fn local_port(child: &mut Child, remote: u16) -> (u16, mpsc::Receiver<String>) {
    let stdout = child.stdout.take().expect("stdout piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let want = format!(" -> {remote}");
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("kubectl prints where it forwards from within 60 s");
        if let Some(rest) = line.strip_prefix("Forwarding from 127.0.0.1:")
            && let Some(port) = rest.strip_suffix(&want)
        {
            return (port.parse().expect("a port number"), rx);
        }
    }
}

/// One HTTP/1.1 GET through the forwarded port: the whole response as text.
fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the forwarded port accepts");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout set");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"
    )
    .expect("request written");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("response read");
    out
}

#[test]
fn port_forward_to_a_deployment_reaches_the_simulated_app() {
    let sim = Sim::start(WEB, 20.0);
    let mut child = sim.spawn(&["-n", "shop", "port-forward", "deploy/web", ":8080"]);
    let (port, lines) = local_port(&mut child, 8080);

    let health = get(port, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200 OK\r\n"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    assert!(health.contains("\"version\":\"1.2\""), "{health}");
    // A second connection is a second request id on the same SPDY connection.
    let version = get(port, "/version");
    assert!(version.starts_with("HTTP/1.1 200 OK\r\n"), "{version}");
    assert!(
        version.contains("{\"app\":\"web\",\"version\":\"1.2\"}"),
        "{version}"
    );
    let missing = get(port, "/nope");
    assert!(
        missing.starts_with("HTTP/1.1 404 Not Found\r\n"),
        "{missing}"
    );
    let metrics = get(port, "/metrics");
    assert!(metrics.contains("namespace=\"shop\""), "{metrics}");

    // kubectl prints one "Handling connection for PORT" per accepted connection
    // (`handleConnection`).
    let mut handled = 0;
    while handled < 4 {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("kubectl reports every connection");
        if line == format!("Handling connection for {port}") {
            handled += 1;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A port no container listens on: the kubelet writes the runtime's error to the error
/// stream (httpstream.go `portForward`: "error forwarding port %d to pod %s, uid %v: %v";
/// containerd's "connection refused"), kubectl logs "an error occurred forwarding",
/// closes the connection and exits with `error: lost connection to pod`
/// (`portforward.go` `handleConnection`, `forward`: `ErrLostConnectionToPod`).
#[test]
fn port_forward_to_a_closed_port_reports_the_runtimes_refusal() {
    let sim = Sim::start(WEB, 20.0);
    let mut child = sim.spawn(&["-n", "shop", "port-forward", "deploy/web", ":9999"]);
    let (port, _lines) = local_port(&mut child, 9999);
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the local port accepts");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout set");
    let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    assert!(
        out.is_empty(),
        "nothing answers: {}",
        String::from_utf8_lossy(&out)
    );
    let output = child.wait_with_output().expect("kubectl exits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "an error occurred forwarding {port} -> 9999: error forwarding port 9999 to pod "
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(", uid : failed to execute portforward in network namespace "),
        "{stderr}"
    );
    assert!(stderr.contains("connect: connection refused"), "{stderr}");
    assert!(stderr.contains("error: lost connection to pod"), "{stderr}");
}

/// Plain SPDY/3.1 (`Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: portforward.k8s.io`,
/// apimachinery pkg/util/httpstream/spdy `roundtripper.go`): what kubectl 1.32 dials with
/// `KUBECTL_PORT_FORWARD_WEBSOCKETS=false` (kubernetes/kubectl
/// pkg/cmd/portforward/portforward.go: the tunnelling dialer only unless the gate is
/// disabled, pkg/cmd/util/helpers.go `FeatureGate.IsDisabled`) and older clients. The
/// same kubelet streams then run over the raw connection.
#[test]
fn port_forward_over_plain_spdy_reaches_the_simulated_app() {
    let sim = Sim::start(WEB, 20.0);
    let mut child = std::process::Command::new(common::kubectl_bin())
        .arg("--kubeconfig")
        .arg(&sim.kubeconfig)
        .args(["-n", "shop", "port-forward", "deploy/web", ":8080", "-v=6"])
        .env_remove("KUBECONFIG")
        .env("HOME", sim.dir.path())
        .env("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl starts");
    let (port, _lines) = local_port(&mut child, 8080);
    let health = get(port, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200 OK\r\n"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    let version = get(port, "/version");
    assert!(version.contains("\"version\":\"1.2\""), "{version}");
    let _ = child.kill();
    let out = child.wait_with_output().expect("kubectl exits");
    // -v=6 logs each request: the upgrade was a plain POST answered 101, no WebSocket.
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("POST https://") && log.contains("/portforward 101 Switching Protocols"),
        "{log}"
    );
    assert!(
        !log.lines()
            .any(|l| l.contains("GET https://") && l.contains("/portforward")),
        "{log}"
    );
}

//! `backout sim` as a process: prints its address, writes the kubeconfig, serves kubectl,
//! and rejects bad arguments with a clear message.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn backout_sim_serves_a_scenario_to_kubectl() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kc");
    let mut child = Command::new(env!("CARGO_BIN_EXE_backout"))
        .args([
            "sim",
            "--scenario",
            "bad-deploy",
            "--speed",
            "5",
            "--kubeconfig-out",
        ])
        .arg(&kubeconfig)
        .arg("--ca-out")
        .arg(dir.path().join("ca.pem"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("backout sim starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(
        first.starts_with("backout sim listening on https://127.0.0.1:"),
        "{first}"
    );
    let start = Instant::now();
    while !kubeconfig.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "kubeconfig not written"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = Command::new("/usr/bin/kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args([
            "get",
            "deploy",
            "checkout-api",
            "-o",
            "jsonpath={.status.availableReplicas}",
        ])
        .env("HOME", dir.path())
        .output()
        .expect("kubectl runs");
    let _ = child.kill();
    let _ = child.wait();
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).expect("CA written");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "4",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn backout_sim_rejects_an_unknown_scenario() {
    let out = Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(["sim", "--scenario", "no-such-drill"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no scenario named \"no-such-drill\""), "{err}");
}

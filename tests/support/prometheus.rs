//! A real Prometheus (Debian package `prometheus`, or `$PROMETHEUS`) on a free loopback
//! port with its own temporary storage, scraping one target every second. Missing
//! Prometheus fails the test with an install hint; it never skips.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Prometheus {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts Prometheus scraping `http://{target}{metrics_path}` every second.
pub fn start(target: &str, metrics_path: &str) -> Prometheus {
    start_with(target, metrics_path, None)
}

/// Starts Prometheus scraping `https://{target}{metrics_path}` every second, verifying the
/// target's certificate against `ca_pem` (the simulator's CA).
pub fn start_https(target: &str, metrics_path: &str, ca_pem: &str) -> Prometheus {
    start_with(target, metrics_path, Some(ca_pem))
}

/// Starts Prometheus scraping a simulator's metrics (`/sim/metrics` over HTTPS, its CA
/// trusted): what the tests against a real Prometheus start with.
pub fn scraping_sim(sim: &backout::sim::SimHandle) -> Prometheus {
    start_https(&sim.addr().to_string(), "/sim/metrics", sim.ca_pem())
}

fn start_with(target: &str, metrics_path: &str, ca_pem: Option<&str>) -> Prometheus {
    let bin = std::env::var("PROMETHEUS").unwrap_or_else(|_| "/usr/bin/prometheus".into());
    assert!(
        Path::new(&bin).exists(),
        "prometheus not found at {bin}: install the Debian package `prometheus` (apt-get install -y prometheus; the README's test command does), or set PROMETHEUS"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("prometheus.yml");
    let tls = match ca_pem {
        Some(pem) => {
            let ca = dir.path().join("ca.pem");
            std::fs::write(&ca, pem).expect("CA written");
            format!(
                "    scheme: https\n    tls_config:\n      ca_file: \"{}\"\n",
                ca.display()
            )
        }
        None => String::new(),
    };
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: target\n    metrics_path: {metrics_path}\n{tls}    static_configs:\n      - targets: [\"{target}\"]\n"
        ),
    )
    .expect("config written");
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    Prometheus {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    }
}

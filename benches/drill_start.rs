//! `backout drill` start → first frame (budget: under 1 s, issue 7). Runs the real binary
//! (bench profile) in a pseudo-terminal (`script`) with `BACKOUT_CRASH_TEST` set, which
//! makes the console stop right after drawing its first frame: the wall time from spawn
//! to exit covers parsing, the scenario, starting the simulator and settling its cluster,
//! the session, the kubeconfig, the kube client's connection and preflight, and the first
//! frame. `backout RUNBOOK` on the same runbook without a cluster is measured alongside.
//!
//! `cargo bench --bench drill_start` prints p50 / p90 / max over 15 runs each.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn once(args: &str) -> Duration {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().expect("tempdir");
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_backout"));
    let start = Instant::now();
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(root)
        .env("BACKOUT_HOME", home.path())
        .env("BACKOUT_CRASH_TEST", "1")
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "120")
        .env("LINES", "40")
        .output()
        .expect("script(1) runs");
    let took = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("crash requested by BACKOUT_CRASH_TEST"),
        "the console never drew its first frame:\n{text}"
    );
    took
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<44} p50 {:>7.1} ms   p90 {:>7.1} ms   max {:>7.1} ms   ({RUNS} runs)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(*times.last().expect("runs"))
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test` builds benches too and must not run them.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    once("drill --speed 1"); // warm the page cache
    report(
        "backout drill (bad-deploy) → first frame",
        (0..RUNS).map(|_| once("drill --speed 1")).collect(),
    );
    report(
        "backout runbooks/deployment-rollback.md → first frame",
        (0..RUNS)
            .map(|_| once("runbooks/deployment-rollback.md"))
            .collect(),
    );
}

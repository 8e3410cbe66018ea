//! `backout drill` start → first frame (budget: under 1 s, issue 7). Runs the real binary
//! (bench profile) in a real terminal (a tmux pane: crossterm asks the terminal for the
//! cursor position and needs an answer) with `BACKOUT_CRASH_TEST` set, which makes the
//! console stop right after drawing its first frame. A shell in the pane takes the time
//! before the spawn and after the exit, so tmux's own start is not counted: the figure
//! covers parsing, the scenario, starting the simulator and settling its cluster, the
//! session, the kubeconfig, the kube client's connection and preflight, the first frame,
//! and the exit. `backout RUNBOOK` (no cluster, no metrics source) is measured alongside.
//!
//! `cargo bench --bench drill_start` prints p50 / p90 / max over 15 runs each.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn once(args: &str) -> Duration {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().expect("tempdir");
    let times = home.path().join("times");
    let out = home.path().join("out");
    let socket = format!("backout-bench-{}", std::process::id());
    let script = format!(
        "cd {root} && t0=$(date +%s%N); env BACKOUT_HOME={home} BACKOUT_CRASH_TEST=1 {bin} {args} 2>{out}; \
         t1=$(date +%s%N); echo $t0 $t1 > {times}",
        root = root.display(),
        home = home.path().display(),
        bin = env!("CARGO_BIN_EXE_backout"),
        out = out.display(),
        times = times.display(),
    );
    let status = Command::new("tmux")
        .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
        .args(["-x", "120", "-y", "40", "sh", "-c", &script])
        .env("TERM", "xterm-256color")
        .status()
        .expect("tmux runs");
    assert!(status.success(), "tmux new-session");
    let deadline = Instant::now() + Duration::from_secs(60);
    let line = loop {
        if let Ok(t) = std::fs::read_to_string(&times)
            && t.ends_with('\n')
        {
            break t;
        }
        assert!(Instant::now() < deadline, "no result from the pane");
        std::thread::sleep(Duration::from_millis(20));
    };
    // The pane's shell has exited and the server with it; a leftover is stopped.
    let _ = Command::new("tmux")
        .args(["-L", &socket, "kill-server"])
        .stderr(std::process::Stdio::null())
        .status();
    let stderr = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(
        stderr.contains("crash requested by BACKOUT_CRASH_TEST"),
        "the console never drew its first frame:\n{stderr}"
    );
    let ns: Vec<u64> = line
        .split_whitespace()
        .map(|n| n.parse().expect("nanoseconds"))
        .collect();
    Duration::from_nanos(ns[1] - ns[0])
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

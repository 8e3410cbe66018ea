//! The console with 10,000 pods from the simulator (DESIGN.md §6):
//!
//! - frame render p50 with the Pods pane holding 10,000 rows (in process, `TestBackend`);
//! - the real `backout` binary opened on a runbook against the simulator, in tmux:
//!   start → first frame (the binary records it with `BACKOUT_FIRST_FRAME_FILE`),
//!   resident memory once all 10,000 pods are on screen (VmRSS, VmHWM), and idle CPU over
//!   10 s with nothing changing (utime + stime from `/proc/PID/stat`);
//! - the same with the Pods pane focused (Tab, Tab) and then with a pod's log view open
//!   (`l`): frames in process with the view holding its bound (5,000 lines of 2 KiB), and
//!   the binary's resident memory before and after opening the log view.
//!
//! - `churn` only (`cargo bench --bench console_scale -- churn`): the console's loop side of
//!   issue 19's churn replayed in process, no simulator, no tmux: the pod batches of three
//!   rolling updates of 10,000 pods (`console_scale/churn.rs`) applied to the state through
//!   `update` as the loop applies them, and a 200×50 frame of the real view drawn every
//!   third batch (the loop draws watch data at most every 100 ms: `runtime/frame_pacer.rs`).
//!   It prints a checksum of every frame drawn and of the final order, so two builds can be
//!   shown to draw the same screens. For instruction counts (load-independent), run the
//!   release binary under callgrind and read the inclusive cost of `apply_batch_msg` and
//!   `draw_frame` (each called once per batch / frame; frames are drawn with one
//!   `ViewState` kept between them, as the loop keeps it, so panes whose content did not
//!   change are copied back from the last frame: `ui::panes::pane_memo`):
//!   `valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/deps/console_scale-* churn`
//!   then `callgrind_annotate --inclusive=yes cg.out | grep -E 'apply_batch_msg|draw_frame'`.
//!
//! Run: `cargo bench --bench console_scale` (needs tmux; figures in docs/performance.md).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use backout::adapters::kube::{ConnectOptions, connect, convert};
use backout::adapters::runbook_file;
use backout::domain::cluster::read::{LOG_LINE_BYTES, LOG_LINES, ReadAnswer};
use backout::domain::cluster::{ClusterEvent, RolloutView, Stream, WatchState};
use backout::domain::journal::{Entry, Record};
use backout::sim::{Scenario, SimConfig, Simulator};
use backout::ui::keymap::Keymap;
use backout::ui::msg::Msg;
use backout::ui::state::cluster::LiveCluster;
use backout::ui::state::{App, SessionInfo};
use backout::ui::theme::Theme;
use backout::ui::update::update;
use backout::ui::view;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "console_scale/churn.rs"]
mod churn;

const PODS: usize = 10_000;
const SESSION: &str = "backout-console-scale";

const RUNBOOK: &str = r#"---
backout: 1
title: Big — console at scale
target:
  namespace: big
  deployment: big
---

# Big — console at scale

## 1. Look

- [ ] Pods are on screen

## 2. Roll back

```bash
kubectl rollout undo deployment/big -n big
```
"#;

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn status_kb(pid: i32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(end) = stat.rfind(')') else {
        return 0;
    };
    let f: Vec<&str> = stat[end + 2..].split_whitespace().collect();
    // Fields 14 and 15 of stat; `f` starts at field 3.
    f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(t.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn main() {
    if std::env::args().skip(1).any(|a| a == "churn") {
        // A fixed path: the journal pane shows it, and the screens' checksum must not
        // depend on a temporary directory's random name.
        let dir = std::env::temp_dir().join("backout-console-churn");
        std::fs::create_dir_all(&dir).expect("runbook directory");
        let runbook_path = dir.join("big.md");
        std::fs::write(&runbook_path, RUNBOOK).expect("runbook");
        replay(&runbook_path);
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let yaml = format!(
        "name: scale\nnamespace: big\napps:\n  - {{name: big, replicas: {PODS}, image: shop/big, version: \"1.0\", rps: 0, service: false}}\n"
    );
    let scenario = Scenario::parse(&yaml, "scale.yaml").expect("scenario");
    let t = Instant::now();
    let sim = runtime
        .block_on(Simulator::start(SimConfig {
            speed: 1.0,
            scenario: Some(scenario),
            ..SimConfig::default()
        }))
        .expect("simulator");
    println!("simulator with {PODS} pods started in {:.1?}", t.elapsed());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).expect("kubeconfig");
    let runbook_path = dir.path().join("big.md");
    std::fs::write(&runbook_path, RUNBOOK).expect("runbook");

    render(&runtime, &kubeconfig, &runbook_path);
    binary(&kubeconfig, &runbook_path, dir.path());

    runtime.block_on(sim.shutdown());
}

/// Frame render time with the Pods pane holding every pod.
fn render(runtime: &tokio::runtime::Runtime, kubeconfig: &Path, runbook_path: &Path) {
    let (rows, view) = runtime.block_on(async {
        let conn = connect(&ConnectOptions {
            kubeconfig: Some(kubeconfig.to_path_buf()),
            context: Some("backout-sim".into()),
            ..ConnectOptions::default()
        })
        .await
        .expect("connect");
        let pods: Api<Pod> = Api::namespaced(conn.client.clone(), "big");
        let rows: Vec<_> = pods
            .list(&ListParams::default())
            .await
            .expect("list")
            .items
            .iter()
            .map(convert::pod_row)
            .collect();
        let d: Api<Deployment> = Api::namespaced(conn.client.clone(), "big");
        let d = d.get("big").await.expect("deployment");
        let rs: Api<ReplicaSet> = Api::namespaced(conn.client.clone(), "big");
        let sets: Vec<_> = rs
            .list(&ListParams::default())
            .await
            .expect("replica sets")
            .items
            .iter()
            .map(|r| convert::replica_set_facts(r, d.spec.as_ref().map(|s| &s.template)))
            .collect();
        (
            rows,
            RolloutView::build(&convert::deployment_facts(&d), &sets),
        )
    });
    assert_eq!(rows.len(), PODS);
    let mut app = live_app(runbook_path, chrono::Utc::now());
    update(&mut app, Msg::Cluster(ClusterEvent::PodsResynced(rows)));
    update(&mut app, Msg::Cluster(ClusterEvent::Rollout(view)));
    assert_eq!(app.cluster.as_ref().map(|c| c.pods.len()), Some(PODS));
    frames(&mut app, "");
    // The Pods pane focused (Procedure → Rollout → Pods), as the drill-down starts.
    let tab = || Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    update(&mut app, tab());
    update(&mut app, tab());
    frames(&mut app, ", Pods pane focused");
    // A pod's log view at its bound: 5,000 lines of 2 KiB (more are dropped).
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::NONE)),
    );
    let line = "x".repeat(LOG_LINE_BYTES);
    for _ in 0..2 {
        update(
            &mut app,
            Msg::ClusterRead {
                view: 1,
                answer: ReadAnswer::Lines(vec![line.clone(); LOG_LINES]),
            },
        );
    }
    frames(&mut app, ", a log view of 5,000 lines open");
}

/// The console's state opened on the runbook, its cluster panes live and empty.
fn live_app(runbook_path: &Path, now: chrono::DateTime<chrono::Utc>) -> App {
    let rb = runbook_file::load(runbook_path).expect("runbook");
    let started = Record {
        seq: 1,
        ts: now,
        actor: "bench@host".into(),
        entry: Entry::SessionStarted {
            runbook_path: runbook_path.display().to_string(),
            runbook_sha256: "ab".repeat(32),
            title: rb.title.clone(),
            mode: "live".into(),
            host: "host".into(),
        },
        prev: String::new(),
        hash: String::new(),
    };
    let mut app = App::new(
        rb,
        SessionInfo {
            id: "bench".into(),
            actor: "bench@host".into(),
        },
        vec![started],
        Theme::dark(),
        Keymap::defaults(),
        now,
    );
    app.cluster = Some(LiveCluster::new("backout-sim", "big", "big", false, false));
    for stream in [Stream::Pods, Stream::Rollout, Stream::Events] {
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::WatchState {
                stream,
                state: WatchState::Live { since: now },
            }),
        );
    }
    app
}

/// Batches between two frames: the loop draws watch data at most every 100 ms
/// (`DATA_FRAME`) and the batches come every 33 ms.
const BATCHES_PER_FRAME: usize = 3;

/// The churn of issue 19 replayed into the console's state, a frame drawn every
/// [`BATCHES_PER_FRAME`] batches; wall time per batch and per frame, and checksums of what
/// was drawn and of the final order.
fn replay(runbook_path: &Path) {
    use chrono::TimeZone;
    let now = chrono::Utc
        .timestamp_opt(1_790_000_600, 0)
        .single()
        .expect("time");
    let churn = churn::churn(PODS, 3);
    let changes: usize = churn.batches.iter().map(Vec::len).sum();
    println!(
        "churn: {} watch events, {} batches, {changes} pod changes after coalescing ({:.0} a batch)",
        churn.events,
        churn.batches.len(),
        changes as f64 / churn.batches.len() as f64
    );
    let mut app = live_app(runbook_path, now);
    update(
        &mut app,
        Msg::Cluster(ClusterEvent::PodsResynced(churn.initial)),
    );
    app.size = (200, 50);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    // The view's presentation state kept from frame to frame, as the console's loop keeps it.
    let mut view_state = view::ViewState::default();
    draw_frame(&mut terminal, &app, &mut view_state);
    let mut screens = rustc_hash::FxHasher::default();
    let (mut applying, mut drawing, mut frames) = (Duration::ZERO, Duration::ZERO, 0u32);
    let mut frame_times = Vec::with_capacity(churn.batches.len() / BATCHES_PER_FRAME);
    let batches = churn.batches.len();
    for (i, batch) in churn.batches.into_iter().enumerate() {
        let t = Instant::now();
        apply_batch_msg(&mut app, batch);
        applying += t.elapsed();
        if i % BATCHES_PER_FRAME == BATCHES_PER_FRAME - 1 {
            let t = Instant::now();
            draw_frame(&mut terminal, &app, &mut view_state);
            frame_times.push(t.elapsed());
            drawing += t.elapsed();
            frames += 1;
            hash_screen(&terminal, &mut screens);
        }
    }
    if std::env::var_os("CHURN_PRINT_LAST_FRAME").is_some() {
        for row in terminal.backend().buffer().content().chunks(200) {
            println!("{}", row.iter().map(|c| c.symbol()).collect::<String>());
        }
    }
    let pods = &app.cluster.as_ref().expect("cluster").pods;
    let mut order = rustc_hash::FxHasher::default();
    for r in pods.visible(0, usize::MAX).iter() {
        std::hash::Hash::hash(&r.name, &mut order);
    }
    frame_times.sort();
    println!(
        "applied {batches} batches: {:?} a batch; drew {frames} frames at 200x50: {:?} a frame (p50 {:?}, p99 {:?})",
        applying / batches as u32,
        drawing / frames.max(1),
        pct(&frame_times, 0.5),
        pct(&frame_times, 0.99)
    );
    println!(
        "checksums: screens {:016x}, final order {:016x} ({} pods, {} unhealthy)",
        std::hash::Hasher::finish(&screens),
        std::hash::Hasher::finish(&order),
        pods.len(),
        pods.unhealthy()
    );
}

/// One `PodsChanged` batch applied as the loop applies it.
#[inline(never)]
fn apply_batch_msg(app: &mut App, changes: Vec<backout::domain::cluster::PodChange>) {
    update(app, Msg::Cluster(ClusterEvent::PodsChanged { changes }));
}

/// One frame of the real view, drawn as the console's loop draws it.
#[inline(never)]
fn draw_frame(terminal: &mut Terminal<TestBackend>, app: &App, view_state: &mut view::ViewState) {
    terminal
        .draw(|f| view::render_with(app, view_state, f))
        .expect("draw");
}

fn hash_screen(terminal: &Terminal<TestBackend>, into: &mut rustc_hash::FxHasher) {
    for cell in terminal.backend().buffer().content() {
        std::hash::Hash::hash(cell, into);
    }
}

/// 500 frames of `app` at three sizes (after 50 to warm up): p50 and p99.
fn frames(app: &mut App, what: &str) {
    for (w, h) in [(120u16, 40u16), (200, 50), (80, 24)] {
        app.size = (w, h);
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        for _ in 0..50 {
            terminal.draw(|f| view::render(app, f)).expect("draw");
        }
        let mut times = Vec::with_capacity(500);
        for _ in 0..500 {
            let t = Instant::now();
            terminal.draw(|f| view::render(app, f)).expect("draw");
            times.push(t.elapsed());
        }
        times.sort();
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(
            screen.contains(&format!("Pods {PODS}")) || screen.contains("kubectl logs"),
            "{screen}"
        );
        println!(
            "render a frame at {w}x{h} with {PODS} pods{what}: p50 {:?}, p99 {:?} (500 frames)",
            pct(&times, 0.5),
            pct(&times, 0.99)
        );
    }
}

/// The real binary in tmux: start → first frame, memory, idle CPU.
fn binary(kubeconfig: &Path, runbook_path: &Path, dir: &Path) {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).expect("home");
    let first_frame = dir.join("first-frame");
    let _ = tmux(&["kill-session", "-t", SESSION]);
    let cmd = format!(
        "exec env BACKOUT_HOME={} BACKOUT_FIRST_FRAME_FILE={} {} {} --kubeconfig {} --context backout-sim",
        home.display(),
        first_frame.display(),
        env!("CARGO_BIN_EXE_backout"),
        runbook_path.display(),
        kubeconfig.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        SESSION,
        "-x",
        "120",
        "-y",
        "40",
        &cmd,
    ]);
    let pid: i32 = tmux(&["display", "-p", "-t", SESSION, "#{pane_pid}"])
        .trim()
        .parse()
        .expect("pane pid");
    wait_for("the first frame", Duration::from_secs(30), || {
        first_frame.exists()
    });
    let us: u64 = std::fs::read_to_string(&first_frame)
        .expect("first frame file")
        .trim()
        .parse()
        .expect("microseconds");
    println!(
        "start -> first frame (process start to the first draw, /proc starttime granularity {} ms): {:.1} ms",
        1000 / unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1),
        us as f64 / 1000.0
    );
    let t = Instant::now();
    wait_for("every pod on screen", Duration::from_secs(120), || {
        tmux(&["capture-pane", "-p", "-t", SESSION]).contains(&format!("Pods {PODS}"))
    });
    println!(
        "all {PODS} pods on screen about {:.1?} after the process started",
        t.elapsed() + Duration::from_micros(us)
    );
    // Let the initial burst settle, then measure a quiet console.
    std::thread::sleep(Duration::from_secs(3));
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let (c0, t0) = (cpu_ticks(pid), Instant::now());
    let mut rss = Vec::new();
    for _ in 0..10 {
        std::thread::sleep(Duration::from_secs(1));
        rss.push(status_kb(pid, "VmRSS:"));
    }
    let (c1, secs) = (cpu_ticks(pid), t0.elapsed().as_secs_f64());
    let idle = (c1 - c0) as f64 / hz / secs * 100.0;
    let hwm = status_kb(pid, "VmHWM:");
    println!(
        "resident memory with {PODS} pods on screen: VmRSS {:.1}–{:.1} MB over 10 s, VmHWM {:.1} MB",
        *rss.iter().min().unwrap() as f64 / 1024.0,
        *rss.iter().max().unwrap() as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    println!(
        "idle CPU over {secs:.1} s with nothing changing: {idle:.2} % of one core ({} ticks)",
        c1 - c0
    );
    // The Pods pane focused and one pod's log view open (`l`): memory grows by the log
    // view's buffer at most (5,000 lines × 2 KiB).
    tmux(&["send-keys", "-t", SESSION, "Tab", "Tab", "l"]);
    wait_for("the log view", Duration::from_secs(30), || {
        tmux(&["capture-pane", "-p", "-t", SESSION]).contains("kubectl logs ")
    });
    std::thread::sleep(Duration::from_secs(5));
    let mut with_logs = Vec::new();
    for _ in 0..5 {
        std::thread::sleep(Duration::from_secs(1));
        with_logs.push(status_kb(pid, "VmRSS:"));
    }
    println!(
        "resident memory with a log view open: VmRSS {:.1}–{:.1} MB (was {:.1} MB), VmHWM {:.1} MB",
        *with_logs.iter().min().unwrap() as f64 / 1024.0,
        *with_logs.iter().max().unwrap() as f64 / 1024.0,
        *rss.iter().max().unwrap() as f64 / 1024.0,
        status_kb(pid, "VmHWM:") as f64 / 1024.0
    );
    // Esc then q as two separate keys (sent together they read as Alt-q).
    tmux(&["send-keys", "-t", SESSION, "Escape"]);
    wait_for("the log view closed", Duration::from_secs(10), || {
        !tmux(&["capture-pane", "-p", "-t", SESSION]).contains("kubectl logs ")
    });
    tmux(&["send-keys", "-t", SESSION, "q"]);
    wait_for("the console to quit", Duration::from_secs(10), || {
        !Path::new(&format!("/proc/{pid}")).exists()
    });
    let _ = tmux(&["kill-session", "-t", SESSION]);
}

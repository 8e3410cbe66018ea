//! Pods that run to completion (`restartPolicy: Never` or `OnFailure`, as `kubectl run
//! --restart=Never` makes them): once the container runs, its command (`command` +
//! `args`, else the image's shell) runs in the simulated shell; its output is the
//! container's log and goes to every attached client; at its end the kubelet's status is
//! written — `Succeeded`/`Failed` with the container `terminated` (`Completed`/`Error`,
//! the exit code) — so `kubectl run -it --rm` prints the output, sees the pod complete and
//! deletes it. A container with `stdin: true` (`run -i`) waits for its first attach (at
//! most [`ATTACH_WAIT`]) so the client sees the output from the start.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};

use super::container::Container;
use super::shell::{self, Ctx, STDOUT, Stdin};
use crate::sim::{Shared, res};

/// How long a `stdin: true` container waits for an attach before running anyway.
pub const ATTACH_WAIT: Duration = Duration::from_secs(10);

/// A piece of output: `(stream id, bytes)`.
pub type Chunk = (u8, Vec<u8>);

/// One run of a container's command.
pub struct Run {
    started: AtomicBool,
    /// Output so far, `(stream, bytes)`.
    pub log: Mutex<Vec<Chunk>>,
    pub output: broadcast::Sender<Chunk>,
    /// The exit code once finished.
    pub done: watch::Sender<Option<i32>>,
    stdin_tx: Mutex<Option<std::sync::mpsc::Sender<Option<Vec<u8>>>>>,
    stdin_rx: Mutex<Option<std::sync::mpsc::Receiver<Option<Vec<u8>>>>>,
    seen: Instant,
}

impl Run {
    fn new() -> Run {
        let (tx, rx) = std::sync::mpsc::channel();
        Run {
            started: AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
            output: broadcast::channel(1024).0,
            done: watch::channel(None).0,
            stdin_tx: Mutex::new(Some(tx)),
            stdin_rx: Mutex::new(Some(rx)),
            seen: Instant::now(),
        }
    }

    /// Feeds the command's stdin (`None`: end of input).
    pub fn stdin(&self, data: Option<Vec<u8>>) {
        let mut guard = self.stdin_tx.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = guard.as_ref() {
            let end = data.is_none();
            let _ = tx.send(data);
            if end {
                *guard = None;
            }
        }
    }

    /// What the command wrote so far and a receiver of what it writes next, taken
    /// together: an attach arriving late (a loaded machine) still shows the whole output.
    pub fn join(&self) -> (Vec<Chunk>, broadcast::Receiver<Chunk>) {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        (log.clone(), self.output.subscribe())
    }

    /// The log as text (stdout and stderr interleaved, as the runtime writes them).
    pub fn log_text(&self) -> String {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        let bytes: Vec<u8> = log.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// The runs of the simulator's pods, by pod UID, and the commands the scenario scripts.
#[derive(Default)]
pub struct RunState {
    runs: Mutex<HashMap<String, Arc<Run>>>,
    pub scripts: Vec<super::ExecScript>,
}

impl RunState {
    /// A state with the scenario's scripted commands.
    pub fn with_scripts(scripts: Vec<super::ExecScript>) -> RunState {
        RunState {
            runs: Mutex::default(),
            scripts,
        }
    }

    fn get_or_create(&self, uid: &str) -> Arc<Run> {
        let mut runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        runs.entry(uid.to_string())
            .or_insert_with(|| Arc::new(Run::new()))
            .clone()
    }

    /// The run of a pod, if it has one.
    pub fn get(&self, uid: &str) -> Option<Arc<Run>> {
        self.runs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(uid)
            .cloned()
    }
}

/// Whether a pod runs to completion.
pub fn runs_to_completion(pod: &Value) -> bool {
    matches!(
        pod["spec"]["restartPolicy"].as_str(),
        Some("Never" | "OnFailure")
    )
}

/// The run an attach to this container joins, for a run-to-completion pod.
pub fn attachable(shared: &Shared, pod: &Value, c: &Container) -> Option<Arc<Run>> {
    if !runs_to_completion(pod) || c.index != 0 || c.ephemeral {
        return None;
    }
    let uid = pod["metadata"]["uid"].as_str()?;
    Some(shared.exec_runs.get_or_create(uid))
}

/// The command line of the container: `command` + `args`, else the image's shell.
pub fn argv(c: &Container) -> Vec<String> {
    let spec = c.spec();
    let words = |k: &str| -> Vec<String> {
        spec[k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut v = words("command");
    v.extend(words("args"));
    if v.is_empty() {
        v.push("sh".into());
    }
    v
}

struct RunStdin(std::sync::mpsc::Receiver<Option<Vec<u8>>>);
impl Stdin for RunStdin {
    fn read_all(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Ok(Some(chunk)) = self.0.recv() {
            out.extend(chunk);
        }
        out
    }
}

/// Starts the run once (from an attach or the controller).
pub fn start(shared: &Arc<Shared>, run: &Arc<Run>, c: &Container) {
    if run.started.swap(true, Ordering::SeqCst) {
        return;
    }
    let rx = run
        .stdin_rx
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let (shared, run, c) = (shared.clone(), run.clone(), c.clone());
    let stdin_open = c.spec()["stdin"].as_bool() == Some(true);
    std::thread::spawn(move || {
        let mut ctx = Ctx {
            shared: &shared,
            container: &c,
            last_status: 0,
            scripted: &shared.exec_runs.scripts,
            exited: false,
        };
        let mut sink = |s: u8, b: &[u8]| {
            let chunk = (if s == STDOUT { STDOUT } else { s }, b.to_vec());
            // Under the log's lock, so an attach sees each chunk once: in the log it
            // copied or from the channel it joined (`Run::join`).
            let mut log = run.log.lock().unwrap_or_else(|p| p.into_inner());
            log.push(chunk.clone());
            let _ = run.output.send(chunk);
            drop(log);
        };
        let code = match (rx, stdin_open) {
            (Some(rx), true) => shell::run_argv(&mut ctx, argv(&c), &mut RunStdin(rx), &mut sink),
            _ => shell::run_argv(&mut ctx, argv(&c), &mut shell::NoStdin, &mut sink),
        };
        finish(&shared, &c, code);
        let _ = run.done.send(Some(code));
    });
}

/// Writes the kubelet's status for a finished run.
fn finish(shared: &Shared, c: &Container, code: i32) {
    let pods = res("", "pods");
    let (ns, name) = crate::sim::store::key_of(&c.pod);
    for _ in 0..20 {
        let Some(cur) = shared.store.get(pods, &ns, &name) else {
            return;
        };
        let now = shared.clock.now_rfc3339();
        let mut pod = (*cur).clone();
        let phase = if code == 0 { "Succeeded" } else { "Failed" };
        pod["status"]["phase"] = json!(phase);
        if let Some(cs) = pod["status"]["containerStatuses"].as_array_mut() {
            for s in cs {
                let started = s["state"]["running"]["startedAt"].clone();
                s["ready"] = json!(false);
                s["started"] = json!(false);
                s["state"] = json!({"terminated": {
                    "exitCode": code, "reason": if code == 0 { "Completed" } else { "Error" },
                    "startedAt": started, "finishedAt": now, "containerID": s["containerID"].clone()}});
            }
        }
        if let Some(conds) = pod["status"]["conditions"].as_array_mut() {
            for cnd in conds {
                if matches!(
                    cnd["type"].as_str(),
                    Some("Ready" | "ContainersReady" | "PodReadyToStartContainers")
                ) {
                    cnd["status"] = json!("False");
                    cnd["lastTransitionTime"] = json!(now);
                    if cnd["type"] != "PodReadyToStartContainers" {
                        cnd["reason"] = json!("PodCompleted");
                    }
                }
            }
        }
        if crate::sim::controllers::replace(shared, pods, &cur, pod).is_some() {
            shared.kick();
            return;
        }
    }
}

/// The controller's part: starts the run of every run-to-completion pod whose container
/// runs (a `stdin: true` one after its first attach or [`ATTACH_WAIT`]).
pub fn sync(shared: &Arc<Shared>) -> bool {
    let (_, pods) = shared.store.list(res("", "pods"), None);
    let mut pending = false;
    for p in pods
        .iter()
        .filter(|p| p["spec"]["ephemeralContainers"].is_array())
    {
        super::ephemeral::start_containers(shared, p);
    }
    for p in pods.iter().filter(|p| runs_to_completion(p)) {
        if p["status"]["phase"] != "Running" || crate::sim::controllers::terminating(p) {
            continue;
        }
        let Some(c) = Container::of(shared, p.clone(), None) else {
            continue;
        };
        if !c.running() {
            continue;
        }
        let Some(run) = attachable(shared, p, &c) else {
            continue;
        };
        if run.started.load(Ordering::SeqCst) {
            continue;
        }
        let waits = c.pod["spec"]["containers"][0]["stdin"].as_bool() == Some(true);
        if waits && run.seen.elapsed() < ATTACH_WAIT {
            pending = true;
            continue;
        }
        start(shared, &run, &c);
    }
    pending
}

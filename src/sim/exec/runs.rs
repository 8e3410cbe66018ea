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
    /// What commands wrote into containers (`fs.rs`).
    pub files: super::fs::FileSystems,
}

impl RunState {
    /// A state with the scenario's scripted commands.
    pub fn with_scripts(scripts: Vec<super::ExecScript>) -> RunState {
        RunState {
            runs: Mutex::default(),
            scripts,
            files: super::fs::FileSystems::default(),
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

/// The run an attach to this container joins: the first container of a
/// run-to-completion pod, or a running ephemeral container (`kubectl debug`), whose
/// command runs once, as its process.
pub fn attachable(shared: &Shared, pod: &Value, c: &Container) -> Option<Arc<Run>> {
    let uid = pod["metadata"]["uid"].as_str()?;
    if c.ephemeral {
        return c
            .running()
            .then(|| shared.exec_runs.get_or_create(&ephemeral_key(uid, &c.name)));
    }
    if !runs_to_completion(pod) || c.index != 0 {
        return None;
    }
    Some(shared.exec_runs.get_or_create(uid))
}

/// The key of an ephemeral container's run (a pod's own run is keyed by its UID).
pub fn ephemeral_key(uid: &str, name: &str) -> String {
    format!("{uid}/{name}")
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
    let tty = c.spec()["tty"].as_bool() == Some(true);
    std::thread::spawn(move || {
        let mut ctx = Ctx::new(&shared, &c);
        let mut sink = |s: u8, b: &[u8]| {
            let chunk = (if s == STDOUT { STDOUT } else { s }, b.to_vec());
            // Under the log's lock, so an attach sees each chunk once: in the log it
            // copied or from the channel it joined (`Run::join`).
            let mut log = run.log.lock().unwrap_or_else(|p| p.into_inner());
            log.push(chunk.clone());
            let _ = run.output.send(chunk);
            drop(log);
        };
        let argv = argv(&c);
        let is_shell =
            argv.len() == 1 && matches!(argv[0].rsplit('/').next(), Some("sh" | "bash" | "ash"));
        let code = match (rx, stdin_open) {
            (Some(rx), true) if tty && is_shell => {
                super::tty_shell::interactive(&mut ctx, rx, &mut sink)
            }
            (Some(rx), true) => shell::run_argv(&mut ctx, argv, &mut RunStdin(rx), &mut sink),
            _ => shell::run_argv(&mut ctx, argv, &mut shell::NoStdin, &mut sink),
        };
        finish(&shared, &c, code);
        let _ = run.done.send(Some(code));
    });
}

/// Writes the kubelet's status for a finished run: an ephemeral container terminates
/// alone (the pod runs on); a run-to-completion pod completes.
fn finish(shared: &Shared, c: &Container, code: i32) {
    let pods = res("", "pods");
    let (ns, name) = crate::sim::store::key_of(&c.pod);
    for _ in 0..20 {
        let Some(cur) = shared.store.get(pods, &ns, &name) else {
            return;
        };
        let now = shared.clock.now_rfc3339();
        let mut pod = (*cur).clone();
        if c.ephemeral {
            let Some(s) = pod["status"]["ephemeralContainerStatuses"]
                .as_array_mut()
                .and_then(|a| a.iter_mut().find(|s| s["name"] == c.name.as_str()))
            else {
                return;
            };
            s["state"] = terminated(&s["state"]["running"]["startedAt"], &now, code, s);
        } else {
            complete(&mut pod, &now, code);
        }
        if crate::sim::controllers::replace(shared, pods, &cur, pod).is_some() {
            shared.kick();
            return;
        }
    }
}

/// A container's `terminated` state (kubelet: reason `Completed` for exit 0, else `Error`).
fn terminated(started: &Value, now: &str, code: i32, status: &Value) -> Value {
    let mut t = json!({
        "exitCode": code, "reason": if code == 0 { "Completed" } else { "Error" },
        "startedAt": started, "finishedAt": now});
    if status["containerID"].is_string() {
        t["containerID"] = status["containerID"].clone();
    }
    json!({ "terminated": t })
}

/// A run-to-completion pod's status once its command ended.
fn complete(pod: &mut Value, now: &str, code: i32) {
    let phase = if code == 0 { "Succeeded" } else { "Failed" };
    pod["status"]["phase"] = json!(phase);
    if let Some(cs) = pod["status"]["containerStatuses"].as_array_mut() {
        for s in cs {
            let started = s["state"]["running"]["startedAt"].clone();
            s["ready"] = json!(false);
            s["started"] = json!(false);
            s["state"] = terminated(&started, now, code, s);
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
        pending |= start_ephemeral_runs(shared, p);
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
        pending |= start_when_due(shared, &run, &c);
    }
    pending
}

/// Starts `run` unless its container has `stdin: true` and waits for its first attach
/// (at most [`ATTACH_WAIT`]); whether it still waits.
fn start_when_due(shared: &Arc<Shared>, run: &Arc<Run>, c: &Container) -> bool {
    let waits = c.spec()["stdin"].as_bool() == Some(true);
    if waits && run.seen.elapsed() < ATTACH_WAIT {
        return true;
    }
    start(shared, run, c);
    false
}

/// Starts the command of each running ephemeral container of `pod` once (kubelet: an
/// ephemeral container runs its `command`/`args`, else the image's shell, and is never
/// restarted); whether one still waits for its attach.
fn start_ephemeral_runs(shared: &Arc<Shared>, pod: &Arc<Value>) -> bool {
    let mut pending = false;
    let names: Vec<String> = pod["spec"]["ephemeralContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect();
    for name in names {
        let Some(c) = Container::of(shared, pod.clone(), Some(&name)) else {
            continue;
        };
        let Some(run) = attachable(shared, pod, &c) else {
            continue;
        };
        if !run.started.load(Ordering::SeqCst) {
            pending |= start_when_due(shared, &run, &c);
        }
    }
    pending
}

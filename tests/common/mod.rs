//! Shared helpers for the simulator integration tests: an in-process simulator on a free
//! port with a kubeconfig in a temporary directory, and a kubectl runner.

#![allow(dead_code)]

pub mod native_action;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use backout::sim::{Scenario, SimConfig, SimHandle, Simulator};
use serde_json::Value;

/// One application `web` in namespace `shop` with three revisions (1.0, 1.1, 1.2).
pub const WEB: &str = r#"
name: web
namespace: shop
apps:
  - name: web
    replicas: 3
    image: shop/web
    history: ["1.0", "1.1"]
    version: "1.2"
    env: {FEATURE_X: "off"}
"#;

/// `web` (3 pods) and `api` (2 pods).
pub const TWO_APPS: &str = r#"
name: two
namespace: shop
apps:
  - {name: web, replicas: 3, image: shop/web, version: "1.0"}
  - {name: api, replicas: 2, image: shop/api, version: "3.1"}
"#;

/// The stuck scenario with a progress deadline of `$deadline` seconds: `web` whose
/// version 2.0 never becomes ready.
macro_rules! stuck_scenario {
    ($deadline:literal) => {
        concat!(
            "\nname: stuck\nnamespace: shop\napps:\n",
            "  - {name: web, replicas: 2, image: shop/web, history: [\"1.0\"], version: \"1.1\", progress_deadline_seconds: ",
            $deadline,
            "}\nbehaviours:\n  - {version: \"2.0\", never_ready: true}\n"
        )
    };
}

/// `web` whose version 2.0 never becomes ready, with a 20 s progress deadline.
pub const STUCK: &str = stuck_scenario!("20");

/// [`STUCK`] for a simulator at 20× speed: a progress deadline of 100 s is 5 s of real
/// time. With 20 s (1 s real) a loaded machine's slow start could exceed the deadline of
/// the rollouts meant to succeed (the initial one, an undo) before kubectl looked once.
pub const STUCK_AT_20X: &str = stuck_scenario!("100");

/// `web` 1.2 (one pod) whose version 1.3 crashes 2 s after every start (BackOff events
/// follow).
pub const CRASHES_AT_1_3: &str = r#"
name: faulty
namespace: shop
apps:
  - {name: web, replicas: 1, image: shop/web, history: ["1.1"], version: "1.2"}
behaviours:
  - {version: "1.3", crash_after_seconds: 2, exit_code: 1}
"#;

/// A running simulator and the runtime driving it.
pub struct Sim {
    pub handle: Option<SimHandle>,
    pub runtime: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

/// The kubectl binary: `$KUBECTL` or `/usr/bin/kubectl`.
pub fn kubectl_bin() -> String {
    let bin = std::env::var("KUBECTL").unwrap_or_else(|_| "/usr/bin/kubectl".into());
    assert!(
        std::path::Path::new(&bin).exists(),
        "kubectl not found at {bin}: install kubectl 1.32 (see README test command) or set KUBECTL"
    );
    bin
}

impl Sim {
    /// Starts a simulator with a scenario given as YAML text.
    pub fn start(scenario_yaml: &str, speed: f64) -> Sim {
        let scenario = Scenario::parse(scenario_yaml, "test.yaml").expect("test scenario parses");
        Self::start_with(SimConfig {
            speed,
            scenario: Some(scenario),
            ..SimConfig::default()
        })
    }

    /// Starts a simulator playing a shipped drill scenario (`runbooks/drills/NAME.yaml`).
    pub fn drill(name: &str, speed: f64) -> Sim {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks/drills");
        let scenario = Scenario::load(name, &dir).expect("drill loads");
        Self::start_with(SimConfig {
            speed,
            scenario: Some(scenario),
            ..SimConfig::default()
        })
    }

    /// Starts a simulator with a full configuration.
    pub fn start_with(config: SimConfig) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let handle = runtime
            .block_on(Simulator::start(config))
            .expect("simulator starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("kubeconfig");
        handle
            .write_kubeconfig(&kubeconfig)
            .expect("kubeconfig written");
        Sim {
            handle: Some(handle),
            runtime,
            dir,
            kubeconfig,
        }
    }

    /// The simulator handle.
    pub fn handle(&self) -> &SimHandle {
        self.handle.as_ref().expect("running")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(kubectl_bin());
        c.arg("--kubeconfig").arg(&self.kubeconfig).args(args);
        c.env_remove("KUBECONFIG").env("HOME", self.dir.path());
        c
    }

    /// Runs kubectl: `(exit code, stdout, stderr)`.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out: Output = self.command(args).output().expect("kubectl runs");
        code_and_text(&out)
    }

    /// Runs kubectl with `stdin` written to it and then closed: all it printed.
    pub fn output_with_stdin(&self, args: &[&str], stdin: impl AsRef<[u8]>) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl starts");
        if let Some(mut i) = child.stdin.take() {
            i.write_all(stdin.as_ref()).expect("stdin written");
        }
        child.wait_with_output().expect("kubectl runs")
    }

    /// Runs kubectl with `stdin`: `(exit code, stdout, stderr)`.
    pub fn run_stdin(&self, args: &[&str], stdin: impl AsRef<[u8]>) -> (i32, String, String) {
        code_and_text(&self.output_with_stdin(args, stdin))
    }

    /// The name of pod `index` in namespace `ns` (of application `app` when given, by its
    /// `app` label), as `kubectl get pods -o jsonpath` lists them.
    pub fn pod_name(&self, ns: &str, app: Option<&str>, index: usize) -> String {
        let selector = app.map(|a| format!("app={a}"));
        let jsonpath = format!("jsonpath={{.items[{index}].metadata.name}}");
        let mut args = vec!["-n", ns, "get", "pods"];
        if let Some(s) = &selector {
            args.extend(["-l", s.as_str()]);
        }
        args.extend(["-o", jsonpath.as_str()]);
        self.ok(&args)
    }

    /// Runs kubectl and requires success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(
            code, 0,
            "kubectl {args:?} failed:\nstdout: {out}\nstderr: {err}"
        );
        out
    }

    /// Runs kubectl and requires failure; returns stderr.
    pub fn fail(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_ne!(code, 0, "kubectl {args:?} should fail:\nstdout: {out}");
        err
    }

    /// `kubectl … -o json`, parsed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&a)).expect("kubectl printed JSON")
    }

    /// Starts kubectl in the background (stdout captured).
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl starts")
    }

    /// Polls `cond` for up to 60 s (a bound on failure only: a slow CI machine is slow).
    pub fn wait_for(&self, what: &str, mut cond: impl FnMut() -> bool) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if cond() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {what}");
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            self.runtime.block_on(h.shutdown());
        }
    }
}

/// A finished kubectl: `(exit code, stdout, stderr)`.
fn code_and_text(out: &Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Waits (up to 60 s) until the background kubectl `child` writes a line containing
/// `needle` to its standard error (with `-v=6`, kubectl logs each request when its
/// answer's headers arrive); the rest of its standard error is read and dropped.
pub fn wait_for_stderr_line(child: &mut Child, needle: &str) {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("kubectl's stderr piped");
    let (tx, rx) = std::sync::mpsc::channel();
    let needle = needle.to_string();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains(&needle) {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("kubectl logged the request within 60 s");
}

/// Stops a background kubectl and returns what it printed.
pub fn stop(mut child: Child) -> String {
    let _ = child.kill();
    let out = child.wait_with_output().expect("kubectl output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Sim {
    /// A kube client for a kubeconfig context of this simulator (`backout-sim` is the
    /// admin, `backout-sim-viewer` the read-only user), built through backout's own
    /// connection path.
    pub fn connect(&self, context: &str, read_only: bool) -> backout::adapters::kube::Connection {
        let opts = backout::adapters::kube::ConnectOptions {
            kubeconfig: Some(self.kubeconfig.clone()),
            context: Some(context.to_string()),
            read_only,
            ..Default::default()
        };
        self.runtime
            .block_on(backout::adapters::kube::connect(&opts))
            .expect("connects to the simulator")
    }

    /// `kubectl get deploy NAME -o json` reduced to what an action may change: the spec
    /// and the annotations (no resourceVersion, uid, timestamps or managedFields).
    pub fn deployment_shape(&self, name: &str) -> Value {
        let d = self.json(&["get", "deploy", name]);
        serde_json::json!({"spec": d["spec"], "annotations": d["metadata"]["annotations"]})
    }

    /// Waits until the deployment's rollout is complete as `kubectl rollout status` sees it.
    pub fn settled(&self, name: &str) {
        self.wait_for(&format!("deployment {name} settled"), || {
            let d = self.json(&["get", "deploy", name]);
            let s = &d["status"];
            let desired = d["spec"]["replicas"].as_i64().unwrap_or(0);
            d["metadata"]["generation"] == s["observedGeneration"]
                && (d["spec"]["paused"] == true
                    || s["updatedReplicas"].as_i64().unwrap_or(0) == desired
                        && s["availableReplicas"].as_i64().unwrap_or(0) == desired
                        && s["replicas"].as_i64().unwrap_or(0) == desired)
        });
    }
}

impl Sim {
    /// Starts a simulator playing `scenario` with its timeline held (nothing of it runs
    /// until the test applies a step).
    pub fn held(scenario: Scenario, speed: f64) -> Sim {
        Self::start_with(SimConfig {
            speed,
            scenario: Some(scenario),
            hold_timeline: true,
            ..SimConfig::default()
        })
    }

    /// The first container's image of the Deployment `kubectl get deploy ARGS…` names.
    pub fn image(&self, deploy: &[&str]) -> String {
        let mut args = vec!["get", "deploy"];
        args.extend(deploy);
        self.json(&args)["spec"]["template"]["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// `kubectl -n NAMESPACE rollout undo deployment/NAME`, required to succeed; its output.
    pub fn rollout_undo(&self, namespace: &str, deployment: &str) -> String {
        self.ok(&[
            "-n",
            namespace,
            "rollout",
            "undo",
            &format!("deployment/{deployment}"),
        ])
    }

    /// `kubectl -n NAMESPACE set image deploy/NAME CONTAINER=IMAGE`, required to succeed.
    pub fn set_image(&self, namespace: &str, deployment: &str, container_image: &str) -> String {
        self.ok(&[
            "-n",
            namespace,
            "set",
            "image",
            &format!("deploy/{deployment}"),
            container_image,
        ])
    }

    /// Every API request fails from now until the server has received two more, then it
    /// recovers: the first of them is refused whatever the machine's speed (a client sends
    /// its retry only after the refusal), where a fault window timed in advance could close
    /// before a slow machine's first request, or outlast a client's retries.
    pub fn faults_until_one_is_refused(&self) {
        let shared = self.handle().shared().clone();
        let received = |s: &backout::sim::Shared| s.requests_by_verb().values().sum::<u64>();
        let before = received(&shared);
        shared.set_faults(backout::sim::ApiFaults {
            latency_ms: 0,
            error_ratio: 1.0,
        });
        self.runtime.spawn(async move {
            while received(&shared) < before + 2 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            shared.set_faults(backout::sim::ApiFaults::default());
        });
    }

    /// The `backout` binary with ARGS against this simulator's kubeconfig (the operator's
    /// `KUBECONFIG` removed) and `BACKOUT_HOME=home`; the caller adds what else it needs.
    pub fn backout(&self, home: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_backout"));
        c.args(args)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .env_remove("KUBECONFIG")
            .env("BACKOUT_HOME", home);
        c
    }
}

impl Sim {
    /// The console's watchers on `shop/web` (through the read-only context, connected
    /// now), feeding the returned channel; they stop when the handle is dropped.
    pub fn watch_web(
        &self,
    ) -> (
        tokio::sync::mpsc::Receiver<backout::domain::cluster::ClusterEvent>,
        backout::adapters::kube::WatchHandle,
    ) {
        let conn = self.connect("backout-sim", true);
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        let _guard = self.runtime.enter();
        let handle = backout::adapters::kube::spawn_watchers(
            conn.client.clone(),
            &backout::domain::cluster::Target::new("shop", "web"),
            tx,
        );
        (rx, handle)
    }
}

//! Logs as a stream (issue 16, gap 2), read with real kubectl 1.32: each container's log
//! grows a line per simulated second from its start; `--tail`, `--since`, `--since-time`,
//! `--timestamps`, `--limit-bytes` and `-f` as the kubelet's log reader applies them
//! (`pkg/kubelet/kuberuntime/logs/logs.go`: tail first, then since, the `RFC3339Nano`
//! prefix, the byte limit cutting mid-line); `--previous` and waiting containers refused
//! as the kubelet refuses them (`pkg/kubelet/kubelet_pods.go`,
//! `validateContainerLogStatus`).

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::Sim;
use serde_json::Value;

/// `web` running since ten minutes ago; `crash` 2.1 crash-loops, `slow` 3.1 never
/// finishes creating its container, `pull` 4.1 cannot be pulled (rolled out by the test).
const LOGS: &str = r#"
name: logs
namespace: shop
apps:
  - {name: web, replicas: 1, image: shop/web, version: "1.0", deployed_ago: 10m}
  - {name: crash, replicas: 1, image: shop/crash, version: "2.0"}
  - {name: slow, replicas: 1, image: shop/slow, version: "3.0"}
  - {name: pull, replicas: 1, image: shop/pull, version: "4.0"}
behaviours:
  - {version: "2.1", crash_after_seconds: 3, exit_code: 1}
  - {version: "3.1", start_seconds: 100000}
  - {version: "4.1", image_pull_error: true}
"#;

/// The pod running `image` (`app:version`).
fn pod_of(sim: &Sim, image: &str) -> Value {
    let app = image.split(':').next().unwrap_or_default();
    sim.json(&["get", "pods", "-l", &format!("app={app}")])["items"]
        .as_array()
        .and_then(|ps| {
            ps.iter()
                .find(|p| p["spec"]["containers"][0]["image"] == format!("shop/{image}"))
                .cloned()
        })
        .unwrap_or_default()
}

fn name(p: &Value) -> String {
    p["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn time(ts: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(ts)
        .unwrap_or_else(|e| panic!("{ts:?}: {e}"))
        .with_timezone(&Utc)
}

/// The time the application stamped a line with (its first word).
fn stamped(line: &str) -> DateTime<Utc> {
    time(line.split_whitespace().next().unwrap_or_default())
}

#[test]
fn logs_grow_with_time_and_read_as_the_kubelet_serves_them() {
    let sim = Sim::start(LOGS, 20.0);
    for (deploy, image) in [("crash", "2.1"), ("slow", "3.1"), ("pull", "4.1")] {
        sim.ok(&[
            "set",
            "image",
            &format!("deploy/{deploy}"),
            &format!("app=shop/{deploy}:{image}"),
        ]);
    }
    let web = name(&pod_of(&sim, "web:1.0"));
    let started = time(
        pod_of(&sim, "web:1.0")["status"]["containerStatuses"][0]["state"]["running"]["startedAt"]
            .as_str()
            .unwrap_or_default(),
    );

    // Table of reads of the running container and what each must print.
    type Check = fn(&str, DateTime<Utc>, DateTime<Utc>);
    let since_time = (started + chrono::Duration::seconds(590))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let cases: Vec<(Vec<String>, Check)> = vec![
        // The whole log: from the start, a line per simulated second (20 a second here).
        (vec![], |out, started, _| {
            let first = out.lines().next().unwrap_or_default();
            assert!(first.contains("msg=\"starting\" version=1.0"), "{first}");
            assert_eq!(stamped(first), started);
            assert!(
                out.lines().count() > 10 * 60 * 20,
                "{}",
                out.lines().count()
            );
        }),
        // `--tail=3`: the last three lines, each written at its own time.
        (vec!["--tail=3".into()], |out, _, before| {
            let times: Vec<_> = out.lines().map(stamped).collect();
            assert_eq!(times.len(), 3, "{out}");
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "{out}");
            assert!(
                times
                    .iter()
                    .all(|t| *t <= before + chrono::Duration::seconds(60))
            );
            assert!(
                out.lines().all(|l| l.contains("msg=\"request handled\"")),
                "{out}"
            );
        }),
        // `--timestamps`: the kubelet's RFC3339Nano prefix, then the line.
        (
            vec!["--tail=2".into(), "--timestamps".into()],
            |out, started, _| {
                for l in out.lines() {
                    let (prefix, rest) = l.split_once(' ').unwrap_or_default();
                    let at = time(prefix);
                    assert!(at > started, "{l}");
                    assert!(
                        !prefix.trim_end_matches('Z').ends_with('0'),
                        "Go trims zeros: {l}"
                    );
                    assert!(rest.contains("level="), "{l}");
                }
            },
        ),
        // `--since=2s`: only lines from the last two seconds.
        (vec!["--since=2s".into()], |out, _, before| {
            assert!(out.lines().count() >= 1, "{out}");
            for l in out.lines() {
                assert!(stamped(l) >= before - chrono::Duration::seconds(3), "{l}");
            }
        }),
        // `--limit-bytes=100`: exactly 100 bytes, the last line cut.
        (vec!["--limit-bytes=100".into()], |out, _, _| {
            assert_eq!(out.len(), 100, "{out}");
            assert!(out.starts_with(&out.lines().next().unwrap_or_default()[..20]));
        }),
    ];
    for (args, check) in &cases {
        let before = Utc::now();
        let mut a = vec!["logs".to_string(), web.clone()];
        a.extend(args.iter().cloned());
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        check(&sim.ok(&a), started, before);
    }
    // `--since-time`: from that moment on (tail first, then since: a short tail of old
    // lines is empty).
    let out = sim.ok(&["logs", &web, &format!("--since-time={since_time}")]);
    let from = time(&since_time);
    assert!(
        out.lines().all(|l| stamped(l) >= from),
        "{}",
        &out[..200.min(out.len())]
    );
    assert!(out.lines().count() > 20, "{out}");
    let out = sim.ok(&[
        "logs",
        &web,
        "--tail=1",
        "--since-time=2099-01-01T00:00:00Z",
    ]);
    assert_eq!(out, "");

    // The log grows with time.
    let count = || sim.ok(&["logs", &web]).lines().count();
    let earlier = count();
    sim.wait_for("the log to grow", || count() > earlier);

    // `--previous` before any restart: the kubelet's 400.
    let err = sim.fail(&["logs", &web, "--previous"]);
    assert_eq!(
        err.trim(),
        format!(
            "Error from server (BadRequest): previous terminated container \"app\" in pod \"{web}\" not found"
        )
    );

    // Containers that never ran: "is waiting to start".
    sim.wait_for("slow's new pod", || {
        pod_of(&sim, "slow:3.1")["spec"]["nodeName"].is_string()
    });
    let slow = name(&pod_of(&sim, "slow:3.1"));
    let err = sim.fail(&["logs", &slow]);
    assert_eq!(
        err.trim(),
        format!(
            "Error from server (BadRequest): container \"app\" in pod \"{slow}\" is waiting to start: ContainerCreating"
        )
    );
    sim.wait_for("pull's ImagePullBackOff", || {
        pod_of(&sim, "pull:4.1")["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
            == "ImagePullBackOff"
    });
    let pull = name(&pod_of(&sim, "pull:4.1"));
    let err = sim.fail(&["logs", &pull]);
    assert_eq!(
        err.trim(),
        format!(
            "Error from server (BadRequest): container \"app\" in pod \"{pull}\" is waiting to start: trying and failing to pull image"
        )
    );
    // An unknown container: the API server's refusal (pkg/registry/core/pod/strategy.go).
    let err = sim.fail(&["logs", &web, "-c", "sidecar"]);
    assert!(
        err.contains(&format!("container sidecar is not valid for pod {web}")),
        "{err}"
    );

    // A crash loop: `--previous` is the last run, from its start to its panic.
    sim.wait_for("a restarted crash pod", || {
        pod_of(&sim, "crash:2.1")["status"]["containerStatuses"][0]["restartCount"]
            .as_i64()
            .unwrap_or(0)
            >= 1
    });
    let crash = name(&pod_of(&sim, "crash:2.1"));
    let prev = sim.ok(&["logs", &crash, "--previous"]);
    let lines: Vec<&str> = prev.lines().collect();
    assert!(
        lines
            .first()
            .is_some_and(|l| l.contains("msg=\"starting\" version=2.1")),
        "{prev}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("level=fatal msg=\"panic: runtime error")),
        "{prev}"
    );
    // Container times are whole seconds (metav1.Time): a run of 3 simulated seconds at
    // speed 20 spans at most one of them, so it may hold no request line in between.
    assert!(lines.len() >= 2, "{prev}");

    // `-f` of a run that crashes ends with it, as the kubelet's follow does.
    let mut child = sim.spawn(&["logs", "-f", &crash]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = common::stop(child);
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.contains("panic: runtime error")),
        "{out}"
    );
}

/// The log-follow gap: a follow looks every 200 ms real time, and at `--speed 20` a crash
/// loop can crash, restart and crash again between two looks, so the run it follows is
/// then neither the container's current nor its previous one. It still sends the rest of
/// that run — its last lines and its panic — and ends, as the kubelet's follow reads a
/// dead container's log file to its end and stops when the container has exited
/// (`pkg/kubelet/kuberuntime/logs/logs.go`, `ReadLogs`: `isContainerRunning` false ends
/// the follow after the file is drained). Deterministic: the look is made at a chosen
/// simulated time, one hour after the run ended, against the pod as stored once the
/// container has restarted twice.
#[test]
fn a_follow_that_missed_two_restarts_sends_the_rest_of_its_run_and_its_panic() {
    use backout::sim::logs::{Following, LogOptions, Run, Voice};
    let sim = Sim::start(LOGS, 20.0);
    sim.ok(&["set", "image", "deploy/crash", "app=shop/crash:2.1"]);
    let shared = sim.handle().shared().clone();
    let pods = backout::sim::res("", "pods");
    let stored_crash = || {
        shared
            .store
            .list(pods, Some("shop"))
            .1
            .into_iter()
            .find(|p| p["spec"]["containers"][0]["image"] == "shop/crash:2.1")
    };
    // State, not a message: the newest pod object, until its container restarted twice.
    sim.wait_for("a crash pod restarted twice", || {
        stored_crash().is_some_and(|p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .unwrap_or(0)
                >= 2
        })
    });
    let pod = stored_crash().unwrap_or_default();
    let uid = pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let kept = shared.kept_runs.of(&uid, "app");
    let first = kept
        .iter()
        .find(|r| r.ordinal == 0)
        .cloned()
        .unwrap_or_else(|| panic!("the first run is kept: {kept:?}"));
    let ended = first
        .ended
        .unwrap_or_else(|| panic!("a kept run ended: {first:?}"));
    assert!(first.crashed, "{first:?}");
    // Neither current (restart 2 or later) nor previous (restart 1 or later): the pod
    // has moved two runs on.
    let status = &pod["status"]["containerStatuses"][0];
    assert!(status["restartCount"].as_i64().unwrap_or(0) >= 2, "{pod}");
    // (Start times are whole seconds, so at speed 20 runs can share one: a run is known
    // by its restart count too.)
    assert_eq!(
        status["lastState"]["terminated"]["exitCode"].as_i64(),
        Some(1),
        "{pod}"
    );

    // The follow as it was while the first run ran: its first line sent.
    let mut following = Following {
        uid: uid.clone(),
        run: Run {
            ended: None,
            crashed: false,
            ..first.clone()
        },
        sent: 1,
        opts: LogOptions {
            follow: true,
            ..LogOptions::default()
        },
    };
    let voice = Voice {
        error_ratio: 0.0,
        latency_p50_ms: 40.0,
        never_ready: false,
    };
    let later = ended + chrono::Duration::hours(1);
    let look = following.look(Some(&pod), &kept, voice, later);
    assert!(look.done, "the follow ends with the run");
    let lines: Vec<&str> = look.out.lines().collect();
    assert_eq!(
        lines.len() as u64,
        first.len_at(later) - 1,
        "every line after the first, no more: {}",
        look.out
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("level=fatal msg=\"panic: runtime error")),
        "{}",
        look.out
    );
    // Nothing the run did not write: no line after its end.
    assert!(lines.iter().all(|l| stamped(l) <= ended), "{}", look.out);

    // A pod of the same name made later is another pod: nothing more, the follow ends.
    let mut other = following.clone();
    other.uid = "another-pod".into();
    let look = other.look(Some(&pod), &kept, voice, later);
    assert_eq!((look.out.as_str(), look.done), ("", true));
}

//! Issue 18 point 1: what the drill-down shows for a pod — `d` (describe) and `y` (YAML) —
//! is what real kubectl (1.32) prints for the same pod of the same simulator, byte for
//! byte: `kubectl describe pod` (kubernetes/kubectl `pkg/describe/describe.go`) and
//! `kubectl get pod -o yaml` (sigs.k8s.io/yaml, go-yaml v2), read through the console's
//! `Reader` (kube-rs) and printed by `describe_pod` / `object_yaml`.
//!
//! Ages: the simulator runs at speed 1 (its clock is the wall clock), but the two prints
//! happen at different instants, so the Events table's Age column — and only that — is
//! replaced by `<age> ` on both sides (its width follows the longest age); everything else
//! is compared byte for byte. The pod may restart between reads: a round counts only when
//! kubectl saw the same pod (same YAML, same events) before and after the console's reads.
//! The pod carries annotations that exercise go-yaml's quoting and describe's annotation
//! forms: multi-line values (one with a blank line and a trailing newline), `yes`, `true`,
//! `0755`, a timestamp, `a: b`, `#tag`, `*`, leading and trailing spaces, a tab, accents,
//! an emoji (escaped by go-yaml), and a value longer than describe's 140 bytes.

mod common;

use std::time::{Duration, Instant};

use backout::adapters::kube::reads::Reader;
use backout::domain::cluster::ClusterRead;
use common::Sim;

/// `web` whose version 1.3 crashes 2 s after every start (BackOff events follow).
const FAULTY: &str = common::CRASHES_AT_1_3;

/// Replaces the Events table's Age column (header, rule and cells, with the column's
/// padding, whose width follows the longest age) by `<age> `.
fn normalise_event_ages(text: &str) -> String {
    let mut out = Vec::new();
    let mut columns: Option<(usize, usize)> = None;
    for line in text.lines() {
        if line.starts_with("  Type ") && line.contains(" Age ") && line.contains(" From ") {
            let age = line.find(" Age ").map(|i| i + 1);
            let from = line.find(" From ").map(|i| i + 1);
            columns = age.zip(from);
        }
        match columns {
            Some((age, from)) if line.starts_with("  ") && line.len() > from => {
                out.push(format!("{}<age> {}", &line[..age], &line[from..]));
            }
            _ => out.push(line.to_string()),
        }
    }
    out.join("\n") + "\n"
}

/// Polls `cond` every 200 ms for up to 90 s (a loaded CI machine runs kubectl slowly).
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn describe_and_yaml_of_a_crash_looping_pod_are_kubectls_bytes() {
    let sim = Sim::start(FAULTY, 1.0);
    sim.settled("web");
    sim.ok(&[
        "-n",
        "shop",
        "set",
        "image",
        "deployment/web",
        "app=shop/web:1.3",
    ]);
    // A crash-looping pod with a BackOff event.
    let mut pod = String::new();
    eventually("a pod backing off", || {
        let pods = sim.json(&["-n", "shop", "get", "pods", "-o", "json"]);
        let found = pods["items"].as_array().into_iter().flatten().find(|p| {
            p["spec"]["containers"][0]["image"] == "shop/web:1.3"
                && p["status"]["containerStatuses"][0]["restartCount"]
                    .as_i64()
                    .unwrap_or(0)
                    >= 1
        });
        if let Some(p) = found {
            pod = p["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let described = sim.ok(&["-n", "shop", "describe", "pod", &pod]);
            return described.contains("BackOff");
        }
        false
    });
    sim.ok(&[
        "-n",
        "shop",
        "annotate",
        "pod",
        &pod,
        "example.com/notes=first line\nsecond line",
        "example.com/flag=yes",
        "example.com/mode=0755",
        "example.com/pair=a: b",
        "example.com/lead= leading space",
        "example.com/tab=one\ttwo",
        "example.com/emoji=shipped 🎉",
        "example.com/bool=true",
        "example.com/trail=trailing ",
        "example.com/hash=#tag",
        "example.com/star=*",
        "example.com/blank=line\n\nafter a blank line\n",
        "example.com/time=2026-12-06T10:00:00Z",
        "example.com/e=é à",
        &format!("example.com/long={}", "x".repeat(150)),
    ]);

    let conn = sim.connect("backout-sim", true);
    let reader = Reader::new(conn.client.clone(), "shop", "web");
    // The two sides read the pod at different instants: a restart in between changes it,
    // so both are read until two consecutive rounds agree on the kubectl side.
    let deadline = Instant::now() + Duration::from_secs(120);
    let (ours_yaml, kubectl_yaml, ours_described, kubectl_described) = loop {
        assert!(
            Instant::now() < deadline,
            "the pod never stayed unchanged over one round of reads"
        );
        let before = sim.ok(&["-n", "shop", "get", "pod", &pod, "-o", "yaml"]);
        let described_before = sim.ok(&["-n", "shop", "describe", "pod", &pod]);
        let (yaml, described) = sim.runtime.block_on(async {
            let yaml = reader
                .once(&ClusterRead::PodYaml { pod: pod.clone() })
                .await
                .expect("the pod's YAML");
            let described = reader
                .once(&ClusterRead::DescribePod { pod: pod.clone() })
                .await
                .expect("the pod described");
            (yaml, described)
        });
        let after = sim.ok(&["-n", "shop", "get", "pod", &pod, "-o", "yaml"]);
        let described_after = sim.ok(&["-n", "shop", "describe", "pod", &pod]);
        if before == after
            && normalise_event_ages(&described_before) == normalise_event_ages(&described_after)
        {
            break (yaml, after, described, described_after);
        }
    };
    assert_eq!(ours_yaml, kubectl_yaml);
    assert!(ours_yaml.contains("example.com/notes: |-\n"), "{ours_yaml}");
    assert!(!ours_yaml.contains("managedFields"), "{ours_yaml}");
    assert!(
        kubectl_described.contains("Warning  BackOff"),
        "{kubectl_described}"
    );
    assert_eq!(
        normalise_event_ages(&ours_described),
        normalise_event_ages(&kubectl_described)
    );
}

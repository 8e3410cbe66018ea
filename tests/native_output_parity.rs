//! Issue 14 point 4: what the console prints natively for a read-only kubectl line is
//! kubectl's output byte for byte. Each form runs through real kubectl (1.32) against the
//! simulator, and through the console's native path: the line parsed by
//! `parse_kubectl_line`, answered by `native_run::answer` from the `RolloutView` the
//! console's own watchers (`spawn_watchers`) deliver, joined back with kubectl's
//! newlines.
//!
//! Ages: both sides read the same `creationTimestamp`, the simulator runs at speed 1 (its
//! clock is the wall clock) and the native side prints at the wall clock; the one cell
//! that can still differ is AGE when its unit ticks between the two prints, so that cell
//! alone is replaced by `<age>` on both sides, with its padding. The column's width is the
//! header's while ages have at most three characters (the scenario's history makes it
//! `2d`), which the test asserts, so the rest of the line is compared byte for byte.
//!
//! Forms the watch cannot print (`-o json|yaml|jsonpath=…|custom-columns=…`, `rollout
//! history --revision=N`) are printed natively from the objects read through the API
//! (`adapters::kube::native_read::print_query`) and compared with kubectl byte for byte
//! (no age in them). Templates whose output follows Go's random map order (`..`, `.*`)
//! are left to kubectl itself.

mod common;

use std::time::Duration;

use backout::adapters::kube::native_read::print_query;
use backout::adapters::kube::spawn_watchers;
use backout::domain::cluster::shell_words::words;
use backout::domain::cluster::{
    ClusterEvent, Command, ParsedLine, RolloutView, Target, parse_kubectl_line,
};
use backout::ui::state::native_run;
use common::{Sim, WEB};
use tokio::sync::mpsc;

/// The console's view of `web` once the watch shows it settled with `revisions` revisions.
fn watched_view(sim: &Sim, revisions: usize) -> RolloutView {
    let conn = sim.connect("backout-sim", true);
    let (tx, mut rx) = mpsc::channel(1024);
    let _handle = {
        let _guard = sim.runtime.enter();
        spawn_watchers(conn.client.clone(), &Target::new("shop", "web"), tx)
    };
    sim.runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                match rx.recv().await {
                    Some(ClusterEvent::Rollout(v))
                        if v.revisions.len() == revisions
                            && v.ready == v.desired
                            && v.status.is_done() =>
                    {
                        return v;
                    }
                    Some(_) => {}
                    None => panic!("the watchers stopped"),
                }
            }
        })
        .await
        .expect("the watch shows web settled")
    })
}

/// The native answer to `line`, as bytes (the output pane's lines joined by `\n`).
fn native(line: &str, view: &RolloutView) -> String {
    let ParsedLine::Parsed(l) = parse_kubectl_line(line) else {
        panic!("{line} should run natively");
    };
    let Command::Query(q) = l.command else {
        panic!("{line} is a query");
    };
    let lines = native_run::answer(&q, Some(view), "web", chrono::Utc::now()).expect("answered");
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn kubectl(sim: &Sim, line: &str) -> String {
    let ws = words(line).expect("a shell line");
    let args: Vec<&str> = ws[1..].iter().map(String::as_str).collect();
    sim.ok(&args)
}

/// Replaces the AGE cell (and its padding) of a table by `<age>`.
fn normalise_age(out: &str) -> String {
    let mut lines = out.lines();
    let Some(header) = lines.next() else {
        return out.to_string();
    };
    let Some(start) = header.find("AGE") else {
        return out.to_string();
    };
    let after = start + "AGE".len();
    let end = header[after..].find(|c: char| c != ' ').map(|i| after + i);
    let mut res = vec![header.to_string()];
    for l in lines {
        let cell = match end {
            Some(e) => &l[start..e],
            None => &l[start..],
        };
        assert!(
            cell.trim().len() <= 3,
            "an age of more than three characters would widen the column: {l:?}"
        );
        let rest = end.map_or("", |e| &l[e..]);
        let pad = end.map_or(String::new(), |e| " ".repeat(e - start - 5));
        res.push(format!("{}<age>{pad}{rest}", &l[..start]));
    }
    res.join("\n") + "\n"
}

#[test]
fn native_reads_print_kubectls_bytes() {
    let sim = Sim::start(WEB, 1.0);
    sim.settled("web");
    let view = watched_view(&sim, 3);
    for line in [
        "kubectl get deployment web",
        "kubectl get deploy/web -n shop -o wide",
        "kubectl get deployments.apps web --show-labels",
        "kubectl get deployment web -o wide --show-labels",
        "kubectl get deployment web -o name",
        "kubectl get deployment web -L app,missing -L example.com/team",
        "kubectl get deployment web -o wide -L app --show-labels",
        "kubectl rollout history deployment/web",
        "kubectl -n shop rollout history deploy web",
    ] {
        let want = kubectl(&sim, line);
        let got = native(line, &view);
        assert_eq!(normalise_age(&got), normalise_age(&want), "{line}");
        if !line.contains("get deployment web -o name") && !line.contains("history") {
            assert!(got.contains("AGE"), "{line}: the age cell was compared");
        }
    }
}

#[test]
fn a_change_cause_is_printed_as_kubectl_prints_it() {
    let sim = Sim::start(WEB, 1.0);
    sim.settled("web");
    sim.ok(&[
        "annotate",
        "deployment/web",
        "kubernetes.io/change-cause=release 1.3 (hotfix)",
    ]);
    sim.ok(&["set", "image", "deployment/web", "app=shop/web:1.3"]);
    sim.settled("web");
    let view = watched_view(&sim, 4);
    let line = "kubectl rollout history deployment/web";
    assert_eq!(native(line, &view), kubectl(&sim, line));
}

/// The native answer read through the API, as bytes.
fn native_read(sim: &Sim, line: &str) -> Result<String, String> {
    let ParsedLine::Parsed(l) = parse_kubectl_line(line) else {
        panic!("{line} should run natively");
    };
    let target = l.target(&Target::new("shop", "web"));
    let Command::Query(q) = l.command else {
        panic!("{line} is a query");
    };
    let conn = sim.connect("backout-sim", true);
    sim.runtime
        .block_on(print_query(&conn.client, &target, &q))
        .map_err(|e| e.to_string())
}

/// kubectl's stdout, or its stderr when it fails.
fn kubectl_result(sim: &Sim, line: &str) -> Result<String, String> {
    let ws = words(line).expect("a shell line");
    let args: Vec<&str> = ws[1..].iter().map(String::as_str).collect();
    match sim.run(&args) {
        (0, out, _) => Ok(out),
        (_, _, err) => Err(err),
    }
}

/// `-o json` (cli-runtime `JSONPrinter`), `-o yaml` (`YAMLPrinter`), `-o jsonpath=`
/// (client-go `util/jsonpath`), `-o custom-columns=` (kubectl `pkg/cmd/get/customcolumn.go`)
/// and `rollout history --revision=N` (kubectl `pkg/polymorphichelpers/history.go`), each
/// through real kubectl and natively, byte for byte.
#[test]
fn object_forms_print_kubectls_bytes() {
    let sim = Sim::start(WEB, 1.0);
    sim.settled("web");
    for line in [
        "kubectl get deployment web -o json",
        "kubectl get deploy/web -n shop -o yaml",
        "kubectl get deployment web -o jsonpath='{.spec.replicas}'",
        "kubectl get deployment web -o=jsonpath='{.spec.template.spec.containers[*].image}'",
        r#"kubectl get deployment web -o jsonpath='{range .spec.template.spec.containers[*]}{.name}{"\t"}{.image}{"\n"}{end}'"#,
        r#"kubectl get deployment web -o jsonpath='{.status.conditions[?(@.type=="Available")].status}'"#,
        "kubectl get deployment web -o jsonpath='{.metadata.labels}'",
        "kubectl get deployment web -o jsonpath='{.spec.selector}{\"\\n\"}'",
        "kubectl get deployment web -o jsonpath='ready={.status.readyReplicas} missing={.status.nope}'",
        "kubectl get deployment web -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name==\"FEATURE_X\")].value}'",
        "kubectl get deployment web -o custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image,REPLICAS:spec.replicas,X:{.nope}",
        "kubectl get deployment web --output=custom-columns=LABELS:.metadata.labels,STRATEGY:.spec.strategy.type",
        "kubectl rollout history deployment/web --revision=2",
        "kubectl -n shop rollout history deploy web --revision=3",
    ] {
        let want = kubectl_result(&sim, line).unwrap_or_else(|e| panic!("{line}: kubectl: {e}"));
        let got = native_read(&sim, line).unwrap_or_else(|e| panic!("{line}: native: {e}"));
        assert_eq!(got, want, "{line}");
        assert!(!got.trim().is_empty(), "{line}: something was compared");
    }
    // Errors: kubectl's message, after its `error: ` prefix.
    let line = "kubectl rollout history deployment/web --revision=9";
    let want = kubectl_result(&sim, line).expect_err("no revision 9");
    let got = native_read(&sim, line).expect_err("no revision 9");
    assert_eq!(format!("{got}\n"), want, "{line}");
}

#[test]
fn forms_the_console_cannot_print_exactly_go_to_kubectl_itself() {
    for line in [
        "kubectl get deployment web -o jsonpath='{..image}'",
        "kubectl get deployment web -o jsonpath='{.metadata.labels.*}'",
        "kubectl get deployment web -o go-template='{{.spec.replicas}}'",
        "kubectl get deployment web -o json --show-labels",
        "kubectl get deployment web -o custom-columns=NAME",
    ] {
        assert!(
            matches!(parse_kubectl_line(line), ParsedLine::NotUnderstood(_)),
            "{line} must not be answered natively"
        );
    }
}

//! The action ↔ step matcher (`domain::action_match`) over every corpus runbook under
//! `tests/runbooks/teams/`: an undo completes only steps whose kubectl line is an undo of
//! that very deployment, and nothing of a deployment no runbook names.

use std::path::Path;

use backout::adapters::runbook_file::load;
use backout::domain::action_match::step_does;
use backout::domain::cluster::{ClusterAction, Target};
use backout::domain::runbook::{Bindings, StepKind};

/// `(namespace, deployment)` pairs a script could be about, read loosely from its words.
fn namespaces_and_deployments(script: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = script.split_whitespace().collect();
    let namespaces: Vec<&str> = words
        .windows(2)
        .filter(|w| w[0] == "-n" || w[0] == "--namespace")
        .map(|w| w[1])
        .chain(["default"])
        .collect();
    let deployments: Vec<&str> = words
        .iter()
        .filter_map(|w| w.strip_prefix("deployment/"))
        .collect();
    namespaces
        .iter()
        .flat_map(|n| deployments.iter().map(|d| (n.to_string(), d.to_string())))
        .collect()
}

#[test]
fn across_the_corpus_an_undo_completes_only_undo_steps_of_that_deployment() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runbooks/teams");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    let undo = ClusterAction::Undo { to_revision: None };
    let nowhere = Target::new("no-such-namespace", "no-such-deployment");
    let mut completed = 0;
    for path in files {
        let book = load(&path).unwrap_or_else(|e| panic!("{path:?}: {e:?}"));
        for step in book.steps() {
            assert!(
                !step_does(step, &undo, &nowhere, &Bindings::new()),
                "{path:?} {}",
                step.id
            );
            let StepKind::Command(block) = &step.kind else {
                continue;
            };
            let has_undo = block.lines.iter().any(|l| l.text.contains("rollout undo"));
            for (ns, deploy) in namespaces_and_deployments(&block.script) {
                let target = Target::new(ns, deploy);
                if step_does(step, &undo, &target, &Bindings::new()) {
                    assert!(has_undo, "{path:?} {}: {}", step.id, block.script);
                    completed += 1;
                }
            }
        }
    }
    // The corpus has plain undo steps (options A–D, strategies, scenarios): some match.
    assert!(completed >= 3, "only {completed} undo steps matched");
}

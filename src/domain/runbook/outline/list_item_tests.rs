//! How list items, task items and code blocks become steps, through the whole loader.

use std::path::Path;

use super::super::{Runbook, StepKind, parse};

fn steps(doc: &str) -> Vec<(String, &'static str)> {
    let rb: Runbook = parse(Path::new("t.md"), doc).expect("loads");
    rb.steps()
        .map(|s| {
            let kind = match s.kind {
                StepKind::Checklist { .. } => "checklist",
                StepKind::Command(_) => "command",
                StepKind::Promql { .. } => "promql",
                StepKind::Verify { .. } => "verify",
            };
            (s.title.clone(), kind)
        })
        .collect()
}

#[test]
fn a_task_item_introducing_a_block_that_is_no_command_stays_a_step() {
    let doc = "## Execute\n\n- [ ] Apply the config:\n  ```yaml\n  replicas: 3\n  ```\n\
               - [ ] Roll back:\n  ```bash\n  kubectl rollout undo deployment/web\n  ```\n";
    assert_eq!(
        steps(doc),
        [
            ("Apply the config:".to_string(), "checklist"),
            ("Roll back".to_string(), "command"),
        ]
    );
}

#[test]
fn a_command_block_directly_under_a_subheading_is_titled_by_the_heading() {
    let doc = "## Execute\n\n### Roll back the web deployment\n\n```bash\n# Undo\n\
               kubectl rollout undo deployment/web\n```\n\n### Steps\n\n```bash\n\
               # Check the rollout\nkubectl rollout status deployment/web\n```\n\n\
               ### Watch the pods\n\nWatch them roll.\n\n```bash\n# List pods\n\
               kubectl get pods\n```\n\n## Verify the rollback\n\n```bash\n\
               # Error rate is back\ncurl -fsS http://web/healthz\n```\n";
    assert_eq!(
        steps(doc),
        [
            // The heading, not the first comment.
            ("Roll back the web deployment".to_string(), "command"),
            // A bare label says nothing: the comment stays the title.
            ("Check the rollout".to_string(), "command"),
            // Prose between heading and block introduces the block.
            ("Watch them roll".to_string(), "command"),
            // A phase heading names the phase, not the step.
            ("Error rate is back".to_string(), "command"),
        ]
    );
}

#[test]
fn numbered_items_in_a_reference_section_or_quote_are_not_steps() {
    let doc = "## Execute\n\n1. Roll back\n\n> 1. quoted\n\n## Escalation\n\n1. Lead\n2. CTO\n";
    let rb = parse(Path::new("t.md"), doc).expect("loads");
    assert_eq!(steps(doc), [("Roll back".to_string(), "checklist")]);
    assert!(rb.warnings.is_empty(), "{:?}", rb.warnings);
}

#[test]
fn without_phase_headings_bullets_are_not_steps_but_numbered_items_are() {
    // Only a runbook of nothing but prose makes steps of its bullets (one "Procedure").
    let doc = "# Notes\n\n- a bullet\n";
    let rb = parse(Path::new("t.md"), doc).expect("a prose runbook loads");
    assert_eq!(rb.phases[0].title, "Procedure");
    assert_eq!(steps(doc), [("a bullet".to_string(), "checklist")]);
    assert!(parse(Path::new("t.md"), "# Notes\n").is_err());
    let doc = "# Web rollback\n\n1. Roll back\n2. Tell the channel\n\n- a note\n";
    assert_eq!(
        steps(doc),
        [
            ("Roll back".to_string(), "checklist"),
            ("Tell the channel".to_string(), "checklist"),
        ]
    );
}

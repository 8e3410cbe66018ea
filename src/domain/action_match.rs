//! Whether a cluster action made outside the runbook's steps (the Rollout pane's undo, the
//! actions menu, the runbook view) did what a runbook step describes: the same verb on the
//! same object of the same target. Then the step is "done by action #N" instead of staying
//! open beside a rollback that already happened.
//!
//! A step matches when every line of it that changes something is a kubectl line this
//! console understands natively, doing that same action on that same target; its read-only
//! lines (`rollout status`, `get pods`, `echo`) do not matter. A step with another change
//! besides (a `scale` after the undo, an `argocd app sync`, a line with a placeholder not
//! bound yet) is left for the operator.

use crate::domain::cluster::{ClusterAction, Command, ParsedLine, Target, parse_kubectl_line};
use crate::domain::runbook::{Bindings, Step, StepKind, change_of, fill};

/// Whether `step` describes `done` on `target` (see the module documentation).
pub fn step_does(step: &Step, done: &ClusterAction, target: &Target, bindings: &Bindings) -> bool {
    let StepKind::Command(block) = &step.kind else {
        return false;
    };
    let mut changes = 0;
    for line in &block.lines {
        let Ok(text) = fill(&line.text, bindings) else {
            // A placeholder not bound yet: the step's target is not known.
            if change_of(&line.text).is_some() {
                return false;
            }
            continue;
        };
        match parse_kubectl_line(&text) {
            ParsedLine::Parsed(k) => match &k.command {
                Command::Action(a) => {
                    if k.target(target) != *target || !same_action(a, done) {
                        return false;
                    }
                    changes += 1;
                }
                Command::Query(_) => {}
            },
            ParsedLine::NotUnderstood(_) => {
                if change_of(&text).is_some() {
                    return false;
                }
            }
        }
    }
    changes > 0
}

/// The same action: equal, except that a step's plain `rollout undo` (to the previous
/// revision) is done by any undo — an undo to a named revision is a roll back too — while
/// a step naming `--to-revision=N` needs an undo to N.
fn same_action(step: &ClusterAction, done: &ClusterAction) -> bool {
    match (step, done) {
        (ClusterAction::Undo { to_revision: s }, ClusterAction::Undo { to_revision: d }) => {
            match s.filter(|n| *n > 0) {
                None => true,
                Some(n) => d.filter(|n| *n > 0) == Some(n),
            }
        }
        _ => step == done,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::domain::runbook::{Runbook, parse};

    fn corpus(name: &str, text: &str) -> Runbook {
        parse(Path::new(name), text).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    /// The titles of the steps of `book` that `done` on `target` completes.
    fn done_by(book: &Runbook, done: &ClusterAction, target: &Target) -> Vec<String> {
        book.steps()
            .filter(|s| step_does(s, done, target, &Bindings::new()))
            .map(|s| format!("{} {}", s.id, s.title))
            .collect()
    }

    fn undo(to: Option<i64>) -> ClusterAction {
        ClusterAction::Undo { to_revision: to }
    }

    /// `tests/runbooks/teams/options-a-to-d.md`: Option A is a plain undo, Option B an undo
    /// to revision 42 after a history listing, Option C a `set image`.
    #[test]
    fn an_undo_completes_the_roll_back_steps_of_options_a_to_d() {
        let book = corpus(
            "options-a-to-d.md",
            include_str!("../../tests/runbooks/teams/options-a-to-d.md"),
        );
        let gateway = Target::new("edge", "gateway");
        let plain = done_by(&book, &undo(None), &gateway);
        assert_eq!(plain.len(), 1, "{plain:?}");
        // An undo to 42 does both: Option A's "previous revision" and Option B's "to 42".
        assert_eq!(done_by(&book, &undo(Some(42)), &gateway).len(), 2);
        // Another revision is not Option B.
        assert_eq!(done_by(&book, &undo(Some(41)), &gateway), plain);
        // Same verb, another deployment or namespace: nothing.
        assert!(done_by(&book, &undo(None), &Target::new("edge", "web")).is_empty());
        assert!(done_by(&book, &undo(None), &Target::new("prod", "gateway")).is_empty());
        // Option C's image, exactly.
        let image = ClusterAction::SetImage {
            container: "gateway".into(),
            image: "registry.example.com/gateway:1.8.3".into(),
        };
        assert_eq!(done_by(&book, &image, &gateway).len(), 1);
        let other = ClusterAction::SetImage {
            container: "gateway".into(),
            image: "registry.example.com/gateway:1.8.2".into(),
        };
        assert!(done_by(&book, &other, &gateway).is_empty());
        // Read-only steps (get pods, rollout status) are never done by an action.
        assert!(done_by(&book, &ClusterAction::Restart, &gateway).is_empty());
    }

    /// `tests/runbooks/teams/decision-table-impact.md`: Strategy 2 is an undo; Strategy 1 a
    /// checklist item, never done by a cluster action.
    #[test]
    fn only_the_application_rollback_strategy_is_done_by_an_undo() {
        let book = corpus(
            "decision-table-impact.md",
            include_str!("../../tests/runbooks/teams/decision-table-impact.md"),
        );
        let done = done_by(&book, &undo(None), &Target::new("pricing", "pricing"));
        assert_eq!(done.len(), 1, "{done:?}");
        let step = book
            .steps()
            .find(|s| done[0].starts_with(&s.id.to_string()));
        assert_eq!(
            step.and_then(|s| s.alternative).map(|a| a.member),
            Some(1),
            "Strategy 2"
        );
    }

    #[test]
    fn a_step_with_another_change_or_an_unbound_placeholder_is_left_open() {
        let book = corpus(
            "x.md",
            "# R\n\n## Roll back\n\n```sh\nkubectl -n shop rollout undo deployment/web\nkubectl -n shop scale deployment/web --replicas=3\n```\n\n```sh\nkubectl -n <ns> rollout undo deployment/web\n```\n",
        );
        let t = Target::new("shop", "web");
        assert!(done_by(&book, &undo(None), &t).is_empty());
        let bound: Bindings = [("ns".to_string(), "shop".to_string())].into();
        let second = book.steps().nth(1).expect("two steps");
        assert!(step_does(second, &undo(None), &t, &bound));
    }
}

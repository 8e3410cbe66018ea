//! What a drill's intro asks the team to do, in order ("Your job, against the clock"),
//! worded for how the scenario's rollback is done — a Deployment rolled back (undo, or the
//! runbook's own step), or a deploy service's API called (the runbook's request, which
//! switches traffic: nothing rolls out) — and for what the runbook holds: a decision matrix
//! that reaches a severity (else the team declares one), verification checks that `v`
//! starts (else recovery is verified by its own steps). Those facts are read once
//! ([`TaskFacts`]), not per line of the intro.

use crate::domain::runbook::Runbook;

/// The first task when the runbook has no decision matrix: nothing reaches a severity on
/// its own, the team declares one.
pub const NO_MATRIX_TASK: &str = "Declare the severity with S from what the panes show (time to \
     detect): the runbook has no decision matrix to reach one.";

/// What the tasks depend on, read once from the scenario and the runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskFacts {
    /// The scenario's rollback goes through its simulated deploy service (`deploy_api:` in
    /// the scenario).
    pub deploy_service: bool,
    /// The runbook has a decision matrix (front matter `matrix:` or a decision table).
    pub decision_matrix: bool,
    /// The runbook has verification checks (`v` starts one).
    pub verify_checks: bool,
}

impl TaskFacts {
    /// The facts of `book` (none loaded: no matrix, no checks).
    pub fn of(book: Option<&Runbook>, deploy_service: bool) -> TaskFacts {
        TaskFacts {
            deploy_service,
            decision_matrix: super::drill_metrics::has_matrix(book),
            verify_checks: book.is_some_and(|b| !b.checks.is_empty()),
        }
    }

    /// Facts before the runbook is read: a matrix and checks assumed (the tasks as the
    /// scenario alone words them).
    pub fn scenario_only(deploy_service: bool) -> TaskFacts {
        TaskFacts {
            deploy_service,
            decision_matrix: true,
            verify_checks: true,
        }
    }
}

/// The tasks of a drill.
pub fn tasks(facts: TaskFacts) -> Vec<String> {
    let verify = if facts.verify_checks {
        "verify recovery (the Check steps: v)"
    } else {
        "verify recovery (the runbook's verification steps and the Metrics pane)"
    };
    let (roll_back, follow) = if facts.deploy_service {
        (
            "Roll back: run the runbook's rollback request (it goes to the simulated deploy \
             service; you confirm the switch it previews).",
            format!(
                "Check the service switched back (the status read after the request), then \
                 {verify}."
            ),
        )
    } else {
        (
            "Roll back: undo in the Rollout pane, or run the runbook's rollback step.",
            format!("Follow the rollout to the end, then {verify}."),
        )
    };
    let detect = if facts.decision_matrix {
        "Acknowledge the severity the decision matrix reaches (time to detect)."
    } else {
        NO_MATRIX_TASK
    };
    vec![
        detect.into(),
        roll_back.into(),
        follow,
        "Communicate (m sends a message: in a drill, to the outbox), work the rest of the \
         checklist, and finish with Q."
            .into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deploy service switches traffic back: the intro does not send the team to the
    /// Rollout pane or ask it to follow a rollout that will not happen.
    #[test]
    fn a_deploy_service_drill_asks_for_the_request_not_an_undo() {
        let api = tasks(TaskFacts::scenario_only(true)).join("\n");
        assert!(api.contains("run the runbook's rollback request"), "{api}");
        assert!(api.contains("Check the service switched back"), "{api}");
        assert!(!api.contains("Rollout pane"), "{api}");
        assert!(!api.contains("Follow the rollout"), "{api}");
        let kube = tasks(TaskFacts::scenario_only(false)).join("\n");
        assert!(kube.contains("undo in the Rollout pane"), "{kube}");
        assert!(kube.contains("Follow the rollout to the end"), "{kube}");
        assert_eq!(
            tasks(TaskFacts::scenario_only(true)).len(),
            tasks(TaskFacts::scenario_only(false)).len()
        );
    }

    /// A runbook without checks is not sent to a `v` key the intro does not list, and one
    /// without a matrix declares the severity (a walk on a runbook with neither showed
    /// "(the Check steps: v)" beside a key list without `v`).
    #[test]
    fn the_tasks_follow_what_the_runbook_holds() {
        let book = |md: &str| {
            crate::domain::runbook::parse(std::path::Path::new("t.md"), md).expect("loads")
        };
        let plain =
            book("# R\n\n## Roll back\n\n```sh\nkubectl -n a rollout undo deployment/web\n```\n");
        let facts = TaskFacts::of(Some(&plain), false);
        assert_eq!(
            facts,
            TaskFacts {
                deploy_service: false,
                decision_matrix: false,
                verify_checks: false
            }
        );
        let text = tasks(facts).join("\n");
        assert!(text.starts_with(NO_MATRIX_TASK), "{text}");
        assert!(!text.contains(": v)"), "{text}");
        assert!(text.contains("verification steps"), "{text}");

        let table = book(
            "# R\n\n## Roll back\n\n```sh\nkubectl -n a rollout undo deployment/web\n```\n\n## Decision matrix\n\n| Severity | Error rate | Action |\n|---|---|---|\n| SEV-1 | > 10% | Roll back now |\n",
        );
        let facts = TaskFacts::of(Some(&table), false);
        assert!(facts.decision_matrix, "{:?}", table.decision_tables);
        assert!(tasks(facts)[0].starts_with("Acknowledge the severity"));
        assert_eq!(
            TaskFacts::of(None, true),
            TaskFacts {
                deploy_service: true,
                decision_matrix: false,
                verify_checks: false
            }
        );
    }
}

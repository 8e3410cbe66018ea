//! What a drill's intro asks the team to do, in order ("Your job, against the clock"),
//! worded for how the scenario's rollback is done: a Deployment rolled back (undo, or the
//! runbook's own step), or a deploy service's API called (the runbook's request, which
//! switches traffic: nothing rolls out).

/// The first task when the runbook has no decision matrix: nothing reaches a severity on
/// its own, the team declares one.
pub const NO_MATRIX_TASK: &str = "Declare the severity with S from what the panes show (time to \
     detect): the runbook has no decision matrix to reach one.";

/// The tasks of a drill; `deploy_service` when the scenario's rollback goes through its
/// simulated deploy service (`deploy_api:` in the scenario).
pub fn tasks(deploy_service: bool) -> Vec<String> {
    let (roll_back, follow) = if deploy_service {
        (
            "Roll back: run the runbook's rollback request (it goes to the simulated deploy \
             service; you confirm the switch it previews).",
            "Check the service switched back (the status read after the request), then \
             verify recovery (the Check steps: v).",
        )
    } else {
        (
            "Roll back: undo in the Rollout pane, or run the runbook's rollback step.",
            "Follow the rollout to the end, then verify recovery (the Check steps: v).",
        )
    };
    vec![
        "Acknowledge the severity the decision matrix reaches (time to detect).".into(),
        roll_back.into(),
        follow.into(),
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
        let api = tasks(true).join("\n");
        assert!(api.contains("run the runbook's rollback request"), "{api}");
        assert!(api.contains("Check the service switched back"), "{api}");
        assert!(!api.contains("Rollout pane"), "{api}");
        assert!(!api.contains("Follow the rollout"), "{api}");
        let kube = tasks(false).join("\n");
        assert!(kube.contains("undo in the Rollout pane"), "{kube}");
        assert!(kube.contains("Follow the rollout to the end"), "{kube}");
        assert_eq!(tasks(true).len(), tasks(false).len());
    }
}

//! Following one rollout across observations after a change (an undo, a restart, a new
//! env), like `kubectl rollout status` but about the rollout the change started.
//!
//! kubectl judges each observation on its own: once `observedGeneration` has caught up, a
//! `Progressing` condition with reason `ProgressDeadlineExceeded` means failure. After an
//! undo of a rollout that already passed its deadline, the Deployment keeps that condition
//! until the controller sees the new ReplicaSet progress (it then sets
//! `ReplicaSetUpdated`, and `NewReplicaSetAvailable` at the end), so kubectl can report the
//! *previous* rollout's failure while the new one completes (a known pitfall of scripts
//! that run `rollout undo` then `rollout status`). [`RolloutFollow`] keeps a deadline
//! verdict that was already there when following began as belonging to the previous
//! rollout, and judges the new one from the replica counts until the controller reports
//! progress; a deadline exceeded after that is the new rollout's, and fails it.

use super::rollout::{DeploymentFacts, PROGRESS_DEADLINE_EXCEEDED, RolloutStatus, rollout_status};

/// The state of following one rollout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloutFollow {
    /// `None` before the first observation; then whether the deadline verdict on the
    /// Deployment is still the one from before the change.
    stale_deadline: Option<bool>,
}

fn deadline_exceeded(d: &DeploymentFacts) -> bool {
    d.conditions
        .iter()
        .any(|c| c.type_ == "Progressing" && c.reason == PROGRESS_DEADLINE_EXCEEDED)
}

impl RolloutFollow {
    pub fn new() -> RolloutFollow {
        RolloutFollow::default()
    }

    /// The verdict on one observation (observations in the order they were made).
    pub fn observe(&mut self, d: &DeploymentFacts) -> RolloutStatus {
        let exceeded = deadline_exceeded(d);
        let stale = match self.stale_deadline {
            None => exceeded,
            // Once the controller has replaced the old verdict, any later one is new.
            Some(stale) => stale && exceeded,
        };
        self.stale_deadline = Some(stale);
        if !stale {
            return rollout_status(d);
        }
        let mut fresh = d.clone();
        fresh
            .conditions
            .retain(|c| !(c.type_ == "Progressing" && c.reason == PROGRESS_DEADLINE_EXCEEDED));
        match rollout_status(&fresh) {
            // The counts say done, but the controller has not said so yet: wait for it.
            RolloutStatus::Complete { .. } => RolloutStatus::Progressing {
                message: format!(
                    "Waiting for deployment {:?} rollout to finish: the previous rollout's \
                     progress deadline is still reported...",
                    d.name
                ),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cluster::Condition;

    fn facts(updated: i32, available: i32, reason: &str) -> DeploymentFacts {
        DeploymentFacts {
            name: "payments-worker".into(),
            generation: 3,
            observed_generation: 3,
            desired: Some(3),
            replicas: 3,
            updated,
            ready: available,
            available,
            conditions: vec![Condition {
                type_: "Progressing".into(),
                status: if reason == PROGRESS_DEADLINE_EXCEEDED {
                    "False".into()
                } else {
                    "True".into()
                },
                reason: reason.into(),
                message: String::new(),
            }],
            ..DeploymentFacts::default()
        }
    }

    #[test]
    fn a_deadline_exceeded_before_the_undo_does_not_fail_the_new_rollout() {
        let mut f = RolloutFollow::new();
        // kubectl would say "exceeded its progress deadline" here.
        assert!(matches!(
            rollout_status(&facts(1, 1, PROGRESS_DEADLINE_EXCEEDED)),
            RolloutStatus::Failed { .. }
        ));
        let s = f.observe(&facts(1, 1, PROGRESS_DEADLINE_EXCEEDED));
        assert_eq!(
            s.message(),
            "Waiting for deployment \"payments-worker\" rollout to finish: 1 out of 3 new replicas have been updated..."
        );
        // Counts complete, condition not yet replaced: still waiting, not complete.
        let s = f.observe(&facts(3, 3, PROGRESS_DEADLINE_EXCEEDED));
        assert!(matches!(s, RolloutStatus::Progressing { .. }), "{s:?}");
        let s = f.observe(&facts(3, 3, "NewReplicaSetAvailable"));
        assert_eq!(
            s,
            RolloutStatus::Complete {
                message: "deployment \"payments-worker\" successfully rolled out".into()
            }
        );
    }

    #[test]
    fn a_deadline_exceeded_after_progress_fails_the_new_rollout() {
        let mut f = RolloutFollow::new();
        f.observe(&facts(1, 1, PROGRESS_DEADLINE_EXCEEDED));
        f.observe(&facts(2, 1, "ReplicaSetUpdated"));
        let s = f.observe(&facts(2, 1, PROGRESS_DEADLINE_EXCEEDED));
        assert_eq!(
            s,
            RolloutStatus::Failed {
                message: "deployment \"payments-worker\" exceeded its progress deadline".into()
            }
        );
    }

    #[test]
    fn without_an_old_verdict_it_is_kubectls() {
        let mut f = RolloutFollow::new();
        let s = f.observe(&facts(2, 1, "ReplicaSetUpdated"));
        assert_eq!(s, rollout_status(&facts(2, 1, "ReplicaSetUpdated")));
        let s = f.observe(&facts(2, 1, PROGRESS_DEADLINE_EXCEEDED));
        assert!(matches!(s, RolloutStatus::Failed { .. }), "{s:?}");
    }
}

//! The Rollout pane model and kubectl's rollout rules, on plain data:
//! revision history as `kubectl rollout history` builds it, the revision `rollout undo`
//! picks (`deploymentRevision` in kubectl's `polymorphichelpers/rollback.go`), and the
//! verdict of `kubectl rollout status` (`DeploymentStatusViewer` in `rollout_status.go`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::template_container::TemplateContainer;

/// A Deployment condition (`Available`, `Progressing`, `ReplicaFailure`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

/// What the rollout rules need from a Deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentFacts {
    pub name: String,
    pub generation: i64,
    pub observed_generation: i64,
    /// `spec.replicas` (kubectl treats a missing value as "no target").
    pub desired: Option<i32>,
    pub replicas: i32,
    pub updated: i32,
    pub ready: i32,
    pub available: i32,
    pub unavailable: i32,
    pub paused: bool,
    pub conditions: Vec<Condition>,
    /// `metadata.creationTimestamp` (kubectl's AGE).
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    /// `metadata.labels` (`--show-labels`, `-L`).
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// `spec.selector` as kubectl prints it (`app=web,tier in (a,b)`).
    #[serde(default)]
    pub selector: String,
    /// The pod template's containers, then its init containers.
    #[serde(default)]
    pub containers: Vec<TemplateContainer>,
}

/// What the rollout rules need from one ReplicaSet controlled by the Deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaSetFacts {
    pub name: String,
    /// `deployment.kubernetes.io/revision`; `None` when missing or not a number (kubectl
    /// skips such ReplicaSets).
    pub revision: Option<i64>,
    pub images: Vec<String>,
    /// `kubernetes.io/change-cause`.
    pub change_cause: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub replicas: i32,
    pub ready: i32,
    /// Its pod template equals the Deployment's, ignoring `pod-template-hash`
    /// (kubectl's `equalIgnoreHash`): this is the "new" ReplicaSet.
    pub matches_template: bool,
}

/// One row of the revision history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub number: i64,
    pub replica_set: String,
    pub images: Vec<String>,
    pub change_cause: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub replicas: i32,
    /// The revision the Deployment's template currently is.
    pub current: bool,
}

/// The verdict of `kubectl rollout status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RolloutStatus {
    /// `Waiting for …`: kubectl's exact progress line.
    Progressing { message: String },
    /// `deployment "NAME" successfully rolled out`.
    Complete { message: String },
    /// `deployment "NAME" exceeded its progress deadline`.
    Failed { message: String },
}

impl RolloutStatus {
    pub fn message(&self) -> &str {
        match self {
            RolloutStatus::Progressing { message }
            | RolloutStatus::Complete { message }
            | RolloutStatus::Failed { message } => message,
        }
    }

    pub fn is_done(&self) -> bool {
        !matches!(self, RolloutStatus::Progressing { .. })
    }
}

/// Everything the Rollout pane shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutView {
    pub deployment: String,
    /// Oldest first, like `kubectl rollout history`.
    pub revisions: Vec<Revision>,
    pub desired: i32,
    pub replicas: i32,
    pub updated: i32,
    pub ready: i32,
    pub available: i32,
    pub unavailable: i32,
    pub generation: i64,
    pub observed_generation: i64,
    pub conditions: Vec<Condition>,
    pub paused: bool,
    pub status: RolloutStatus,
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub selector: String,
    #[serde(default)]
    pub containers: Vec<TemplateContainer>,
}

impl RolloutView {
    /// Builds the view from a Deployment and the ReplicaSets it controls.
    pub fn build(d: &DeploymentFacts, sets: &[ReplicaSetFacts]) -> Self {
        Self {
            deployment: d.name.clone(),
            revisions: history(sets),
            desired: d.desired.unwrap_or(0),
            replicas: d.replicas,
            updated: d.updated,
            ready: d.ready,
            available: d.available,
            unavailable: d.unavailable,
            generation: d.generation,
            observed_generation: d.observed_generation,
            conditions: d.conditions.clone(),
            paused: d.paused,
            status: rollout_status(d),
            created: d.created,
            labels: d.labels.clone(),
            selector: d.selector.clone(),
            containers: d.containers.clone(),
        }
    }

    /// The current revision number, if known.
    pub fn current_revision(&self) -> Option<i64> {
        self.revisions.iter().find(|r| r.current).map(|r| r.number)
    }

    /// Fraction of desired replicas updated and available (0.0–1.0) for a gauge.
    pub fn progress(&self) -> f64 {
        if self.desired <= 0 {
            return if self.replicas == 0 { 1.0 } else { 0.0 };
        }
        let done = self.updated.min(self.available).max(0);
        (f64::from(done) / f64::from(self.desired)).min(1.0)
    }
}

/// `kubectl rollout history`: one row per revision, ascending. When two ReplicaSets claim
/// one revision (which kubectl's map would collapse), the later in the list wins, as in
/// kubectl.
pub fn history(sets: &[ReplicaSetFacts]) -> Vec<Revision> {
    let mut by_rev: std::collections::BTreeMap<i64, &ReplicaSetFacts> = Default::default();
    for rs in sets {
        if let Some(n) = rs.revision {
            by_rev.insert(n, rs);
        }
    }
    by_rev
        .into_iter()
        .map(|(number, rs)| Revision {
            number,
            replica_set: rs.name.clone(),
            images: rs.images.clone(),
            change_cause: rs.change_cause.clone(),
            created: rs.created,
            replicas: rs.replicas,
            current: rs.matches_template,
        })
        .collect()
}

/// The Progressing condition reason of a rollout past its deadline.
pub const PROGRESS_DEADLINE_EXCEEDED: &str = "ProgressDeadlineExceeded";

/// `kubectl rollout status` on one observation of the Deployment.
pub fn rollout_status(d: &DeploymentFacts) -> RolloutStatus {
    let name = &d.name;
    if d.generation > d.observed_generation {
        return RolloutStatus::Progressing {
            message: "Waiting for deployment spec update to be observed...".into(),
        };
    }
    if d.conditions
        .iter()
        .any(|c| c.type_ == "Progressing" && c.reason == PROGRESS_DEADLINE_EXCEEDED)
    {
        return RolloutStatus::Failed {
            message: format!("deployment {name:?} exceeded its progress deadline"),
        };
    }
    if let Some(desired) = d.desired
        && d.updated < desired
    {
        return RolloutStatus::Progressing {
            message: format!(
                "Waiting for deployment {name:?} rollout to finish: {} out of {desired} new replicas have been updated...",
                d.updated
            ),
        };
    }
    if d.replicas > d.updated {
        return RolloutStatus::Progressing {
            message: format!(
                "Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...",
                d.replicas - d.updated
            ),
        };
    }
    if d.available < d.updated {
        return RolloutStatus::Progressing {
            message: format!(
                "Waiting for deployment {name:?} rollout to finish: {} of {} updated replicas are available...",
                d.available, d.updated
            ),
        };
    }
    RolloutStatus::Complete {
        message: format!("deployment {name:?} successfully rolled out"),
    }
}

/// Why `rollout undo` does nothing. Messages are kubectl's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UndoError {
    #[error("unable to find specified revision {0} in history")]
    RevisionNotFound(i64),
    #[error("no rollout history found for deployment {0:?}")]
    NoHistory(String),
    /// kubectl 1.32's words (later versions name the deployment in the hint).
    #[error(
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"
    )]
    Paused(String),
}

/// What `rollout undo` will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoChoice {
    /// Restore the template of the ReplicaSet at this index of the input.
    Rollback { index: usize, revision: i64 },
    /// Nothing to do: `skipped rollback (current template already matches revision N)`,
    /// where N is the requested revision (0 for "previous"), as kubectl prints it.
    Skip { message: String },
}

/// kubectl's choice: `to_revision` 0 means the previous revision (the second-highest
/// revision number among the controlled ReplicaSets); the missing-revision error comes
/// before the paused refusal, which comes before the already-matches skip.
pub fn choose_undo_revision(
    deployment: &str,
    paused: bool,
    sets: &[ReplicaSetFacts],
    to_revision: i64,
) -> Result<UndoChoice, UndoError> {
    if to_revision < 0 {
        return Err(UndoError::RevisionNotFound(to_revision));
    }
    let mut found: Option<usize> = None;
    let (mut latest, mut latest_i) = (-1i64, None::<usize>);
    let (mut previous, mut previous_i) = (-1i64, None::<usize>);
    for (i, rs) in sets.iter().enumerate() {
        let Some(v) = rs.revision else { continue };
        if to_revision == 0 {
            if latest < v {
                previous = latest;
                previous_i = latest_i;
                latest = v;
                latest_i = Some(i);
            } else if previous < v {
                previous = v;
                previous_i = Some(i);
            }
        } else if to_revision == v {
            found = Some(i);
            break;
        }
    }
    let index = if to_revision > 0 {
        found.ok_or(UndoError::RevisionNotFound(to_revision))?
    } else {
        previous_i.ok_or_else(|| UndoError::NoHistory(deployment.to_string()))?
    };
    if paused {
        return Err(UndoError::Paused(deployment.to_string()));
    }
    if sets[index].matches_template {
        return Ok(UndoChoice::Skip {
            message: format!(
                "skipped rollback (current template already matches revision {to_revision})"
            ),
        });
    }
    let revision = sets[index].revision.unwrap_or(to_revision);
    Ok(UndoChoice::Rollback { index, revision })
}

/// Annotations kubectl keeps from the Deployment (and never copies from the ReplicaSet)
/// when rolling back (`annotationsToSkip`).
pub const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// The Deployment annotations after a rollback: the skipped ones from the Deployment, every
/// other one from the ReplicaSet (annotations only on the Deployment are dropped).
pub fn rollback_annotations<'a>(
    deployment: impl IntoIterator<Item = (&'a String, &'a String)>,
    replica_set: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in deployment {
        if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in replica_set {
        if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(name: &str, rev: Option<i64>, current: bool) -> ReplicaSetFacts {
        ReplicaSetFacts {
            name: name.into(),
            revision: rev,
            images: vec![format!("shop/web:{name}")],
            matches_template: current,
            ..ReplicaSetFacts::default()
        }
    }

    #[test]
    fn undo_picks_like_kubectl() {
        let sets = vec![
            rs("a", Some(1), false),
            rs("c", Some(3), true),
            rs("x", None, false),
            rs("b", Some(2), false),
        ];
        assert_eq!(
            choose_undo_revision("web", false, &sets, 0),
            Ok(UndoChoice::Rollback {
                index: 3,
                revision: 2
            })
        );
        assert_eq!(
            choose_undo_revision("web", false, &sets, 1),
            Ok(UndoChoice::Rollback {
                index: 0,
                revision: 1
            })
        );
        assert_eq!(
            choose_undo_revision("web", false, &sets, 3),
            Ok(UndoChoice::Skip {
                message: "skipped rollback (current template already matches revision 3)".into()
            })
        );
        assert_eq!(
            choose_undo_revision("web", false, &sets, 9)
                .unwrap_err()
                .to_string(),
            "unable to find specified revision 9 in history"
        );
        // A missing revision is reported before the paused refusal.
        assert_eq!(
            choose_undo_revision("web", true, &sets, 9),
            Err(UndoError::RevisionNotFound(9))
        );
        assert_eq!(
            choose_undo_revision("web", true, &sets, 0),
            Err(UndoError::Paused("web".into()))
        );
        assert_eq!(
            choose_undo_revision("web", false, &sets[1..2], 0)
                .unwrap_err()
                .to_string(),
            "no rollout history found for deployment \"web\""
        );
    }

    #[test]
    fn status_lines_like_kubectl() {
        let mut d = DeploymentFacts {
            name: "web".into(),
            generation: 2,
            observed_generation: 1,
            desired: Some(3),
            ..DeploymentFacts::default()
        };
        assert_eq!(
            rollout_status(&d).message(),
            "Waiting for deployment spec update to be observed..."
        );
        d.observed_generation = 2;
        d.replicas = 4;
        d.updated = 1;
        assert_eq!(
            rollout_status(&d).message(),
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."
        );
        d.updated = 3;
        assert_eq!(
            rollout_status(&d).message(),
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."
        );
        d.replicas = 3;
        d.available = 2;
        assert_eq!(
            rollout_status(&d).message(),
            "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available..."
        );
        d.available = 3;
        assert!(matches!(rollout_status(&d), RolloutStatus::Complete { .. }));
        d.conditions.push(Condition {
            type_: "Progressing".into(),
            status: "False".into(),
            reason: PROGRESS_DEADLINE_EXCEEDED.into(),
            message: String::new(),
        });
        assert_eq!(
            rollout_status(&d),
            RolloutStatus::Failed {
                message: "deployment \"web\" exceeded its progress deadline".into()
            }
        );
    }

    #[test]
    fn history_and_view() {
        let sets = vec![
            rs("b", Some(2), true),
            rs("a", Some(1), false),
            rs("z", None, false),
        ];
        let d = DeploymentFacts {
            name: "web".into(),
            desired: Some(4),
            updated: 4,
            available: 2,
            replicas: 4,
            ..DeploymentFacts::default()
        };
        let v = RolloutView::build(&d, &sets);
        assert_eq!(
            v.revisions.iter().map(|r| r.number).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(v.current_revision(), Some(2));
        assert!((v.progress() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn annotations_kept_and_dropped_like_kubectl() {
        let s = |k: &str, v: &str| (k.to_string(), v.to_string());
        let dep: Vec<(String, String)> = vec![
            s("deployment.kubernetes.io/revision", "3"),
            s("team", "checkout"),
            s("kubectl.kubernetes.io/last-applied-configuration", "{}"),
        ];
        let rs: Vec<(String, String)> = vec![
            s("deployment.kubernetes.io/revision", "1"),
            s("deployment.kubernetes.io/desired-replicas", "3"),
            s("kubernetes.io/change-cause", "deploy 1.0"),
        ];
        let out = rollback_annotations(
            dep.iter().map(|(a, b)| (a, b)),
            rs.iter().map(|(a, b)| (a, b)),
        );
        let keys: Vec<&str> = out.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "deployment.kubernetes.io/revision",
                "kubectl.kubernetes.io/last-applied-configuration",
                "kubernetes.io/change-cause"
            ]
        );
        assert_eq!(out["deployment.kubernetes.io/revision"], "3");
    }
}

//! The steps of a cluster action as the console drives them, as plain data: the RBAC
//! preflight verdict, the dry-run plan with its diff, the result, the rollout followed to
//! its end, and why an action did not happen. The kube adapter produces these; the
//! reducer matches on them.

use serde::{Deserialize, Serialize};

use super::diff::Diff;
use super::rollout::{DeploymentFacts, RolloutStatus, UndoError};

/// Why an action did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("read-only mode: {0} would change the cluster (started with --read-only)")]
    ReadOnly(String),
    /// kubectl's own refusals of `rollout undo`.
    #[error(transparent)]
    Undo(#[from] UndoError),
    /// kubectl's refusals of the other actions (`… is already paused`, …).
    #[error("{0}")]
    Refused(String),
    #[error("the lease is for {held}, not {wanted}")]
    WrongLease { held: String, wanted: String },
    #[error("gave up after {0} attempts: the object kept changing under us (409 Conflict)")]
    Conflict(u32),
    /// The request got no answer within the client's request timeout (a partition, a
    /// stopped server): not retried, the partition will not heal in milliseconds.
    #[error(
        "{what}: no answer from the API server{at} within the request timeout (--request-timeout, 10 s by default)",
        at = server_at(.server)
    )]
    TimedOut {
        what: String,
        /// The API server's URL (empty until the caller that knows it fills it in with
        /// [`ActionError::at_server`]).
        server: String,
    },
    #[error("{what}: {message}")]
    Api {
        what: String,
        message: String,
        code: Option<u16>,
    },
}

impl ActionError {
    /// Names the API server a time-out was waiting for (other errors are unchanged).
    pub fn at_server(self, url: &str) -> ActionError {
        match self {
            ActionError::TimedOut { what, .. } => ActionError::TimedOut {
                what,
                server: url.to_string(),
            },
            other => other,
        }
    }
}

/// ` at URL` for an error message, nothing when the URL is not known.
pub fn server_at(url: &str) -> String {
    if url.is_empty() {
        String::new()
    } else {
        format!(" at {url}")
    }
}

/// One access the action needs, and the server's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessCheck {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub allowed: bool,
    /// The authorizer's reason, when it gave one.
    pub reason: String,
}

impl AccessCheck {
    /// `patch deployments.apps/scale`.
    pub fn describe(&self) -> String {
        let mut r = self.resource.clone();
        if !self.group.is_empty() {
            r = format!("{r}.{}", self.group);
        }
        if !self.subresource.is_empty() {
            r = format!("{r}/{}", self.subresource);
        }
        format!("{} {r}", self.verb)
    }
}

/// The RBAC preflight verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preflight {
    Allowed {
        checks: Vec<AccessCheck>,
    },
    /// Never offer the action as if it would work; show `reason`.
    Denied {
        reason: String,
        checks: Vec<AccessCheck>,
    },
}

impl Preflight {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Preflight::Allowed { .. })
    }
}

/// What the action would do, from a server dry-run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Planned {
    Change {
        diff: Diff,
        /// The kubectl command doing the same.
        kubectl: String,
    },
    /// Nothing to do (kubectl's `skipped rollback (…)`, no change to the image, …).
    Skip { message: String },
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Executed {
    /// kubectl's output line, e.g. `deployment.apps/web rolled back`.
    pub message: String,
    pub skipped: bool,
    /// Requests sent before one succeeded (1 without conflicts).
    pub attempts: u32,
}

/// How following a rollout ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FollowOutcome {
    Complete {
        message: String,
    },
    /// `ProgressDeadlineExceeded`.
    Failed {
        message: String,
    },
    TimedOut {
        last: String,
    },
}

/// Progress while following a rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FollowProgress {
    Observed {
        facts: DeploymentFacts,
        status: RolloutStatus,
    },
    /// The watch failed; it is retried with back-off.
    WatchError { error: String },
}

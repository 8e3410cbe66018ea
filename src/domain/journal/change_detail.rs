//! What a cluster change did, as the report's "Changes made" section tells it: where the
//! change was made from, the revision and image before and after, who confirmed it and what
//! the operator saw before confirming.

use serde::{Deserialize, Serialize};

/// Optional detail of a [`ClusterActionRequested`](super::Entry::ClusterActionRequested).
/// Every field is optional so that older journals (written before the detail existed) and
/// paths that do not know a field still load.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeDetail {
    /// Where the change was made from: `rollout pane`, `actions menu`, `step #12`,
    /// `runbook view: Option B`, `backout undo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_revision: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_revision: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_image: Option<String>,
    /// Who confirmed (the operator's identity), when the path asked for a confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
    /// What the operator saw before confirming: `server dry-run + diff`, `client dry-run`,
    /// `preview of POST /deployment/rollback`; `None` when nothing was previewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previewed: Option<String>,
}

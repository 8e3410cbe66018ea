//! Which workload an action or a view is about.

use serde::{Deserialize, Serialize};

/// A Deployment in a namespace, in a kubeconfig context (`None`: the current context).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub context: Option<String>,
    pub namespace: String,
    pub deployment: String,
}

impl Target {
    pub fn new(namespace: impl Into<String>, deployment: impl Into<String>) -> Self {
        Self {
            context: None,
            namespace: namespace.into(),
            deployment: deployment.into(),
        }
    }

    /// `deployment.apps/NAME`, as kubectl names it in its output.
    pub fn display_name(&self) -> String {
        format!("deployment.apps/{}", self.deployment)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(c) = &self.context {
            write!(f, "{c}/")?;
        }
        write!(f, "{}/{}", self.namespace, self.deployment)
    }
}

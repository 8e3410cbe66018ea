//! The Argo CD application that manages a Deployment, from the API's application list:
//! its sync and health status and whether automated sync and self-heal are on (what the
//! header shows, and what the auto-sync guard warns about).

use serde_json::Value;

/// The Argo CD application managing the console's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoAppStatus {
    pub name: String,
    pub sync: String,
    pub health: String,
    /// The revision synced (short SHA).
    pub revision: String,
    pub auto_sync: bool,
    pub self_heal: bool,
}

impl ArgoAppStatus {
    /// The Rollout pane's line: `Argo CD checkout-api: Synced 1a2b3c4 · Healthy ·
    /// auto-sync + self-heal` (short: the pane is narrow).
    pub fn line(&self) -> String {
        let policy = match (self.auto_sync, self.self_heal) {
            (true, true) => "auto-sync + self-heal",
            (true, false) => "auto-sync, no self-heal",
            _ => "auto-sync off",
        };
        let rev = if self.revision.is_empty() {
            String::new()
        } else {
            format!(" {}", self.revision)
        };
        format!(
            "Argo CD {}: {}{rev} · {} · {policy}",
            self.name, self.sync, self.health
        )
    }

    /// Automated sync with self-heal: a change made by hand is reverted.
    pub fn reverts_drift(&self) -> bool {
        self.auto_sync && self.self_heal
    }
}

/// Of an `ApplicationList` (`GET /api/v1/applications`), the application whose managed
/// resources include Deployment `namespace/deployment`.
pub fn managing(list: &Value, namespace: &str, deployment: &str) -> Option<ArgoAppStatus> {
    list["items"].as_array()?.iter().find_map(|app| {
        let manages = app["status"]["resources"].as_array()?.iter().any(|r| {
            r["kind"] == "Deployment" && r["namespace"] == namespace && r["name"] == deployment
        });
        manages.then(|| of(app))
    })
}

/// One application's status.
pub fn of(app: &Value) -> ArgoAppStatus {
    let automated = &app["spec"]["syncPolicy"]["automated"];
    let auto_sync = automated.is_object() && automated["enabled"].as_bool() != Some(false);
    let text = |v: &Value| v.as_str().unwrap_or("Unknown").to_string();
    let revision = app["status"]["sync"]["revision"]
        .as_str()
        .unwrap_or_default();
    ArgoAppStatus {
        name: app["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        sync: text(&app["status"]["sync"]["status"]),
        health: text(&app["status"]["health"]["status"]),
        revision: revision[..revision.len().min(7)].to_string(),
        auto_sync,
        self_heal: auto_sync && automated["selfHeal"].as_bool() == Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_application_managing_the_deployment_with_its_policy() {
        let list = json!({"items": [
            {"metadata": {"name": "other"}, "status": {"resources": [{"kind": "Deployment", "namespace": "checkout", "name": "cart"}]}},
            {"metadata": {"name": "checkout-api"},
             "spec": {"syncPolicy": {"automated": {"prune": true, "selfHeal": true}}},
             "status": {"resources": [{"kind": "Deployment", "namespace": "checkout", "name": "checkout-api"}],
                        "sync": {"status": "Synced", "revision": "0123456789abcdef"},
                        "health": {"status": "Degraded"}}},
        ]});
        let s = managing(&list, "checkout", "checkout-api").expect("managed");
        assert_eq!(
            s.line(),
            "Argo CD checkout-api: Synced 0123456 · Degraded · auto-sync + self-heal"
        );
        assert!(s.reverts_drift());
        assert_eq!(managing(&list, "checkout", "web"), None);
        let manual = of(&json!({"metadata": {"name": "a"}, "spec": {}}));
        assert!(!manual.reverts_drift());
        assert_eq!(
            manual.line(),
            "Argo CD a: Unknown · Unknown · auto-sync off"
        );
    }
}

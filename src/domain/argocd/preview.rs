//! What a mutating `argocd app` line will do, shown before the typed confirmation: the
//! commit it goes to (SHA, message, author, date, from the repository's metadata) and, per
//! managed Deployment, the image and environment before and after (from the manifests of
//! the synced and the target revision); and the journal's change detail.

use serde_json::Value;

use super::command::{ArgoCommand, SyncPolicyChange};
use crate::domain::journal::ChangeDetail;

/// The revision a mutating command moves the application to (`None`: the command does not
/// move it, e.g. a sync-policy change), or why it cannot be known.
pub fn destination_revision(cmd: &ArgoCommand, app: &Value) -> Result<Option<String>, String> {
    let history = app["status"]["history"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let name = app["metadata"]["name"].as_str().unwrap_or_default();
    match cmd {
        ArgoCommand::Rollback { id, .. } => {
            // `findRevisionHistory` in cmd/argocd/commands/app.go.
            let entry = match id {
                None if history.len() < 2 => {
                    return Err(format!(
                        "application '{name}' should have at least two successful deployments"
                    ));
                }
                None => history.get(history.len() - 2),
                Some(id) => history.iter().find(|h| h["id"].as_i64() == Some(*id)),
            };
            let entry = entry.ok_or_else(|| {
                format!(
                    "application '{name}' does not have deployment id '{}' in history",
                    id.unwrap_or(-1)
                )
            })?;
            Ok(entry["revision"].as_str().map(str::to_string))
        }
        ArgoCommand::SetRevision { revision, .. } => Ok(Some(revision.clone())),
        ArgoCommand::Sync { revision, .. } => Ok(Some(revision.clone().unwrap_or_else(|| {
            match app["spec"]["source"]["targetRevision"].as_str() {
                Some(r) if !r.is_empty() => r.to_string(),
                _ => "HEAD".into(),
            }
        }))),
        _ => Ok(None),
    }
}

/// The revision the cluster runs now (the last sync's).
pub fn current_revision(app: &Value) -> Option<String> {
    app["status"]["operationState"]["syncResult"]["revision"]
        .as_str()
        .or(app["status"]["sync"]["revision"].as_str())
        .map(str::to_string)
}

/// One managed container as a manifest renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub deployment: String,
    pub image: String,
    pub env: Vec<(String, String)>,
}

/// The Deployments of a `GetManifests` answer (each manifest a JSON string).
pub fn rendered(manifests: &Value) -> Vec<Rendered> {
    manifests["manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| serde_json::from_str::<Value>(m.as_str()?).ok())
        .filter(|m| m["kind"] == "Deployment")
        .map(|m| {
            let ns = m["metadata"]["namespace"].as_str().unwrap_or_default();
            let name = m["metadata"]["name"].as_str().unwrap_or_default();
            let c = &m["spec"]["template"]["spec"]["containers"][0];
            Rendered {
                deployment: format!("{ns}/{name}"),
                image: c["image"].as_str().unwrap_or_default().to_string(),
                env: c["env"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| {
                        Some((
                            e["name"].as_str()?.to_string(),
                            e["value"].as_str()?.to_string(),
                        ))
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The preview lines and the journal's change detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub lines: Vec<String>,
    pub change: ChangeDetail,
}

/// Builds the preview of `cmd` on `app`: `meta` is the destination commit's
/// `RevisionMetadata`, `from`/`to` the manifests now and after (absent for commands that do
/// not move the revision).
pub fn preview(
    cmd: &ArgoCommand,
    app: &Value,
    to_revision: Option<&str>,
    meta: Option<&Value>,
    from: &[Rendered],
    to: &[Rendered],
) -> Preview {
    let name = app["metadata"]["name"].as_str().unwrap_or_default();
    let mut lines = Vec::new();
    let automated = &app["spec"]["syncPolicy"]["automated"];
    let auto_on = automated.is_object() && automated["enabled"].as_bool() != Some(false);
    let mut change = ChangeDetail {
        previewed: Some("Argo CD revision metadata and manifests".into()),
        ..ChangeDetail::default()
    };
    match cmd {
        ArgoCommand::SetSyncPolicy { change: c, .. } => {
            let now = if auto_on {
                format!(
                    "automated (prune: {}, self-heal: {})",
                    automated["prune"].as_bool().unwrap_or(false),
                    automated["selfHeal"].as_bool().unwrap_or(false)
                )
            } else {
                "manual".into()
            };
            let after = match c {
                SyncPolicyChange::Manual => "manual (no auto-sync, no self-heal)".to_string(),
                SyncPolicyChange::Automated { self_heal, prune } => format!(
                    "automated (prune: {}, self-heal: {})",
                    prune.unwrap_or(automated["prune"].as_bool().unwrap_or(false)),
                    self_heal.unwrap_or(automated["selfHeal"].as_bool().unwrap_or(false))
                ),
            };
            lines.push(format!("Application {name}: sync policy {now} → {after}"));
            change.previewed = Some("Argo CD application spec".into());
        }
        _ => {
            let sha = to_revision.unwrap_or_default();
            let short = &sha[..sha.len().min(7)];
            let what = match cmd {
                ArgoCommand::Rollback { .. } => "roll back to",
                ArgoCommand::SetRevision { .. } => "set targetRevision to",
                _ => "sync to",
            };
            lines.push(format!("Application {name}: {what} commit {short}"));
            if let Some(m) = meta {
                let message = m["message"].as_str().unwrap_or_default();
                let first = message.lines().next().unwrap_or_default();
                lines.push(format!("  \"{first}\""));
                lines.push(format!(
                    "  by {} at {}",
                    m["author"].as_str().unwrap_or_default(),
                    m["date"].as_str().unwrap_or_default()
                ));
            }
            for t in to {
                let before = from.iter().find(|f| f.deployment == t.deployment);
                let from_image = before.map_or("(not deployed)", |b| b.image.as_str());
                if from_image == t.image {
                    lines.push(format!(
                        "  Deployment {}: image {} (unchanged)",
                        t.deployment, t.image
                    ));
                } else {
                    lines.push(format!(
                        "  Deployment {}: image {from_image} → {}",
                        t.deployment, t.image
                    ));
                }
                let before_env = before.map(|b| b.env.clone()).unwrap_or_default();
                for (k, v) in &t.env {
                    match before_env.iter().find(|(bk, _)| bk == k) {
                        Some((_, bv)) if bv == v => {}
                        Some((_, bv)) => lines.push(format!("    env {k}: {bv} → {v}")),
                        None => lines.push(format!("    env {k}: (unset) → {v}")),
                    }
                }
                for (k, _) in before_env
                    .iter()
                    .filter(|(k, _)| !t.env.iter().any(|(tk, _)| tk == k))
                {
                    lines.push(format!("    env {k}: removed"));
                }
                if change.to_image.is_none() {
                    change.from_image = before.map(|b| b.image.clone());
                    change.to_image = Some(t.image.clone());
                }
            }
            if auto_on && !matches!(cmd, ArgoCommand::SetRevision { .. }) {
                lines.push(format!(
                    "  Auto-sync is on: Argo CD will refuse this (`argocd app set {name} --sync-policy none` first)."
                ));
            }
        }
    }
    Preview { lines, change }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app() -> Value {
        json!({
            "metadata": {"name": "checkout-api"},
            "spec": {"source": {"targetRevision": "HEAD"}},
            "status": {
                "history": [{"id": 0, "revision": "aaaaaaa1111"}, {"id": 1, "revision": "bbbbbbb2222"}, {"id": 2, "revision": "ccccccc3333"}],
                "operationState": {"syncResult": {"revision": "ccccccc3333"}},
            }
        })
    }

    #[test]
    fn rollback_goes_to_the_id_or_the_previous_deployment() {
        let cmd = |id| ArgoCommand::Rollback {
            app: "checkout-api".into(),
            id,
            prune: false,
        };
        assert_eq!(
            destination_revision(&cmd(Some(0)), &app()),
            Ok(Some("aaaaaaa1111".into()))
        );
        assert_eq!(
            destination_revision(&cmd(None), &app()),
            Ok(Some("bbbbbbb2222".into()))
        );
        assert_eq!(
            destination_revision(&cmd(Some(9)), &app()),
            Err("application 'checkout-api' does not have deployment id '9' in history".into())
        );
        assert_eq!(current_revision(&app()).as_deref(), Some("ccccccc3333"));
    }

    #[test]
    fn the_preview_names_the_commit_and_each_images_and_env_change() {
        let m = |image: &str, env: &[(&str, &str)]| {
            json!({"manifests": [json!({"kind": "Deployment", "metadata": {"name": "checkout-api", "namespace": "checkout"},
                "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image,
                    "env": env.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>()}]}}}}).to_string()]})
        };
        let from = rendered(&m("reg/checkout-api:1.6.0", &[("LOG_LEVEL", "debug")]));
        let to = rendered(&m(
            "reg/checkout-api:1.5.0",
            &[("LOG_LEVEL", "info"), ("RETRIES", "2")],
        ));
        let meta = json!({"author": "Dana <d@x>", "date": "2026-12-06T08:00:00Z", "message": "checkout-api: release 1.5.0\n\nbody"});
        let cmd = ArgoCommand::Rollback {
            app: "checkout-api".into(),
            id: Some(1),
            prune: false,
        };
        let p = preview(&cmd, &app(), Some("bbbbbbb2222"), Some(&meta), &from, &to);
        assert_eq!(
            p.lines,
            vec![
                "Application checkout-api: roll back to commit bbbbbbb",
                "  \"checkout-api: release 1.5.0\"",
                "  by Dana <d@x> at 2026-12-06T08:00:00Z",
                "  Deployment checkout/checkout-api: image reg/checkout-api:1.6.0 → reg/checkout-api:1.5.0",
                "    env LOG_LEVEL: debug → info",
                "    env RETRIES: (unset) → 2",
            ]
        );
        assert_eq!(
            p.change.from_image.as_deref(),
            Some("reg/checkout-api:1.6.0")
        );
        assert_eq!(p.change.to_image.as_deref(), Some("reg/checkout-api:1.5.0"));
    }

    #[test]
    fn a_sync_policy_change_says_what_turns_off() {
        let mut a = app();
        a["spec"]["syncPolicy"] = json!({"automated": {"prune": true, "selfHeal": true}});
        let cmd = ArgoCommand::SetSyncPolicy {
            app: "checkout-api".into(),
            change: SyncPolicyChange::Manual,
        };
        let p = preview(&cmd, &a, None, None, &[], &[]);
        assert_eq!(
            p.lines,
            vec![
                "Application checkout-api: sync policy automated (prune: true, self-heal: true) → manual (no auto-sync, no self-heal)"
            ]
        );
    }
}

//! Runs a parsed `argocd app …` line against the API: read-only lines print what the CLI
//! prints; a mutating line is first prepared (its preview), then executed and followed
//! until the operation has ended and the application is Healthy (or Degraded, with the
//! reason), printing the CLI's final status.

use std::time::Duration;

use serde_json::{Value, json};

use super::client::{ArgoError, ArgoServer};
use crate::domain::argocd::cli_output;
use crate::domain::argocd::preview::{self, Preview};
use crate::domain::argocd::{ArgoCommand, ArgoLine, SyncPolicyChange};

/// What an executed line printed, and whether it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub output: Vec<String>,
    pub ok: bool,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// `history`, `get` and `wait` (the other commands are mutating: [`prepare`], [`execute`]).
pub async fn run_read(
    server: &ArgoServer,
    line: &ArgoLine,
    poll: Duration,
) -> Result<Outcome, ArgoError> {
    let app = server.get_app(line.command.app()).await?;
    match &line.command {
        ArgoCommand::History { .. } => Ok(Outcome {
            output: lines(&cli_output::history(&app)),
            ok: true,
        }),
        ArgoCommand::Get { .. } => Ok(Outcome {
            output: lines(&cli_output::get(&app, &server.address)),
            ok: true,
        }),
        ArgoCommand::Wait {
            health,
            sync,
            operation,
            ..
        } => {
            wait(
                server,
                line,
                Watch {
                    health: *health,
                    sync: *sync,
                    operation: *operation,
                },
                poll,
            )
            .await
        }
        _ => Err(ArgoError::Command(
            "a mutating line: prepare and execute it".into(),
        )),
    }
}

/// The preview of a mutating line.
pub async fn prepare(server: &ArgoServer, cmd: &ArgoCommand) -> Result<Preview, ArgoError> {
    let name = cmd.app();
    let app = server.get_app(name).await?;
    let to = preview::destination_revision(cmd, &app).map_err(ArgoError::Command)?;
    let Some(to) = to else {
        return Ok(preview::preview(cmd, &app, None, None, &[], &[]));
    };
    let meta = server.revision_metadata(name, &to).await?;
    let to_manifests = server.manifests(name, &to).await?;
    let from = match preview::current_revision(&app) {
        Some(r) => preview::rendered(&server.manifests(name, &r).await?),
        None => Vec::new(),
    };
    let sha = to_manifests["revision"].as_str().unwrap_or(&to).to_string();
    Ok(preview::preview(
        cmd,
        &app,
        Some(&sha),
        Some(&meta),
        &from,
        &preview::rendered(&to_manifests),
    ))
}

/// What a wait waits for (`watchOpts`).
#[derive(Debug, Clone, Copy)]
struct Watch {
    health: bool,
    sync: bool,
    operation: bool,
}

/// Runs a mutating line (after its confirmation) and follows it.
pub async fn execute(
    server: &ArgoServer,
    line: &ArgoLine,
    poll: Duration,
) -> Result<Outcome, ArgoError> {
    let name = line.command.app();
    match &line.command {
        ArgoCommand::Rollback { id, prune, .. } => {
            let app = server.get_app(name).await?;
            let history = app["status"]["history"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let id = match id {
                Some(id) => *id,
                None => {
                    let rev = preview::destination_revision(&line.command, &app)
                        .map_err(ArgoError::Command)?;
                    history
                        .iter()
                        .find(|h| h["revision"].as_str() == rev.as_deref())
                        .and_then(|h| h["id"].as_i64())
                        .unwrap_or(-1)
                }
            };
            server.rollback(name, id, *prune).await?;
            wait(
                server,
                line,
                Watch {
                    health: true,
                    sync: false,
                    operation: true,
                },
                poll,
            )
            .await
        }
        ArgoCommand::Sync {
            revision,
            prune,
            dry_run,
            ..
        } => {
            server
                .sync(name, revision.as_deref(), *prune, *dry_run)
                .await?;
            wait(
                server,
                line,
                Watch {
                    health: true,
                    sync: revision.is_none(),
                    operation: true,
                },
                poll,
            )
            .await
        }
        ArgoCommand::SetRevision { revision, .. } => {
            let app = server.get_app(name).await?;
            let mut spec = app["spec"].clone();
            spec["source"]["targetRevision"] = json!(revision);
            server.update_spec(name, spec).await?;
            Ok(Outcome {
                output: Vec::new(),
                ok: true,
            })
        }
        ArgoCommand::SetSyncPolicy { change, .. } => {
            let app = server.get_app(name).await?;
            let spec = with_sync_policy(&app["spec"], change);
            server.update_spec(name, spec).await?;
            Ok(Outcome {
                output: Vec::new(),
                ok: true,
            })
        }
        _ => run_read(server, line, poll).await,
    }
}

/// `argocd app set --sync-policy` on a spec (`cmd/util/app.go` `SetAppSpecOptions`).
pub fn with_sync_policy(spec: &Value, change: &SyncPolicyChange) -> Value {
    let mut spec = spec.clone();
    match change {
        SyncPolicyChange::Manual => {
            if let Some(p) = spec["syncPolicy"].as_object_mut() {
                p.remove("automated");
                if p.is_empty()
                    && let Some(s) = spec.as_object_mut()
                {
                    s.remove("syncPolicy");
                }
            }
        }
        SyncPolicyChange::Automated { self_heal, prune } => {
            if !spec["syncPolicy"].is_object() {
                spec["syncPolicy"] = json!({});
            }
            if !spec["syncPolicy"]["automated"].is_object() {
                spec["syncPolicy"]["automated"] = json!({});
            }
            let a = &mut spec["syncPolicy"]["automated"];
            if let Some(h) = self_heal {
                a["selfHeal"] = json!(h);
            }
            if let Some(p) = prune {
                a["prune"] = json!(p);
            }
        }
    }
    spec
}

/// `waitOnApplicationStatus`: polls until the watched conditions hold (then prints the
/// final status), health turns Degraded (fails with the CLI's message) or `--timeout`.
async fn wait(
    server: &ArgoServer,
    line: &ArgoLine,
    w: Watch,
    poll: Duration,
) -> Result<Outcome, ArgoError> {
    let name = line.command.app();
    let started = tokio::time::Instant::now();
    let mut prev_health: Option<String> = None;
    loop {
        let app = server.get_app(name).await?;
        let health = app["status"]["health"]["status"]
            .as_str()
            .unwrap_or("Unknown")
            .to_string();
        let sync = app["status"]["sync"]["status"].as_str().unwrap_or_default();
        let operation_done = !app["operation"].is_object()
            && app["status"]["operationState"]["phase"].as_str() != Some("Running");
        if w.health
            && health == "Degraded"
            && prev_health
                .as_deref()
                .is_some_and(|p| p != "Degraded" && p != "Unknown")
        {
            let mut output = lines(&cli_output::final_status(
                &app,
                &server.address,
                w.operation,
            ));
            let reason = app["status"]["health"]["message"]
                .as_str()
                .unwrap_or_default();
            output.push(format!(
                "application '{name}' health state has transitioned from {} to Degraded{}",
                prev_health.unwrap_or_default(),
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                }
            ));
            return Ok(Outcome { output, ok: false });
        }
        let healthy = !w.health || health == "Healthy";
        let synced = !w.sync || sync == "Synced";
        let operational = !w.operation || operation_done;
        if healthy && synced && operational {
            let ok = !w.operation
                || matches!(
                    app["status"]["operationState"]["phase"].as_str(),
                    Some("Succeeded") | None
                );
            let mut output = lines(&cli_output::final_status(
                &app,
                &server.address,
                w.operation,
            ));
            if !ok {
                output.push(format!(
                    "Operation has completed with phase: {}",
                    app["status"]["operationState"]["phase"]
                        .as_str()
                        .unwrap_or_default()
                ));
            }
            return Ok(Outcome { output, ok });
        }
        if line.timeout_secs > 0 && started.elapsed() >= Duration::from_secs(line.timeout_secs) {
            return Ok(Outcome {
                output: vec![format!(
                    "timed out ({}s) waiting for app \"{name}\" match desired state",
                    line.timeout_secs
                )],
                ok: false,
            });
        }
        prev_health = Some(health);
        tokio::time::sleep(poll).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_policy_none_removes_automated_and_an_empty_policy() {
        let spec = json!({"syncPolicy": {"automated": {"prune": true, "selfHeal": true}}});
        assert_eq!(
            with_sync_policy(&spec, &SyncPolicyChange::Manual),
            json!({})
        );
        let spec = json!({"syncPolicy": {"automated": {"prune": true}, "syncOptions": ["CreateNamespace=true"]}});
        assert_eq!(
            with_sync_policy(&spec, &SyncPolicyChange::Manual),
            json!({"syncPolicy": {"syncOptions": ["CreateNamespace=true"]}})
        );
        let on = with_sync_policy(
            &json!({}),
            &SyncPolicyChange::Automated {
                self_heal: Some(true),
                prune: None,
            },
        );
        assert_eq!(on, json!({"syncPolicy": {"automated": {"selfHeal": true}}}));
    }
}

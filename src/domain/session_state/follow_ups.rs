//! Follow-ups the session leaves behind: what someone must do after the incident because
//! of a change made during it. Today: an Argo CD application whose auto-sync was turned
//! off (`argocd app set APP --sync-policy none`, from a runbook line or the auto-sync
//! guard) and not turned back on in the session — "re-enable auto-sync on APP". The
//! report's *Follow-ups* reads them ([`FollowUps::list`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::argocd::{ArgoCommand, SyncPolicyChange, parse_argocd_line};
use crate::domain::journal::{Entry, Record};

/// One thing left to do after the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    /// What to do: `re-enable auto-sync on checkout-api`.
    pub text: String,
    /// When the change that calls for it was made, and by whom.
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The change itself (`argocd app set checkout-api --sync-policy none`).
    pub because: String,
    /// Where it was made from (`auto-sync guard, before: kubectl rollout undo …`, `step 2
    /// via argocd`), when the journal says.
    pub via: Option<String>,
}

/// The applications whose auto-sync is off, and where each action was requested from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FollowUps {
    /// Where the latest request of each cluster action came from.
    pub via_of: BTreeMap<String, Option<String>>,
    /// Every application whose auto-sync a successful `argocd app set --sync-policy none`
    /// turned off and no later `--sync-policy automated` turned back on, by name.
    pub auto_sync_off: BTreeMap<String, FollowUp>,
}

impl FollowUps {
    /// Folds one record.
    pub fn apply(&mut self, r: &Record) {
        match &r.entry {
            Entry::ClusterActionRequested { action, change, .. } => {
                self.via_of
                    .insert(action.clone(), change.as_ref().and_then(|c| c.via.clone()));
            }
            Entry::ClusterActionFinished {
                action, ok: true, ..
            } => {
                let Some(Ok(line)) = parse_argocd_line(action) else {
                    return;
                };
                let ArgoCommand::SetSyncPolicy { app, change } = line.command else {
                    return;
                };
                match change {
                    SyncPolicyChange::Manual => {
                        let via = self.via_of.get(action).cloned().flatten();
                        self.auto_sync_off.entry(app.clone()).or_insert(FollowUp {
                            text: format!("re-enable auto-sync on {app}"),
                            at: r.ts,
                            actor: r.actor.clone(),
                            because: action.clone(),
                            via,
                        });
                    }
                    SyncPolicyChange::Automated { .. } => {
                        self.auto_sync_off.remove(&app);
                    }
                }
            }
            _ => {}
        }
    }

    /// The follow-ups, oldest first.
    pub fn list(&self) -> Vec<FollowUp> {
        let mut list: Vec<FollowUp> = self.auto_sync_off.values().cloned().collect();
        list.sort_by_key(|f| f.at);
        list
    }
}

//! Follow-ups the session leaves behind: what someone must do after the incident because
//! of a change made during it. Today: an Argo CD application whose auto-sync was turned
//! off (`argocd app set APP --sync-policy none`, from a runbook line or the auto-sync
//! guard) and not turned back on in the session — "re-enable auto-sync on APP".

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::markdown_text::{code, inline, utc};
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

/// The follow-ups of a session: every application whose auto-sync a successful
/// `argocd app set --sync-policy none` turned off and no later `--sync-policy automated`
/// turned back on.
pub fn follow_ups(records: &[Record]) -> Vec<FollowUp> {
    let mut via_of: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut off: BTreeMap<String, FollowUp> = BTreeMap::new();
    for r in records {
        match &r.entry {
            Entry::ClusterActionRequested { action, change, .. } => {
                via_of.insert(action.clone(), change.as_ref().and_then(|c| c.via.clone()));
            }
            Entry::ClusterActionFinished {
                action, ok: true, ..
            } => {
                let Some(Ok(line)) = parse_argocd_line(action) else {
                    continue;
                };
                let ArgoCommand::SetSyncPolicy { app, change } = line.command else {
                    continue;
                };
                match change {
                    SyncPolicyChange::Manual => {
                        off.entry(app.clone()).or_insert(FollowUp {
                            text: format!("re-enable auto-sync on {app}"),
                            at: r.ts,
                            actor: r.actor.clone(),
                            because: action.clone(),
                            via: via_of.get(action).cloned().flatten(),
                        });
                    }
                    SyncPolicyChange::Automated { .. } => {
                        off.remove(&app);
                    }
                }
            }
            _ => {}
        }
    }
    let mut list: Vec<FollowUp> = off.into_values().collect();
    list.sort_by_key(|f| f.at);
    list
}

/// The report's `## Follow-ups` section (none when there are none).
pub(super) fn follow_ups_md(md: &mut String, list: &[FollowUp]) {
    if list.is_empty() {
        return;
    }
    md.push_str("## Follow-ups\n\n");
    for f in list {
        let via = f
            .via
            .as_ref()
            .map(|v| format!(", via {}", inline(v)))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "- [ ] {} — {} at {} by {}{via}",
            inline(&f.text),
            code(&f.because),
            utc(f.at),
            inline(&f.actor)
        );
    }
    md.push('\n');
}

#[cfg(test)]
mod tests {
    use super::super::tests::{ALICE, journal, report};
    use super::super::to_markdown;
    use crate::domain::journal::{ChangeDetail, Entry};

    const OFF: &str = "argocd app set checkout-api --sync-policy none";

    fn requested(action: &str, via: &str) -> Entry {
        Entry::ClusterActionRequested {
            action: action.into(),
            target: "argocd/checkout-api".into(),
            change: Some(ChangeDetail {
                via: Some(via.into()),
                ..ChangeDetail::default()
            }),
        }
    }

    fn finished(action: &str, ok: bool) -> Entry {
        Entry::ClusterActionFinished {
            action: action.into(),
            outcome: if ok { "done" } else { "permission denied" }.into(),
            ok,
        }
    }

    #[test]
    fn auto_sync_turned_off_is_a_follow_up_in_markdown_and_json() {
        let records = journal(vec![
            (
                10,
                ALICE,
                requested(
                    OFF,
                    "auto-sync guard, before: kubectl rollout undo deployment/checkout-api -n shop",
                ),
            ),
            (12, ALICE, finished(OFF, true)),
        ]);
        let r = report(&records, None);
        assert_eq!(r.follow_ups.len(), 1, "{:?}", r.follow_ups);
        assert_eq!(r.follow_ups[0].text, "re-enable auto-sync on checkout-api");
        let md = to_markdown(&r);
        assert!(
            md.contains(
                "## Follow-ups\n\n- [ ] re-enable auto-sync on checkout-api — `argocd app set checkout-api --sync-policy none` at 2026-11-22 01:52:15Z by alice@ops-laptop, via auto-sync guard, before: kubectl rollout undo deployment/checkout-api -n shop\n"
            ),
            "{md}"
        );
        let json = serde_json::to_value(&r).expect("serializes");
        assert_eq!(
            json["follow_ups"][0]["text"],
            "re-enable auto-sync on checkout-api"
        );
        assert_eq!(json["follow_ups"][0]["because"], OFF);
    }

    #[test]
    fn re_enabled_refused_or_never_turned_off_leaves_no_follow_up() {
        let on = "argocd app set checkout-api --sync-policy automated --self-heal";
        let records = journal(vec![
            (10, ALICE, requested(OFF, "step 2 via argocd")),
            (12, ALICE, finished(OFF, true)),
            (20, ALICE, requested(on, "step 5 via argocd")),
            (22, ALICE, finished(on, true)),
        ]);
        assert!(report(&records, None).follow_ups.is_empty());
        let records = journal(vec![
            (10, ALICE, requested(OFF, "step 2 via argocd")),
            (12, ALICE, finished(OFF, false)),
        ]);
        let r = report(&records, None);
        assert!(r.follow_ups.is_empty());
        assert!(!to_markdown(&r).contains("## Follow-ups"));
        let json = serde_json::to_value(&r).expect("serializes");
        assert!(json.get("follow_ups").is_none(), "absent when empty");
    }
}

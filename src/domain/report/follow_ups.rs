//! The report's *Follow-ups* section (derived by
//! [`crate::domain::session_state::follow_ups`]): what someone must do after the incident
//! because of a change made during it (today: re-enable an Argo CD application's
//! auto-sync the session turned off).

use std::fmt::Write as _;

use super::markdown_text::{code, inline, utc};

pub use crate::domain::session_state::follow_ups::FollowUp;

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

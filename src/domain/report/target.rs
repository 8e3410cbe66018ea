//! What a session worked on: `context/namespace/deployment`, so that sessions of four
//! runbooks all titled "Rollback Runbook" are told apart by their target. From the latest
//! `ConnectionSet` when the journal has one, else the first cluster action's target, else
//! the runbook's front matter.

use crate::domain::journal::Record;
use crate::domain::runbook::Runbook;
use crate::domain::session_state::SessionState;

/// The session's target, as `context/namespace/deployment` (missing parts left out),
/// from `records` (folded here; a caller holding the state uses [`target_of`]).
pub fn session_target(records: &[Record], runbook: Option<&Runbook>) -> Option<String> {
    target_of(&SessionState::replay(records), runbook)
}

/// The session's target, read from its state.
pub fn target_of(state: &SessionState, runbook: Option<&Runbook>) -> Option<String> {
    let connected = state
        .connection
        .as_ref()
        .and_then(|c| joined(&[&c.context, &c.namespace, &c.deployment]));
    let acted_on = || state.first_action_target.clone();
    let declared = || {
        let t = runbook?.front.as_ref()?.target.as_ref()?;
        joined(&[&t.context, &t.namespace, &t.deployment])
    };
    connected.or_else(acted_on).or_else(declared)
}

fn joined(parts: &[&Option<String>]) -> Option<String> {
    let present: Vec<&str> = parts
        .iter()
        .filter_map(|p| p.as_deref())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!present.is_empty()).then(|| present.join("/"))
}

/// A session's name for lists and headings: its runbook title and target
/// (`Rollback Runbook — prod-eu/shop/web`).
pub fn session_name(title: &str, target: Option<&str>) -> String {
    let title = if title.trim().is_empty() {
        "untitled session"
    } else {
        title
    };
    match target {
        Some(t) => format!("{title} — {t}"),
        None => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::Entry;
    use crate::domain::journal::testing::t0;
    use std::path::Path;

    fn rec(seq: u64, entry: Entry) -> Record {
        Record {
            seq,
            ts: t0(),
            actor: "alice@laptop".into(),
            entry,
            prev: String::new(),
            hash: String::new(),
        }
    }

    fn connection(context: Option<&str>, namespace: &str, deployment: &str) -> Entry {
        Entry::ConnectionSet {
            kubeconfig: None,
            context: context.map(Into::into),
            namespace: Some(namespace.into()),
            deployment: Some(deployment.into()),
            prometheus_url: None,
            theme: None,
            read_only: false,
            source: "inferred".into(),
        }
    }

    fn action(target: &str) -> Entry {
        Entry::ClusterActionRequested {
            action: "kubectl rollout undo deployment/web".into(),
            target: target.into(),
            change: None,
        }
    }

    const FRONT: &str = "---\nbackout: 1\ntarget: { context: prod-eu, namespace: shop, deployment: web }\n---\n# Rollback Runbook\n\n## Roll back\n\n- [ ] Undo the release\n";

    #[test]
    fn the_latest_connection_wins_then_the_cluster_action_then_the_front_matter() {
        let book = crate::domain::runbook::parse(Path::new("r.md"), FRONT).expect("loads");
        let records = [
            rec(1, action("sim/shop/web")),
            rec(2, connection(Some("prod-us"), "shop", "web")),
            rec(3, connection(None, "billing", "api")),
        ];
        assert_eq!(
            session_target(&records, Some(&book)).as_deref(),
            Some("billing/api")
        );
        assert_eq!(
            session_target(&records[..1], Some(&book)).as_deref(),
            Some("sim/shop/web")
        );
        assert_eq!(
            session_target(&[], Some(&book)).as_deref(),
            Some("prod-eu/shop/web")
        );
        assert_eq!(session_target(&[], None), None);
    }

    #[test]
    fn a_name_is_the_title_and_the_target() {
        assert_eq!(
            session_name("Rollback Runbook", Some("prod-eu/shop/web")),
            "Rollback Runbook — prod-eu/shop/web"
        );
        assert_eq!(session_name("", None), "untitled session");
    }
}

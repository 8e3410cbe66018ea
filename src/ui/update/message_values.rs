//! The values a message template's variables take in this session (`{service}`,
//! `{severity}`, `{from_revision}`, `{rollback_duration}`…): read from the runbook's
//! target, the live cluster and the journal's fold, for the built-in kinds' drafts and
//! the runbook's own templates alike.

use std::collections::BTreeMap;

use crate::ui::state::App;

/// The session's values for the template variables. Missing ones are left out (they
/// render as `‹unknown: …›`).
pub fn template_values(app: &App) -> BTreeMap<&'static str, String> {
    let mut v = BTreeMap::new();
    let target = app.runbook.front.as_ref().and_then(|f| f.target.as_ref());
    v.insert("incident_id", app.session.id.clone());
    v.insert("title", app.runbook.title.clone());
    if let Some(t) = target {
        let service = t.service.clone().or_else(|| t.deployment.clone());
        for (name, value) in [
            ("service", service),
            ("namespace", t.namespace.clone()),
            ("deployment", t.deployment.clone()),
        ] {
            if let Some(value) = value {
                v.insert(name, value);
            }
        }
    }
    if let Some(c) = &app.cluster {
        v.entry("namespace").or_insert_with(|| c.namespace.clone());
        v.entry("deployment")
            .or_insert_with(|| c.deployment.clone());
        v.entry("service").or_insert_with(|| c.deployment.clone());
        revisions(app, c, &mut v);
    }
    // The incident's severity is the worst the matrix reached this session: a rollback
    // notification sent after the errors cleared is still about a SEV-1.
    let worst = app
        .state
        .progress
        .severity_changes
        .iter()
        .filter_map(|c| c.to.as_deref())
        .filter_map(|s| crate::domain::decision::Severity::parse(s).ok())
        .max();
    if let Some(worst) = worst {
        v.insert("severity", worst.label().to_string());
    } else if let Some(d) = &app.severity.current {
        // Without a matrix verdict, the severity the operator declared (`S`).
        v.insert("severity", d.severity.clone());
    }
    if let Some(change) = app.state.progress.severity_changes.last() {
        let verdict = match (&change.to, &change.rule) {
            (Some(sev), Some(rule)) => format!("{sev} ({rule})"),
            (Some(sev), None) => sev.clone(),
            (None, _) => "nothing firing".to_string(),
        };
        v.insert("verdict", verdict);
    }
    if let Some(start) = app.state.progress.started_at {
        v.insert("started_at", start.format("%Y-%m-%d %H:%M:%SZ").to_string());
        let secs = (app.now - start).num_seconds().max(0) as u64;
        v.insert("elapsed", crate::domain::duration_text::compact(secs));
    }
    v.insert("now", app.now.format("%Y-%m-%d %H:%M:%SZ").to_string());
    if let Some(action) = app.state.progress.cluster_actions.last() {
        v.insert("confirmed_by", action.actor.clone());
        if let Some(done) = &action.finished {
            let ms = (done.at - action.requested_at).num_milliseconds().max(0) as u64;
            v.insert(
                "rollback_duration",
                crate::domain::duration_text::precise_ms(ms),
            );
        }
    }
    v
}

/// From/to revision and image: after a successful rollback the current revision is the
/// one rolled back to and the newest other one the bad one; before, the current one is
/// the bad one and the operator's selection the target.
fn revisions(
    app: &App,
    c: &crate::ui::state::cluster::LiveCluster,
    v: &mut BTreeMap<&'static str, String>,
) {
    let Some(rollout) = &c.rollout else {
        return;
    };
    let current = rollout.revisions.iter().find(|r| r.current);
    let rolled_back = app
        .state
        .progress
        .cluster_actions
        .iter()
        .any(|a| a.finished.as_ref().is_some_and(|f| f.ok));
    let (from, to) = if rolled_back {
        let other = rollout.revisions.iter().rev().find(|r| !r.current);
        (other, current)
    } else {
        let selected = c
            .selected_number
            .and_then(|n| rollout.revisions.iter().find(|r| r.number == n))
            .filter(|r| !r.current);
        (current, selected)
    };
    for (rev, number, image) in [
        (from, "from_revision", "from_image"),
        (to, "to_revision", "to_image"),
    ] {
        if let Some(r) = rev {
            v.insert(number, r.number.to_string());
            if !r.images.is_empty() {
                v.insert(image, r.images.join(", "));
            }
        }
    }
}

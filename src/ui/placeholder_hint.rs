//! What the console already knows that helps answer a placeholder: for a `<revision>`,
//! the Deployment's revisions as the Rollout pane lists them (the previous one named), so
//! the operator does not have to leave the prompt to look them up. Pure.

use crate::domain::cluster::RolloutView;

/// A hint for placeholder `name`, from the live rollout; `None` when there is nothing to
/// add.
pub fn for_placeholder(name: &str, rollout: Option<&RolloutView>) -> Option<String> {
    if !name.to_ascii_lowercase().contains("revision") {
        return None;
    }
    let r = rollout?;
    let current = r.revisions.iter().find(|x| x.current).map(|x| x.number);
    // The previous revision is what `rollout undo` without --to-revision goes back to.
    let previous = r
        .revisions
        .iter()
        .filter(|x| !x.current)
        .map(|x| x.number)
        .max();
    let mut parts: Vec<String> = r
        .revisions
        .iter()
        .rev()
        .map(|x| {
            let tag = x
                .images
                .first()
                .map(|i| i.rsplit_once(':').map_or(i.as_str(), |(_, t)| t))
                .unwrap_or("?");
            let role = if Some(x.number) == current {
                ", current"
            } else if Some(x.number) == previous {
                ", previous"
            } else {
                ""
            };
            format!("{} ({tag}{role})", x.number)
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    parts.truncate(6);
    Some(format!(
        "Revisions of {}: {}",
        r.deployment,
        parts.join(" · ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::testkit::rollout;

    #[test]
    fn a_revision_placeholder_lists_the_revisions_newest_first() {
        let r = rollout(3, 3, 3, 3);
        assert_eq!(
            for_placeholder("revision", Some(&r)).as_deref(),
            Some("Revisions of checkout-api: 3 (v3, current) · 2 (v2, previous) · 1 (v1)")
        );
        assert_eq!(
            for_placeholder("TARGET_REVISION", Some(&r)).as_deref(),
            for_placeholder("revision", Some(&r)).as_deref()
        );
    }

    #[test]
    fn other_placeholders_or_no_rollout_get_nothing() {
        let r = rollout(3, 3, 3, 3);
        assert_eq!(for_placeholder("incident-id", Some(&r)), None);
        assert_eq!(for_placeholder("revision", None), None);
    }
}

//! What a revision changed against the current one (the Rollout pane's `d`): the two
//! ReplicaSets' pod templates reduced to what an incident asks about — per container its
//! image, command, args, env and resources, and the template's annotations — printed by the
//! console's one YAML printer (`object_yaml`) and diffed line by line (`-` the current
//! revision, `+` the selected one).

use serde_json::{Map, Value};

/// The parts of a pod template a revision diff compares, each container under its name
/// (so a changed image reads `-    image: …` / `+    image: …` below the container's name).
fn essentials(template: &Value) -> Value {
    let mut containers = Map::new();
    for c in template["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let mut out = Map::new();
        for key in ["image", "command", "args", "env", "resources"] {
            if !c[key].is_null() {
                out.insert(key.to_string(), c[key].clone());
            }
        }
        let name = c["name"].as_str().unwrap_or_default().to_string();
        containers.insert(name, Value::Object(out));
    }
    let mut out = Map::new();
    if !template["metadata"]["annotations"].is_null() {
        out.insert(
            "annotations".into(),
            template["metadata"]["annotations"].clone(),
        );
    }
    out.insert("containers".into(), Value::Object(containers));
    Value::Object(out)
}

/// The diff text: a header naming both revisions, then the changed lines with context.
pub fn revision_diff(current: (i64, &Value), selected: (i64, &Value)) -> String {
    let before = super::object_yaml::object_yaml(&essentials(current.1));
    let after = super::object_yaml::object_yaml(&essentials(selected.1));
    let mut out = format!(
        "Revision {} (selected) against revision {} (current)\n--- revision {} (current)\n+++ revision {} (selected)\n",
        selected.0, current.0, current.0, selected.0
    );
    if before == after {
        out.push_str("  (the pod templates are the same)\n");
        return out;
    }
    let diff = similar::TextDiff::from_lines(&before, &after);
    for group in diff.grouped_ops(3) {
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                out.push(sign);
                out.push_str(change.value().trim_end_matches('\n'));
                out.push('\n');
            }
        }
        out.push_str("@@\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_image_change_of_a_bad_deploy_shows_as_minus_and_plus() {
        let good = json!({"metadata": {"annotations": {"team": "shop"}},
            "spec": {"containers": [{"name": "app", "image": "web:1.4.2",
                "env": [{"name": "MODE", "value": "safe"}]}]}});
        let bad = json!({"metadata": {"annotations": {"team": "shop"}},
            "spec": {"containers": [{"name": "app", "image": "web:2.0.0",
                "env": [{"name": "MODE", "value": "safe"}]}]}});
        let text = revision_diff((2, &good), (3, &bad));
        assert!(text.starts_with("Revision 3 (selected) against revision 2 (current)\n"));
        assert!(text.contains("\n-    image: web:1.4.2\n"), "{text}");
        assert!(text.contains("\n+    image: web:2.0.0\n"), "{text}");
        assert!(
            !text.contains("\n-    env"),
            "unchanged env is context only:\n{text}"
        );
        assert!(revision_diff((2, &good), (2, &good)).contains("the pod templates are the same"));
        // A template without annotations shows none (not `annotations: null`).
        let bare = json!({"spec": {"containers": [{"name": "app", "image": "web:1"}]}});
        let yaml = crate::adapters::kube::object_yaml::object_yaml(&essentials(&bare));
        assert_eq!(yaml, "containers:\n  app:\n    image: web:1\n");
    }
}

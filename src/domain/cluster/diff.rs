//! A readable before/after diff of the part of an object an action changes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A unified diff of two renderings of an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    /// Unified-style lines: `@@ … @@` hunk headers, then lines starting with ` `, `+`
    /// or `-`.
    pub lines: Vec<String>,
    pub added: usize,
    pub removed: usize,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.removed == 0
    }

    pub fn text(&self) -> String {
        let mut s = self.lines.join("\n");
        if !s.is_empty() {
            s.push('\n');
        }
        s
    }
}

/// The fields of a Deployment an operator cares about in a diff: annotations, replicas,
/// paused, selector and the pod template. Server-managed fields are left out.
pub fn deployment_subtree(d: &Value) -> Value {
    let mut out = serde_json::Map::new();
    let pick = |v: &Value| if v.is_null() { None } else { Some(v.clone()) };
    if let Some(a) = pick(&d["metadata"]["annotations"]) {
        out.insert("annotations".into(), a);
    }
    for k in ["replicas", "paused", "selector", "template"] {
        if let Some(v) = pick(&d["spec"][k]) {
            out.insert(k.into(), v);
        }
    }
    Value::Object(out)
}

/// The part of a Service a selector switch changes.
pub fn service_subtree(s: &Value) -> Value {
    serde_json::json!({ "selector": s["spec"]["selector"] })
}

fn render(v: &Value) -> String {
    // serde_json sorts object keys (no `preserve_order`), so renderings are stable.
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Line diff of two values rendered as indented JSON, with `context` unchanged lines
/// around each change.
pub fn unified_diff(before: &Value, after: &Value, context: usize) -> Diff {
    text_diff(&render(before), &render(after), context)
}

/// Line diff of two texts (YAML as kubectl prints it), with `context` unchanged lines
/// around each change.
pub fn text_diff(a: &str, b: &str, context: usize) -> Diff {
    let diff = similar::TextDiff::from_lines(a, b);
    let mut lines = Vec::new();
    let (mut added, mut removed) = (0, 0);
    for group in diff.grouped_ops(context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o, n) = (first.old_range(), first.new_range());
        let (oe, ne) = (last.old_range().end, last.new_range().end);
        lines.push(format!(
            "@@ -{},{} +{},{} @@",
            o.start + 1,
            oe - o.start,
            n.start + 1,
            ne - n.start
        ));
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => {
                        removed += 1;
                        '-'
                    }
                    similar::ChangeTag::Insert => {
                        added += 1;
                        '+'
                    }
                    similar::ChangeTag::Equal => ' ',
                };
                let text = change.value().trim_end_matches('\n');
                lines.push(format!("{sign}{text}"));
            }
        }
    }
    Diff {
        lines,
        added,
        removed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn image_change_is_one_minus_one_plus() {
        let before = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "3"}},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "shop/web:1.2"}]}}},
            "status": {"replicas": 3}});
        let mut after = before.clone();
        after["spec"]["template"]["spec"]["containers"][0]["image"] = json!("shop/web:1.1");
        after["status"]["replicas"] = json!(4);
        let d = unified_diff(&deployment_subtree(&before), &deployment_subtree(&after), 2);
        assert_eq!((d.added, d.removed), (1, 1));
        assert!(d.lines[0].starts_with("@@ -"), "{:?}", d.lines);
        assert!(
            d.lines
                .contains(&"-          \"image\": \"shop/web:1.2\",".to_string()),
            "{}",
            d.text()
        );
        assert!(
            d.lines
                .contains(&"+          \"image\": \"shop/web:1.1\",".to_string()),
            "{}",
            d.text()
        );
        assert!(!d.text().contains("status"));
    }

    #[test]
    fn no_change_no_lines() {
        let v = json!({"spec": {"selector": {"version": "blue"}}});
        let d = unified_diff(&service_subtree(&v), &service_subtree(&v), 3);
        assert!(d.is_empty());
        assert!(d.lines.is_empty());
    }
}

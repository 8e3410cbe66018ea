//! `kubectl rollout history deployment/NAME --revision=N` as kubectl 1.32 prints it: the
//! name printer's `deployment.apps/NAME with revision #N`, then the pod template of that
//! revision's ReplicaSet written by `DescribePodTemplate` (kubernetes/kubectl
//! `pkg/describe/describe.go` at v0.32) through a `PrefixWriter` with no tab writer
//! (`pkg/polymorphichelpers/history.go`, `printTemplate`: the cells keep their tabs), the
//! ReplicaSet's `kubernetes.io/change-cause` added to the template's annotations
//! (`ViewHistory`), and the name printer's newline (`pkg/cmd/rollout/rollout_history.go`).

use serde_json::Value;

use super::describe_container::{containers, containers_if_any};
use super::describe_pod::volumes;
use super::describe_writer::{Writer, annotations_multiline, labels_multiline, s, tolerations};

/// The annotation `kubectl rollout history` shows as CHANGE-CAUSE.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// `DescribePodTemplate` of a pod template's JSON.
pub fn describe_pod_template(template: &Value) -> String {
    let mut w = Writer(String::new());
    w.w(0, "Pod Template:\n");
    let meta = &template["metadata"];
    let spec = &template["spec"];
    labels_multiline(&mut w, "  Labels", &meta["labels"]);
    if meta["annotations"]
        .as_object()
        .is_some_and(|a| !a.is_empty())
    {
        annotations_multiline(&mut w, "  Annotations", &meta["annotations"]);
    }
    let account = s(spec, &["serviceAccountName"]);
    if !account.is_empty() {
        w.w(1, &format!("Service Account:\t{account}\n"));
    }
    containers_if_any(
        &mut w,
        template,
        "  ",
        ("Init Containers", "initContainers", ""),
    );
    containers(&mut w, template, "  ", ("Containers", "containers", ""));
    volumes(&mut w, "  ", &spec["volumes"]);
    let priority = s(spec, &["priorityClassName"]);
    if !priority.is_empty() {
        w.w(1, &format!("Priority Class Name:\t{priority}\n"));
    }
    labels_multiline(&mut w, "  Node-Selectors", &spec["nodeSelector"]);
    tolerations(&mut w, "  Tolerations", &spec["tolerations"]);
    w.0
}

/// What kubectl prints for `--revision=revision` of `deployment`, given each revision's
/// ReplicaSet (`(revision, replica set JSON)`); `Err` is kubectl's error.
pub fn print_revision(
    deployment: &str,
    revision: i64,
    replica_sets: &[(i64, Value)],
) -> Result<String, String> {
    let body = if replica_sets.is_empty() {
        "No rollout history found.".to_string()
    } else {
        // Go keeps the last ReplicaSet of a revision (a map filled in list order).
        let Some((_, rs)) = replica_sets.iter().rev().find(|(r, _)| *r == revision) else {
            return Err("unable to find the specified revision".into());
        };
        let mut template = rs["spec"]["template"].clone();
        let cause = s(rs, &["metadata", "annotations", CHANGE_CAUSE]);
        if !cause.is_empty() {
            if !template["metadata"]["annotations"].is_object() {
                template["metadata"]["annotations"] = Value::Object(Default::default());
            }
            template["metadata"]["annotations"][CHANGE_CAUSE] = Value::String(cause.into());
        }
        describe_pod_template(&template)
    };
    Ok(format!(
        "deployment.apps/{deployment} with revision #{revision}\n{body}\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rs(image: &str, cause: Option<&str>) -> Value {
        let mut annotations = json!({"deployment.kubernetes.io/revision": "2"});
        if let Some(c) = cause {
            annotations[CHANGE_CAUSE] = json!(c);
        }
        json!({
            "metadata": {"annotations": annotations},
            "spec": {"template": {
                "metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}},
                "spec": {"containers": [{"name": "app", "image": image,
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "env": [{"name": "A", "value": "1"}]}]}
            }}
        })
    }

    /// The shape kubectl 1.32 prints (tabs kept); `tests/native_output_parity.rs`
    /// compares it with kubectl byte for byte.
    #[test]
    fn a_revision_as_kubectl_prints_it() {
        let out = print_revision("web", 2, &[(2, rs("shop/web:1.1", Some("deploy 1.1")))]).unwrap();
        assert_eq!(
            out,
            "deployment.apps/web with revision #2\nPod Template:\n  Labels:\tapp=web\n\tpod-template-hash=abc\n  Annotations:\tkubernetes.io/change-cause: deploy 1.1\n  Containers:\n   app:\n    Image:\tshop/web:1.1\n    Port:\t8080/TCP\n    Host Port:\t0/TCP\n    Environment:\n      A:\t1\n    Mounts:\t<none>\n  Volumes:\t<none>\n  Node-Selectors:\t<none>\n  Tolerations:\t<none>\n\n"
        );
        assert_eq!(
            print_revision("web", 7, &[(2, rs("x", None))]).unwrap_err(),
            "unable to find the specified revision"
        );
        assert_eq!(
            print_revision("web", 7, &[]).unwrap(),
            "deployment.apps/web with revision #7\nNo rollout history found.\n"
        );
    }
}

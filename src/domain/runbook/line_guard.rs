//! What a shell line changes, for the lines that do not run through the native path:
//! the change in plain words (the step's change badge, `change_badge::change_of`, one
//! classifier for both), where (another namespace or context than the console's is
//! said), and whether the operator must type the object's name first: deleting or
//! scaling to zero the console's target, or changing anything in another namespace or
//! context. Nothing of it runs on one key.

use super::change_badge::change_of;
use crate::domain::cluster::target::Target;

/// A mutating line's guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineGuard {
    /// The change in plain words (`delete deployment/checkout-api`,
    /// `helm rollback web → revision 3`, `POST …/deployment/rollback`).
    pub change: String,
    /// Why it needs more than a key, in plain words (another namespace, the target).
    pub warnings: Vec<String>,
    /// The name the operator must type before it runs; `None`: a confirmation key.
    pub typed_name: Option<String>,
}

/// The guard of `line` against the console's `target` (`None` without a cluster); `None`
/// for a line that changes nothing.
pub fn guard_of(line: &str, target: Option<&Target>) -> Option<LineGuard> {
    let change = change_of(line)?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let program = words
        .iter()
        .find(|w| **w != "sudo" && (w.starts_with('-') || !w.contains('=')))
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .unwrap_or_default();
    let mut warnings = Vec::new();
    let mut typed_name = None;
    if program == "kubectl" || program == "oc" {
        let flag = |names: &[&str]| {
            words.iter().enumerate().find_map(|(i, w)| {
                names.iter().find_map(|n| {
                    w.strip_prefix(n)
                        .and_then(|r| r.strip_prefix('='))
                        .map(str::to_string)
                        .or_else(|| (w == n).then(|| words.get(i + 1).map(|v| v.to_string()))?)
                })
            })
        };
        let namespace = flag(&["-n", "--namespace"]);
        let context = flag(&["--context"]);
        // The object: `deployment/web` or `deployment web` after the verb in the change.
        let object = change
            .split_whitespace()
            .find(|w| w.contains('/'))
            .map(str::to_string);
        let name = object
            .as_deref()
            .and_then(|o| o.rsplit('/').next())
            .map(str::to_string);
        if let Some(t) = target {
            let ns = namespace.clone().unwrap_or_else(|| t.namespace.clone());
            let other_ns = ns != t.namespace;
            let other_ctx = context
                .as_ref()
                .is_some_and(|c| Some(c) != t.context.as_ref());
            if other_ns {
                warnings.push(format!(
                    "in namespace {ns}, not the console's {}",
                    t.namespace
                ));
            }
            if let Some(c) = context.as_ref().filter(|_| other_ctx) {
                warnings.push(format!(
                    "in context {c}, not the console's {}",
                    t.context.as_deref().unwrap_or("current context")
                ));
            }
            let is_target = !other_ns
                && !other_ctx
                && object.as_deref().is_some_and(|o| {
                    let (kind, n) = o.split_once('/').unwrap_or(("", o));
                    n == t.deployment
                        && matches!(
                            kind.split('.').next().unwrap_or(""),
                            "deployment" | "deployments" | "deploy"
                        )
                });
            let deletes = change.starts_with("delete ");
            let to_zero = change.starts_with("scale ") && change.ends_with(" to 0");
            if is_target && (deletes || to_zero) {
                warnings.push(format!(
                    "{} the console's target deployment/{}",
                    if deletes { "deletes" } else { "scales to zero" },
                    t.deployment
                ));
            }
            if other_ns || other_ctx || (is_target && (deletes || to_zero)) {
                typed_name = Some(name.clone().unwrap_or(ns));
            }
        }
    }
    Some(LineGuard {
        change,
        warnings,
        typed_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            context: Some("prod-eu".into()),
            namespace: "checkout".into(),
            deployment: "checkout-api".into(),
        }
    }

    /// The change, the name to type, how many warnings.
    type Want = Option<(&'static str, Option<&'static str>, usize)>;

    #[test]
    fn mutating_lines_say_what_they_change_and_which_need_a_typed_name() {
        let t = target();
        let cases: &[(&str, Want)] = &[
            ("kubectl get pods -n checkout", None),
            ("echo hello", None),
            (
                "kubectl delete deployment/checkout-api -n checkout",
                Some(("delete deployment/checkout-api", Some("checkout-api"), 1)),
            ),
            (
                "kubectl delete deployment checkout-api",
                Some(("delete deployment/checkout-api", Some("checkout-api"), 1)),
            ),
            (
                "kubectl scale deployment/checkout-api --replicas=0",
                Some((
                    "scale deployment/checkout-api to 0",
                    Some("checkout-api"),
                    1,
                )),
            ),
            (
                "kubectl scale deployment/checkout-api --replicas=3",
                Some(("scale deployment/checkout-api to 3", None, 0)),
            ),
            // Another namespace: said, and the name typed.
            (
                "kubectl -n payments rollout undo deployment/payments-api",
                Some((
                    "rollout undo deployment/payments-api",
                    Some("payments-api"),
                    1,
                )),
            ),
            (
                "kubectl --context prod-us -n checkout scale deployment/checkout-api --replicas=2",
                Some((
                    "scale deployment/checkout-api to 2",
                    Some("checkout-api"),
                    1,
                )),
            ),
            (
                "kubectl apply -f fix.yaml",
                Some(("apply fix.yaml", None, 0)),
            ),
            (
                "kubectl -n checkout annotate deployment/checkout-api reason=INC-1",
                Some(("annotate deployment/checkout-api", None, 0)),
            ),
            // Other tools: plain words before the confirmation.
            (
                "helm rollback checkout 3",
                Some(("helm rollback checkout → revision 3", None, 0)),
            ),
            (
                "argocd app rollback storefront 12",
                Some(("argocd app rollback", None, 0)),
            ),
            (
                "curl -X POST https://deploy.example.com/api/v1/deployment/rollback",
                Some(("POST …/deployment/rollback", None, 0)),
            ),
        ];
        for (line, want) in cases {
            let got = guard_of(line, Some(&t));
            match (got, want) {
                (None, None) => {}
                (Some(g), Some((change, typed, warnings))) => {
                    assert_eq!(g.change, *change, "{line}");
                    assert_eq!(g.typed_name.as_deref(), *typed, "{line}");
                    assert_eq!(g.warnings.len(), *warnings, "{line}: {:?}", g.warnings);
                }
                (got, want) => panic!("{line}: got {got:?}, want {want:?}"),
            }
        }
        let g = guard_of(
            "kubectl -n payments rollout undo deployment/payments-api",
            Some(&t),
        )
        .expect("a change");
        assert_eq!(
            g.warnings,
            vec!["in namespace payments, not the console's checkout"]
        );
        // Without a cluster there is no target to compare with: the words only.
        let g = guard_of("kubectl -n payments delete deployment/x", None).expect("a change");
        assert_eq!(g.typed_name, None);
    }
}

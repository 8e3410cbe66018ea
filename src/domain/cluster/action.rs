//! The cluster actions the console performs natively, and the kubectl command each one is
//! equivalent to (shown to the operator and written to the journal).

use serde::{Deserialize, Serialize};

use super::printers::GetOutput;
use super::target::Target;

/// A change to the environment variables of the selected containers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvChange {
    Set {
        name: String,
        value: String,
    },
    Unset {
        name: String,
    },
    /// `--from=secret/NAME` or `--from=configmap/NAME` (`--keys` picks some): each key of
    /// the object's `data` becomes a variable referring to it (`secretKeyRef` /
    /// `configMapKeyRef`), named as kubectl names it (`keyToEnvName`). Only names travel:
    /// the values stay in the cluster and are never shown or journaled.
    From {
        source: EnvSource,
        #[serde(default)]
        keys: Vec<String>,
    },
}

/// Where `set env --from` takes its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum EnvSource {
    Secret(String),
    ConfigMap(String),
}

impl EnvSource {
    /// `secret/NAME` or `configmap/NAME`, as `--from` takes it.
    pub fn reference(&self) -> String {
        match self {
            EnvSource::Secret(n) => format!("secret/{n}"),
            EnvSource::ConfigMap(n) => format!("configmap/{n}"),
        }
    }
}

/// A mutating action on the target workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ClusterAction {
    /// `kubectl rollout undo`; `to_revision` `None` (or 0) means the previous revision.
    Undo {
        to_revision: Option<i64>,
    },
    Pause,
    Resume,
    Restart,
    Scale {
        replicas: i32,
    },
    /// `kubectl set image deployment/NAME CONTAINER=IMAGE` (`*` for every container).
    SetImage {
        container: String,
        image: String,
    },
    /// `kubectl set env deployment/NAME [-c CONTAINER] NAME=VALUE | NAME-`.
    SetEnv {
        container: Option<String>,
        changes: Vec<EnvChange>,
    },
    /// Blue-green: replace the selector of a Service.
    SwitchSelector {
        service: String,
        selector: std::collections::BTreeMap<String, String>,
    },
    /// `kubectl delete pods -l SELECTOR`.
    DeletePods {
        selector: String,
    },
}

/// A read-only query a runbook line asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "query", rename_all = "snake_case")]
pub enum ReadOnlyQuery {
    /// `kubectl rollout status`, with `--timeout` in seconds (`None`: kubectl's default of
    /// waiting forever).
    RolloutStatus {
        timeout_secs: Option<u64>,
    },
    RolloutHistory {
        revision: Option<i64>,
    },
    GetPods {
        selector: Option<String>,
    },
    /// `kubectl get deployment NAME [-o wide|name] [--show-labels]`.
    GetDeployment {
        #[serde(default)]
        output: GetOutput,
        /// `-L key1,key2`.
        #[serde(default)]
        label_columns: Vec<String>,
        #[serde(default)]
        show_labels: bool,
    },
    /// `kubectl get deployment NAME -o json|yaml|jsonpath=…|custom-columns=…`: printed from
    /// the object read through the API, not from the watch.
    GetDeploymentAs {
        output: crate::domain::cluster::printers::ObjectOutput,
    },
}

fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@%+".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn flags(t: &Target) -> String {
    let mut s = String::new();
    if let Some(c) = &t.context {
        s.push_str(&format!(" --context {}", quote(c)));
    }
    s.push_str(&format!(" -n {}", quote(&t.namespace)));
    s
}

impl ClusterAction {
    /// Short verb for lists and the journal: `rollout undo`, `scale`, …
    pub fn verb(&self) -> &'static str {
        match self {
            ClusterAction::Undo { .. } => "rollout undo",
            ClusterAction::Pause => "rollout pause",
            ClusterAction::Resume => "rollout resume",
            ClusterAction::Restart => "rollout restart",
            ClusterAction::Scale { .. } => "scale",
            ClusterAction::SetImage { .. } => "set image",
            ClusterAction::SetEnv { .. } => "set env",
            ClusterAction::SwitchSelector { .. } => "switch selector",
            ClusterAction::DeletePods { .. } => "delete pods",
        }
    }

    /// Whether the operator must type the workload name to confirm (DESIGN.md §5 and issue
    /// 4: undo, scale to zero, selector switch and pod deletion; `y` for the others).
    pub fn needs_typed_confirmation(&self) -> bool {
        match self {
            ClusterAction::Undo { .. }
            | ClusterAction::SwitchSelector { .. }
            | ClusterAction::DeletePods { .. } => true,
            ClusterAction::Scale { replicas } => *replicas == 0,
            _ => false,
        }
    }

    /// Whether the action starts a rollout worth following afterwards.
    pub fn starts_rollout(&self) -> bool {
        matches!(
            self,
            ClusterAction::Undo { .. }
                | ClusterAction::Resume
                | ClusterAction::Restart
                | ClusterAction::Scale { .. }
                | ClusterAction::SetImage { .. }
                | ClusterAction::SetEnv { .. }
        )
    }

    /// The kubectl command doing the same thing.
    pub fn kubectl_command(&self, t: &Target) -> String {
        let d = format!("deployment/{}", quote(&t.deployment));
        let f = flags(t);
        match self {
            ClusterAction::Undo { to_revision } => match to_revision {
                Some(n) if *n > 0 => format!("kubectl rollout undo {d}{f} --to-revision={n}"),
                _ => format!("kubectl rollout undo {d}{f}"),
            },
            ClusterAction::Pause => format!("kubectl rollout pause {d}{f}"),
            ClusterAction::Resume => format!("kubectl rollout resume {d}{f}"),
            ClusterAction::Restart => format!("kubectl rollout restart {d}{f}"),
            ClusterAction::Scale { replicas } => {
                format!("kubectl scale {d}{f} --replicas={replicas}")
            }
            ClusterAction::SetImage { container, image } => format!(
                "kubectl set image {d}{f} {}",
                quote(&format!("{container}={image}"))
            ),
            ClusterAction::SetEnv { container, changes } => {
                let mut s = format!("kubectl set env {d}{f}");
                if let Some(c) = container {
                    s.push_str(&format!(" -c {}", quote(c)));
                }
                for c in changes {
                    let args = match c {
                        EnvChange::Set { name, value } => vec![format!("{name}={value}")],
                        EnvChange::Unset { name } => vec![format!("{name}-")],
                        EnvChange::From { source, keys } => {
                            let mut v = vec![format!("--from={}", source.reference())];
                            if !keys.is_empty() {
                                v.push(format!("--keys={}", keys.join(",")));
                            }
                            v
                        }
                    };
                    for arg in args {
                        s.push(' ');
                        s.push_str(&quote(&arg));
                    }
                }
                s
            }
            ClusterAction::SwitchSelector { service, selector } => {
                let patch = serde_json::json!({"spec": {"selector": selector}});
                format!(
                    "kubectl patch service/{}{f} -p {}",
                    quote(service),
                    quote(&patch.to_string())
                )
            }
            ClusterAction::DeletePods { selector } => {
                format!("kubectl delete pods{f} -l {}", quote(selector))
            }
        }
    }
}

impl ReadOnlyQuery {
    pub fn kubectl_command(&self, t: &Target) -> String {
        let d = format!("deployment/{}", quote(&t.deployment));
        let f = flags(t);
        match self {
            ReadOnlyQuery::RolloutStatus { timeout_secs } => match timeout_secs {
                Some(s) => format!("kubectl rollout status {d}{f} --timeout={s}s"),
                None => format!("kubectl rollout status {d}{f}"),
            },
            ReadOnlyQuery::RolloutHistory { revision } => match revision {
                Some(r) => format!("kubectl rollout history {d}{f} --revision={r}"),
                None => format!("kubectl rollout history {d}{f}"),
            },
            ReadOnlyQuery::GetPods { selector } => match selector {
                Some(s) => format!("kubectl get pods{f} -l {}", quote(s)),
                None => format!("kubectl get pods{f}"),
            },
            ReadOnlyQuery::GetDeployment {
                output,
                label_columns,
                show_labels,
            } => {
                let mut s = format!("kubectl get {d}{f}");
                match output {
                    GetOutput::Table => {}
                    GetOutput::Wide => s.push_str(" -o wide"),
                    GetOutput::Name => s.push_str(" -o name"),
                }
                if !label_columns.is_empty() {
                    s.push_str(&format!(" -L {}", quote(&label_columns.join(","))));
                }
                if *show_labels {
                    s.push_str(" --show-labels");
                }
                s
            }
            ReadOnlyQuery::GetDeploymentAs { output } => {
                format!("kubectl get {d}{f} -o {}", quote(&output.flag()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_equivalents() {
        let mut t = Target::new("shop", "web");
        let cases = [
            (
                ClusterAction::Undo { to_revision: None },
                "kubectl rollout undo deployment/web -n shop",
            ),
            (
                ClusterAction::Undo {
                    to_revision: Some(3),
                },
                "kubectl rollout undo deployment/web -n shop --to-revision=3",
            ),
            (
                ClusterAction::Pause,
                "kubectl rollout pause deployment/web -n shop",
            ),
            (
                ClusterAction::Scale { replicas: 0 },
                "kubectl scale deployment/web -n shop --replicas=0",
            ),
            (
                ClusterAction::SetImage {
                    container: "web".into(),
                    image: "shop/web:1.1".into(),
                },
                "kubectl set image deployment/web -n shop web=shop/web:1.1",
            ),
            (
                ClusterAction::SetEnv {
                    container: None,
                    changes: vec![
                        EnvChange::Set {
                            name: "FEATURE_X".into(),
                            value: "off now".into(),
                        },
                        EnvChange::Unset {
                            name: "DEBUG".into(),
                        },
                    ],
                },
                "kubectl set env deployment/web -n shop 'FEATURE_X=off now' DEBUG-",
            ),
            (
                ClusterAction::SwitchSelector {
                    service: "web".into(),
                    selector: [("version".to_string(), "blue".to_string())].into(),
                },
                r#"kubectl patch service/web -n shop -p '{"spec":{"selector":{"version":"blue"}}}'"#,
            ),
            (
                ClusterAction::DeletePods {
                    selector: "app=web".into(),
                },
                "kubectl delete pods -n shop -l app=web",
            ),
        ];
        for (a, want) in cases {
            assert_eq!(a.kubectl_command(&t), want);
        }
        t.context = Some("prod-eu".into());
        assert_eq!(
            ClusterAction::Restart.kubectl_command(&t),
            "kubectl rollout restart deployment/web --context prod-eu -n shop"
        );
        assert!(ClusterAction::Scale { replicas: 0 }.needs_typed_confirmation());
        assert!(!ClusterAction::Scale { replicas: 2 }.needs_typed_confirmation());
        assert!(!ClusterAction::Pause.starts_rollout());
    }
}

//! The Deployment's pod-template containers as the console shows them: name, image and
//! environment variables, a variable taken from a Secret or ConfigMap by its reference
//! only (kubectl's `GetEnvVarRefString` in `pkg/cmd/set/env/env_resolve.go`), never its
//! value.

use serde::{Deserialize, Serialize};

use super::env_args::select_container;
use crate::domain::redact::is_secret_name;

/// Where a variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvValue {
    /// `value:` in the template.
    Value(String),
    /// `valueFrom:`: `secret creds, key token`, `configmap flags, key x`, `field path
    /// metadata.name`.
    Reference(String),
}

/// One variable of a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvVarShown {
    pub name: String,
    pub value: EnvValue,
}

/// One container (or init container) of the pod template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateContainer {
    pub name: String,
    pub image: String,
    pub init: bool,
    pub env: Vec<EnvVarShown>,
}

impl EnvVarShown {
    /// `NAME=value`, or `NAME from secret creds, key token`; a plain value whose name
    /// looks secret (`*_TOKEN`, `PASSWORD`, …) is masked.
    pub fn describe(&self) -> String {
        match &self.value {
            EnvValue::Value(_) if is_secret_name(&self.name) => format!("{}=‹redacted›", self.name),
            EnvValue::Value(v) => format!("{}={v}", self.name),
            EnvValue::Reference(r) => format!("{} from {r}", self.name),
        }
    }
}

/// The current variables of the containers `glob` selects (kubectl's `-c`), one line per
/// container: `app: A=false · TOKEN from secret creds, key token`.
pub fn current_env_lines(containers: &[TemplateContainer], glob: Option<&str>) -> Vec<String> {
    containers
        .iter()
        .filter(|c| select_container(&c.name, glob.unwrap_or("*")))
        .map(|c| {
            let vars: Vec<String> = c.env.iter().map(EnvVarShown::describe).collect();
            let what = if c.init { "init container " } else { "" };
            if vars.is_empty() {
                format!("{what}{}: no variables", c.name)
            } else {
                format!("{what}{}: {}", c.name, vars.join(" · "))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, value: EnvValue) -> EnvVarShown {
        EnvVarShown {
            name: name.into(),
            value,
        }
    }

    #[test]
    fn secret_sourced_variables_by_reference_only() {
        let cs = vec![
            TemplateContainer {
                name: "app".into(),
                image: "shop/web:1".into(),
                init: false,
                env: vec![
                    var("FEATURE_X", EnvValue::Value("false".into())),
                    var("DB_PASSWORD", EnvValue::Value("hunter2".into())),
                    var(
                        "TOKEN",
                        EnvValue::Reference("secret creds, key token".into()),
                    ),
                ],
            },
            TemplateContainer {
                name: "proxy".into(),
                ..TemplateContainer::default()
            },
        ];
        let lines = current_env_lines(&cs, None);
        assert_eq!(
            lines,
            [
                "app: FEATURE_X=false · DB_PASSWORD=‹redacted› · TOKEN from secret creds, key token",
                "proxy: no variables"
            ]
        );
        assert!(!lines.concat().contains("hunter2"));
        assert_eq!(
            current_env_lines(&cs, Some("prox*")),
            ["proxy: no variables"]
        );
    }
}

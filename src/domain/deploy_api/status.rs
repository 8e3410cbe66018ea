//! A blue/green deploy service's `GET /deployment/status`, read before and after a change
//! so the confirmation and the report say what it changes: the environment (and version)
//! serving now → the one a rollback goes to (the status's `previousEnvironment`, else the
//! environment served before the current one in its `history`).
//!
//! The shape is the issue's in-house deploy API (and the simulator's, `sim/deploy_api`):
//! `{"currentEnvironment": "green", "previousEnvironment": "blue", "version": "5.1.0",
//! "environments": {"blue": {"version": "5.0.0"}, …}, "history": [{"environment",
//! "version"}, …]}`.

use serde_json::Value;

use super::CurlCall;

/// The path the status is read from, under the deploy API's base URL.
pub const STATUS_PATH: &str = "/deployment/status";

/// What the status says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployStatus {
    /// `service`, when the answer names it.
    pub service: Option<String>,
    /// The environment serving now (`green`).
    pub current: String,
    /// `previousEnvironment`.
    pub previous: Option<String>,
    /// `version` (of the current environment).
    pub version: Option<String>,
    /// Each environment's version (`environments.*.version`), in the answer's order.
    pub versions: Vec<(String, String)>,
    /// `history`, oldest first: (environment, version).
    pub history: Vec<(String, Option<String>)>,
}

impl DeployStatus {
    /// The status from a response body; `None` when it is not such a status (no
    /// `currentEnvironment`).
    pub fn parse(body: &str) -> Option<DeployStatus> {
        let v: Value = serde_json::from_str(body).ok()?;
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let current = text(&v["currentEnvironment"]).filter(|s| !s.is_empty())?;
        let versions = v["environments"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(env, e)| Some((env.clone(), text(&e["version"])?)))
                    .collect()
            })
            .unwrap_or_default();
        let history = v["history"]
            .as_array()
            .map(|h| {
                h.iter()
                    .filter_map(|e| Some((text(&e["environment"])?, text(&e["version"]))))
                    .collect()
            })
            .unwrap_or_default();
        Some(DeployStatus {
            service: text(&v["service"]),
            previous: text(&v["previousEnvironment"]).filter(|s| !s.is_empty()),
            version: text(&v["version"]),
            current,
            versions,
            history,
        })
    }

    /// The version `env` runs: its `environments` entry, else (for the current one)
    /// `version`, else the last history entry naming it.
    pub fn version_of(&self, env: &str) -> Option<&str> {
        self.versions
            .iter()
            .find(|(e, _)| e == env)
            .map(|(_, v)| v.as_str())
            .or_else(|| (env == self.current).then_some(self.version.as_deref()?))
            .or_else(|| {
                self.history
                    .iter()
                    .rev()
                    .find(|(e, _)| e == env)
                    .and_then(|(_, v)| v.as_deref())
            })
    }

    /// `green (5.1.0)`, or `green` when its version is not known.
    pub fn describe(&self, env: &str) -> String {
        match self.version_of(env) {
            Some(v) => format!("{env} ({v})"),
            None => env.to_string(),
        }
    }

    /// Where a rollback goes: `previousEnvironment`, else the environment served before
    /// the current one in the history.
    pub fn rollback_target(&self) -> Option<String> {
        self.previous
            .clone()
            .filter(|p| *p != self.current)
            .or_else(|| {
                self.history
                    .iter()
                    .rev()
                    .map(|(e, _)| e)
                    .find(|e| **e != self.current)
                    .cloned()
            })
    }
}

/// The request that reads the status: a GET of [`STATUS_PATH`] under `base`, with the
/// bearer token of the variable `token_env` names.
pub fn status_call(base: &str, token_env: Option<String>) -> CurlCall {
    CurlCall {
        method: "GET".into(),
        url: format!("{}{STATUS_PATH}", base.trim_end_matches('/')),
        headers: Vec::new(),
        token_env,
        data: None,
        fail: false,
        jq: None,
    }
}

/// What a change will do, as far as the status tells: the lines shown above the
/// confirmation, and the environment before and after (`from`/`to`: `green (5.1.0)`,
/// `blue (5.0.0)`; the environment's name alone in `to_env`, to check it afterwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePreview {
    pub lines: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub to_env: Option<String>,
}

/// The preview of `path` (`/deployment/rollback`) given the status read before it, or
/// why it could not be read.
pub fn preview_change(path: &str, status: Result<&DeployStatus, &str>) -> ChangePreview {
    let status = match status {
        Ok(s) => s,
        Err(why) => {
            return ChangePreview {
                lines: vec![format!(
                    "Before: not known (GET {STATUS_PATH}: {why}); what it changes is not previewed."
                )],
                from: None,
                to: None,
                to_env: None,
            };
        }
    };
    let service = status
        .service
        .as_deref()
        .map(|s| format!("{s}: "))
        .unwrap_or_default();
    let from = status.describe(&status.current);
    let mut lines = vec![format!("Before: {service}{from} is serving")];
    let is_rollback = path
        .split(['?', '#'])
        .next()
        .unwrap_or(path)
        .trim_end_matches('/')
        .ends_with("/rollback");
    let to_env = is_rollback.then(|| status.rollback_target()).flatten();
    let to = to_env.as_deref().map(|e| status.describe(e));
    match (&to, is_rollback) {
        (Some(to), _) => lines.push(format!(
            "After:  {to} (the previous environment): {from} → {to}"
        )),
        (None, true) => lines.push(
            "After:  not known: the status names no previous environment to roll back to".into(),
        ),
        (None, false) => {
            lines.push("After:  not known from the status (only a rollback's target is)".into())
        }
    }
    lines.push(format!("(read from GET {STATUS_PATH})"));
    ChangePreview {
        lines,
        from: Some(from),
        to,
        to_env,
    }
}

/// The outcome of a change once the status was read again: `200 OK; now blue (5.0.0)`,
/// and whether it did what was expected (a rollback that left the environment where it
/// was did not, whatever the answer said).
pub fn outcome_after(
    summary: &str,
    ok: bool,
    expected_env: Option<&str>,
    after: &DeployStatus,
) -> (String, bool) {
    let now = after.describe(&after.current);
    match expected_env {
        Some(e) if e != after.current => (
            format!("{summary}; still {now}, not {e} (GET {STATUS_PATH})"),
            false,
        ),
        _ => (format!("{summary}; now {now}"), ok),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The simulator's answer (`sim/deploy_api`) while green serves the bad release.
    const GREEN: &str = r#"{"service":"storefront","currentEnvironment":"green","previousEnvironment":"blue","version":"5.1.0",
        "environments":{"blue":{"deployment":"storefront-blue","version":"5.0.0","readyReplicas":3},
                        "green":{"deployment":"storefront-green","version":"5.1.0","readyReplicas":3}},
        "history":[{"environment":"blue","version":"5.0.0","switchedAt":"t0","by":"release"},
                   {"environment":"green","version":"5.1.0","switchedAt":"t1","by":"release"}]}"#;

    #[test]
    fn a_rollbacks_preview_reads_before_and_after_from_the_status() {
        let s = DeployStatus::parse(GREEN).expect("a status");
        assert_eq!(s.current, "green");
        assert_eq!(s.rollback_target().as_deref(), Some("blue"));
        let p = preview_change("/deployment/rollback", Ok(&s));
        assert_eq!(
            p.lines,
            [
                "Before: storefront: green (5.1.0) is serving",
                "After:  blue (5.0.0) (the previous environment): green (5.1.0) → blue (5.0.0)",
                "(read from GET /deployment/status)",
            ]
        );
        assert_eq!(
            (p.from.as_deref(), p.to.as_deref(), p.to_env.as_deref()),
            (Some("green (5.1.0)"), Some("blue (5.0.0)"), Some("blue"))
        );
        // Another change: the before only.
        let p = preview_change("/deployment/deploy", Ok(&s));
        assert_eq!((p.from.as_deref(), p.to), (Some("green (5.1.0)"), None));
    }

    #[test]
    fn without_previous_environment_the_history_says_where_a_rollback_goes() {
        let s = DeployStatus::parse(
            r#"{"currentEnvironment":"green","history":[{"environment":"blue","version":"1.0"},{"environment":"green","version":"1.1"}]}"#,
        )
        .expect("a status");
        assert_eq!(s.rollback_target().as_deref(), Some("blue"));
        assert_eq!(s.describe("blue"), "blue (1.0)");
        assert_eq!(s.describe("green"), "green (1.1)");
        let s = DeployStatus::parse(r#"{"currentEnvironment":"green"}"#).expect("a status");
        let p = preview_change("/deployment/rollback", Ok(&s));
        assert_eq!(p.to, None);
        assert!(
            p.lines[1].contains("names no previous environment"),
            "{p:?}"
        );
        assert_eq!(DeployStatus::parse(r#"{"health":"healthy"}"#), None);
        assert_eq!(DeployStatus::parse("not json"), None);
        let p = preview_change("/deployment/rollback", Err("404 Not Found"));
        assert_eq!(
            p.lines,
            [
                "Before: not known (GET /deployment/status: 404 Not Found); what it changes is not previewed."
            ]
        );
        assert_eq!((p.from, p.to), (None, None));
    }

    #[test]
    fn the_outcome_says_where_the_service_is_now() {
        let blue = DeployStatus::parse(
            r#"{"currentEnvironment":"blue","version":"5.0.0","previousEnvironment":"green"}"#,
        )
        .expect("a status");
        assert_eq!(
            outcome_after("200 OK", true, Some("blue"), &blue),
            ("200 OK; now blue (5.0.0)".to_string(), true)
        );
        assert_eq!(
            outcome_after("200 OK", true, Some("green"), &blue),
            (
                "200 OK; still blue (5.0.0), not green (GET /deployment/status)".to_string(),
                false
            )
        );
        assert_eq!(
            outcome_after("409 Conflict: rollback locked", false, None, &blue),
            (
                "409 Conflict: rollback locked; now blue (5.0.0)".to_string(),
                false
            )
        );
        assert_eq!(
            status_call("https://d.example/api/", Some("T".into())).url,
            "https://d.example/api/deployment/status"
        );
    }
}

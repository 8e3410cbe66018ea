//! The shape of front matter: the fields of each mapping and what each value must be, as
//! tables. `schema_check.rs` checks the positioned YAML tree against them.
//!
//! The field lists mirror the serde types in [`super`]; a test keeps them in step.

/// What a value must be.
#[derive(Debug, Clone, Copy)]
pub(in crate::domain::runbook) enum Shape {
    /// Any scalar.
    Text,
    /// The name of an environment variable (never a secret itself).
    EnvName,
    /// A whole number from `min` to `max`.
    Integer { min: u64, max: u64 },
    /// The format version: `1`.
    Version,
    /// A duration: `90s`, `2m`, `1h30m` or seconds.
    Duration,
    /// A phase name.
    Phase,
    /// A mapping with the given keys.
    Struct(&'static [Field]),
    /// A mapping with free keys and values of one shape.
    MapOf(&'static Shape),
    /// A list of values of one shape.
    SeqOf(&'static Shape),
    /// An `http://` or `https://` URL with a host and no credentials in it.
    HttpUrl,
    /// `true` or `false`.
    Bool,
    /// An Argo CD server address as the `argocd` CLI takes it (`host[:port][/root]`).
    ArgoServer,
}

#[derive(Debug, Clone, Copy)]
pub(in crate::domain::runbook) struct Field {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
}

const fn opt(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        required: false,
    }
}

const fn req(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        required: true,
    }
}

pub(in crate::domain::runbook) const ROOT: &[Field] = &[
    opt("backout", Shape::Version),
    opt("title", Shape::Text),
    opt("target", Shape::Struct(TARGET)),
    opt("metrics", Shape::Struct(METRICS)),
    opt("matrix", Shape::SeqOf(&Shape::Struct(MATRIX_RULE))),
    opt("rto", Shape::MapOf(&Shape::Duration)),
    opt("notify", Shape::Struct(NOTIFY)),
    opt("messages", Shape::MapOf(&Shape::Text)),
    opt("vars", Shape::MapOf(&Shape::Text)),
    opt("phases", Shape::MapOf(&Shape::Phase)),
    opt("verify", Shape::SeqOf(&Shape::Struct(VERIFY_CHECK))),
    opt("deploy_api", Shape::Struct(DEPLOY_API)),
    opt("argocd", Shape::Struct(ARGOCD)),
];

pub(in crate::domain::runbook) const ARGOCD: &[Field] = &[
    req("server", Shape::ArgoServer),
    opt("token_env", Shape::EnvName),
    opt("insecure", Shape::Bool),
];

pub(in crate::domain::runbook) const DEPLOY_API: &[Field] =
    &[req("url", Shape::HttpUrl), opt("token_env", Shape::EnvName)];

pub(in crate::domain::runbook) const VERIFY_CHECK: &[Field] = &[
    req("name", Shape::Text),
    opt("http", Shape::Struct(VERIFY_HTTP)),
    opt("promql", Shape::Text),
    opt("pods", Shape::Struct(VERIFY_PODS)),
    opt("rollout", Shape::Struct(VERIFY_ROLLOUT)),
    opt("shell", Shape::Text),
    opt("window", Shape::Duration),
    opt("every", Shape::Duration),
];

pub(in crate::domain::runbook) const VERIFY_HTTP: &[Field] = &[
    req("url", Shape::Text),
    opt("status", Shape::Integer { min: 100, max: 599 }),
    opt("json_pointer", Shape::Text),
    opt("equals", Shape::Text),
    opt("max_latency", Shape::Duration),
];

pub(in crate::domain::runbook) const VERIFY_PODS: &[Field] = &[
    opt("namespace", Shape::Text),
    opt("deployment", Shape::Text),
    opt(
        "revision",
        Shape::Integer {
            min: 1,
            max: i64::MAX as u64,
        },
    ),
    opt("image", Shape::Text),
];

pub(in crate::domain::runbook) const VERIFY_ROLLOUT: &[Field] = &[
    opt("namespace", Shape::Text),
    opt("deployment", Shape::Text),
];

pub(in crate::domain::runbook) const TARGET: &[Field] = &[
    opt("context", Shape::Text),
    opt("namespace", Shape::Text),
    opt("deployment", Shape::Text),
    opt("container", Shape::Text),
    opt("service", Shape::Text),
];

pub(in crate::domain::runbook) const METRICS: &[Field] = &[
    opt("prometheus", Shape::Struct(PROMETHEUS)),
    opt("queries", Shape::MapOf(&Shape::Text)),
    opt("baseline_offset", Shape::Duration),
];

pub(in crate::domain::runbook) const PROMETHEUS: &[Field] = &[
    opt("url", Shape::Text),
    opt("url_env", Shape::EnvName),
    opt("token_env", Shape::EnvName),
    opt("token_file", Shape::Text),
];

pub(in crate::domain::runbook) const MATRIX_RULE: &[Field] = &[
    req("when", Shape::Text),
    opt("for", Shape::Duration),
    req("severity", Shape::Text),
    req("action", Shape::Text),
    opt("approval", Shape::Text),
];

pub(in crate::domain::runbook) const NOTIFY: &[Field] = &[
    opt("slack", Shape::Struct(SECRET_URL)),
    opt("teams", Shape::Struct(SECRET_URL)),
    opt("webhook", Shape::Struct(SECRET_URL)),
    opt("github", Shape::Struct(GITHUB)),
    opt("statuspage", Shape::Struct(STATUSPAGE)),
    opt("grafana", Shape::Struct(GRAFANA)),
    opt("pagerduty", Shape::Struct(PAGERDUTY)),
];

pub(in crate::domain::runbook) const SECRET_URL: &[Field] = &[
    opt("webhook_env", Shape::EnvName),
    opt("webhook_file", Shape::Text),
    opt("channel", Shape::Text),
];

pub(in crate::domain::runbook) const GITHUB: &[Field] = &[
    req("repo", Shape::Text),
    req(
        "issue",
        Shape::Integer {
            min: 1,
            max: u64::MAX,
        },
    ),
    opt("token_env", Shape::EnvName),
    opt("token_file", Shape::Text),
    opt("api_url", Shape::Text),
];

pub(in crate::domain::runbook) const STATUSPAGE: &[Field] = &[
    req("page_id", Shape::Text),
    opt("component_id", Shape::Text),
    opt("token_env", Shape::EnvName),
    opt("token_file", Shape::Text),
    opt("api_url", Shape::Text),
];

pub(in crate::domain::runbook) const GRAFANA: &[Field] = &[
    req("url", Shape::Text),
    opt("dashboard_uid", Shape::Text),
    opt("token_env", Shape::EnvName),
    opt("token_file", Shape::Text),
];

pub(in crate::domain::runbook) const PAGERDUTY: &[Field] = &[
    opt("routing_key_env", Shape::EnvName),
    opt("routing_key_file", Shape::Text),
    opt("api_url", Shape::Text),
];

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;

//! The shape of front matter, checked on the positioned YAML tree so that every mistake is
//! reported at once, at its key, with a suggestion.
//!
//! The field lists mirror the serde types in [`super`]; a test keeps them in step.

use super::DurationSpec;
use super::yaml::{Node, Value};
use crate::domain::runbook::model::PhaseKind;

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

/// A schema violation, at a node of the YAML tree (1-based line, 0-based column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::domain::runbook) struct Issue {
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub hint: Option<String>,
    /// For a duplicate key: the YAML line of its first occurrence (the hint names it as a
    /// file line, which only the caller knows).
    pub first_written: Option<usize>,
}

impl Issue {
    fn at(node: &Node, message: String, hint: Option<String>) -> Issue {
        Issue {
            line: node.line,
            col: node.col,
            message,
            hint,
            first_written: None,
        }
    }
}

/// Checks the whole front matter; returns every issue found, in document order.
pub(in crate::domain::runbook) fn check(root: &Node) -> Vec<Issue> {
    let mut issues = Vec::new();
    if !matches!(root.value, Value::Map(_)) {
        issues.push(Issue::at(
            root,
            format!(
                "front matter must be a mapping of keys to values, not {}",
                root.kind_name()
            ),
            Some("write `key: value` lines, e.g. `title: Checkout rollback`".into()),
        ));
        return issues;
    }
    check_node(root, Shape::Struct(ROOT), &Path::Root, &mut issues);
    issues.sort_by_key(|i| (i.line, i.col));
    issues
}

/// Where a value sits, for messages: `target.namespace`, `matrix rule 2`, `rto.SEV-1`.
#[derive(Debug, Clone)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// The keys from the nearest list item (or the root) down to here, dotted
    /// (`pods.revision`), and that list item.
    fn dotted(&self) -> (String, Option<&Self>) {
        match self {
            Path::Root => (String::new(), None),
            Path::Index(..) => (String::new(), Some(self)),
            Path::Key(parent, key) => {
                let (mut dotted, item) = parent.dotted();
                if dotted.is_empty() {
                    dotted.push_str(key);
                } else if is_plain_key(key) {
                    dotted = format!("{dotted}.{key}");
                } else {
                    dotted = format!("{dotted}.\"{key}\"");
                }
                (dotted, item)
            }
        }
    }
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root => f.write_str("front matter"),
            Path::Key(..) => match self.dotted() {
                (keys, Some(item)) => write!(f, "`{keys}` of {item}"),
                (keys, None) => write!(f, "`{keys}`"),
            },
            Path::Index(Path::Key(Path::Root, "matrix"), i) => write!(f, "matrix rule {}", i + 1),
            Path::Index(Path::Key(Path::Root, "verify"), i) => write!(f, "verify check {}", i + 1),
            Path::Index(parent, i) => write!(f, "item {} of {parent}", i + 1),
        }
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
}

fn check_node(node: &Node, shape: Shape, path: &Path<'_>, issues: &mut Vec<Issue>) {
    if matches!(node.value, Value::Alias) {
        return;
    }
    match shape {
        Shape::Struct(fields) => check_struct(node, fields, path, issues),
        Shape::MapOf(inner) => {
            if node.is_null() {
                return;
            }
            let Value::Map(entries) = &node.value else {
                return issues.push(wrong_kind(node, path, "a mapping"));
            };
            for_each_key(entries, path, issues, |key, value, issues| {
                check_node(value, *inner, &Path::Key(path, key), issues);
            });
        }
        Shape::SeqOf(inner) => {
            if node.is_null() {
                return;
            }
            let Value::Seq(items) = &node.value else {
                return issues.push(wrong_kind(node, path, "a list"));
            };
            for (i, item) in items.iter().enumerate() {
                check_node(item, *inner, &Path::Index(path, i), issues);
            }
        }
        Shape::Text => {
            if node.scalar().is_none() {
                issues.push(wrong_kind(node, path, "text"));
            }
        }
        Shape::Integer { min, max } => match node.scalar().map(|s| s.trim().parse::<u64>()) {
            Some(Ok(n)) if (min..=max).contains(&n) => {}
            Some(Ok(n)) => issues.push(Issue::at(
                node,
                format!("{path} must be from {min} to {max}, not {n}"),
                None,
            )),
            _ => issues.push(Issue::at(
                node,
                format!("{path} must be a whole number, not {}", shown(node)),
                None,
            )),
        },
        Shape::Version => match node.scalar().map(str::trim) {
            Some("1") => {}
            Some(v) if v.parse::<u64>().is_ok() => issues.push(Issue::at(
                node,
                format!("unsupported runbook format version `{v}`"),
                Some("this backout reads `backout: 1`".into()),
            )),
            _ => issues.push(Issue::at(
                node,
                format!(
                    "`backout` is the format version and must be 1, not {}",
                    shown(node)
                ),
                None,
            )),
        },
        Shape::Duration => match node.scalar() {
            Some(_) if node.is_null() => issues.push(Issue::at(
                node,
                format!("{path} is empty: expected a duration (e.g. 90s, 2m, 1h30m)"),
                None,
            )),
            Some(s) => {
                if let Err(reason) = DurationSpec::parse(s) {
                    issues.push(Issue::at(node, format!("{path}: {reason}"), None));
                }
            }
            None => issues.push(wrong_kind(node, path, "a duration (e.g. 90s, 2m, 1h30m)")),
        },
        Shape::Phase => {
            let names: Vec<&str> = PhaseKind::ALL
                .iter()
                .map(|k| phase_name(*k))
                .chain(["alternative", "reference"])
                .collect();
            match node.scalar() {
                Some(s) if names.contains(&s) => {}
                Some(s) => issues.push(Issue::at(
                    node,
                    format!("{path}: `{s}` is not a phase"),
                    Some(match closest(s, &names) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => format!("phases are {}", names.join(", ")),
                    }),
                )),
                None => issues.push(wrong_kind(node, path, "a phase name")),
            }
        }
        Shape::EnvName => match node.scalar() {
            Some(s) if is_env_name(s) => {}
            Some(s) => {
                let message = if s.contains("://") {
                    format!("{path} names an environment variable; it must not hold the URL itself")
                } else {
                    format!("{path} must name an environment variable, not `{s}`")
                };
                issues.push(Issue::at(
                    node,
                    message,
                    Some(
                        "put the secret in the environment (e.g. SLACK_WEBHOOK_URL) and name the variable here; secrets never go in a runbook"
                            .into(),
                    ),
                ));
            }
            None => issues.push(wrong_kind(
                node,
                path,
                "the name of an environment variable",
            )),
        },
        Shape::HttpUrl => match node.scalar() {
            Some(s) => {
                if let Some(issue) = http_url_issue(s.trim(), path) {
                    issues.push(Issue::at(node, issue.0, issue.1));
                }
            }
            None => issues.push(wrong_kind(node, path, "an http:// or https:// URL")),
        },
    }
}

/// What is wrong with `url` as a base URL (message, hint), if anything.
fn http_url_issue(url: &str, path: &Path<'_>) -> Option<(String, Option<String>)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        // Not echoed when it may hold credentials (`user:token@host`).
        let shown = if url.contains('@') {
            "the value".to_string()
        } else {
            format!("`{url}`")
        };
        return Some((
            format!("{path}: {shown} is not an http:// or https:// URL"),
            Some("write the base URL, e.g. https://deploy.example.com/api".into()),
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Some((
            format!("{path} holds credentials; a URL in a runbook must not"),
            Some(
                "put the token in the environment and name the variable in `token_env`; secrets never go in a runbook"
                    .into(),
            ),
        ));
    }
    if authority.is_empty() || url.contains(char::is_whitespace) {
        return Some((format!("{path}: `{url}` has no host"), None));
    }
    if url.contains(['?', '#', '$']) {
        return Some((
            format!(
                "{path}: `{url}` must be a base URL, without a query, a fragment or a variable"
            ),
            None,
        ));
    }
    None
}

/// The serde name of a phase kind (`post-rollback`).
pub(in crate::domain::runbook) fn phase_name(kind: PhaseKind) -> &'static str {
    match kind {
        PhaseKind::Preparation => "preparation",
        PhaseKind::Execution => "execution",
        PhaseKind::Verification => "verification",
        PhaseKind::Communication => "communication",
        PhaseKind::PostRollback => "post-rollback",
    }
}

fn check_struct(node: &Node, fields: &'static [Field], path: &Path<'_>, issues: &mut Vec<Issue>) {
    if node.is_null() {
        return;
    }
    let Value::Map(entries) = &node.value else {
        return issues.push(wrong_kind(node, path, "a mapping"));
    };
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    for_each_key(entries, path, issues, |key, value, issues| {
        match fields.iter().find(|f| f.name == key) {
            Some(field) => check_node(value, field.shape, &Path::Key(path, key), issues),
            None => {
                let message = match path {
                    Path::Root => format!("unknown front matter key `{key}`"),
                    _ => format!("unknown key `{key}` in {path}"),
                };
                let hint = match closest(key, &names) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("valid keys here: {}", names.join(", ")),
                };
                let key_node = entries
                    .iter()
                    .find(|(k, _)| k.scalar() == Some(key))
                    .map_or(node, |(k, _)| k);
                issues.push(Issue::at(key_node, message, Some(hint)));
            }
        }
    });
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .filter(|f| {
            entries
                .iter()
                .find(|(k, _)| k.scalar() == Some(f.name))
                .is_none_or(|(_, v)| v.is_null())
        })
        .map(|f| f.name)
        .collect();
    if !missing.is_empty() {
        let required: Vec<String> = fields
            .iter()
            .filter(|f| f.required)
            .map(|f| format!("`{}`", f.name))
            .collect();
        let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
        issues.push(Issue::at(
            node,
            format!("{path} is missing {}", join_and(&list)),
            Some(format!("{path} needs {}", join_and(&required))),
        ));
    }
}

/// Calls `f` for every key of a mapping, reporting duplicate and non-text keys.
fn for_each_key<'n>(
    entries: &'n [(Node, Node)],
    path: &Path<'_>,
    issues: &mut Vec<Issue>,
    mut f: impl FnMut(&'n str, &'n Node, &mut Vec<Issue>),
) {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (key, value) in entries {
        let Some(name) = key.scalar() else {
            issues.push(Issue::at(
                key,
                format!("keys in {path} must be text, not {}", key.kind_name()),
                None,
            ));
            continue;
        };
        if let Some((_, line)) = seen.iter().find(|(n, _)| *n == name) {
            issues.push(Issue {
                first_written: Some(*line),
                ..Issue::at(key, format!("duplicate key `{name}` in {path}"), None)
            });
            continue;
        }
        seen.push((name, key.line));
        f(name, value, issues);
    }
}

fn wrong_kind(node: &Node, path: &Path<'_>, expected: &str) -> Issue {
    Issue::at(
        node,
        format!("{path} must be {expected}, not {}", shown(node)),
        None,
    )
}

/// A value for messages: `` `soon` `` for text, "a mapping" otherwise.
fn shown(node: &Node) -> String {
    match node.scalar() {
        Some(_) if node.is_null() => "empty".into(),
        Some(s) => format!("`{s}`"),
        None => node.kind_name().into(),
    }
}

fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`"
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub(in crate::domain::runbook) fn closest<'c>(
    word: &str,
    candidates: &[&'c str],
) -> Option<&'c str> {
    let lower = word.to_lowercase();
    candidates
        .iter()
        .map(|c| {
            let distance = strsim::osa_distance(&lower, &c.to_lowercase());
            (distance, *c)
        })
        .filter(|(d, c)| {
            let longest = lower.chars().count().max(c.chars().count());
            *d <= (longest / 3).max(1) || (lower.len() >= 3 && c.starts_with(lower.as_str()))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::super::yaml;
    use super::*;
    use crate::domain::runbook::front_matter as fm;
    use serde::Deserialize;
    use serde::de::{self, Visitor};

    /// The field names serde expects for `T`, read from its `Deserialize` impl.
    fn serde_fields<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        struct Probe(Option<&'static [&'static str]>);
        #[derive(Debug)]
        struct Stop;
        impl std::fmt::Display for Stop {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("stop")
            }
        }
        impl std::error::Error for Stop {}
        impl de::Error for Stop {
            fn custom<M: std::fmt::Display>(_: M) -> Self {
                Stop
            }
        }
        impl<'de> de::Deserializer<'de> for &mut Probe {
            type Error = Stop;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
                Err(Stop)
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Stop> {
                self.0 = Some(fields);
                Err(Stop)
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
                bytes byte_buf option unit unit_struct newtype_struct seq tuple
                tuple_struct map enum identifier ignored_any
            }
        }
        let mut probe = Probe(None);
        let _ = T::deserialize(&mut probe);
        probe.0.unwrap_or_default().to_vec()
    }

    fn names(fields: &[Field]) -> Vec<&'static str> {
        fields.iter().map(|f| f.name).collect()
    }

    #[test]
    fn schema_matches_the_serde_types() {
        assert_eq!(names(ROOT), serde_fields::<fm::FrontMatter>());
        assert_eq!(names(TARGET), serde_fields::<fm::Target>());
        assert_eq!(names(METRICS), serde_fields::<fm::Metrics>());
        assert_eq!(names(PROMETHEUS), serde_fields::<fm::PrometheusConfig>());
        assert_eq!(names(MATRIX_RULE), serde_fields::<fm::MatrixRule>());
        assert_eq!(names(NOTIFY), serde_fields::<fm::Notify>());
        assert_eq!(names(SECRET_URL), serde_fields::<fm::SecretUrl>());
        assert_eq!(names(GITHUB), serde_fields::<fm::GithubSink>());
        assert_eq!(names(STATUSPAGE), serde_fields::<fm::StatuspageSink>());
        assert_eq!(names(GRAFANA), serde_fields::<fm::GrafanaSink>());
        assert_eq!(names(PAGERDUTY), serde_fields::<fm::PagerdutySink>());
        assert_eq!(names(VERIFY_CHECK), serde_fields::<fm::VerifyEntry>());
        assert_eq!(names(VERIFY_HTTP), serde_fields::<fm::HttpCheckSpec>());
        assert_eq!(names(VERIFY_PODS), serde_fields::<fm::PodsCheckSpec>());
        assert_eq!(
            names(VERIFY_ROLLOUT),
            serde_fields::<fm::RolloutCheckSpec>()
        );
        assert_eq!(names(DEPLOY_API), serde_fields::<fm::DeployApiConfig>());
    }

    #[test]
    fn deploy_api_names_a_url_and_the_tokens_variable() {
        assert_eq!(
            issues(
                "deploy_api: { url: \"https://deploy.example.com/api\", token_env: DEPLOY_API_TOKEN }\n"
            ),
            Vec::<String>::new()
        );
        let got = issues(
            "deploy_api:\n  url: https://ci:s3cr3t@deploy.example.com/api\n  token_env: \"Bearer abc\"\n  tokn: x\n",
        );
        assert_eq!(
            got,
            [
                "2:7: `deploy_api.url` holds credentials; a URL in a runbook must not (put the token in the environment and name the variable in `token_env`; secrets never go in a runbook)",
                "3:13: `deploy_api.token_env` must name an environment variable, not `Bearer abc` (put the secret in the environment (e.g. SLACK_WEBHOOK_URL) and name the variable here; secrets never go in a runbook)",
                "4:2: unknown key `tokn` in `deploy_api` (valid keys here: url, token_env)",
            ]
        );
        assert_eq!(
            issues("deploy_api: { url: deploy.example.com }\ndeploy_api: {}\n"),
            [
                "1:19: `deploy_api.url`: `deploy.example.com` is not an http:// or https:// URL (write the base URL, e.g. https://deploy.example.com/api)",
                "2:0: duplicate key `deploy_api` in front matter",
            ]
        );
        assert_eq!(
            issues("deploy_api: { token_env: T }\n"),
            ["1:12: `deploy_api` is missing `url` (`deploy_api` needs `url`)"]
        );
        assert_eq!(
            issues("deploy_api: { url: \"https://d.example/api?env=$ENV\" }\n"),
            [
                "1:19: `deploy_api.url`: `https://d.example/api?env=$ENV` must be a base URL, without a query, a fragment or a variable"
            ]
        );
    }

    fn issues(yaml_text: &str) -> Vec<String> {
        let root = yaml::parse(yaml_text).expect("syntax").expect("content");
        check(&root)
            .into_iter()
            .map(|i| {
                format!(
                    "{}:{}: {}{}",
                    i.line,
                    i.col,
                    i.message,
                    i.hint.map(|h| format!(" ({h})")).unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn reports_every_issue_at_its_key() {
        let got = issues(
            "titel: x\n\
             target: { namespce: a }\n\
             rto: { SEV-1: soon, SEV-2: 5m }\n\
             matrix:\n  - { when: x > 1, severity: SEV-1 }\n\
             notify: { slack: { webhook_env: \"https://hooks.example/x\" } }\n\
             phases: { Deploy: exec }\n\
             backout: 2\n",
        );
        assert_eq!(
            got,
            [
                "1:0: unknown front matter key `titel` (did you mean `title`?)",
                "2:10: unknown key `namespce` in `target` (did you mean `namespace`?)",
                "3:14: `rto.SEV-1`: `soon` is not a duration (expected e.g. 90s, 2m, 1h30m)",
                "5:4: matrix rule 1 is missing `action` (matrix rule 1 needs `when`, `severity` and `action`)",
                "6:32: `notify.slack.webhook_env` names an environment variable; it must not hold the URL itself (put the secret in the environment (e.g. SLACK_WEBHOOK_URL) and name the variable here; secrets never go in a runbook)",
                "7:18: `phases.Deploy`: `exec` is not a phase (did you mean `execution`?)",
                "8:9: unsupported runbook format version `2` (this backout reads `backout: 1`)",
            ]
        );
    }

    #[test]
    fn wrong_kinds_and_duplicates() {
        let got = issues("target: prod\nmatrix: { when: x }\nrto: {}\nrto: {}\n");
        assert_eq!(
            got,
            [
                "1:8: `target` must be a mapping, not `prod`",
                "2:8: `matrix` must be a list, not a mapping",
                "4:0: duplicate key `rto` in front matter",
            ]
        );
    }

    #[test]
    fn closest_key() {
        let keys = [
            "backout", "title", "target", "metrics", "matrix", "rto", "notify", "vars", "phases",
        ];
        assert_eq!(closest("rtoo", &keys), Some("rto"));
        assert_eq!(closest("metric", &keys), Some("metrics"));
        assert_eq!(closest("Title", &keys), Some("title"));
        assert_eq!(closest("owner", &keys), None);
    }
}

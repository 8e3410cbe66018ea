//! Checking front matter against its schema ([`super::schema`]) on the positioned YAML
//! tree, so that every mistake is reported at once, at its key, with a suggestion.

use super::DurationSpec;
use super::closest_word::closest;
use super::schema::{Field, ROOT, Shape};
use super::yaml::{Node, Value};
use crate::domain::runbook::model::PhaseKind;
use crate::domain::runbook::shell_programs::is_name;

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
            Some(s) if is_name(s) => {}
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
        Shape::Bool => {
            let is_bool = matches!(&node.value, Value::Scalar { text, plain: true }
                if matches!(text.as_str(), "true" | "false" | "True" | "False" | "TRUE" | "FALSE"));
            if !is_bool {
                issues.push(wrong_kind(node, path, "true or false"));
            }
        }
        Shape::ArgoServer => match node.scalar() {
            Some(s) => {
                if let Some((message, hint)) = crate::domain::argocd::server::server_issue(s) {
                    issues.push(Issue::at(node, format!("{path}: {message}"), hint));
                }
            }
            None => issues.push(wrong_kind(node, path, "an Argo CD server address")),
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

/// "`a`", "`a` and `b`", "`a`, `b` and `c`"
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
#[path = "schema_check_tests.rs"]
mod tests;

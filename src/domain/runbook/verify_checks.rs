//! Checks of front matter `verify:` entries that need more than their shape: exactly one
//! probe per check, unique names, a PromQL condition that parses and names defined queries,
//! an HTTP URL, and a sampling interval that fits the window.

use std::path::Path;

use super::diagnostic_text::column_in_value;
use super::front_matter::DurationSpec;
use super::front_matter::yaml::Node;
use super::metric_queries::{query_names, unknown_query_hint};
use super::source::{Findings, Pos};
use crate::domain::decision::parse_condition;

/// The probe keys of a check, one of which it must have.
pub(super) const PROBES: [&str; 5] = ["http", "promql", "pods", "rollout", "shell"];

pub(super) fn run(
    file: &Path,
    tree: &Node,
    at: &impl Fn(&Node, usize) -> Pos,
    findings: &mut Findings,
) {
    let Some(verify) = tree.get("verify") else {
        return;
    };
    let queries = query_names(tree);
    let mut names: Vec<(&str, usize)> = Vec::new();
    for (i, entry) in verify.items().iter().enumerate() {
        let n = i + 1;
        let name_node = entry.get("name");
        let name = name_node.and_then(Node::scalar).unwrap_or("");
        if let Some(node) = name_node {
            match names.iter().find(|(other, _)| *other == name) {
                Some((_, first)) => findings.push(at(node, 0).error(
                    file,
                    format!("verify check {n}: the name `{name}` is already used by verify check {first}"),
                    Some("every check needs a name of its own; the journal and the report name checks by it".into()),
                )),
                None => names.push((name, n)),
            }
        }
        let probes: Vec<(&Node, &str)> = entry
            .entries()
            .iter()
            .filter_map(|(k, _)| k.scalar().filter(|s| PROBES.contains(s)).map(|s| (k, s)))
            .collect();
        match probes.as_slice() {
            [] => findings.push(at(entry, 0).error(
                file,
                format!("verify check {n} (`{name}`) says nothing to check"),
                Some("give it one of `http`, `promql`, `pods`, `rollout` or `shell`".into()),
            )),
            [_] => {}
            [(_, first), (second_node, second), ..] => findings.push(at(second_node, 0).error(
                file,
                format!("verify check {n} (`{name}`) has both `{first}` and `{second}`"),
                Some("a check measures one thing: split it into two checks".into()),
            )),
        }
        if let Some(url) = entry.get("http").and_then(|h| h.get("url"))
            && let Some(text) = url.scalar()
            && !(text.starts_with("http://") || text.starts_with("https://"))
        {
            findings.push(at(url, 0).error(
                file,
                format!("verify check {n} (`{name}`): `{text}` is not an http:// or https:// URL"),
                None,
            ));
        }
        if let Some(node) = entry.get("promql")
            && let Some(text) = node.scalar()
        {
            promql_condition(file, n, name, node, text, &queries, at, findings);
        }
        let duration = |key: &str| {
            entry
                .get(key)
                .and_then(|node| Some((node, DurationSpec::parse(node.scalar()?).ok()?.0)))
        };
        if let Some((node, every)) = duration("every") {
            if every.is_zero() {
                findings.push(at(node, 0).error(
                    file,
                    format!("verify check {n} (`{name}`): `every` must be longer than zero"),
                    None,
                ));
            } else if let Some((_, window)) = duration("window")
                && every > window
            {
                findings.push(at(node, 0).error(
                    file,
                    format!(
                        "verify check {n} (`{name}`): `every` ({}) is longer than the window ({})",
                        DurationSpec(every),
                        DurationSpec(window)
                    ),
                    Some("sample at least once within the window, e.g. `window: 15m, every: 30s`".into()),
                ));
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn promql_condition(
    file: &Path,
    n: usize,
    name: &str,
    node: &Node,
    text: &str,
    queries: &[&str],
    at: &impl Fn(&Node, usize) -> Pos,
    findings: &mut Findings,
) {
    let parsed = match parse_condition(text) {
        Ok(c) => c,
        Err(e) => {
            findings.push(at(node, column_in_value(node, text, e.offset)).error(
                file,
                format!("verify check {n} (`{name}`): {}", e.message),
                e.hint,
            ));
            return;
        }
    };
    for r in parsed.metric_refs() {
        let metric = r.name.as_str();
        if queries.contains(&metric) {
            continue;
        }
        let hint = unknown_query_hint(metric, queries);
        findings.push(at(node, column_in_value(node, text, r.span.start)).error(
            file,
            format!("verify check {n} (`{name}`): `{metric}` is not a query in `metrics.queries`"),
            Some(hint),
        ));
    }
}

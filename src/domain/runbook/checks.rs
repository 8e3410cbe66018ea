//! Checks that need both the front matter and the Markdown: `phases:` headings exist,
//! `vars` are used, matrix rules name defined queries, and there is something to do.

use std::path::Path;

use super::diagnostic_text::{column_in_value, quoted_list};
use super::front_matter::closest_word::closest;
use super::front_matter::parse::Parsed;
use super::front_matter::yaml::Node;
use super::metric_queries::{query_names, unknown_query_hint};
use super::outline::Outline;
use super::phase_words;
use super::source::{Findings, Pos, Source};
use crate::domain::decision::parse_condition;

pub(super) fn run(
    file: &Path,
    source: &Source,
    front: &Parsed,
    outline: &Outline,
    findings: &mut Findings,
) {
    if let (Some(_), Some(tree)) = (&front.front, &front.tree) {
        let at = |node: &Node, extra_cols: usize| {
            source.position_at(
                front.first_line + node.line.saturating_sub(1),
                node.col + extra_cols,
            )
        };
        phases_exist(file, tree, outline, &at, findings);
        vars_used(file, tree, outline, &at, findings);
        matrix_queries_defined(file, tree, &at, findings);
        messages_known(file, tree, &at, findings);
        super::verify_checks::run(file, tree, &at, findings);
    }
    if outline.step_count() == 0 {
        findings.push(source.position(front.body_start).error(
            file,
            "nothing to do: no task items, numbered items, command blocks or PromQL checks in any phase",
            Some(
                "write steps as task items (`- [ ] …`), numbered items (`1. …`) or fenced shell blocks under phase headings (Preparation, Execution, Verification, Communication, Post-rollback)"
                    .into(),
            ),
        ));
    }
}

/// Every heading named in `phases:` is in the runbook.
fn phases_exist(
    file: &Path,
    tree: &Node,
    outline: &Outline,
    at: &impl Fn(&Node, usize) -> Pos,
    findings: &mut Findings,
) {
    let Some(phases) = tree.get("phases") else {
        return;
    };
    let headings: Vec<&str> = outline.headings.iter().map(|(t, _)| t.as_str()).collect();
    for (key, _) in phases.entries() {
        let Some(heading) = key.scalar() else {
            continue;
        };
        if outline
            .overrides_used
            .contains(&phase_words::match_key(heading))
        {
            continue;
        }
        let hint = match closest(heading, &headings) {
            Some(best) => format!("did you mean `{best}`?"),
            None if headings.is_empty() => "the runbook has no headings".to_string(),
            None => format!("headings are: {}", quoted_list(&headings, 8)),
        };
        findings.push(at(key, 0).error(
            file,
            format!("`phases` maps heading `{heading}`, which is not in the runbook"),
            Some(hint),
        ));
    }
}

/// Every `vars` entry binds a placeholder some step uses.
fn vars_used(
    file: &Path,
    tree: &Node,
    outline: &Outline,
    at: &impl Fn(&Node, usize) -> Pos,
    findings: &mut Findings,
) {
    let Some(vars) = tree.get("vars") else {
        return;
    };
    let names: Vec<&str> = outline
        .placeholders
        .found
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    for (key, _) in vars.entries() {
        let Some(name) = key.scalar() else {
            continue;
        };
        if names.contains(&name) {
            continue;
        }
        let hint = match closest(name, &names) {
            Some(best) => format!("did you mean `{best}`?"),
            None if names.is_empty() => "no step uses a placeholder".to_string(),
            None => format!("placeholders used: {}", quoted_list(&names, 8)),
        };
        findings.push(at(key, 0).warning(
            file,
            format!("`vars` binds `{name}`, which no step uses"),
            Some(hint),
        ));
    }
}

/// Every key of `messages:` is a message kind and every `{{variable}}` in its text is a
/// template variable (see `docs/notifications.md`).
fn messages_known(
    file: &Path,
    tree: &Node,
    at: &impl Fn(&Node, usize) -> Pos,
    findings: &mut Findings,
) {
    use crate::domain::notify::MessageKind;
    use crate::domain::notify::template::{VARIABLES, unknown_variables};
    let Some(messages) = tree.get("messages") else {
        return;
    };
    let kinds: Vec<&str> = MessageKind::ALL.iter().map(|k| k.name()).collect();
    let variables: Vec<&str> = VARIABLES.iter().map(|(v, _)| *v).collect();
    for (key, value) in messages.entries() {
        let Some(name) = key.scalar() else {
            continue;
        };
        if MessageKind::from_name(name).is_none() {
            let hint = match closest(name, &kinds) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("the kinds are {}", quoted_list(&kinds, 8)),
            };
            findings.push(at(key, 0).error(
                file,
                format!("`messages.{name}` is not a message kind"),
                Some(hint),
            ));
        }
        let Some(text) = value.scalar() else {
            continue;
        };
        for u in unknown_variables(text) {
            let hint = match closest(u.name, &variables) {
                Some(best) => format!("did you mean `{{{{{best}}}}}`?"),
                None => format!("the variables are {}", quoted_list(&variables, 20)),
            };
            findings.push(at(value, column_in_value(value, text, u.offset)).error(
                file,
                format!(
                    "`messages.{name}`: `{{{{{}}}}}` is not a template variable",
                    u.name
                ),
                Some(hint),
            ));
        }
    }
}

/// Every matrix rule's `when` parses in the condition language (see
/// `docs/decision-matrix.md`), and every metric it names is defined under
/// `metrics.queries`.
fn matrix_queries_defined(
    file: &Path,
    tree: &Node,
    at: &impl Fn(&Node, usize) -> Pos,
    findings: &mut Findings,
) {
    let Some(matrix) = tree.get("matrix") else {
        return;
    };
    let queries = query_names(tree);
    for (i, rule) in matrix.items().iter().enumerate() {
        let Some(when) = rule.get("when") else {
            continue;
        };
        let Some(condition) = when.scalar() else {
            continue;
        };
        let parsed = match parse_condition(condition) {
            Ok(c) => c,
            Err(e) => {
                findings.push(at(when, column_in_value(when, condition, e.offset)).error(
                    file,
                    format!("matrix rule {}: {}", i + 1, e.message),
                    e.hint,
                ));
                continue;
            }
        };
        for r in parsed.metric_refs() {
            let name = r.name.as_str();
            if queries.contains(&name) {
                continue;
            }
            let hint = unknown_query_hint(name, &queries);
            findings.push(
                at(when, column_in_value(when, condition, r.span.start)).error(
                    file,
                    format!(
                        "matrix rule {}: `{name}` is not a query in `metrics.queries`",
                        i + 1
                    ),
                    Some(hint),
                ),
            );
        }
    }
}

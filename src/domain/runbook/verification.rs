//! Verification checks found in a runbook, each shown as a step of the verification phase:
//! front matter `verify:` entries (each a step of its own, after the phase's written
//! steps), ```promql blocks holding a comparison, and `kubectl rollout status
//! deployment/NAME` lines (each attaching to the block it is written in).

use std::collections::{BTreeMap, BTreeSet};

use super::front_matter::{DurationSpec, FrontMatter, VerifyEntry};
use super::model::{Bindings, Phase, PhaseKind, Step, StepId, StepKind};
use super::placeholder_fill::fill;
use super::promql;
use crate::domain::cluster::{Command, ParsedLine, ReadOnlyQuery, parse_kubectl_line};
use crate::domain::decision::{CmpOp, Condition, Expr, Span, parse_condition};
use crate::domain::verify::{
    Check, CheckSource, DEFAULT_EVERY, HttpProbe, PodsProbe, Probe, PromqlProbe, RolloutProbe,
    ShellProbe,
};
use rustc_hash::{FxHashMap as NameMap, FxHashSet as NameSet};

/// Finds the checks, adds a step per front matter check (creating a verification phase
/// when the runbook has none), renumbers the steps, and returns the checks in step order.
/// `entry_lines` are the 1-based lines of the `verify:` entries.
pub(super) fn attach(
    front: Option<&FrontMatter>,
    entry_lines: &[usize],
    phases: &mut Vec<Phase>,
) -> Vec<Check> {
    let vars: Bindings = front.map(|f| f.vars.clone()).unwrap_or_default();
    let entries: &[VerifyEntry] = front.map_or(&[], |f| f.verify.as_slice());
    // A ```promql block's query is named after its step; names already taken (the front
    // matter's queries, earlier blocks) are never reused.
    let mut names = QueryNames {
        taken: front
            .and_then(|f| f.metrics.as_ref())
            .map(|m| m.queries.keys().cloned().collect())
            .unwrap_or_default(),
        next_suffix: NameMap::default(),
    };
    // Written checks first, keyed by the step's index within its phase.
    let mut found: Vec<(usize, usize, Check)> = Vec::new();
    for (pi, phase) in phases.iter().enumerate() {
        if phase.kind != PhaseKind::Verification {
            continue;
        }
        for (si, step) in phase.steps.iter().enumerate() {
            for check in written_checks(step, &vars, &mut names) {
                found.push((pi, si, check));
            }
        }
    }
    if !entries.is_empty() {
        let pi = match phases
            .iter()
            .position(|p| p.kind == PhaseKind::Verification)
        {
            Some(pi) => pi,
            None => {
                let at = phases
                    .iter()
                    .rposition(|p| p.kind < PhaseKind::Verification)
                    .map_or(0, |i| i + 1);
                phases.insert(
                    at,
                    Phase {
                        kind: PhaseKind::Verification,
                        title: "Verification".into(),
                        line: entry_lines.first().copied().unwrap_or(1),
                        time_budget: None,
                        body: String::new(),
                        steps: Vec::new(),
                    },
                );
                for f in &mut found {
                    if f.0 >= at {
                        f.0 += 1;
                    }
                }
                at
            }
        };
        for (i, entry) in entries.iter().enumerate() {
            let Some(check) = from_entry(i + 1, entry) else {
                continue;
            };
            let line = entry_lines.get(i).copied().unwrap_or(1);
            let description = check.description();
            let window = window_text(&check);
            phases[pi].steps.push(Step {
                id: StepId(0),
                line,
                title: format!("Check {}: {description}", check.name),
                text: format!(
                    "Verification check `{}`: {description}{window}.",
                    check.name
                ),
                section: None,
                kind: StepKind::Verify {
                    check: check.name.clone(),
                },
                alternative: None,
            });
            found.push((pi, phases[pi].steps.len() - 1, check));
        }
    }
    // Steps are numbered in document order across phases.
    let mut next = 0u32;
    for phase in phases.iter_mut() {
        for step in phase.steps.iter_mut() {
            step.id = StepId(next);
            next += 1;
        }
    }
    let mut checks: Vec<Check> = found
        .into_iter()
        .filter_map(|(pi, si, mut check)| {
            check.step = phases.get(pi)?.steps.get(si)?.id;
            Some(check)
        })
        .collect();
    checks.sort_by_key(|c| c.step);
    unique_names(&mut checks);
    checks
}

fn window_text(check: &Check) -> String {
    match check.window {
        Some(w) => format!(
            ", holding for {} (a sample every {})",
            DurationSpec(w),
            DurationSpec(check.every)
        ),
        None => String::new(),
    }
}

/// Names written checks after their step; a repeated name gets the step id appended.
fn unique_names(checks: &mut [Check]) {
    let mut seen: NameSet<String> = NameSet::default();
    seen.reserve(checks.len());
    for c in checks.iter_mut() {
        if seen.contains(&c.name) {
            c.name = format!("{} ({})", c.name, c.step);
        }
        seen.insert(c.name.clone());
    }
}

/// A readable, unused name for a ```promql block's query, from its step's title
/// (`Errors must fall back under 1 %` → `errors_must_fall_back`), shown wherever its value
/// is (`errors_must_fall_back = 0.004`). A taken name gets `_2`, `_3`, …; a title without
/// words gives `check_line_N`.
fn query_name(title: &str, line: usize, names: &mut QueryNames) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    let base = match words.first() {
        Some(first) if first.starts_with(|c: char| c.is_ascii_alphabetic()) => words.join("_"),
        _ => format!("check_line_{line}"),
    };
    // Names are only ever added, so the suffixes tried for a base before stay taken:
    // the search goes on where it stopped last time.
    let mut n = names.next_suffix.get(&base).copied().unwrap_or(2);
    let mut name = if n == 2 {
        base.clone()
    } else {
        format!("{base}_{n}")
    };
    while names.taken.contains(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    names.taken.insert(name.clone());
    names.next_suffix.insert(base, n);
    name
}

/// Query names taken, and for each base name the next suffix worth trying.
#[derive(Default)]
struct QueryNames {
    taken: BTreeSet<String>,
    next_suffix: NameMap<String, usize>,
}

/// Checks a written verification step holds: a PromQL block with a comparison, or the
/// `kubectl rollout status` lines of a command block.
fn written_checks(step: &Step, vars: &Bindings, names: &mut QueryNames) -> Vec<Check> {
    let check = |name: String, probe: Probe, source: CheckSource| Check {
        name,
        probe,
        window: None,
        every: DEFAULT_EVERY,
        source,
        step: step.id,
    };
    match &step.kind {
        StepKind::Promql { query, .. } => {
            let Some(split) = promql::split(query) else {
                return Vec::new();
            };
            let (Some(op), Ok(threshold)) = (cmp_op(split.op), split.number.parse::<f64>()) else {
                return Vec::new();
            };
            let metric = query_name(&step.title, step.line, names);
            let text = format!("{metric} {} {}", split.op, split.number);
            let condition = Condition::Compare {
                op,
                left: Expr::Metric {
                    name: metric.clone(),
                    span: Span {
                        start: 0,
                        end: metric.len(),
                    },
                },
                right: Expr::Number(threshold),
            };
            vec![check(
                step.title.clone(),
                Probe::Promql(PromqlProbe {
                    text,
                    condition,
                    queries: BTreeMap::from([(metric, split.expr)]),
                }),
                CheckSource::PromqlBlock,
            )]
        }
        StepKind::Command(block) => block
            .lines
            .iter()
            .filter(|l| l.is_kubectl)
            .filter_map(|l| {
                let text = fill(&l.text, vars).ok()?;
                // `rollout status` is written out unless quoting or escapes spell it: a
                // line with neither and no `status` is not one (no need to parse it).
                if !text.contains(['\'', '"', '\\']) && !text.contains("status") {
                    return None;
                }
                let ParsedLine::Parsed(k) = parse_kubectl_line(&text) else {
                    return None;
                };
                if !matches!(
                    k.command,
                    Command::Query(ReadOnlyQuery::RolloutStatus { .. })
                ) {
                    return None;
                }
                let name = format!(
                    "rollout status deployment/{}",
                    k.deployment.as_deref().unwrap_or("(target)")
                );
                Some(check(
                    name,
                    Probe::Rollout(RolloutProbe {
                        namespace: k.namespace,
                        deployment: k.deployment,
                    }),
                    CheckSource::RolloutStatusLine,
                ))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn cmp_op(op: &str) -> Option<CmpOp> {
    Some(match op {
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        _ => return None,
    })
}

/// The check a front matter entry describes (`index` 1-based); `None` when it has no
/// probe or an invalid one (the loader has already reported it).
fn from_entry(index: usize, e: &VerifyEntry) -> Option<Check> {
    let probe = if let Some(h) = &e.http {
        Probe::Http(HttpProbe {
            url: h.url.clone(),
            expect_status: h.status.unwrap_or(200),
            json_pointer: h.json_pointer.clone(),
            expect_value: h.equals.clone(),
            max_latency: h.max_latency.map(|d| d.0),
        })
    } else if let Some(text) = &e.promql {
        Probe::Promql(PromqlProbe {
            text: text.trim().to_string(),
            condition: parse_condition(text).ok()?,
            queries: BTreeMap::new(),
        })
    } else if let Some(p) = &e.pods {
        Probe::Pods(PodsProbe {
            namespace: p.namespace.clone(),
            deployment: p.deployment.clone(),
            revision: p.revision,
            image: p.image.clone(),
        })
    } else if let Some(r) = &e.rollout {
        Probe::Rollout(RolloutProbe {
            namespace: r.namespace.clone(),
            deployment: r.deployment.clone(),
        })
    } else {
        Probe::Shell(ShellProbe {
            command: e.shell.clone()?,
        })
    };
    let window = e.window.map(|d| d.0);
    let every = e
        .every
        .map(|d| d.0)
        .unwrap_or_else(|| window.map_or(DEFAULT_EVERY, |w| w.min(DEFAULT_EVERY)));
    Some(Check {
        name: e.name.clone(),
        probe,
        window,
        every,
        source: CheckSource::FrontMatter { index },
        step: StepId(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_promql_blocks_query_is_named_after_its_step_and_never_reuses_a_name() {
        let mut names = QueryNames {
            taken: BTreeSet::from(["error_rate".to_string()]),
            ..QueryNames::default()
        };
        assert_eq!(
            query_name("Error rate", 12, &mut names),
            "error_rate_2",
            "the front matter's error_rate is taken"
        );
        assert_eq!(
            query_name("p95 latency back under 1000 ms", 16, &mut names),
            "p95_latency_back_under"
        );
        assert_eq!(
            query_name("p95 latency back under 500 ms", 20, &mut names),
            "p95_latency_back_under_2"
        );
        assert_eq!(
            query_name("99th percentile", 30, &mut names),
            "check_line_30"
        );
        assert_eq!(query_name("—", 31, &mut names), "check_line_31");
    }
}

//! Which cluster a runbook is about, read from its own `kubectl` lines.
//!
//! A team's runbook rarely says "deployment X in namespace Y" anywhere but in its commands:
//! `kubectl -n summit-production rollout undo deployment/intelgraph-server`. With no
//! `target` in front matter and no flags, the console counts what those lines name and
//! offers the deployment named most, with the namespace named most alongside it, and the
//! lines it read them from. What is counted, per logical kubectl line of a step:
//!
//! - a deployment: `deployment/NAME`, `deploy/NAME`, `deployments.apps/NAME`, or the
//!   resource word followed by a name (`scale deployment NAME`); a label selector
//!   `-l app=NAME` (or `app.kubernetes.io/name=NAME`) only when no line names one;
//! - a namespace: `-n NAME`, `-nNAME`, `--namespace NAME`, `--namespace=NAME`;
//! - a context: `--context NAME`, `--context=NAME`.
//!
//! A value left as a placeholder (`<service-name>`, `$NAMESPACE`) that front matter `vars`
//! does not bind is kept as that placeholder: the console asks for it once. Two deployments
//! named equally often are a tie: nothing is chosen and both are offered.

use std::collections::BTreeMap;

use super::model::{Bindings, Runbook, StepKind};

/// What a slot of the target was read as.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Named {
    /// A literal name.
    Value(String),
    /// A placeholder left unbound, as written (`<service-name>`, `$NAMESPACE`).
    Placeholder(String),
}

impl Named {
    /// The literal name, when it is one.
    pub fn value(&self) -> Option<&str> {
        match self {
            Named::Value(v) => Some(v),
            Named::Placeholder(_) => None,
        }
    }
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Named::Value(v) | Named::Placeholder(v) => f.write_str(v),
        }
    }
}

/// One slot's inference: what was chosen and the runbook lines (1-based) naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guess {
    pub named: Named,
    pub lines: Vec<usize>,
}

/// The target read from a runbook's kubectl lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetInference {
    pub deployment: Option<Guess>,
    pub namespace: Option<Guess>,
    pub context: Option<Guess>,
    /// Deployments named as often as the most named one (a tie: none was chosen).
    pub tied: Vec<String>,
}

impl TargetInference {
    /// Whether anything at all was read.
    pub fn is_empty(&self) -> bool {
        self.deployment.is_none()
            && self.namespace.is_none()
            && self.context.is_none()
            && self.tied.is_empty()
    }

    /// The placeholders the operator must fill before connecting, as written.
    pub fn placeholders(&self) -> Vec<&str> {
        [&self.deployment, &self.namespace, &self.context]
            .into_iter()
            .flatten()
            .filter_map(|g| match &g.named {
                Named::Placeholder(p) => Some(p.as_str()),
                Named::Value(_) => None,
            })
            .collect()
    }

    /// What was inferred, one line per slot with its source lines, for the operator to
    /// accept or edit (`deployment  gateway  (lines 12, 18)`).
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (label, guess) in [
            ("deployment", &self.deployment),
            ("namespace", &self.namespace),
            ("context", &self.context),
        ] {
            if let Some(g) = guess {
                let ask = match g.named {
                    Named::Placeholder(_) => " — a placeholder: asked before connecting",
                    Named::Value(_) => "",
                };
                out.push(format!(
                    "{label:<10}  {}  ({}){ask}",
                    g.named,
                    lines_text(&g.lines)
                ));
            }
        }
        if !self.tied.is_empty() {
            out.push(format!(
                "deployment  none chosen: named equally often — {}",
                self.tied.join(", ")
            ));
        }
        out
    }
}

/// `line 12` or `lines 12, 18, 25` (the first eight, then `…`).
pub fn lines_text(lines: &[usize]) -> String {
    const SHOWN: usize = 8;
    let mut parts: Vec<String> = lines.iter().take(SHOWN).map(|l| l.to_string()).collect();
    if lines.len() > SHOWN {
        parts.push("…".into());
    }
    let word = if lines.len() == 1 { "line" } else { "lines" };
    format!("{word} {}", parts.join(", "))
}

/// The deployment, namespace and context one kubectl line names by value (placeholders
/// filled from `bindings`; one left unbound names nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineTarget {
    pub deployment: Option<String>,
    pub namespace: Option<String>,
    pub context: Option<String>,
}

/// What a kubectl line names (see [`LineTarget`]).
pub fn line_target(text: &str, bindings: &Bindings) -> LineTarget {
    let n = names_in(text, bindings);
    let value = |n: Option<Named>| match n {
        Some(Named::Value(v)) => Some(v),
        _ => None,
    };
    LineTarget {
        deployment: value(n.deployment),
        namespace: value(n.namespace),
        context: value(n.context),
    }
}

/// What one kubectl line names.
#[derive(Debug, Default, PartialEq, Eq)]
struct LineNames {
    deployment: Option<Named>,
    /// From a label selector: weaker than a deployment named outright.
    selected_app: Option<Named>,
    namespace: Option<Named>,
    context: Option<Named>,
}

/// Reads the target from every kubectl line of the runbook's steps.
pub fn infer_target(runbook: &Runbook) -> TargetInference {
    let bindings = runbook.bindings();
    let named: Vec<(usize, LineNames)> = kubectl_lines(runbook)
        .map(|(line, text)| (line, names_in(text, &bindings)))
        .collect();
    let deployments = tally(named.iter().map(|(l, n)| (*l, n.deployment.clone())));
    let deployments = if deployments.is_empty() {
        tally(named.iter().map(|(l, n)| (*l, n.selected_app.clone())))
    } else {
        deployments
    };
    let mut out = TargetInference::default();
    match top(&deployments) {
        Top::One(guess) => out.deployment = Some(guess),
        Top::Tie(names) => out.tied = names,
        Top::None => {}
    }
    out.namespace = namespace_among(&named, out.deployment.as_ref().map(|g| &g.named));
    out.context = match top(&tally(named.iter().map(|(l, n)| (*l, n.context.clone())))) {
        Top::One(guess) => Some(guess),
        _ => None,
    };
    out
}

/// The namespace for a deployment named by flag (`--deployment` without `-n`): the one
/// the runbook's lines naming that deployment give it most, else the one named most.
pub fn namespace_for(runbook: &Runbook, deployment: &str) -> Option<Guess> {
    let bindings = runbook.bindings();
    let named: Vec<(usize, LineNames)> = kubectl_lines(runbook)
        .map(|(line, text)| (line, names_in(text, &bindings)))
        .collect();
    namespace_among(&named, Some(&Named::Value(deployment.to_string())))
}

fn namespace_among(named: &[(usize, LineNames)], deployment: Option<&Named>) -> Option<Guess> {
    if let Some(d) = deployment {
        let with = tally(
            named
                .iter()
                .filter(|(_, n)| n.deployment.as_ref().or(n.selected_app.as_ref()) == Some(d))
                .map(|(l, n)| (*l, n.namespace.clone())),
        );
        if let Top::One(g) = top(&with) {
            return Some(g);
        }
    }
    match top(&tally(named.iter().map(|(l, n)| (*l, n.namespace.clone())))) {
        Top::One(g) => Some(g),
        _ => None,
    }
}

/// Every logical kubectl line of a command step: (1-based line, text).
fn kubectl_lines(runbook: &Runbook) -> impl Iterator<Item = (usize, &str)> {
    runbook.steps().flat_map(|s| match &s.kind {
        StepKind::Command(block) => block
            .lines
            .iter()
            .filter(|l| l.is_kubectl)
            .map(|l| (l.line, l.text.as_str()))
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    })
}

/// Lines naming each value, in first-seen order of lines.
fn tally(items: impl Iterator<Item = (usize, Option<Named>)>) -> BTreeMap<Named, Vec<usize>> {
    let mut out: BTreeMap<Named, Vec<usize>> = BTreeMap::new();
    for (line, named) in items {
        if let Some(n) = named {
            let lines = out.entry(n).or_default();
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
    }
    out
}

enum Top {
    None,
    One(Guess),
    Tie(Vec<String>),
}

fn top(counts: &BTreeMap<Named, Vec<usize>>) -> Top {
    let Some(max) = counts.values().map(Vec::len).max() else {
        return Top::None;
    };
    let best: Vec<(&Named, &Vec<usize>)> = counts.iter().filter(|(_, l)| l.len() == max).collect();
    match best.as_slice() {
        [(named, lines)] => Top::One(Guess {
            named: (*named).clone(),
            lines: (*lines).clone(),
        }),
        many => Top::Tie(many.iter().map(|(n, _)| n.to_string()).collect()),
    }
}

/// Reads the names one kubectl line gives (words split on whitespace, quotes dropped:
/// enough for names, which hold no spaces).
fn names_in(text: &str, bindings: &Bindings) -> LineNames {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '\'' || c == '"'))
        .collect();
    let Some(start) = words
        .iter()
        .position(|w| *w == "kubectl" || w.ends_with("/kubectl"))
    else {
        return LineNames::default();
    };
    let mut out = LineNames::default();
    let value = |w: &str| -> Option<Named> { name_value(w, bindings) };
    let mut i = start + 1;
    while i < words.len() {
        let w = words[i];
        let next = words.get(i + 1).copied();
        if w == "|" || w == "&&" || w == ";" || w == "||" {
            break;
        }
        if let Some(v) = flag_value(w, next, "-n", "--namespace") {
            out.namespace = out.namespace.or(value(v.0));
            i += v.1;
        } else if let Some(v) = flag_value(w, next, "", "--context") {
            out.context = out.context.or(value(v.0));
            i += v.1;
        } else if let Some(v) = flag_value(w, next, "-l", "--selector") {
            out.selected_app = out.selected_app.or(selector_app(v.0, bindings));
            i += v.1;
        } else if let Some((kind, name)) = w.split_once('/') {
            if is_deployment_word(kind) {
                out.deployment = out.deployment.or(value(name));
            }
            i += 1;
        } else if is_deployment_word(w) {
            if let Some(n) = next.filter(|n| !n.starts_with('-')) {
                out.deployment = out.deployment.or(value(n));
                i += 2;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// A flag's value and how many words it took: `-n x` (2), `-nx`, `--namespace=x` (1).
fn flag_value<'a>(
    w: &'a str,
    next: Option<&'a str>,
    short: &str,
    long: &str,
) -> Option<(&'a str, usize)> {
    if w == long || (!short.is_empty() && w == short) {
        return next.map(|n| (n, 2));
    }
    if let Some(v) = w.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
        return Some((v, 1));
    }
    if !short.is_empty()
        && let Some(v) = w.strip_prefix(short).filter(|v| !v.is_empty())
    {
        return Some((v.strip_prefix('=').unwrap_or(v), 1));
    }
    None
}

fn is_deployment_word(w: &str) -> bool {
    matches!(
        w,
        "deployment" | "deployments" | "deploy" | "deployment.apps" | "deployments.apps"
    )
}

/// `app=NAME` or `app.kubernetes.io/name=NAME` in a selector.
fn selector_app(selector: &str, bindings: &Bindings) -> Option<Named> {
    selector.split(',').find_map(|term| {
        let (key, v) = term.split_once('=')?;
        matches!(key, "app" | "app.kubernetes.io/name")
            .then(|| name_value(v.trim_start_matches('='), bindings))
            .flatten()
    })
}

/// A name as written: a literal, a bound placeholder's value, or an unbound placeholder.
fn name_value(w: &str, bindings: &Bindings) -> Option<Named> {
    if w.is_empty() {
        return None;
    }
    // (name, how it is written): `${X}` and `$X` are one placeholder, written `$X`.
    let placeholder = if let Some(inner) = w.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        Some((inner, w.to_string()))
    } else if let Some(inner) = w.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        Some((inner, format!("${inner}")))
    } else {
        w.strip_prefix('$').map(|inner| (inner, w.to_string()))
    };
    match placeholder {
        Some((name, written)) => match bindings.get(name) {
            Some(v) => Some(Named::Value(v.clone())),
            None => Some(Named::Placeholder(written)),
        },
        None if w.contains(['<', '>', '$', '{', '}', '*']) => None,
        None => Some(Named::Value(w.to_string())),
    }
}

#[cfg(test)]
#[path = "target_inference_tests.rs"]
mod tests;

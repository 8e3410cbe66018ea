//! The metrics of a simulated drill. A runbook with `metrics.queries` is shown its own
//! queries, read from the simulated service's model by their names. Most teams' runbooks
//! name no metrics at all: without help the console would show no Metrics pane and the
//! team would have nothing but the pods to see the incident by. For those, the drill gives
//! the console the model's four standard readings ([`MODEL_QUERIES`]) — so the Metrics pane
//! shows the bad release's error rate and latency, and a decision table in the runbook
//! whose conditions name an error rate or a latency evaluates live — and says so in the
//! intro. With `--prometheus-url` nothing is added: Prometheus evaluates PromQL, not names.

use std::collections::BTreeMap;

use crate::cli::ConsoleArgs;
use crate::domain::runbook::Runbook;
use crate::domain::runbook::front_matter::{FrontMatter, Metrics, Target};

/// The readings a drill adds to a runbook that names no metrics: name (as the Metrics pane
/// shows it, and as `sim::metrics_source::ModelMetric::of` maps it) and what it is.
pub const MODEL_QUERIES: [(&str, &str); 4] = [
    (
        "error_rate",
        "simulator model: the share of requests answered 5xx",
    ),
    (
        "latency_p95",
        "simulator model: p95 request latency, seconds",
    ),
    (
        "ready_pods",
        "simulator model: ready pods of the deployment",
    ),
    (
        "restarts",
        "simulator model: container restarts of the deployment",
    ),
];

/// What a simulated drill reads its metrics for.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillMetrics {
    /// The front matter the simulator's metrics source is built from: the runbook's own,
    /// its target completed from the console's (the drill plays on it), and with the
    /// model's queries when the runbook names none.
    pub front: FrontMatter,
    /// The queries the console's runbook is given (`None`: it has its own).
    pub added: Option<Metrics>,
}

/// The drill's metrics for `book` on the console's target.
pub fn drill_metrics(book: Option<&Runbook>, console: &ConsoleArgs) -> DrillMetrics {
    let mut front = book.and_then(|b| b.front.clone()).unwrap_or_default();
    let target = front.target.get_or_insert_with(Target::default);
    if target.namespace.is_none() {
        target.namespace = console.namespace.clone();
    }
    if target.deployment.is_none() {
        target.deployment = console.deployment.clone();
    }
    let named = front
        .metrics
        .as_ref()
        .is_some_and(|m| !m.queries.is_empty());
    // With a Prometheus the drill reads it, and names alone mean nothing to it.
    let added = (!named && console.prometheus_url.is_none()).then(model_queries);
    if let Some(m) = &added {
        let metrics = front.metrics.get_or_insert_with(Metrics::default);
        metrics.queries = m.queries.clone();
    }
    DrillMetrics { front, added }
}

/// [`MODEL_QUERIES`] as a runbook's `metrics`.
pub fn model_queries() -> Metrics {
    Metrics {
        queries: MODEL_QUERIES
            .iter()
            .map(|(name, what)| (name.to_string(), what.to_string()))
            .collect::<BTreeMap<_, _>>(),
        ..Metrics::default()
    }
}

/// The console's runbook with the drill's added queries (unchanged when the drill added
/// none, or the runbook has queries of its own).
pub fn with_added_queries(mut runbook: Runbook, added: Option<&Metrics>) -> Runbook {
    let Some(added) = added else {
        return runbook;
    };
    let front = runbook.front.get_or_insert_with(FrontMatter::default);
    let metrics = front.metrics.get_or_insert_with(Metrics::default);
    if metrics.queries.is_empty() {
        metrics.queries = added.queries.clone();
    }
    runbook
}

/// The intro's line for added queries.
pub fn intro_line(added: &Metrics) -> String {
    let names: Vec<&str> = added.queries.keys().map(String::as_str).collect();
    format!(
        "Your runbook names no metrics: the Metrics pane shows the simulated service's {} \
         (read from the simulator's model).",
        names.join(", ")
    )
}

/// Whether the runbook has a decision matrix the drill's metrics can evaluate: the front
/// matter's, or a Markdown decision table (bound to the query names when it is shown).
pub fn has_matrix(book: Option<&Runbook>) -> bool {
    book.is_some_and(|b| {
        !b.decision_tables.is_empty() || b.front.as_ref().is_some_and(|f| !f.matrix.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn book(text: &str) -> Runbook {
        crate::domain::runbook::parse(Path::new("t.md"), text).expect("loads")
    }

    fn console(ns: &str, deploy: &str) -> ConsoleArgs {
        ConsoleArgs {
            namespace: Some(ns.into()),
            deployment: Some(deploy.into()),
            ..ConsoleArgs::default()
        }
    }

    const TEAM: &str = "# Checkout rollback\n\n## Rollback\n\n```bash\nkubectl rollout undo deployment/checkout -n shop\n```\n";

    #[test]
    fn a_runbook_without_metrics_gets_the_models_four_readings_on_the_console_target() {
        let b = book(TEAM);
        let m = drill_metrics(Some(&b), &console("shop", "checkout"));
        let added = m.added.expect("queries added");
        assert_eq!(
            added.queries.keys().collect::<Vec<_>>(),
            ["error_rate", "latency_p95", "ready_pods", "restarts"]
        );
        let target = m.front.target.expect("target");
        assert_eq!(target.namespace.as_deref(), Some("shop"));
        assert_eq!(target.deployment.as_deref(), Some("checkout"));
        assert_eq!(m.front.metrics.expect("metrics").queries, added.queries);
        // Each name is one the simulator's model reads.
        for name in added.queries.keys() {
            assert!(
                crate::sim::metrics_source::ModelMetric::of(name).is_some(),
                "{name}"
            );
        }
        let console_book = with_added_queries(b, Some(&added));
        assert_eq!(
            console_book
                .front
                .and_then(|f| f.metrics)
                .map(|m| m.queries),
            Some(added.queries)
        );
    }

    #[test]
    fn a_runbook_with_its_own_queries_keeps_them_and_gets_none_added() {
        let b = book(
            "---\ntarget:\n  namespace: shop\n  deployment: web\nmetrics:\n  queries:\n    errors: sum(rate(x[5m]))\n---\n# R\n\n## Rollback\n\n- [ ] roll back\n",
        );
        let m = drill_metrics(Some(&b), &console("other", "other"));
        assert_eq!(m.added, None);
        let target = m.front.target.clone().expect("target");
        assert_eq!(
            target.deployment.as_deref(),
            Some("web"),
            "the runbook's own"
        );
        assert_eq!(
            m.front
                .metrics
                .expect("metrics")
                .queries
                .keys()
                .collect::<Vec<_>>(),
            ["errors"]
        );
        let same = with_added_queries(b.clone(), None);
        assert_eq!(same.front, b.front);
    }

    #[test]
    fn with_a_prometheus_nothing_is_added() {
        let mut args = console("shop", "checkout");
        args.prometheus_url = Some("http://127.0.0.1:9090".into());
        assert_eq!(drill_metrics(Some(&book(TEAM)), &args).added, None);
    }

    #[test]
    fn the_intro_names_the_added_readings() {
        assert_eq!(
            intro_line(&model_queries()),
            "Your runbook names no metrics: the Metrics pane shows the simulated service's \
             error_rate, latency_p95, ready_pods, restarts (read from the simulator's model)."
        );
    }

    #[test]
    fn a_markdown_severity_table_is_a_matrix() {
        assert!(!has_matrix(Some(&book(TEAM))));
        let with_table = format!(
            "{TEAM}\n## Severity\n\n| Severity | Condition | Action |\n|---|---|---|\n| SEV-1 | Error rate > 5% | Roll back now |\n"
        );
        assert!(has_matrix(Some(&book(&with_table))));
    }
}

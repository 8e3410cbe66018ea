//! The console's target: the popup that confirms the target read from the runbook and
//! that `T` opens to switch it; connecting (`ClusterEffect::Connect`), journaled as
//! `ConnectionSet` before the connection is made; and its answer, which brings the
//! cluster panes (or the `cluster off: …` line).

use crate::domain::cluster::Target;
use crate::domain::journal::Entry;
use crate::domain::runbook::target_inference::{Named, TargetInference, infer_target};
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::state::cluster::LiveCluster;
use crate::ui::state::target::TargetForm;
use crate::ui::state::{App, FlashLevel, Layer, Then};

/// `ConnectionSet.source` of a target the operator typed or switched to with `T`.
pub const FROM_OPERATOR: &str = "operator";
/// `ConnectionSet.source` of the target read from the runbook and accepted.
pub const FROM_INFERRED: &str = "inferred";

/// What the runtime connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveClusterTarget {
    pub context: String,
    pub namespace: String,
    pub deployment: String,
    pub production: bool,
    pub read_only: bool,
}

/// The popup for a target read from the runbook: what was read and from which lines,
/// the values to accept or edit (a placeholder is an empty field to fill).
pub fn inferred_form(inferred: &TargetInference) -> TargetForm {
    let mut evidence = vec!["The runbook names no target; its kubectl lines name:".to_string()];
    evidence.extend(inferred.describe().into_iter().map(|l| format!("  {l}")));
    let value = |g: &Option<crate::domain::runbook::target_inference::Guess>| {
        g.as_ref().and_then(|g| g.named.value().map(str::to_string))
    };
    let hint = |g: &Option<crate::domain::runbook::target_inference::Guess>, none: &str| match g
        .as_ref()
        .map(|g| &g.named)
    {
        Some(Named::Placeholder(p)) => format!("type the value of {p}"),
        _ => none.to_string(),
    };
    TargetForm::new(
        "Connect to this target?",
        evidence,
        [
            value(&inferred.deployment),
            value(&inferred.namespace),
            value(&inferred.context),
        ],
        [
            hint(&inferred.deployment, "type a deployment name"),
            hint(&inferred.namespace, "the context's namespace"),
            hint(&inferred.context, "the current context"),
        ],
        FROM_INFERRED,
    )
}

/// `T`: the current target (or why there is none) and what the runbook names, editable.
pub fn open(app: &mut App) -> Vec<Effect> {
    if app.cluster.as_ref().is_some_and(|c| c.op.is_some()) {
        app.flash(
            FlashLevel::Warning,
            "A cluster action is under way: switch the target when it has finished.",
        );
        return Vec::new();
    }
    let mut evidence = Vec::new();
    let values = match &app.cluster {
        Some(c) => {
            evidence.push(format!(
                "Watching deployment {} in namespace {} (context {}).",
                c.deployment, c.namespace, c.context
            ));
            [
                Some(c.deployment.clone()),
                Some(c.namespace.clone()),
                Some(c.context.clone()),
            ]
        }
        None => {
            evidence.push(
                app.target
                    .off
                    .clone()
                    .unwrap_or_else(|| "cluster off".to_string()),
            );
            [None, None, None]
        }
    };
    let inferred = infer_target(&app.runbook);
    if !inferred.is_empty() {
        evidence.push("The runbook's kubectl lines name:".to_string());
        evidence.extend(inferred.describe().into_iter().map(|l| format!("  {l}")));
    }
    app.layers.push(Layer::Target(Box::new(TargetForm::new(
        "Console target",
        evidence,
        values,
        [
            "type a deployment name".to_string(),
            "the context's namespace".to_string(),
            "the current context".to_string(),
        ],
        FROM_OPERATOR,
    ))));
    Vec::new()
}

/// Enter on the popup: journal the connection, then connect.
pub fn submit(app: &mut App) -> Vec<Effect> {
    let Some(Layer::Target(form)) = app.layers.last_mut() else {
        return Vec::new();
    };
    let [deployment, namespace, context] = [0, 1, 2].map(|i| form.value(i));
    let Some(deployment) = deployment else {
        form.error = Some("A deployment name is needed to connect.".into());
        return Vec::new();
    };
    if let Some(p) = [Some(&deployment), namespace.as_ref(), context.as_ref()]
        .into_iter()
        .flatten()
        .find(|v| v.starts_with('<') || v.starts_with('$') || v.contains(char::is_whitespace))
    {
        form.error = Some(format!("`{p}` is not a name: type the value."));
        return Vec::new();
    }
    let source = form.source.clone();
    app.layers.pop();
    app.target.generation += 1;
    let generation = app.target.generation;
    let target = Target {
        context: context.clone(),
        namespace: namespace.clone().unwrap_or_default(),
        deployment: deployment.clone(),
    };
    app.target.connecting = Some((generation, target.clone()));
    app.flash(
        FlashLevel::Info,
        &format!(
            "Connecting to deployment {deployment}{}…",
            namespace
                .as_deref()
                .map(|n| format!(" in namespace {n}"))
                .unwrap_or_default()
        ),
    );
    let base = app.target.base.clone();
    let entry = Entry::ConnectionSet {
        kubeconfig: base.kubeconfig,
        context,
        namespace,
        deployment: Some(deployment),
        prometheus_url: base.prometheus_url,
        theme: base.theme,
        read_only: base.read_only,
        source,
    };
    vec![
        app.journal(entry, None, Then::Nothing),
        Effect::Cluster(ClusterEffect::Connect { generation, target }),
    ]
}

/// The runtime connected: the cluster panes for the new target.
pub fn on_connected(app: &mut App, generation: u64, to: LiveClusterTarget) -> Vec<Effect> {
    if generation != app.target.generation {
        return Vec::new();
    }
    app.target.connecting = None;
    app.target.off = None;
    let mut live = LiveCluster::new(
        to.context,
        to.namespace.clone(),
        to.deployment.clone(),
        to.production,
        to.read_only,
    );
    if let Some(t) = app.runbook.front.as_ref().and_then(|f| f.target.as_ref()) {
        live.service = t.service.clone();
        live.container = t.container.clone();
    }
    app.cluster = Some(live);
    app.flash(
        FlashLevel::Info,
        &format!(
            "Connected: deployment {} in namespace {}.",
            to.deployment, to.namespace
        ),
    );
    // The Argo CD application managing the new target (if any), for the header.
    super::argo_runs::watch_target(app)
}

/// Connecting failed: the previous target (if any) stays; without one, the cluster-off
/// line says why.
pub fn on_connect_failed(app: &mut App, generation: u64, error: &str) -> Vec<Effect> {
    if generation != app.target.generation {
        return Vec::new();
    }
    app.target.connecting = None;
    let error = app.mask_secrets(error);
    if app.cluster.is_none() {
        app.target.off = Some(format!("cluster off: {error}"));
    }
    app.flash(FlashLevel::Error, &format!("Could not connect: {error}"));
    Vec::new()
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;

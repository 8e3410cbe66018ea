//! Drill-down from the cluster panes: `l` (logs), `d` / Enter (describe; a revision's
//! changes; an event's object), `y` (YAML; a revision's pod template). Each view is a
//! layer with an id; its read goes out as `ClusterEffect::Read` and comes back as
//! `Msg::ClusterRead` parts; closing it (or restarting a log stream) sends
//! `ClusterEffect::StopRead`, so no stream outlives its view.

use crate::domain::cluster::read::{ClusterRead, ReadAnswer, bounded_line};
use crate::ui::action::Action;
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::highlight::{self, Grammar};
use crate::ui::state::cluster_view::{ClusterView, LogsQuery, ViewKind};
use crate::ui::state::text_view::TextLine;
use crate::ui::state::{App, FlashLevel, Layer, Pane};
use crate::ui::theme::Role;

/// `l`, `d` or `y` on the focused cluster pane.
pub(super) fn open(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(c) = app.cluster.as_ref() else {
        return Vec::new();
    };
    let kind = match (app.focus, action) {
        (Pane::Pods, _) => {
            let Some(pod) = c.selected_pod().map(|p| p.name.clone()) else {
                app.flash(FlashLevel::Info, "No pod selected.");
                return Vec::new();
            };
            match action {
                Action::Logs => ViewKind::Logs(LogsQuery::new(&pod)),
                Action::Yaml => ViewKind::Once(ClusterRead::PodYaml { pod }),
                _ => ViewKind::Once(ClusterRead::DescribePod { pod }),
            }
        }
        (Pane::Rollout, Action::Describe | Action::Yaml) => {
            let Some(revision) = c
                .selected_index()
                .and_then(|i| c.rollout.as_ref()?.revisions.get(i))
            else {
                app.flash(FlashLevel::Info, "No revision selected.");
                return Vec::new();
            };
            let (revision, current) = (revision.number, revision.current);
            if action == Action::Yaml {
                ViewKind::Once(ClusterRead::RevisionTemplate { revision })
            } else if current {
                app.flash(
                    FlashLevel::Info,
                    "This is the current revision: select another (j/k) to see what it changed.",
                );
                return Vec::new();
            } else {
                ViewKind::Once(ClusterRead::RevisionDiff { revision })
            }
        }
        (Pane::Events, Action::Describe) => return jump_to_object(app),
        _ => {
            app.flash(
                FlashLevel::Info,
                "Logs are read from the Pods pane (Tab to it, select a pod, l).",
            );
            return Vec::new();
        }
    };
    start(app, kind)
}

fn start(app: &mut App, kind: ViewKind) -> Vec<Effect> {
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    let id = c.next_view;
    c.next_view += 1;
    let read = match &kind {
        ViewKind::Logs(q) => q.read(),
        ViewKind::Once(r) => r.clone(),
    };
    let title = read.kubectl(&c.namespace, &c.deployment);
    app.layers
        .push(Layer::ClusterView(Box::new(ClusterView::new(
            id, kind, title,
        ))));
    vec![Effect::Cluster(ClusterEffect::Read { view: id, read })]
}

/// `d` / Enter on an event: its object. A pod of the deployment is selected in the Pods
/// pane and described; the Deployment or a ReplicaSet moves the focus to the Rollout pane.
fn jump_to_object(app: &mut App) -> Vec<Effect> {
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    let Some(object) = c.selected_event().map(|e| e.object.clone()) else {
        return Vec::new();
    };
    let (kind, name) = object.split_once('/').unwrap_or(("", object.as_str()));
    match kind {
        "Pod" => {
            let at = c
                .pods
                .visible(0, c.pods.visible_len())
                .iter()
                .position(|p| p.name == name);
            match at {
                Some(i) => {
                    c.pod_cursor = i;
                    app.focus = Pane::Pods;
                    start(
                        app,
                        ViewKind::Once(ClusterRead::DescribePod {
                            pod: name.to_string(),
                        }),
                    )
                }
                None => {
                    app.flash(
                        FlashLevel::Info,
                        &format!("{object} is not in the Pods pane (gone, or filtered out)."),
                    );
                    Vec::new()
                }
            }
        }
        "Deployment" | "ReplicaSet" => {
            app.focus = Pane::Rollout;
            Vec::new()
        }
        _ => {
            app.flash(FlashLevel::Info, &format!("{object}: not shown in a pane."));
            Vec::new()
        }
    }
}

/// A logs view's `p`, `c` or `t`: the old stream stops, a new one starts with a new id
/// (late lines of the old one are dropped).
pub(super) fn restart(app: &mut App) -> Vec<Effect> {
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    let id = c.next_view;
    c.next_view += 1;
    let (namespace, deployment) = (c.namespace.clone(), c.deployment.clone());
    let Some(Layer::ClusterView(view)) = app.layers.last_mut() else {
        return Vec::new();
    };
    let old = view.id;
    view.id = id;
    let read = view.read();
    let follow = view.text.follow;
    let title = read.kubectl(&namespace, &deployment);
    view.text = crate::ui::state::text_view::TextView::new(title, Vec::new());
    view.text.max_lines = Some(crate::domain::cluster::read::LOG_LINES);
    view.text.follow = follow;
    view.text.status = Some("reading…".into());
    vec![
        Effect::Cluster(ClusterEffect::StopRead { view: old }),
        Effect::Cluster(ClusterEffect::Read { view: id, read }),
    ]
}

/// Esc: the view closes and its read stops.
pub(super) fn close(app: &mut App) -> Vec<Effect> {
    match app.layers.pop() {
        Some(Layer::ClusterView(view)) => {
            vec![Effect::Cluster(ClusterEffect::StopRead { view: view.id })]
        }
        Some(other) => {
            app.layers.push(other);
            Vec::new()
        }
        None => Vec::new(),
    }
}

/// A part of a read's answer, for the view that asked (anywhere in the stack).
pub(super) fn on_answer(app: &mut App, id: u64, answer: ReadAnswer) -> Vec<Effect> {
    let height = crate::ui::popups::text_view::body_height(app.size.1);
    let Some(view) = app.layers.iter_mut().find_map(|l| match l {
        Layer::ClusterView(v) if v.id == id => Some(v),
        _ => None,
    }) else {
        // The view is gone: make sure its read is too.
        return vec![Effect::Cluster(ClusterEffect::StopRead { view: id })];
    };
    match answer {
        ReadAnswer::Text(text) => {
            let styled: Vec<TextLine> = match &view.kind {
                ViewKind::Once(
                    ClusterRead::PodYaml { .. } | ClusterRead::RevisionTemplate { .. },
                ) => text
                    .lines()
                    .map(|l| highlight::line(Grammar::Yaml, l))
                    .collect(),
                ViewKind::Once(ClusterRead::RevisionDiff { .. }) => {
                    text.lines().map(diff_line).collect()
                }
                _ => text.lines().map(describe_line).collect(),
            };
            view.text.lines = styled;
            view.text.scroll = 0;
            view.text.status = None;
        }
        ReadAnswer::Containers { all, chosen } => {
            if let ViewKind::Logs(q) = &mut view.kind {
                q.containers = all;
                q.container = Some(chosen);
                let read = q.read();
                if let Some(c) = &app.cluster {
                    view.text.title = read.kubectl(&c.namespace, &c.deployment);
                }
            }
        }
        ReadAnswer::Lines(lines) => {
            view.text.status = None;
            view.text.push_lines(
                lines.iter().map(|l| vec![(log_role(l), bounded_line(l))]),
                height,
            );
        }
        ReadAnswer::Ended(None) => {
            view.text.status = Some("the stream ended".into());
        }
        ReadAnswer::Ended(Some(error)) => {
            view.text.status = Some("the server refused (shown as it answered)".into());
            view.text
                .push_lines([vec![(Role::Error, format!("error: {error}"))]], height);
        }
    }
    Vec::new()
}

fn log_role(line: &str) -> Role {
    if line.contains("level=fatal") || line.contains("panic") {
        Role::Error
    } else if line.contains("level=error") || line.contains(" ERROR ") {
        Role::Failed
    } else if line.contains("level=warn") {
        Role::Warning
    } else {
        Role::Base
    }
}

fn diff_line(line: &str) -> TextLine {
    let role = if line.starts_with('+') {
        Role::Done
    } else if line.starts_with('-') {
        Role::Failed
    } else if line.starts_with("@@") || line.starts_with("Revision") {
        Role::Heading
    } else {
        Role::Base
    };
    vec![(role, line.to_string())]
}

/// `kubectl describe` text: section names (`Conditions:`, `Events:`) as headings,
/// Warning rows of the events table in the warning role.
fn describe_line(line: &str) -> TextLine {
    let role = if !line.starts_with(' ') && line.ends_with(':') {
        Role::Heading
    } else if line.trim_start().starts_with("Warning ") {
        Role::Warning
    } else {
        Role::Base
    };
    vec![(role, line.to_string())]
}

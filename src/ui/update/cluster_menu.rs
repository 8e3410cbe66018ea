//! The cluster actions menu (`a`): each action with its key and whether RBAC allows it,
//! the prompt for an action's value (replicas, image, …), and the Pods pane's sort and
//! filter.

use std::collections::BTreeMap;

use ratatui_textarea::TextArea;

use crate::domain::cluster::env_args::parse_set_env_prompt;
use crate::domain::cluster::template_container::current_env_lines;
use crate::domain::cluster::{ClusterAction, SortKey};
use crate::ui::action::Action;
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::state::action_menu::{Access, ActionKind, ActionMenu, MenuEntry};
use crate::ui::state::{App, FlashLevel, Layer, Prompt, PromptPurpose};

use super::{cluster, native_runs};

/// `a`: the actions menu, each action's RBAC preflight asked for at once.
pub(super) fn open_menu(app: &mut App) -> Vec<Effect> {
    if native_runs::refuse_during_native_run(app) {
        return Vec::new();
    }
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    if c.read_only {
        app.flash(
            FlashLevel::Warning,
            "read-only session: nothing can be changed",
        );
        return Vec::new();
    }
    if let Some(o) = &c.op {
        let text = format!("A cluster action is in progress: {}", o.kubectl);
        app.flash(FlashLevel::Warning, &text);
        return Vec::new();
    }
    let mut fx = Vec::new();
    let mut entries = Vec::new();
    for kind in ActionKind::ALL {
        let op = c.next_op;
        c.next_op += 1;
        let access = if kind == ActionKind::SwitchSelector && c.service.is_none() {
            Access::Unavailable("the runbook names no target.service".into())
        } else {
            fx.push(Effect::Cluster(ClusterEffect::Preflight {
                op,
                action: kind.sample(c.service.as_deref()),
            }));
            Access::Checking
        };
        entries.push(MenuEntry { kind, op, access });
    }
    app.layers.push(Layer::ActionMenu(ActionMenu {
        entries,
        selected: 0,
    }));
    fx
}

/// A preflight answer for an open menu's entry; `false` when `op` is not one.
pub(super) fn menu_access(
    app: &mut App,
    op: u64,
    result: &Result<crate::domain::cluster::Preflight, String>,
) -> bool {
    app.layers.iter_mut().any(|l| match l {
        Layer::ActionMenu(m) => m.answer(op, result),
        _ => false,
    })
}

/// A key in the menu.
pub(super) fn on_menu(app: &mut App, action: Option<Action>) -> Vec<Effect> {
    let Some(Layer::ActionMenu(m)) = app.layers.last_mut() else {
        return Vec::new();
    };
    let kind = match action {
        Some(Action::Up) => {
            m.selected = m.selected.saturating_sub(1);
            return Vec::new();
        }
        Some(Action::Down) => {
            m.selected = (m.selected + 1).min(m.entries.len().saturating_sub(1));
            return Vec::new();
        }
        Some(Action::Cancel) => {
            app.layers.pop();
            return Vec::new();
        }
        Some(Action::Submit) => m.entries.get(m.selected).map(|e| e.kind),
        Some(a) => ActionKind::from_key_action(a),
        None => None,
    };
    kind.map(|k| choose(app, k)).unwrap_or_default()
}

/// An action picked in the menu: refused with why when not allowed, else its prompt or
/// its pipeline.
fn choose(app: &mut App, kind: ActionKind) -> Vec<Effect> {
    let Some(Layer::ActionMenu(m)) = app.layers.pop() else {
        return Vec::new();
    };
    let access = m
        .entries
        .iter()
        .find(|e| e.kind == kind)
        .map(|e| e.access.clone());
    let Some(c) = app.cluster.as_ref() else {
        return Vec::new();
    };
    match access {
        Some(Access::Denied(reason)) => {
            let kubectl = kind
                .sample(c.service.as_deref())
                .kubectl_command(&c.target());
            app.flash = None;
            app.layers.push(Layer::Notice {
                title: "Not allowed".into(),
                lines: vec![
                    format!(
                        "You are not allowed to {}.",
                        kind.label().trim_end_matches('…')
                    ),
                    format!("  {kubectl}"),
                    String::new(),
                    format!("Why: {reason}"),
                    String::new(),
                    "Nothing was sent. Ask for access or hand over to someone who has it.".into(),
                ],
            });
            return Vec::new();
        }
        Some(Access::Unavailable(why)) => {
            app.flash(FlashLevel::Warning, &format!("Not available: {why}"));
            return Vec::new();
        }
        _ => {}
    }
    let action = match kind {
        ActionKind::Undo => ClusterAction::Undo {
            to_revision: c.undo_target(),
        },
        ActionKind::Pause => ClusterAction::Pause,
        ActionKind::Resume => ClusterAction::Resume,
        ActionKind::Restart => ClusterAction::Restart,
        _ => {
            open_param_prompt(app, kind);
            return Vec::new();
        }
    };
    cluster::start(app, action, "actions menu").unwrap_or_default()
}

/// The set-env prompt's hint: what it takes, as `kubectl set env` takes it, then the
/// containers' current variables (secret-sourced ones by reference only).
fn set_env_hint(c: &crate::ui::state::cluster::LiveCluster) -> String {
    let mut hint = String::from(
        "As kubectl set env takes them: NAME=value (several; A=\"x y\" 'B=a=b'), NAME- removes, -c CONTAINER, --from=secret/NAME or configmap/NAME.",
    );
    let lines = c
        .rollout
        .as_ref()
        .map(|r| current_env_lines(&r.containers, None))
        .unwrap_or_default();
    for l in lines.iter().take(MAX_ENV_LINES) {
        hint.push('\n');
        hint.push_str(l);
    }
    if lines.len() > MAX_ENV_LINES {
        hint.push_str(&format!(
            "\n… {} more containers",
            lines.len() - MAX_ENV_LINES
        ));
    }
    hint
}

/// Containers listed under the set-env prompt at most.
const MAX_ENV_LINES: usize = 4;

/// The current revision's first image and ReplicaSet hash, for prompts' defaults.
fn current_image_and_hash(app: &App) -> (Option<String>, Option<String>) {
    let Some(c) = app.cluster.as_ref() else {
        return (None, None);
    };
    let Some(rev) = c
        .rollout
        .as_ref()
        .and_then(|r| r.revisions.iter().find(|r| r.current))
    else {
        return (None, None);
    };
    let hash = rev
        .replica_set
        .strip_prefix(&format!("{}-", c.deployment))
        .map(str::to_string);
    (rev.images.first().cloned(), hash)
}

fn open_param_prompt(app: &mut App, kind: ActionKind) {
    let Some(c) = app.cluster.as_ref() else {
        return;
    };
    let d = &c.deployment;
    let (image, hash) = current_image_and_hash(app);
    let container = c.container.clone().unwrap_or_else(|| "*".into());
    let (title, hint, value, placeholder) = match kind {
        ActionKind::Scale => (
            format!("Scale deployment/{d}"),
            "How many replicas? 0 stops every pod (then the name is typed to confirm).".into(),
            c.rollout.as_ref().map(|r| r.desired.to_string()),
            "replicas".to_string(),
        ),
        ActionKind::SetImage => (
            format!("Set image of deployment/{d}"),
            format!(
                "CONTAINER=IMAGE, or just IMAGE for the default container ({container}; `*` is every container)."
            ),
            image.map(|i| format!("{container}={i}")),
            "registry.example/app:v1.2.3".to_string(),
        ),
        ActionKind::SetEnv => (
            format!("Set env of deployment/{d}"),
            set_env_hint(c),
            None,
            "FEATURE_X=false FEATURE_Y=true".to_string(),
        ),
        ActionKind::SwitchSelector => (
            format!(
                "Switch the selector of service/{}",
                c.service.as_deref().unwrap_or("?")
            ),
            "The Service's new selector, key=value[,key=value] (blue-green: version=blue).".into(),
            None,
            "version=blue".to_string(),
        ),
        ActionKind::DeletePods => (
            format!("Delete pods of deployment/{d}"),
            "A label selector; the default picks the current revision's pods (a stuck rollout)."
                .into(),
            hash.map(|h| format!("pod-template-hash={h}")),
            "app=web,pod-template-hash=abc123".to_string(),
        ),
        _ => return,
    };
    let mut input = TextArea::default();
    input.set_placeholder_text(placeholder);
    if let Some(v) = value {
        input.insert_str(v);
    }
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title,
        hint,
        purpose: PromptPurpose::ClusterParam { kind },
        input,
        error: None,
    })));
}

/// Parses what was typed into the action it asks for.
pub fn parse_param(
    kind: ActionKind,
    value: &str,
    default_container: Option<&str>,
    service: Option<&str>,
) -> Result<ClusterAction, String> {
    let value = value.trim();
    match kind {
        ActionKind::Scale => value
            .parse::<i32>()
            .ok()
            .filter(|n| *n >= 0)
            .map(|replicas| ClusterAction::Scale { replicas })
            .ok_or_else(|| format!("`{value}` is not a number of replicas (0 or more).")),
        ActionKind::SetImage => {
            let (container, image) = match value.split_once('=') {
                Some((c, i)) => (c.trim().to_string(), i.trim().to_string()),
                None => (
                    default_container.unwrap_or("*").to_string(),
                    value.to_string(),
                ),
            };
            if container.is_empty() || image.is_empty() || image.contains(char::is_whitespace) {
                return Err("Write CONTAINER=IMAGE or IMAGE (no spaces).".into());
            }
            Ok(ClusterAction::SetImage { container, image })
        }
        ActionKind::SetEnv => {
            let args = parse_set_env_prompt(value).map_err(|e| {
                format!("{e}. Write NAME=value (several, quoted as in a shell), NAME- to remove, -c CONTAINER, --from=secret/NAME.")
            })?;
            Ok(ClusterAction::SetEnv {
                container: args.container,
                changes: args.changes,
            })
        }
        ActionKind::SwitchSelector => {
            let service = service.ok_or("the runbook names no target.service")?;
            let mut selector = BTreeMap::new();
            for part in value.split(',') {
                match part.split_once('=') {
                    Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                        selector.insert(k.trim().to_string(), v.trim().to_string());
                    }
                    _ => return Err("Write key=value[,key=value].".into()),
                }
            }
            Ok(ClusterAction::SwitchSelector {
                service: service.to_string(),
                selector,
            })
        }
        ActionKind::DeletePods => {
            if value.is_empty() {
                Err("A selector is needed (deleting every pod is not offered).".into())
            } else {
                Ok(ClusterAction::DeletePods {
                    selector: value.to_string(),
                })
            }
        }
        _ => Err("this action takes no value".into()),
    }
}

/// Enter in a prompt this module opened; `None` when the prompt is not one of ours.
pub(super) fn submit_prompt(app: &mut App) -> Option<Vec<Effect>> {
    let Some(Layer::Prompt(p)) = app.layers.last_mut() else {
        return None;
    };
    let value = p.input.lines().join(" ");
    match p.purpose.clone() {
        PromptPurpose::PodFilter => {
            app.layers.pop();
            if let Some(c) = app.cluster.as_mut() {
                c.pods.set_filter(value.trim());
            }
            Some(Vec::new())
        }
        PromptPurpose::ClusterParam { kind } => {
            let (container, service) = app
                .cluster
                .as_ref()
                .map(|c| (c.container.clone(), c.service.clone()))
                .unwrap_or_default();
            match parse_param(kind, &value, container.as_deref(), service.as_deref()) {
                Err(e) => {
                    if let Some(Layer::Prompt(p)) = app.layers.last_mut() {
                        p.error = Some(format!("{e} (Esc cancels)"));
                    }
                    Some(Vec::new())
                }
                Ok(action) => {
                    app.layers.pop();
                    Some(cluster::start(app, action, "actions menu").unwrap_or_default())
                }
            }
        }
        _ => None,
    }
}

/// `o`: sort the Pods pane by the next column (name → status → restarts → age).
pub(super) fn cycle_pod_sort(app: &mut App) -> Vec<Effect> {
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    let (key, _) = c.pods.sort_key();
    let (next, descending) = match key {
        SortKey::Name => (SortKey::Status, false),
        SortKey::Status => (SortKey::Restarts, true),
        SortKey::Restarts => (SortKey::Age, false),
        _ => (SortKey::Name, false),
    };
    c.pods.set_sort(next, descending);
    Vec::new()
}

/// `/`: type a filter for the Pods pane (empty clears it).
pub(super) fn open_pod_filter(app: &mut App) -> Vec<Effect> {
    let Some(c) = app.cluster.as_ref() else {
        return Vec::new();
    };
    let mut input = TextArea::default();
    input.set_placeholder_text("part of a pod name, status, node or image tag");
    input.insert_str(c.pods.filter());
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title: "Filter pods".into(),
        hint: "Shows only pods whose row contains this text; empty shows every pod.".into(),
        purpose: PromptPurpose::PodFilter,
        input,
        error: None,
    })));
    Vec::new()
}

//! The reducer's part for cluster actions other than the pipeline's steps: the actions
//! menu, the prompts for an action's value, starting an action, the confirmation layer,
//! command steps whose kubectl lines run natively, and the Pods pane's sort and filter.
//! Called from `update` with one-line dispatches.

use std::collections::BTreeMap;

use chrono::Duration as ChronoDuration;
use ratatui_textarea::TextArea;

use crate::domain::cluster::{
    ClusterAction, Command, EnvChange, ReadOnlyQuery, RolloutStatus, SortKey, WatchState,
};
use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;

use super::action::Action;
use super::action_menu::{Access, ActionKind, ActionMenu, MenuEntry};
use super::cluster::{ClusterConfirm, ClusterOp, OpStage};
use super::effect::Effect;
use super::msg::Stream;
use super::native_step::{self, BlockPlan, NativeRun, RolloutWait};
use super::state::{App, FlashLevel, Layer, Prompt, PromptPurpose, Then};
use super::update::{flash, journal};

/// Starts `action` on the target for the operator (the menu, `u`, a next move): the RBAC
/// preflight first. `None` when it cannot start (read-only, another action or a step's
/// kubectl lines in progress, no Deployment seen); the flash says why.
pub(super) fn start(app: &mut App, action: ClusterAction) -> Option<Vec<Effect>> {
    if refuse_during_native_run(app) {
        return None;
    }
    start_op(app, action)
}

/// A step's kubectl lines are running (possibly waiting on `rollout status`): nothing else
/// may act on the cluster until they end, or their run would take the other action's
/// outcome for its own. Flashes why and says `true` then.
pub(super) fn refuse_during_native_run(app: &mut App) -> bool {
    let Some(step) = app
        .cluster
        .as_ref()
        .and_then(|c| c.native.as_ref())
        .map(|r| r.step)
    else {
        return false;
    };
    flash(
        app,
        FlashLevel::Warning,
        &format!("Step {step}'s kubectl lines are running: wait for them to end, or Ctrl-C."),
    );
    true
}

/// Starts `action`, whoever asked (a native run's own lines come here directly).
fn start_op(app: &mut App, action: ClusterAction) -> Option<Vec<Effect>> {
    let c = app.cluster.as_mut()?;
    if c.read_only {
        flash(
            app,
            FlashLevel::Warning,
            "read-only session: nothing can be changed",
        );
        return None;
    }
    if let Some(o) = &c.op {
        let text = format!("A cluster action is in progress: {}", o.kubectl);
        flash(app, FlashLevel::Warning, &text);
        return None;
    }
    if c.rollout.is_none() {
        flash(
            app,
            FlashLevel::Warning,
            "The Deployment was not seen yet: nothing to act on.",
        );
        return None;
    }
    let kubectl = action.kubectl_command(&c.target());
    let id = c.next_op;
    c.next_op += 1;
    c.op = Some(ClusterOp::new(id, action.clone(), kubectl));
    flash(app, FlashLevel::Info, "Checking access (RBAC preflight)…");
    Some(vec![Effect::ClusterPreflight { op: id, action }])
}

// ---------------------------------------------------------------- the menu

/// `a`: the actions menu, each action's RBAC preflight asked for at once.
pub(super) fn open_menu(app: &mut App) -> Vec<Effect> {
    if refuse_during_native_run(app) {
        return Vec::new();
    }
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    if c.read_only {
        flash(
            app,
            FlashLevel::Warning,
            "read-only session: nothing can be changed",
        );
        return Vec::new();
    }
    if let Some(o) = &c.op {
        let text = format!("A cluster action is in progress: {}", o.kubectl);
        flash(app, FlashLevel::Warning, &text);
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
            fx.push(Effect::ClusterPreflight {
                op,
                action: kind.sample(c.service.as_deref()),
            });
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
            flash(app, FlashLevel::Warning, &format!("Not available: {why}"));
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
    start(app, action).unwrap_or_default()
}

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
            "NAME=value sets a variable (a feature flag: FEATURE_X=false); NAME- removes it."
                .into(),
            None,
            "FEATURE_X=false".to_string(),
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
            let valid = |n: &str| {
                !n.is_empty()
                    && !n.starts_with(|c: char| c.is_ascii_digit())
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
            };
            let change = if let Some((name, v)) = value.split_once('=') {
                valid(name).then(|| EnvChange::Set {
                    name: name.to_string(),
                    value: v.to_string(),
                })
            } else {
                value
                    .strip_suffix('-')
                    .filter(|n| valid(n))
                    .map(|n| EnvChange::Unset {
                        name: n.to_string(),
                    })
            };
            change
                .map(|c| ClusterAction::SetEnv {
                    container: None,
                    changes: vec![c],
                })
                .ok_or_else(|| "Write NAME=value to set, NAME- to remove.".into())
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
                    Some(start(app, action).unwrap_or_default())
                }
            }
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- confirmation

/// The diff and confirmation layer for a planned action.
pub(super) fn confirm_layer(
    op: u64,
    action: &ClusterAction,
    deployment: &str,
    diff: Vec<String>,
    kubectl: String,
) -> ClusterConfirm {
    let d = deployment;
    let (title, what) = match action {
        ClusterAction::Undo { .. } => (format!("Roll back deployment/{d}"), "roll it back"),
        ClusterAction::Pause => (format!("Pause the rollout of deployment/{d}"), "pause it"),
        ClusterAction::Resume => (format!("Resume the rollout of deployment/{d}"), "resume it"),
        ClusterAction::Restart => (format!("Restart deployment/{d}"), "restart it"),
        ClusterAction::Scale { replicas } => (
            format!("Scale deployment/{d} to {replicas}"),
            if *replicas == 0 {
                "stop every pod"
            } else {
                "scale it"
            },
        ),
        ClusterAction::SetImage { .. } => (format!("Set the image of deployment/{d}"), "set it"),
        ClusterAction::SetEnv { .. } => (format!("Set env of deployment/{d}"), "set it"),
        ClusterAction::SwitchSelector { service, .. } => (
            format!("Switch service/{service} to another selector"),
            "switch the traffic",
        ),
        ClusterAction::DeletePods { .. } => {
            (format!("Delete pods of deployment/{d}"), "delete them")
        }
    };
    let typed = action.needs_typed_confirmation();
    let question = if typed {
        format!("Type the deployment name ({d}) to {what}:")
    } else {
        format!("Go ahead and {what}?")
    };
    ClusterConfirm {
        op,
        title,
        diff,
        kubectl,
        expected: d.to_string(),
        typed,
        question,
        input: TextArea::default(),
        error: None,
    }
}

/// The confirmation was given: take the lock.
pub(super) fn confirmed(app: &mut App, op: u64) -> Vec<Effect> {
    let Some(o) = app
        .cluster
        .as_mut()
        .and_then(|c| c.op.as_mut())
        .filter(|o| o.id == op && o.stage == OpStage::Confirming)
    else {
        return Vec::new();
    };
    o.stage = OpStage::Locking;
    flash(app, FlashLevel::Info, "Taking the lock…");
    vec![Effect::ClusterLock { op }]
}

/// `y` / `n` on a confirmation that needs no typing.
pub(super) fn on_confirm_key(app: &mut App, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::Confirm) => match app.layers.pop() {
            Some(Layer::ClusterConfirm(cc)) => confirmed(app, cc.op),
            _ => Vec::new(),
        },
        Some(Action::Cancel) => cancel_confirm(app),
        _ => Vec::new(),
    }
}

/// Esc on the confirmation: nothing is sent.
pub(super) fn cancel_confirm(app: &mut App) -> Vec<Effect> {
    let Some(Layer::ClusterConfirm(cc)) = app.layers.pop() else {
        return Vec::new();
    };
    let mut cancelled = false;
    if let Some(c) = app.cluster.as_mut()
        && c.op.as_ref().is_some_and(|o| o.id == cc.op)
    {
        c.op = None;
        cancelled = true;
    }
    flash(
        app,
        FlashLevel::Info,
        "Cancelled: nothing was sent to the cluster.",
    );
    if cancelled {
        op_ended(
            app,
            false,
            "cancelled at the confirmation: nothing was sent",
        )
    } else {
        Vec::new()
    }
}

// ---------------------------------------------------------------- native steps

/// How the selected step's block will run, for the step pane: `None` without a
/// cluster or a command.
pub fn block_plan(app: &App, script: &str) -> Option<BlockPlan> {
    let c = app.cluster.as_ref()?;
    let filled = crate::domain::runbook::fill(script, &app.bindings()).ok()?;
    Some(native_step::plan_block(&filled, &c.target()))
}

/// Runs a step's filled block natively when every line qualifies, or asks the shell's
/// exact-command confirmation for a block of kubectl lines only some of which are
/// native; `None` leaves it to the shell.
pub(super) fn try_native(app: &mut App, step: StepId, filled: &str) -> Option<Vec<Effect>> {
    let c = app.cluster.as_ref()?;
    let lines = match native_step::plan_block(filled, &c.target()) {
        BlockPlan::Native(lines) => lines,
        BlockPlan::Mixed(lines) => {
            let title = app
                .find_step(step)
                .map(|s| format!("Run {} {}", s.id, s.title))
                .unwrap_or_default();
            let body = lines
                .iter()
                .map(|l| {
                    let how = if l.command.is_some() {
                        "native"
                    } else {
                        "sh    "
                    };
                    format!("{how}  {}", app.mask_secrets(&l.text))
                })
                .collect();
            app.layers.push(Layer::Confirm(super::state::Confirm {
                title,
                body,
                question: "Run these in order: native lines through the cluster path (each action asks again), the others in /bin/sh?".into(),
                intent: super::state::Intent::RunKubectlLines { step },
            }));
            return Some(Vec::new());
        }
        BlockPlan::Shell(_) => return None,
    };
    Some(start_lines(app, step, filled, lines))
}

/// `y` on the confirmation of a block of kubectl lines only some of which are native.
pub(super) fn confirmed_lines(app: &mut App, step: StepId) -> Vec<Effect> {
    let Some(s) = app.find_step(step).cloned() else {
        return Vec::new();
    };
    let crate::domain::runbook::StepKind::Command(block) = &s.kind else {
        return Vec::new();
    };
    let Ok(filled) = crate::domain::runbook::fill(&block.script, &app.bindings()) else {
        return Vec::new();
    };
    let Some(c) = app.cluster.as_ref() else {
        return Vec::new();
    };
    match native_step::plan_block(&filled, &c.target()) {
        BlockPlan::Native(lines) | BlockPlan::Mixed(lines) => {
            start_lines(app, step, &filled, lines)
        }
        BlockPlan::Shell(_) => Vec::new(),
    }
}

/// Journals the step's run, then (once on disk) runs its lines one after the other.
fn start_lines(
    app: &mut App,
    step: StepId,
    filled: &str,
    lines: Vec<native_step::NativeLine>,
) -> Vec<Effect> {
    let busy = app
        .cluster
        .as_ref()
        .is_some_and(|c| c.native.is_some() || c.op.is_some());
    if busy || app.running.is_some() {
        flash(
            app,
            FlashLevel::Warning,
            "An action or command is in progress; wait for it to end.",
        );
        return Vec::new();
    }
    let run = app.progress.next_run_number();
    let shown = match app.find_step(step).map(|s| &s.kind) {
        Some(crate::domain::runbook::StepKind::Command(block)) => {
            app.shown_command(&block.script.clone())
        }
        _ => app.mask_secrets(filled),
    };
    app.output = super::state::OutputLog::for_run(run, step, shown.clone());
    app.output.line_by_line = true;
    let now = app.now;
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    c.native = Some(NativeRun {
        step,
        run,
        started: now,
        pending: lines.into(),
        ok: true,
        waiting: None,
    });
    let mut fx = super::update::enter_phase_of(app, step);
    fx.push(journal(
        app,
        Entry::CommandStarted {
            step,
            run,
            command: format!("natively: {shown}"),
        },
        Some(step),
        Then::NativeAdvance,
    ));
    fx
}

/// Runs the native run's next lines: queries answer at once, an action starts its
/// pipeline and a shell line its process (and the run waits for either); with nothing
/// left the run is journaled finished.
pub(super) fn advance(app: &mut App) -> Vec<Effect> {
    loop {
        let Some(c) = app.cluster.as_mut() else {
            return Vec::new();
        };
        let Some(run) = c.native.as_mut() else {
            return Vec::new();
        };
        let (step, run_no) = (run.step, run.run);
        let Some(line) = run.pending.pop_front() else {
            return finish_native(app);
        };
        let text = app.mask_secrets(&line.text);
        match line.command {
            None => {
                app.output
                    .push(Stream::Stdout, format!("$ {text}  (in /bin/sh)"));
                app.running = Some(super::state::Running {
                    run: run_no,
                    step,
                    started: app.now,
                    spawned: true,
                    cancel_requested: false,
                });
                return vec![Effect::Spawn {
                    run: run_no,
                    script: line.text,
                    env: dollar_env(app),
                }];
            }
            Some(Command::Query(ReadOnlyQuery::RolloutStatus { timeout_secs })) => {
                app.output.push(Stream::Stdout, format!("$ {text}"));
                let now = app.now;
                let events_at_start = app.cluster.as_ref().map_or(0, |c| c.rollout_events);
                if let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
                    run.waiting = Some(RolloutWait {
                        events_at_start,
                        since: now,
                        // A timeout too large for the clock is no timeout.
                        timeout: timeout_secs
                            .filter(|&s| s > 0)
                            .and_then(|s| i64::try_from(s).ok())
                            .and_then(ChronoDuration::try_seconds),
                        last_message: String::new(),
                    });
                }
                match check_rollout_wait(app) {
                    Wait::Waiting => return Vec::new(),
                    Wait::Done => {}
                    Wait::Failed => return finish_native(app),
                }
            }
            Some(Command::Query(q)) => {
                app.output.push(Stream::Stdout, format!("$ {text}"));
                let c = app.cluster.as_ref().expect("checked");
                match native_step::answer(&q, c) {
                    Ok(out) => out
                        .into_iter()
                        .for_each(|l| app.output.push(Stream::Stdout, l)),
                    Err(e) => {
                        app.output.push(Stream::Stderr, e);
                        fail_native(app);
                        return finish_native(app);
                    }
                }
            }
            Some(Command::Action(a)) => {
                app.output.push(Stream::Stdout, format!("$ {text}"));
                match start_op(app, a) {
                    Some(fx) => return fx,
                    None => {
                        let why = app
                            .flash
                            .as_ref()
                            .map(|f| f.text.clone())
                            .unwrap_or_default();
                        app.output.push(Stream::Stderr, why);
                        fail_native(app);
                        return finish_native(app);
                    }
                }
            }
        }
    }
}

/// How long a waiting `rollout status` line trusts the last watch verdict without a newer
/// event (the watch delivers changes well within it).
const FRESH_AFTER: ChronoDuration = ChronoDuration::seconds(2);

/// Where a waiting `rollout status` line is.
enum Wait {
    Waiting,
    Done,
    Failed,
}

/// Looks at the live rollout for a waiting `rollout status` line, printing what kubectl
/// prints: each new progress line, then success, `error: deployment "x" exceeded its
/// progress deadline`, or `error: timed out waiting for the condition`.
fn check_rollout_wait(app: &mut App) -> Wait {
    let now = app.now;
    let Some(c) = app.cluster.as_mut() else {
        return Wait::Failed;
    };
    let status = c.rollout.as_ref().map(|r| r.status.clone());
    let deployment = c.deployment.clone();
    let events = c.rollout_events;
    let watch_live = c
        .streams
        .get("rollout")
        .is_some_and(|h| matches!(h.state, WatchState::Live { .. }));
    let Some(run) = c.native.as_mut() else {
        return Wait::Done;
    };
    let Some(wait) = run.waiting.as_mut() else {
        return Wait::Done;
    };
    // A verdict from before this line started may predate a change the block's previous
    // (shell) line just made: kubectl reads the Deployment afresh. Trust it once the watch
    // has spoken since, or after the watch's usual delay while the watch is live.
    let fresh = events > wait.events_at_start || (watch_live && now - wait.since >= FRESH_AFTER);
    let status = match status {
        Some(RolloutStatus::Complete { .. } | RolloutStatus::Failed { .. }) if !fresh => {
            return Wait::Waiting;
        }
        other => other,
    };
    let (line, outcome) = match status {
        None => (
            Some(format!(
                "Error from server (NotFound): deployments.apps \"{deployment}\" not found (or not seen yet)"
            )),
            Wait::Failed,
        ),
        Some(RolloutStatus::Complete { message }) => (Some(message), Wait::Done),
        Some(RolloutStatus::Failed { message }) => {
            (Some(format!("error: {message}")), Wait::Failed)
        }
        Some(RolloutStatus::Progressing { message }) => {
            if wait.timeout.is_some_and(|t| now - wait.since >= t) {
                (
                    Some("error: timed out waiting for the condition".to_string()),
                    Wait::Failed,
                )
            } else if message != wait.last_message {
                wait.last_message = message.clone();
                (Some(message), Wait::Waiting)
            } else {
                (None, Wait::Waiting)
            }
        }
    };
    if !matches!(outcome, Wait::Waiting) {
        run.waiting = None;
    }
    if let Some(line) = line {
        let stream = if matches!(outcome, Wait::Failed) {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        app.output.push(stream, line);
    }
    if matches!(outcome, Wait::Failed) {
        fail_native(app);
    }
    outcome
}

/// The live rollout changed or time passed: a waiting `rollout status` line prints its
/// progress and, once it has ended, the native run goes on.
pub(super) fn on_rollout_seen(app: &mut App) -> Vec<Effect> {
    let waiting = app
        .cluster
        .as_ref()
        .and_then(|c| c.native.as_ref())
        .is_some_and(|r| r.waiting.is_some());
    if !waiting {
        return Vec::new();
    }
    match check_rollout_wait(app) {
        Wait::Waiting => Vec::new(),
        Wait::Done => advance(app),
        Wait::Failed => finish_native(app),
    }
}

/// Ctrl-C on a waiting `rollout status` line: stop waiting (the line fails, as kubectl
/// interrupted exits non-zero). `None` when no such line waits.
pub(super) fn interrupt_rollout_wait(app: &mut App) -> Option<Vec<Effect>> {
    let run = app.cluster.as_mut()?.native.as_mut()?;
    run.waiting.take()?;
    app.output.push(
        Stream::Stderr,
        "interrupted: stopped waiting for the rollout".into(),
    );
    fail_native(app);
    Some(finish_native(app))
}

/// `$VAR` placeholders reach shell lines as environment variables too, as in a shell step.
fn dollar_env(app: &App) -> Vec<(String, String)> {
    let bindings = app.bindings();
    app.runbook
        .placeholders
        .iter()
        .filter(|p| p.form == crate::domain::runbook::PlaceholderForm::Dollar)
        .filter_map(|p| bindings.get(&p.name).map(|v| (p.name.clone(), v.clone())))
        .collect()
}

/// A shell line of a native run ended; `None` when `run` is not one.
pub(super) fn shell_line_exited(
    app: &mut App,
    run: u32,
    exit_code: Option<i32>,
    cancelled: bool,
) -> Option<Vec<Effect>> {
    let native_run = app.cluster.as_ref()?.native.as_ref()?.run;
    let r = app.running.take_if(|r| r.run == run && native_run == run)?;
    let cancelled = cancelled || r.cancel_requested;
    let ok = exit_code == Some(0) && !cancelled;
    let line = match (exit_code, cancelled) {
        (_, true) => "cancelled".to_string(),
        (Some(c), _) => format!("exit {c}"),
        (None, _) => "killed by a signal".to_string(),
    };
    let stream = if ok { Stream::Stdout } else { Stream::Stderr };
    app.output.push(stream, line);
    if !ok {
        fail_native(app);
    }
    let mut fx = advance(app);
    if app.quit_after_run {
        fx.extend(super::update::quit(app));
    }
    Some(fx)
}

fn fail_native(app: &mut App) {
    if let Some(r) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
        r.ok = false;
        r.pending.clear();
    }
}

fn finish_native(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.cluster.as_mut().and_then(|c| c.native.take()) else {
        return Vec::new();
    };
    let duration_ms = (app.now - r.started).num_milliseconds().max(0) as u64;
    let exit_code = Some(if r.ok { 0 } else { 1 });
    vec![journal(
        app,
        Entry::CommandFinished {
            step: r.step,
            run: r.run,
            exit_code,
            duration_ms,
            cancelled: false,
        },
        Some(r.step),
        Then::Nothing,
    )]
}

/// A cluster action ended (`ok`: done or nothing to do); a native run goes on with its
/// next line or ends.
pub(super) fn op_ended(app: &mut App, ok: bool, outcome: &str) -> Vec<Effect> {
    if app.cluster.as_ref().is_none_or(|c| c.native.is_none()) {
        return Vec::new();
    }
    let stream = if ok { Stream::Stdout } else { Stream::Stderr };
    app.output.push(stream, outcome.to_string());
    if !ok {
        fail_native(app);
    }
    advance(app)
}

// ---------------------------------------------------------------- quitting

/// How the outcome of an action abandoned at quit starts (read back on resume).
pub const ABANDONED_AT_QUIT: &str = "abandoned at quit";

/// Quitting with a cluster action under way: the records of how far it got (never `ok`),
/// and of a native step's run as cancelled. Empty when nothing is under way.
pub(super) fn entries_at_quit(app: &mut App) -> Vec<Entry> {
    let now = app.now;
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    let op = c.op.take();
    let native = c.native.take();
    let mut entries = Vec::new();
    if let Some(o) = op {
        let outcome = match o.stage {
            OpStage::Following => Some(format!(
                "{ABANDONED_AT_QUIT} while following the rollout: {}; last seen: {}",
                o.executed.as_deref().unwrap_or("request applied"),
                o.progress.as_deref().unwrap_or("no progress seen yet")
            )),
            OpStage::Executing => Some(format!(
                "{ABANDONED_AT_QUIT} before the answer: the request may or may not have been applied"
            )),
            OpStage::Journaling => Some(format!(
                "{ABANDONED_AT_QUIT} before the request was sent: nothing was sent"
            )),
            // Nothing journaled yet, nothing sent.
            _ => None,
        };
        if let Some(outcome) = outcome {
            entries.push(Entry::ClusterActionFinished {
                action: o.kubectl,
                outcome,
                ok: false,
            });
        }
    }
    if let Some(r) = native {
        let duration_ms = (now - r.started).num_milliseconds().max(0) as u64;
        entries.push(Entry::CommandFinished {
            step: r.step,
            run: r.run,
            exit_code: None,
            duration_ms,
            cancelled: true,
        });
    }
    entries
}

/// On resume: what became of the last cluster action when the previous console quit
/// (or died) before it ended.
pub fn resume_notice(progress: &crate::domain::progress::Progress) -> Option<String> {
    let last = progress.cluster_actions.last()?;
    match &last.finished {
        None => Some(format!(
            "No outcome was recorded for `{}`: check the cluster before acting again.",
            last.action
        )),
        Some(f) if f.outcome.starts_with(ABANDONED_AT_QUIT) => {
            Some(format!("Last time `{}` was {}", last.action, f.outcome))
        }
        Some(_) => None,
    }
}

// ---------------------------------------------------------------- pods pane

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

#[cfg(test)]
#[path = "update_cluster_tests.rs"]
mod tests;

//! The selected step in full: its text, its command with placeholders filled or
//! highlighted, and what has happened to it.

use ratatui::Frame;

use crate::ui::state::native_run::BlockPlan;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_memo::PaneMemo;
use crate::domain::duration_text::{compact, precise_ms};
use crate::domain::progress::StepState;
use crate::domain::runbook::StepKind;
use crate::ui::format::{count_of, reflow, secs_between};
use crate::ui::state::App;
use crate::ui::theme::{Role, Theme};

/// Draws the pane; `memo` copies back last frame's cells when it would draw the same.
pub fn render(app: &App, memo: &mut PaneMemo, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    if let Some(group) = app.selected_choice() {
        return super::choice::render(app, group, frame, area);
    }
    let Some(step) = app.selected() else {
        let block = super::pane_block(app, "Step", false);
        frame.render_widget(
            Paragraph::new("This runbook has no steps.")
                .style(t.style(Role::Muted))
                .block(block),
            area,
        );
        return;
    };
    let pos = app.selected_pos();
    let phase = pos.and_then(|p| app.runbook.phases.get(p.phase));
    let mut title = format!("Step {}", step.id);
    if let Some(ph) = phase {
        title.push_str(&format!(" · {}", ph.kind.label()));
    }
    if let Some(section) = &step.section {
        title.push_str(&format!(" › {section}"));
    }
    let block = super::pane_block(app, title, false);

    let mut lines: Vec<Line> = Vec::new();
    // What happened to it.
    match app.state.progress.state(step.id) {
        Some(StepState::Done { at, actor }) => {
            let text = match app.state.progress.done_by_action.get(&step.id) {
                Some(by) => format!(
                    "✓ done by action{} at {}: {}",
                    by.number.map(|n| format!(" #{n}")).unwrap_or_default(),
                    at.format("%H:%M:%SZ"),
                    app.mask_secrets(&by.action)
                ),
                None => format!("✓ done by {actor} at {}", at.format("%H:%M:%SZ")),
            };
            lines.push(Line::from(Span::styled(text, t.style(Role::Done))))
        }
        Some(StepState::Skipped { at, actor, reason }) => lines.push(Line::from(Span::styled(
            format!(
                "– skipped by {actor} at {}: {reason}",
                at.format("%H:%M:%SZ")
            ),
            t.style(Role::Skipped),
        ))),
        None => {}
    }
    // A native run (kubectl lines through the cluster path) is live without a shell
    // process: it is running too, not interrupted.
    let native = app
        .cluster
        .as_ref()
        .and_then(|c| c.native.as_ref())
        .filter(|r| r.step == step.id)
        .map(|r| (r.run, r.started));
    let shell = app
        .running
        .as_ref()
        .filter(|r| r.step == step.id)
        .map(|r| (r.run, r.started));
    let block_run = app.block_run.as_ref().filter(|b| b.step == step.id);
    let native_follow = app
        .cluster
        .as_ref()
        .and_then(|c| c.native.as_ref())
        .filter(|r| r.step == step.id)
        .and_then(|r| r.follow);
    if let Some((text, role)) = block_run.and_then(|b| block_line_status(app, b)) {
        lines.push(Line::from(Span::styled(text, t.style(role))));
    } else if let Some(follow) = native_follow {
        let what = match follow {
            crate::ui::state::native_run::NativeFollow::PodsPane => " (the live Pods pane)",
            crate::ui::state::native_run::NativeFollow::Process { .. } => "",
        };
        lines.push(Line::from(Span::styled(
            format!("⟳ following{what} — Enter stops this line and goes on"),
            t.style(Role::Running),
        )));
    } else if let Some((run, started)) = shell.or(native).or_else(|| line_run(app, step.id)) {
        lines.push(Line::from(Span::styled(
            format!(
                "⟳ run {run} running for {}",
                compact(secs_between(started, app.now))
            ),
            t.style(Role::Running),
        )));
    } else if declined_last(app, step.id) {
        lines.push(Line::from(Span::styled(
            "– not run (declined)",
            t.style(Role::Skipped),
        )));
    } else if let Some((text, role)) = app.state.progress.last_run(step.id).and_then(line_outcome) {
        lines.push(Line::from(Span::styled(text, t.style(role))));
    } else if let Some(run) = app.state.progress.last_run(step.id) {
        let (text, role) = match &run.finished {
            Some(o) if o.succeeded() && run.is_rehearsal() => (
                format!("last run {}: rehearsed in the drill, nothing ran", run.run),
                Role::Done,
            ),
            Some(o) if o.succeeded() => (
                format!(
                    "last run {}: exit 0 in {}",
                    run.run,
                    precise_ms(o.duration_ms)
                ),
                Role::Done,
            ),
            Some(o) if o.cancelled => (
                format!(
                    "last run {}: cancelled after {}",
                    run.run,
                    precise_ms(o.duration_ms)
                ),
                Role::Skipped,
            ),
            Some(o) => (
                format!(
                    "last run {}: {} after {}",
                    run.run,
                    o.exit_code
                        .map_or("killed by a signal".to_string(), |c| format!("exit {c}")),
                    precise_ms(o.duration_ms)
                ),
                Role::Failed,
            ),
            None => (
                format!(
                    "run {} was interrupted (the session ended while it ran)",
                    run.run
                ),
                Role::Warning,
            ),
        };
        lines.push(Line::from(Span::styled(text, t.style(role))));
    }
    if !lines.is_empty() {
        lines.push(Line::default());
    }
    lines.extend(super::checks::lines(app, step.id));

    match &step.kind {
        StepKind::Command(block_) => {
            let prose = step.text.split("```").next().unwrap_or("").trim();
            for l in reflow(prose) {
                lines.push(Line::from(l));
            }
            if !prose.is_empty() {
                lines.push(Line::default());
            }
            match app.block_plan(&block_.script) {
                Some(BlockPlan::Native(native)) => lines.push(Line::from(Span::styled(
                    format!(
                        "runs natively: {} through the cluster action path",
                        count_of(native.len(), "kubectl line", "kubectl lines")
                    ),
                    t.style(Role::Info),
                ))),
                Some(BlockPlan::Mixed(mixed)) => lines.push(Line::from(Span::styled(
                    format!(
                        "runs in order: {} natively, {} in /bin/sh",
                        count_of(
                            mixed.iter().filter(|l| l.command.is_some()).count(),
                            "kubectl line",
                            "kubectl lines"
                        ),
                        mixed.iter().filter(|l| l.command.is_none()).count()
                    ),
                    t.style(Role::Info),
                ))),
                Some(BlockPlan::Shell(Some(why))) => lines.push(Line::from(Span::styled(
                    // The reason quotes the filled line, secrets included.
                    format!(
                        "runs in /bin/sh, not natively ({})",
                        app.mask_secrets(&super::run_path::shell_reason(
                            &why,
                            block_,
                            &app.bindings()
                        ))
                    ),
                    t.style(Role::Muted),
                ))),
                _ => {}
            }
            lines.extend(super::target_hint::lines(app, step));
            let bindings = app.bindings();
            // A blank line between commands stays blank (no prompt); blank lines at the
            // end of the block are not shown.
            let script = block_.script.trim_end();
            for l in script.lines() {
                if l.trim().is_empty() {
                    lines.push(Line::default());
                } else {
                    lines.push(command_line(t, l, &bindings, app));
                }
            }
            lines.push(Line::default());
            lines.push(hint_line(app, "r", "run it (you confirm first)"));
        }
        StepKind::Promql { query, comparison } => {
            lines.push(Line::from(Span::styled(
                "PromQL check",
                t.style(Role::Muted),
            )));
            for l in query.lines() {
                lines.push(Line::from(Span::styled(
                    l.to_string(),
                    t.style(Role::Command),
                )));
            }
            if let Some(c) = comparison {
                lines.push(Line::from(Span::styled(
                    format!("holds when: {c}"),
                    t.style(Role::Muted),
                )));
            }
            lines.push(Line::default());
            lines.push(hint_line(app, "space", "tick it once you have checked it"));
        }
        StepKind::Verify { .. } => {
            text_then_hint(
                &mut lines,
                app,
                &step.text,
                "v",
                "start the check · w cut its window short (with a reason)",
            );
        }
        StepKind::Checklist { .. } => {
            text_then_hint(
                &mut lines,
                app,
                &step.text,
                "space",
                "tick · s skip with a reason · n note",
            );
        }
    }
    let communicating = app
        .phase_of(step.id)
        .and_then(|p| app.runbook.phases.get(p))
        .is_some_and(|p| p.kind == crate::domain::runbook::PhaseKind::Communication);
    if communicating
        && !app.messaging.sinks.is_empty()
        && let Some(key) = app.keymap.first_key(
            crate::ui::keymap::Mode::Normal,
            crate::ui::action::Action::ComposeMessage,
        )
    {
        lines.push(hint_line(
            app,
            &key.to_string(),
            &format!("compose a message to {}", app.messaging.sinks.join(", ")),
        ));
    }
    let notes: Vec<_> = app
        .state
        .progress
        .notes
        .iter()
        .filter(|n| n.step == Some(step.id))
        .collect();
    if !notes.is_empty() {
        lines.push(Line::default());
        for n in notes {
            lines.push(Line::from(Span::styled(
                format!(
                    "✎ {} {}: {}",
                    n.at.format("%H:%M"),
                    n.actor,
                    n.text.lines().next().unwrap_or("")
                ),
                t.style(Role::Info),
            )));
        }
    }
    memo.render(
        frame,
        area,
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
    );
}

fn hint_line(app: &App, key: &str, text: &str) -> Line<'static> {
    let t = &app.theme;
    Line::from(vec![
        Span::styled(format!(" {key} "), t.style(Role::Key)),
        Span::styled(format!(" {text}"), t.style(Role::Muted)),
    ])
}

/// A step's text reflowed, a blank line, then the hint of the key that acts on it.
fn text_then_hint(lines: &mut Vec<Line<'static>>, app: &App, text: &str, key: &str, hint: &str) {
    lines.extend(reflow(text).into_iter().map(Line::from));
    lines.push(Line::default());
    lines.push(hint_line(app, key, hint));
}

/// A script line with bound placeholders shown filled and unbound ones highlighted.
fn command_line(
    t: &Theme,
    line: &str,
    bindings: &std::collections::BTreeMap<String, String>,
    app: &App,
) -> Line<'static> {
    // A shell comment explains; it is not a command: muted, without the prompt.
    if line.trim_start().starts_with('#') {
        return Line::from(Span::styled(format!("  {line}"), t.style(Role::Muted)));
    }
    let base = t.style(Role::Command);
    let mut spans = vec![Span::styled(
        "$ ".to_string(),
        base.patch(t.style(Role::Muted)),
    )];
    let mut rest = line;
    'outer: while !rest.is_empty() {
        for ph in &app.runbook.placeholders {
            let forms = match ph.form {
                crate::domain::runbook::PlaceholderForm::Angle => vec![format!("<{}>", ph.name)],
                crate::domain::runbook::PlaceholderForm::Dollar => {
                    vec![format!("${{{}}}", ph.name), format!("${}", ph.name)]
                }
            };
            for f in forms {
                if let Some(i) = rest.find(&f) {
                    // Only take the earliest match among all placeholders.
                    let earlier = app.runbook.placeholders.iter().any(|o| {
                        let of = match o.form {
                            crate::domain::runbook::PlaceholderForm::Angle => {
                                format!("<{}>", o.name)
                            }
                            crate::domain::runbook::PlaceholderForm::Dollar => {
                                format!("${}", o.name)
                            }
                        };
                        rest.find(&of).is_some_and(|j| j < i)
                    });
                    if earlier {
                        continue;
                    }
                    spans.push(Span::styled(rest[..i].to_string(), base));
                    // A secret (typed, or exported and bound from the environment) is never
                    // shown; any other value is masked for secrets it might contain.
                    let shown = if app.secrets.contains_key(&ph.name)
                        || (bindings.contains_key(&ph.name)
                            && crate::domain::redact::is_secret_name(&ph.name))
                    {
                        Some(crate::domain::redact::REDACTED.to_string())
                    } else {
                        bindings.get(&ph.name).map(|v| app.mask_secrets(v))
                    };
                    match shown {
                        Some(v) => spans.push(Span::styled(v, base.patch(t.style(Role::Done)))),
                        None => spans.push(Span::styled(f.clone(), t.style(Role::Placeholder))),
                    }
                    rest = &rest[i + f.len()..];
                    continue 'outer;
                }
            }
        }
        spans.push(Span::styled(rest.to_string(), base));
        break;
    }
    Line::from(spans)
}

/// The line of a block running in the shell, or the failed line waiting for a choice.
fn block_line_status(
    app: &App,
    b: &crate::ui::state::block_run::BlockRun,
) -> Option<(String, Role)> {
    let label = b.label(b.index);
    if let Some(f) = &b.failed {
        let how = match (f.exit_code, f.cancelled) {
            (_, true) => "cancelled".to_string(),
            (Some(127), _) => "exit 127 (command not found)".to_string(),
            (Some(c), _) => format!("exit {c}"),
            (None, _) => "the shell ended".to_string(),
        };
        return Some((
            format!("✗ {label} failed: {how}; the block stopped there (retry, continue or stop)"),
            Role::Failed,
        ));
    }
    let line = b.current.as_ref()?;
    if b.lines.len() == 1 && line.follow.is_none() {
        // A one-line block reads as any run.
        return None;
    }
    let since = app
        .running
        .as_ref()
        .filter(|r| r.run == line.run)
        .map_or(0, |r| secs_between(r.started, app.now));
    Some(if line.follow.is_some() {
        (
            format!("⟳ {label} following — Enter stops this line and goes on"),
            Role::Running,
        )
    } else {
        (
            format!("⟳ {label} running for {}", compact(since)),
            Role::Running,
        )
    })
}

/// Whether the step's latest command record says it was declined.
fn declined_last(app: &App, step: crate::domain::runbook::StepId) -> bool {
    app.state.declined.contains(&step)
}

/// A run that was a line of a block (`line i/n: …`): which line, how it ended.
fn line_outcome(run: &crate::domain::progress::CommandRun) -> Option<(String, Role)> {
    let (n, total) = crate::domain::runbook::line_of(&run.command)?;
    let Some(o) = run.finished.as_ref() else {
        return Some((
            format!("line {n}/{total} was running when the session ended: r continues from it"),
            Role::Warning,
        ));
    };
    Some(match (o.succeeded(), n == total) {
        (true, true) => (
            format!("last run: all {total} lines ran (line {n}/{total} exit 0)"),
            Role::Done,
        ),
        (true, false) => (
            format!(
                "last run stopped after line {n}/{total}: the lines after it did not run (r continues from line {}/{total})",
                n + 1
            ),
            Role::Warning,
        ),
        (false, _) => (
            format!(
                "✗ last run: line {n}/{total} failed ({}); the lines after it did not run",
                if o.cancelled {
                    "cancelled".to_string()
                } else {
                    o.exit_code
                        .map_or("killed by a signal".to_string(), |c| format!("exit {c}"))
                }
            ),
            Role::Failed,
        ),
    })
}

/// A step's `argocd` or deploy API lines running through the console: (run, started).
fn line_run(
    app: &App,
    step: crate::domain::runbook::StepId,
) -> Option<(u32, chrono::DateTime<chrono::Utc>)> {
    let argo = app.argo.run.as_ref().map(|r| (r.step, r.run, r.started));
    let deploy = app
        .deploy_api
        .run
        .as_ref()
        .map(|r| (r.step, r.run, r.started));
    argo.into_iter()
        .chain(deploy)
        .find(|(s, ..)| *s == step)
        .map(|(_, run, started)| (run, started))
}

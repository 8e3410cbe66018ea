//! A kubectl line of a shell block that changes something is previewed before it may
//! run: the console runs it with `--dry-run=server` and reads the live object
//! (`ShellEffect::PreviewLine`), shows the server's verdict and the diff (the whole diff in the
//! Output pane, its start in the confirmation), and the line runs only on `y` there (and,
//! for the target deleted or scaled to zero or a change elsewhere, after its name is
//! typed). A line the server cannot preview says why and still asks. Only with a
//! cluster connected: the preview runs with the console's pinned kubeconfig.

use crate::domain::cluster::line_preview::{self, Captured, PreviewAnswer};
use crate::ui::effect::{Effect, ShellEffect};
use crate::ui::msg::Stream;
use crate::ui::state::{App, Confirm, Intent, Layer};

use super::block_runs;

/// Diff lines shown in the confirmation itself (the Output pane has them all).
const DIFF_IN_CONFIRM: usize = 14;

/// The current line needs a preview first: asks for it (`Some`); `None` when the line
/// changes nothing kubectl can preview, or its preview was accepted.
pub(super) fn preview(app: &mut App) -> Option<Vec<Effect>> {
    // Without a cluster the console has no target to compare with (the block's
    // confirmation still says in words what each line changes).
    app.cluster.as_ref()?;
    let b = app.block_run.as_mut()?;
    let index = b.index;
    if b.previewed == Some(index) {
        return None;
    }
    let label = b.label(index);
    let (block, step) = (b.block, b.step);
    match line_preview::preview_of(&b.lines[index]) {
        Ok(None) => None,
        Ok(Some(p)) => {
            b.previewing = Some(index);
            let shown = app.mask_secrets(&p.dry_run.join(" "));
            app.output.push(
                Stream::Stdout,
                format!("⋯ {label} changes the cluster: the server's dry run first: $ {shown}"),
            );
            Some(vec![Effect::Shell(ShellEffect::PreviewLine {
                block,
                line: index,
                preview: p,
            })])
        }
        Err(why) => {
            let shown = b.shown[index].clone();
            app.output.push(
                Stream::Stderr,
                format!("⚠ {label}: no server dry run: {why}"),
            );
            app.layers.push(Layer::Confirm(Confirm {
                title: format!("{label}: no preview possible"),
                body: vec![format!("$ {shown}"), format!("No server dry run: {why}.")],
                question: format!("Run {label} in /bin/sh without a preview?"),
                intent: Intent::RunPreviewedLine { step },
            }));
            Some(Vec::new())
        }
    }
}

/// A native run's shell line (a kubectl line not run natively): its preview, then its
/// typed name when guarded, before it runs (`Some`: it waits); `None` runs it.
pub(super) fn native_gate(app: &mut App, text: &str) -> Option<Vec<Effect>> {
    let c = app.cluster.as_mut()?;
    let target = c.target();
    let run = c.native.as_mut()?;
    let (step, run_no) = (run.step, run.run);
    // The line was popped: the lines left, it included.
    let key = run.pending.len() + 1;
    if !run.gate.previewed {
        match line_preview::preview_of(text) {
            Ok(None) => run.gate.previewed = true,
            Ok(Some(p)) => {
                run.gate.previewing = Some(key);
                let shown = app.mask_secrets(&p.dry_run.join(" "));
                app.output.push(
                    Stream::Stdout,
                    format!(
                        "⋯ this line changes the cluster: the server's dry run first: $ {shown}"
                    ),
                );
                return Some(vec![Effect::Shell(ShellEffect::PreviewLine {
                    block: run_no,
                    line: key,
                    preview: p,
                })]);
            }
            Err(why) => {
                let shown = app.mask_secrets(text);
                app.output
                    .push(Stream::Stderr, format!("⚠ no server dry run: {why}"));
                app.layers.push(Layer::Confirm(Confirm {
                    title: "No preview possible".into(),
                    body: vec![format!("$ {shown}"), format!("No server dry run: {why}.")],
                    question: "Run this line in /bin/sh without a preview?".into(),
                    intent: Intent::RunPreviewedLine { step },
                }));
                return Some(Vec::new());
            }
        }
    }
    if run.gate.cleared {
        return None;
    }
    let g = crate::domain::runbook::guard_of(text, Some(&target))?;
    let expected = g.typed_name.clone()?;
    let shown = app.mask_secrets(text);
    let title = g.change.clone();
    ask_typed_name(app, &g, "this line", title, &shown, expected);
    Some(Vec::new())
}

/// A guarded line waits for its object's name typed: the warning in the output (`who`
/// names the line: `this line`, `line 2`), then the prompt titled `title` over `shown`.
pub(super) fn ask_typed_name(
    app: &mut App,
    g: &crate::domain::runbook::LineGuard,
    who: &str,
    title: String,
    shown: &str,
    expected: String,
) {
    app.output.push(
        Stream::Stderr,
        format!("⚠ {who} changes {}: {}", g.change, g.warnings.join("; ")),
    );
    let mut input = ratatui_textarea::TextArea::default();
    input.set_placeholder_text(expected.clone());
    app.layers
        .push(Layer::Prompt(Box::new(crate::ui::state::Prompt {
            title,
            hint: format!(
                "$ {shown}\n{}. Type {expected} to run it in /bin/sh; Esc declines.",
                g.warnings.join("; ")
            ),
            purpose: crate::ui::state::PromptPurpose::GuardedLine { expected },
            input,
            error: None,
        })));
}

/// The typed name of a native run's guarded shell line matched: it runs.
pub(super) fn native_cleared(app: &mut App) -> Vec<Effect> {
    let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) else {
        return Vec::new();
    };
    run.gate.cleared = true;
    super::native_runs::advance(app)
}

/// A native run's changing shell line declined (its preview or its typed name): the run
/// ends there, declined, nothing sent.
pub(super) fn native_declined(app: &mut App) -> Vec<Effect> {
    let text = app
        .cluster
        .as_ref()
        .and_then(|c| c.native.as_ref())
        .and_then(|r| r.pending.front())
        .map(|l| l.text.clone());
    match text {
        Some(text) => super::native_runs::declined(app, &text).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// The preview's answer: the verdict and the diff in the Output pane, and the
/// confirmation for the line.
pub(super) fn on_previewed(
    app: &mut App,
    block: u32,
    line: usize,
    answer: PreviewAnswer,
) -> Vec<Effect> {
    let Some(b) = app.block_run.as_mut() else {
        return on_native_previewed(app, block, line, answer);
    };
    if b.block != block || b.previewing != Some(line) || b.index != line {
        return Vec::new();
    }
    b.previewing = None;
    let (step, label, shown) = (b.step, b.label(line), b.shown[line].clone());
    let Ok(Some(p)) = line_preview::preview_of(&b.lines[line]) else {
        return Vec::new();
    };
    show_preview(app, step, &label, &shown, &p, answer);
    Vec::new()
}

/// A native run's shell line's preview answered.
fn on_native_previewed(
    app: &mut App,
    block: u32,
    line: usize,
    answer: PreviewAnswer,
) -> Vec<Effect> {
    let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) else {
        return Vec::new();
    };
    if run.run != block || run.gate.previewing != Some(line) {
        return Vec::new();
    }
    run.gate.previewing = None;
    let step = run.step;
    let Some(text) = run.pending.front().map(|l| l.text.clone()) else {
        return Vec::new();
    };
    let Ok(Some(p)) = line_preview::preview_of(&text) else {
        return Vec::new();
    };
    let shown = app.mask_secrets(&text);
    show_preview(app, step, "this line", &shown, &p, answer);
    Vec::new()
}

/// The verdict and the diff in the Output pane, and the confirmation for the line.
fn show_preview(
    app: &mut App,
    step: crate::domain::runbook::StepId,
    label: &str,
    shown: &str,
    p: &line_preview::LinePreview,
    answer: PreviewAnswer,
) {
    let redacted = PreviewAnswer {
        dry_run: redact(&answer.dry_run),
        live: answer.live.as_ref().map(redact),
    };
    let mut summary: Vec<String> = vec![format!("$ {shown}")];
    let verdict = if redacted.dry_run.ok {
        match (p.deletes, first_line(&redacted.dry_run.stdout)) {
            (true, Some(name)) => format!("Server dry run: {name} would be deleted."),
            _ => "Server dry run: accepted (nothing was changed).".to_string(),
        }
    } else {
        format!(
            "Server dry run FAILED: {}",
            first_line(&redacted.dry_run.stderr).unwrap_or("no message")
        )
    };
    summary.push(verdict.clone());
    app.output.push(
        if redacted.dry_run.ok {
            Stream::Stdout
        } else {
            Stream::Stderr
        },
        app.mask_secrets(&verdict),
    );
    match (line_preview::preview_diff(p, &redacted), &redacted.live) {
        (Some(d), live) => {
            let created = live.as_ref().is_some_and(|l| !l.ok);
            let head = format!(
                "Diff against the live object{} (+{} −{}):",
                if created { " (none yet: all new)" } else { "" },
                d.added,
                d.removed
            );
            app.output.push(Stream::Stdout, head.clone());
            summary.push(head);
            for l in &d.lines {
                app.output.push(Stream::Stdout, app.mask_secrets(l));
            }
            let shown_lines: Vec<String> = d
                .lines
                .iter()
                .take(DIFF_IN_CONFIRM)
                .map(|l| app.mask_secrets(l))
                .collect();
            summary.extend(shown_lines);
            if d.lines.len() > DIFF_IN_CONFIRM {
                summary.push(format!(
                    "… {} more diff lines in the Output pane",
                    d.lines.len() - DIFF_IN_CONFIRM
                ));
            }
            if d.is_empty() {
                summary.push("(no difference: the line would change nothing)".into());
            }
        }
        (None, None) => summary.push("No live object to compare: the line names none.".into()),
        (None, Some(_)) => {}
    }
    let question = if redacted.dry_run.ok {
        format!("Run {label} for real in /bin/sh now?")
    } else {
        format!("The server refused the dry run. Run {label} in /bin/sh anyway?")
    };
    app.layers.push(Layer::Confirm(Confirm {
        title: format!("{label}: server dry run"),
        body: summary,
        question,
        intent: Intent::RunPreviewedLine { step },
    }));
}

/// `y` on the preview's confirmation: the line goes on (to its typed name, if guarded).
pub(super) fn accepted(app: &mut App) -> Vec<Effect> {
    let Some(b) = app.block_run.as_mut() else {
        if let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
            run.gate.previewed = true;
            return super::native_runs::advance(app);
        }
        return Vec::new();
    };
    b.previewed = Some(b.index);
    block_runs::start_line(app)
}

fn redact(c: &Captured) -> Captured {
    Captured {
        ok: c.ok,
        stdout: line_preview::redact_secret_data(&c.stdout),
        stderr: c.stderr.clone(),
    }
}

fn first_line(s: &str) -> Option<&str> {
    s.lines().map(str::trim).find(|l| !l.is_empty())
}

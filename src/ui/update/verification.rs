//! Verification: starting a step's checks (asking first when one is a
//! shell command), following their monitor windows, cutting a window short with a
//! journaled reason (the next moves after a failure are `next_moves.rs`). A check is shown
//! passed or failed only once its `VerificationFinished` record is on disk.

use ratatui_textarea::TextArea;

use crate::domain::journal::Entry;
use crate::domain::runbook::{StepId, StepKind};
use crate::domain::verify::{CUT_SHORT_BY_QUIT, Probe, Verdict, ways_to_get_data};

use crate::domain::duration_text::compact;
use crate::ui::effect::Effect;
use crate::ui::state::verification::{CheckStatus, LastSample, VerifyEffect, VerifyMsg};
use crate::ui::state::{App, Confirm, FlashLevel, Intent, Layer, Prompt, PromptPurpose, Then};

use super::steps;

/// `v` (or `r` on a check step): start the selected step's checks that are not running.
pub(super) fn request_start(app: &mut App) -> Vec<Effect> {
    // A step's kubectl lines are running (perhaps waiting on `rollout status`): checks
    // start once they have ended.
    if super::native_runs::refuse_during_native_run(app) {
        return Vec::new();
    }
    let Some(step) = app.selected().map(|s| s.id) else {
        return Vec::new();
    };
    let all = app.verification.of_step(step);
    if all.is_empty() {
        app.flash(FlashLevel::Info, "This step has no verification checks.");
        return Vec::new();
    }
    let idle: Vec<usize> = all
        .into_iter()
        .filter(|&i| !app.verification.checks[i].is_active())
        .collect();
    if idle.is_empty() {
        app.flash(
            FlashLevel::Info,
            "Its checks are already running (w cuts a window short).",
        );
        return Vec::new();
    }
    let bindings = app.bindings();
    let mut unconfirmed: Vec<String> = Vec::new();
    for &i in &idle {
        let view = &app.verification.checks[i];
        match view.bound_probe(&bindings) {
            Err(missing) => {
                if let Some(ph) = missing.into_iter().next() {
                    steps::ask_placeholder(app, ph, step);
                }
                return Vec::new();
            }
            // A drill on the simulator never runs what would reach beyond it.
            Ok(Probe::Shell(s)) if app.rehearse_outside_commands => {
                let outside = crate::domain::drill_guard::outside_commands(&s.command);
                if !outside.is_empty() {
                    let text = format!(
                        "Drill: check {} runs {}, which would reach beyond the simulator; it is not run in a drill (s skips the step).",
                        view.check.name,
                        outside.join(", ")
                    );
                    app.flash(FlashLevel::Warning, &text);
                    return Vec::new();
                }
                if !view.shell_confirmed {
                    unconfirmed.push(app.mask_secrets(&s.command));
                }
            }
            Ok(Probe::Shell(s)) if !view.shell_confirmed => {
                unconfirmed.push(app.mask_secrets(&s.command));
            }
            Ok(_) => {}
        }
    }
    if !unconfirmed.is_empty() {
        let title = app
            .find_step(step)
            .map(|s| format!("Verify {} {}", s.id, s.title))
            .unwrap_or_default();
        app.layers.push(Layer::Confirm(Confirm {
            title,
            body: unconfirmed,
            question: "Run this check command in /bin/sh, at every sample?".into(),
            intent: Intent::StartVerification { step },
        }));
        return Vec::new();
    }
    start(app, step, idle)
}

/// The confirmation of a step's shell checks came back.
pub(super) fn start_confirmed(app: &mut App, step: StepId) -> Vec<Effect> {
    let idle: Vec<usize> = app
        .verification
        .of_step(step)
        .into_iter()
        .filter(|&i| !app.verification.checks[i].is_active())
        .collect();
    for &i in &idle {
        app.verification.checks[i].shell_confirmed = true;
    }
    start(app, step, idle)
}

/// Journals `VerificationStarted` for each check; sampling starts once it is on disk.
pub(super) fn start(app: &mut App, step: StepId, checks: Vec<usize>) -> Vec<Effect> {
    let mut fx = steps::enter_phase_of(app, step);
    for i in checks {
        let run = app.verification.next_run;
        app.verification.next_run += 1;
        let bindings = app.bindings();
        let view = &mut app.verification.checks[i];
        view.status = CheckStatus::Starting { run };
        let probe = view
            .bound_probe(&bindings)
            .unwrap_or_else(|_| view.check.probe.clone());
        let (name, description) = (view.check.name.clone(), probe.description());
        let window_secs = view.check.window.map(|w| w.as_secs());
        let entry = Entry::VerificationStarted {
            check: name,
            description: app.mask_secrets(&description),
            window_secs,
        };
        fx.push(app.journal(entry, Some(step), Then::VerifyStart { check: i, run }));
    }
    fx
}

/// What the executor reports.
pub(super) fn on_msg(app: &mut App, msg: VerifyMsg) -> Vec<Effect> {
    match msg {
        VerifyMsg::Sample {
            check,
            run,
            sample,
            observation,
            time_left,
            passed,
            expected,
        } => {
            if let Some(view) = app.verification.checks.get_mut(check)
                && let CheckStatus::Watching { run: r, last, .. } = &mut view.status
                && *r == run
            {
                *last = Some(LastSample {
                    sample,
                    observation,
                    time_left,
                    passed,
                    expected,
                });
            }
            Vec::new()
        }
        VerifyMsg::Finished {
            check,
            run,
            outcome,
        } => {
            let Some(view) = app.verification.checks.get_mut(check) else {
                return Vec::new();
            };
            if view.run() != Some(run) || matches!(view.status, CheckStatus::Saving { .. }) {
                return Vec::new();
            }
            let step = view.check.step;
            let name = view.check.name.clone();
            let (passed, detail) = (outcome.passed(), outcome.detail());
            let verdict = outcome.verdict();
            let cut_short = outcome.cut_short().map(str::to_string);
            view.status = CheckStatus::Saving { run, outcome };
            let entry = Entry::VerificationFinished {
                check: name,
                passed,
                detail: app.mask_secrets(&detail),
                cut_short: cut_short.map(|c| app.mask_secrets(&c)),
                outcome: Some(verdict),
            };
            vec![app.journal(entry, Some(step), Then::VerifyFinished { check, run })]
        }
    }
}

/// A verification record is on disk.
pub(super) fn journaled(app: &mut App, then: Then) -> Vec<Effect> {
    match then {
        Then::VerifyStart { check, run } => {
            let now = app.now;
            let bindings = app.bindings();
            match app.verification.checks.get_mut(check) {
                Some(view) if view.status == (CheckStatus::Starting { run }) => {
                    view.status = CheckStatus::Watching {
                        run,
                        since: now,
                        last: None,
                    };
                    let probe = view
                        .bound_probe(&bindings)
                        .unwrap_or_else(|_| view.check.probe.clone());
                    vec![Effect::Verify(VerifyEffect::Start { check, run, probe })]
                }
                _ => Vec::new(),
            }
        }
        Then::VerifyFinished { check, run } => {
            let Some(view) = app.verification.checks.get_mut(check) else {
                return Vec::new();
            };
            let CheckStatus::Saving { run: r, outcome } = &view.status else {
                return Vec::new();
            };
            if *r != run {
                return Vec::new();
            }
            let outcome = outcome.clone();
            let name = view.check.name.clone();
            let step = view.check.step;
            view.status = CheckStatus::Finished {
                outcome: outcome.clone(),
            };
            if outcome.passed() {
                app.flash(FlashLevel::Info, &format!("Check {name} passed."));
                tick_when_all_passed(app, step)
            } else if outcome.verdict() == Verdict::CouldNotVerify {
                // Nothing was measured: no failure, no second rollback offered. Say why and
                // how to get the data instead.
                let detail = app.mask_secrets(&outcome.detail());
                app.flash(
                    FlashLevel::Warning,
                    &format!("Check {name} could not verify: {detail}"),
                );
                let view = &app.verification.checks[check];
                let probe = view
                    .bound_probe(&app.bindings())
                    .unwrap_or_else(|_| view.check.probe.clone());
                let mut lines = vec![
                    format!("{name}: {}", app.mask_secrets(&view.check.description())),
                    String::new(),
                    detail,
                    String::new(),
                    "Nothing was measured, so this is not a failure and no further rollback is suggested.".to_string(),
                    "To get data:".to_string(),
                ];
                lines.extend(
                    ways_to_get_data(&probe)
                        .iter()
                        .map(|w| format!("  • {}", app.mask_secrets(w))),
                );
                app.layers.insert(
                    0,
                    Layer::Notice {
                        title: "Could not verify".into(),
                        lines,
                    },
                );
                Vec::new()
            } else {
                app.flash(
                    FlashLevel::Error,
                    &format!("Check {name} failed: {}", outcome.detail()),
                );
                // Under whatever the operator has open (a note being written), so it
                // shows once that is closed.
                app.layers.insert(0, Layer::NextMoves { check });
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// A verification record could not be written: nothing changes on screen.
pub(super) fn journal_failed(app: &mut App, then: &Then) {
    match *then {
        Then::VerifyStart { check, run } => {
            if let Some(view) = app.verification.checks.get_mut(check)
                && view.status == (CheckStatus::Starting { run })
            {
                view.status = CheckStatus::Idle;
            }
        }
        Then::VerifyFinished { check, run } => {
            // The window is over but unrecorded: show it as not run, so it can be run again.
            if let Some(view) = app.verification.checks.get_mut(check)
                && view.run() == Some(run)
            {
                view.status = CheckStatus::Idle;
            }
        }
        _ => {}
    }
}

/// Ticks a check step (not a command step) once every check on it has passed.
fn tick_when_all_passed(app: &mut App, step: StepId) -> Vec<Effect> {
    let Some(s) = app.find_step(step).cloned() else {
        return Vec::new();
    };
    if matches!(s.kind, StepKind::Command(_)) || app.is_finished(&s) || app.is_pending(step) {
        return Vec::new();
    }
    let all_passed = app
        .verification
        .of_step(step)
        .iter()
        .all(|&i| app.verification.checks[i].status.passed());
    if !all_passed {
        return Vec::new();
    }
    vec![app.journal(
        Entry::StepTicked {
            step,
            title: s.title,
        },
        Some(step),
        Then::Nothing,
    )]
}

/// `w`: cut a watching window short — the selected step's, else the first watching one.
pub(super) fn request_cut_short(app: &mut App) -> Vec<Effect> {
    let watching = |i: &usize| {
        matches!(
            app.verification.checks[*i].status,
            CheckStatus::Watching { .. }
        )
    };
    let here = app
        .selected()
        .map(|s| app.verification.of_step(s.id))
        .unwrap_or_default();
    let check = here
        .iter()
        .copied()
        .find(watching)
        .or_else(|| (0..app.verification.checks.len()).find(watching));
    let Some(check) = check else {
        app.flash(FlashLevel::Info, "No verification window is running.");
        return Vec::new();
    };
    let name = app.verification.checks[check].check.name.clone();
    let mut input = TextArea::default();
    input.set_placeholder_text("e.g. customers confirm recovery; the incident is over");
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title: format!("Cut the window of {name} short"),
        hint: "Why stop watching early? The reason goes in the journal and the report.".into(),
        purpose: PromptPurpose::CutShortReason { check },
        input,
        error: None,
    })));
    Vec::new()
}

/// Quitting with monitor windows open: each ends as cut short by the quit, with what it
/// had seen so far, so the journal and the report never leave a window hanging. (A window
/// whose own outcome is being written keeps that outcome.)
pub(super) fn entries_at_quit(app: &mut App) -> Vec<Entry> {
    let now = app.now;
    let mut open = Vec::new();
    for view in &mut app.verification.checks {
        let seen = match &view.status {
            CheckStatus::Starting { .. } => "no sample taken yet".to_string(),
            CheckStatus::Watching { since, last, .. } => {
                let watched = compact((now - *since).num_seconds().max(0) as u64);
                match last {
                    Some(l) => format!(
                        "watched {watched}: {} of {} samples held, last seen {}",
                        l.passed,
                        l.sample,
                        l.observation.seen()
                    ),
                    None => format!("watched {watched}: no sample taken yet"),
                }
            }
            _ => continue,
        };
        view.status = CheckStatus::Idle;
        open.push((view.check.name.clone(), seen));
    }
    open.into_iter()
        .map(|(check, seen)| Entry::VerificationFinished {
            check,
            passed: false,
            detail: app.mask_secrets(&seen),
            cut_short: Some(CUT_SHORT_BY_QUIT.to_string()),
            outcome: None,
        })
        .collect()
}

/// The reason was given: ask the executor to end the window.
pub(super) fn cut_short(app: &mut App, check: usize, reason: String) -> Vec<Effect> {
    let reason = app.mask_secrets(&reason);
    match app.verification.checks.get(check).map(|v| &v.status) {
        Some(CheckStatus::Watching { run, .. }) => {
            vec![Effect::Verify(VerifyEffect::CutShort {
                check,
                run: *run,
                reason,
            })]
        }
        _ => {
            app.flash(FlashLevel::Info, "That window has already ended.");
            Vec::new()
        }
    }
}

pub(super) use super::next_moves::next_move;
pub(crate) use super::next_moves::undo_further;

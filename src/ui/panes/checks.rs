//! The verification checks of a step, live: status, the monitor window's countdown and
//! samples passed, and the last value seen against its limit.

use ratatui::text::{Line, Span};

use crate::domain::duration_text::{clock, compact};
use crate::domain::verify::{Observation, Outcome, Verdict};
use crate::ui::state::App;
use crate::ui::state::verification::{CheckStatus, CheckView};
use crate::ui::theme::Role;

/// Lines for every check shown under the step (none when it has no checks).
pub fn lines(app: &App, step: crate::domain::runbook::StepId) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    let checks = app.verification.of_step(step);
    if checks.is_empty() {
        return out;
    }
    out.push(Line::from(Span::styled(
        "Verification checks",
        t.style(Role::Heading),
    )));
    for i in checks {
        let view = &app.verification.checks[i];
        out.extend(check_lines(app, view));
    }
    out.push(Line::default());
    out
}

fn check_lines(app: &App, view: &CheckView) -> Vec<Line<'static>> {
    let t = &app.theme;
    let c = &view.check;
    let window = match c.window {
        Some(w) => format!(
            " · window {} every {}",
            compact(w.as_secs()),
            compact(c.every.as_secs())
        ),
        None => String::new(),
    };
    let (icon, role, status) = match &view.status {
        CheckStatus::Idle => ("○", Role::Pending, "not started".to_string()),
        CheckStatus::Starting { .. } => ("…", Role::Muted, "starting (saving…)".to_string()),
        CheckStatus::Watching { last: None, .. } => {
            ("◔", Role::Running, "watching: first sample…".to_string())
        }
        CheckStatus::Watching {
            last: Some(last), ..
        } => {
            let left = last
                .time_left
                .map(|l| format!(", {} left", clock(l.as_secs())))
                .unwrap_or_default();
            (
                "◔",
                Role::Running,
                format!(
                    "watching: {}/{} samples passed{left}",
                    last.passed, last.expected
                ),
            )
        }
        CheckStatus::Saving { .. } => ("…", Role::Muted, "window ended (saving…)".to_string()),
        CheckStatus::Recorded {
            verdict, cut_short, ..
        } => {
            let cut = cut_short
                .as_deref()
                .map(|r| format!(", cut short: {}", app.mask_secrets(r)))
                .unwrap_or_default();
            let (icon, role) = verdict_look(*verdict);
            (
                icon,
                role,
                format!("{} (journaled before resume{cut})", verdict.label()),
            )
        }
        CheckStatus::Finished { outcome } => match outcome {
            Outcome::Passed { samples, .. } => (
                "✓",
                Role::Done,
                format!(
                    "passed ({samples} sample{})",
                    if *samples == 1 { "" } else { "s" }
                ),
            ),
            Outcome::Failed(f) => ("✗", Role::Failed, format!("failed at sample {}", f.sample)),
            Outcome::CouldNotVerify { sample, .. } => (
                "?",
                Role::Warning,
                format!("could not verify (no data at sample {sample})"),
            ),
            Outcome::CutShort { reason, .. } if outcome.passed() => (
                "✓",
                Role::Done,
                format!("cut short, passed so far: {}", app.mask_secrets(reason)),
            ),
            Outcome::CutShort { reason, .. } => (
                "?",
                Role::Warning,
                format!(
                    "could not verify: cut short before any sample: {}",
                    app.mask_secrets(reason)
                ),
            ),
        },
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{icon} "), t.style(role)),
            Span::styled(c.name.clone(), t.style(Role::Title)),
            Span::styled(format!("  {status}"), t.style(role)),
        ]),
        Line::from(Span::styled(
            format!("   {}{window}", app.mask_secrets(&c.description())),
            t.style(Role::Muted),
        )),
    ];
    let seen = match &view.status {
        CheckStatus::Watching { last: Some(l), .. } => Some(&l.observation),
        _ => None,
    };
    if let Some(o) = seen {
        let (role, text) = match o {
            Observation::Pass { seen } => (Role::Done, format!("last: {seen}")),
            Observation::Fail { seen, limit } => {
                (Role::Failed, format!("last: {seen} (limit: {limit})"))
            }
            Observation::Unknown { reason } => (Role::Warning, format!("last: unknown ({reason})")),
        };
        lines.push(Line::from(Span::styled(
            format!("   {}", app.mask_secrets(&text)),
            t.style(role),
        )));
    }
    if let CheckStatus::Recorded {
        verdict, detail, ..
    } = &view.status
    {
        let role = match verdict {
            Verdict::Passed => Role::Muted,
            Verdict::Failed => Role::Failed,
            Verdict::CouldNotVerify => Role::Warning,
        };
        lines.push(Line::from(Span::styled(
            format!("   {}", app.mask_secrets(detail)),
            t.style(role),
        )));
    }
    if let CheckStatus::Finished { outcome } = &view.status {
        let role = match outcome.verdict() {
            Verdict::Passed => Role::Muted,
            Verdict::Failed => Role::Failed,
            Verdict::CouldNotVerify => Role::Warning,
        };
        lines.push(Line::from(Span::styled(
            format!("   {}", app.mask_secrets(&outcome.detail())),
            t.style(role),
        )));
    }
    lines
}

/// The icon and colour of a verdict: could not verify is a warning, never a failure.
fn verdict_look(v: Verdict) -> (&'static str, Role) {
    match v {
        Verdict::Passed => ("✓", Role::Done),
        Verdict::Failed => ("✗", Role::Failed),
        Verdict::CouldNotVerify => ("?", Role::Warning),
    }
}

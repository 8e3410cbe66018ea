//! Steps: ticking, skipping with a reason, notes, placeholders asked once per session,
//! and the `PhaseEntered` record when work moves to another phase.

use ratatui_textarea::TextArea;

use crate::domain::journal::Entry;
use crate::domain::progress::StepState;
use crate::domain::redact;
use crate::domain::runbook;
use crate::domain::runbook::{PlaceholderForm, StepId};
use crate::ui::effect::Effect;
use crate::ui::state::{App, FlashLevel, Layer, Prompt, PromptPurpose, Then};

use super::{cluster_menu, verification};

pub(super) fn toggle(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.selected().cloned() else {
        return Vec::new();
    };
    if app.is_pending(step.id) {
        return Vec::new();
    }
    let entry = match app.progress.state(step.id) {
        Some(StepState::Done { .. }) | Some(StepState::Skipped { .. }) => Entry::StepUnticked {
            step: step.id,
            title: step.title.clone(),
        },
        None => Entry::StepTicked {
            step: step.id,
            title: step.title.clone(),
        },
    };
    let mut fx = enter_phase_of(app, step.id);
    fx.push(app.journal(entry, Some(step.id), Then::Nothing));
    fx
}

pub(super) fn request_skip(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.selected().cloned() else {
        return Vec::new();
    };
    if app.is_finished(&step) {
        app.flash(
            FlashLevel::Info,
            "This step is already finished; press space to reopen it.",
        );
        return Vec::new();
    }
    let mut input = TextArea::default();
    input.set_placeholder_text("e.g. not applicable: no schema change in this release");
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title: format!("Skip {} {}", step.id, step.title),
        hint: "Why is this step skipped? The reason goes in the journal and the report.".into(),
        purpose: PromptPurpose::SkipReason { step: step.id },
        input,
        error: None,
    })));
    Vec::new()
}

pub(super) fn submit_prompt(app: &mut App) -> Vec<Effect> {
    if let Some(fx) = cluster_menu::submit_prompt(app) {
        return fx;
    }
    let Some(Layer::Prompt(p)) = app.layers.last_mut() else {
        return Vec::new();
    };
    let value = p.input.lines().join(" ").trim().to_string();
    if value.is_empty() {
        p.error = Some("A value is needed (Esc cancels).".into());
        return Vec::new();
    }
    let purpose = p.purpose.clone();
    app.layers.pop();
    match purpose {
        PromptPurpose::CutShortReason { check } => verification::cut_short(app, check, value),
        PromptPurpose::SkipReason { step } => {
            let title = app
                .find_step(step)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            let mut fx = enter_phase_of(app, step);
            fx.push(app.journal(
                Entry::StepSkipped {
                    step,
                    title,
                    reason: value,
                },
                Some(step),
                Then::Nothing,
            ));
            fx
        }
        PromptPurpose::Placeholder {
            name,
            secret,
            then_run,
            ..
        } => {
            if secret {
                app.redactor.add(value.clone());
                app.secrets.insert(name.clone(), value);
                vec![app.journal(
                    Entry::PlaceholderBound {
                        name,
                        value: "<redacted>".into(),
                        secret: true,
                    },
                    None,
                    Then::RunStep(then_run),
                )]
            } else {
                vec![app.journal(
                    Entry::PlaceholderBound {
                        name,
                        value,
                        secret: false,
                    },
                    None,
                    Then::RunStep(then_run),
                )]
            }
        }
        PromptPurpose::GuardedLine { expected } => {
            super::block_runs::submit_typed_name(app, value, expected)
        }
        PromptPurpose::ClusterParam { .. } | PromptPurpose::PodFilter => Vec::new(),
    }
}

pub(super) fn submit_note(app: &mut App) -> Vec<Effect> {
    let Some(Layer::Note(n)) = app.layers.last() else {
        return Vec::new();
    };
    let text = n.input.lines().join("\n").trim_end().to_string();
    let step = n.step;
    if text.trim().is_empty() {
        app.flash(
            FlashLevel::Info,
            "Empty note: nothing saved (Esc closes the editor).",
        );
        return Vec::new();
    }
    app.layers.pop();
    let text = app.mask_secrets(&text);
    vec![app.journal(Entry::NoteAdded { text, step }, None, Then::Nothing)]
}

/// Asks for a placeholder's value (once per session); then tries step `id` again.
pub(super) fn ask_placeholder(app: &mut App, ph: runbook::Placeholder, id: StepId) {
    let secret = redact::is_secret_name(&ph.name);
    let mut input = TextArea::default();
    if secret {
        input.set_mask_char('•');
    }
    let written = ph.written();
    input.set_placeholder_text(match ph.form {
        PlaceholderForm::Angle => format!("value for {written}"),
        PlaceholderForm::Dollar => format!("value for {written}"),
    });
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title: format!("Placeholder {written}"),
        hint: if secret {
            "Looks secret: kept in memory only, never journaled or shown.".into()
        } else {
            match crate::ui::placeholder_hint::for_placeholder(
                &ph.name,
                app.cluster.as_ref().and_then(|c| c.rollout.as_ref()),
            ) {
                Some(known) => format!("{known}. Asked once per session; journaled."),
                None => "Asked once per session; the value is journaled.".into(),
            }
        },
        purpose: PromptPurpose::Placeholder {
            name: ph.name,
            written,
            secret,
            then_run: id,
        },
        input,
        error: None,
    })));
}

/// Journals `PhaseEntered` when the operator first acts in a phase other than the current one.
pub(super) fn enter_phase_of(app: &mut App, step: StepId) -> Vec<Effect> {
    let Some(phase) = app.phase_of(step) else {
        return Vec::new();
    };
    if app.current_phase() == Some(phase) {
        return Vec::new();
    }
    let title = app.runbook.phases[phase].title.clone();
    app.entering_phase = Some(phase);
    vec![app.journal(Entry::PhaseEntered { phase, title }, None, Then::Nothing)]
}

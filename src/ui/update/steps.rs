//! Steps: ticking, skipping with a reason, notes, placeholders asked once per session,
//! the `PhaseEntered` record when work moves to another phase, choosing an alternative,
//! and the steps a cluster action made elsewhere did (`StepDoneByAction`).

use ratatui_textarea::TextArea;

use crate::domain::action_match::step_does;
use crate::domain::cluster::ClusterAction;
use crate::domain::journal::Entry;
use crate::domain::progress::StepState;
use crate::domain::redact;
use crate::domain::runbook;
use crate::domain::runbook::{PlaceholderForm, StepId};
use crate::ui::effect::Effect;
use crate::ui::state::{App, ChoiceLayer, FlashLevel, Layer, Prompt, PromptPurpose, Then};

use super::{cluster_menu, drafts, matrix, verification};

pub(super) fn toggle(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.selected().cloned() else {
        return Vec::new();
    };
    if app.is_pending(step.id) {
        return Vec::new();
    }
    let entry = match app.state.progress.state(step.id) {
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
        PromptPurpose::PostedWhere { key } => drafts::posted(app, key, value),
        PromptPurpose::SeverityReason { choice } => matrix::declare(app, &choice, value),
        PromptPurpose::Approver {
            severity,
            can_defer,
        } => matrix::record_approval(app, severity, can_defer, &value),
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

/// `c` (or Enter) on a choice row: the choice popup, previewing the chosen member (else the
/// recommended one, else the first).
pub(super) fn open_choice(app: &mut App) -> Vec<Effect> {
    let Some(group) = app.selected_choice() else {
        app.flash(
            FlashLevel::Info,
            "Not a choice: select a \"Choose one\" row to choose an alternative.",
        );
        return Vec::new();
    };
    let selected = app
        .chosen_member(group)
        .or_else(|| app.recommended_member(group))
        .unwrap_or(0);
    app.layers
        .push(Layer::Choice(ChoiceLayer { group, selected }));
    Vec::new()
}

/// The operator picked member `member` of group `group`: journaled as
/// `AlternativeChosen` (with the member chosen before, when it changes a choice); its steps
/// join the phase once the record is on disk.
pub(super) fn choose(app: &mut App, group: usize, member: usize) -> Vec<Effect> {
    if matches!(app.layers.last(), Some(Layer::Choice(_))) {
        app.layers.pop();
    }
    let Some(g) = app.runbook.alternatives.get(group) else {
        return Vec::new();
    };
    let Some(m) = g.members.get(member) else {
        return Vec::new();
    };
    let previous = app.chosen_member(group);
    if previous == Some(member) {
        app.flash(FlashLevel::Info, &format!("{} is already chosen.", m.title));
        return Vec::new();
    }
    let busy = app
        .running
        .as_ref()
        .map(|r| r.step)
        .or_else(|| app.cluster.as_ref()?.native.as_ref().map(|n| n.step))
        .and_then(|s| app.find_step(s)?.alternative)
        .is_some_and(|a| a.group == group);
    if busy {
        app.flash(
            FlashLevel::Warning,
            "A step of this choice is running: change the choice once it has ended.",
        );
        return Vec::new();
    }
    let entry = Entry::AlternativeChosen {
        group: g.id.clone(),
        member: m.key.clone(),
        title: m.title.clone(),
        previous: previous
            .and_then(|p| g.members.get(p))
            .map(|p| p.key.clone()),
        by: app.session.actor.clone(),
    };
    let first = m.steps.first().copied();
    let mut fx = first.map(|s| enter_phase_of(app, s)).unwrap_or_default();
    fx.push(app.journal(entry, None, Then::Nothing));
    fx
}

/// A cluster action made outside the steps (the Rollout pane, the actions menu) ended
/// well: every open step shown in the procedure that describes the same action on the
/// same target (`domain::action_match`) is journaled done by it. Steps of a native run
/// are its own: nothing is done for them here.
pub(super) fn done_by_action(app: &mut App, done: &ClusterAction, kubectl: &str) -> Vec<Effect> {
    let Some(c) = app.cluster.as_ref() else {
        return Vec::new();
    };
    if c.native.is_some() {
        return Vec::new();
    }
    let target = c.target();
    let bindings = app.bindings();
    let matched: Vec<(StepId, String)> = (0..app.steps.len())
        .filter_map(|i| app.step_at(i))
        .filter(|s| !app.is_finished(s) && !app.is_pending(s.id))
        .filter(|s| step_does(s, done, &target, &bindings))
        .map(|s| (s.id, s.title.clone()))
        .collect();
    matched
        .into_iter()
        .map(|(step, title)| {
            app.journal(
                Entry::StepDoneByAction {
                    step,
                    title,
                    action: kubectl.to_string(),
                },
                Some(step),
                Then::Nothing,
            )
        })
        .collect()
}

#[cfg(test)]
#[path = "choice_tests.rs"]
mod choice_tests;

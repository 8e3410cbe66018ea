//! The runbook view (`R`): opening it, and running one of its code blocks through exactly
//! the path a step's command takes (`runs::run_step`: placeholders, native kubectl with
//! preflight, dry-run, diff and typed confirmation, or the shell after confirmation).

use crate::domain::journal::Entry;
use crate::ui::effect::Effect;
use crate::ui::state::runbook_view::RunbookView;
use crate::ui::state::{App, FlashLevel, Layer, Then};

use super::runs;

pub(super) fn open(app: &mut App) -> Vec<Effect> {
    let mut view = RunbookView::open(&app.runbook);
    // It opens at the section of the step selected in the Procedure pane (`b` goes back
    // to the top, `s` returns to the step).
    if let Some(step) = app.selected().map(|s| s.id) {
        view.jump_to_step(
            &app.runbook,
            step,
            crate::ui::popups::runbook_view::height(app),
        );
    }
    app.layers.push(Layer::RunbookView(Box::new(view)));
    Vec::new()
}

/// `r` on a code block: a step's block runs as that step; a block outside the steps
/// (reference sections, prose) runs as the view step the console registered for it.
pub(super) fn run_block(app: &mut App, block: usize) -> Vec<Effect> {
    let Some(Layer::RunbookView(view)) = app.layers.last() else {
        return Vec::new();
    };
    let Some(b) = view.blocks.get(block) else {
        return Vec::new();
    };
    if b.command.is_none() {
        let lang = if b.lang.is_empty() { "code" } else { &b.lang };
        let text = format!("A {lang} block is for reading: only shell blocks run.");
        app.flash(FlashLevel::Info, &text);
        return Vec::new();
    }
    if let Some(step) = b.step {
        return runs::run_step(app, step);
    }
    let origin = b.origin();
    let Some(id) = app.view_step_at(b.first_line) else {
        return Vec::new();
    };
    // The journal says where the run was asked from (the records that follow are the
    // step path's own: started, declined, finished).
    let mut fx = vec![app.journal(
        Entry::NoteAdded {
            text: format!("{id}: asked to run the block of {origin}"),
            step: Some(id),
        },
        Some(id),
        Then::Nothing,
    )];
    fx.extend(runs::run_step(app, id));
    fx
}

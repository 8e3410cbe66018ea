//! `R`: the whole runbook rendered, over the panes. The text view's keys (scroll, `/`,
//! `n`/`N`, wrap), plus Tab / Shift-Tab through its code blocks, `r` to run the selected
//! one (through the same path as a step), `s` to jump to the section of the step selected
//! in the Procedure pane and `b` back.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::text_view::{self, Decor};
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::state::runbook_view::RunbookView;
use crate::ui::state::{App, Layer};
use crate::ui::theme::Role;

/// Text rows of the view at the terminal's current size.
pub fn height(app: &App) -> usize {
    text_view::body_height(app.size.1)
}

pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    let height = height(app);
    let step = app.selected().map(|s| s.id);
    let Some(Layer::RunbookView(view)) = app.layers.last_mut() else {
        return Handled::Ignored;
    };
    if view.text.search.typing {
        let handled = text_view::on_action(&mut view.text, action, key, height);
        view.select_on_screen(height);
        return handled;
    }
    match action {
        Some(Action::NextBlock) => view.select_next_block(true, height),
        Some(Action::PrevBlock) => view.select_next_block(false, height),
        Some(Action::Run) => {
            return match view.selected {
                Some(block) => Handled::Request(LayerRequest::RunBlock { block }),
                None => Handled::Consumed,
            };
        }
        Some(Action::JumpToStep) => {
            if let Some(step) = step {
                view.jump_to_step(&app.runbook, step, height);
            }
        }
        Some(Action::JumpBack) => {
            view.go_back(height);
        }
        _ => {
            let handled = text_view::on_action(&mut view.text, action, key, height);
            view.select_on_screen(height);
            return handled;
        }
    }
    Handled::Consumed
}

pub fn render(app: &App, view: &RunbookView, frame: &mut Frame, area: Rect) {
    let selected = view.selected_block().map(|b| (b.first_line, b.last_line));
    let gutter = move |i: usize| {
        let line = i + 1;
        selected
            .filter(|(first, last)| (*first..=*last).contains(&line))
            .map(|_| (Role::Focus, "▌"))
    };
    let run = match view.selected_block() {
        Some(b) if b.command.is_some() => format!("r runs {} · ", b.origin()),
        _ => String::new(),
    };
    let back = if view.back.is_empty() {
        ""
    } else {
        "b back · "
    };
    let decor = Decor {
        gutter: &gutter,
        footer: format!(
            "{run}Tab next block · s step's section · {back}/ search · w wrap · Esc closes"
        ),
    };
    text_view::render(app, &view.text, &decor, frame, area);
}

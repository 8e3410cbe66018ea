//! A drill-down view over the panes (`l` logs, `d` describe or a revision's changes, `y`
//! YAML): the text view's keys, plus for logs `p` (previous container), `c` (next
//! container) and `t` (since when), each of which restarts the stream. Closing asks the
//! reducer, which stops the read.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::text_view::{self, Decor};
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::state::cluster_view::{ClusterView, SINCE, ViewKind};
use crate::ui::state::{App, Layer};
use crate::ui::theme::Role;

pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    let height = text_view::body_height(app.size.1);
    let Some(Layer::ClusterView(view)) = app.layers.last_mut() else {
        return Handled::Ignored;
    };
    if !view.text.search.typing {
        if let ViewKind::Logs(q) = &mut view.kind {
            let restart = match action {
                Some(Action::PreviousContainer) => {
                    q.previous = !q.previous;
                    true
                }
                Some(Action::PickContainer) => q.next_container(),
                Some(Action::SinceTime) => {
                    q.since = (q.since + 1) % SINCE.len();
                    true
                }
                _ => false,
            };
            if restart {
                return Handled::Request(LayerRequest::RestartRead);
            }
        }
        if action == Some(Action::Cancel) {
            return Handled::Request(LayerRequest::CloseClusterView);
        }
    }
    text_view::on_action(&mut view.text, action, key, height)
}

pub fn render(app: &App, view: &ClusterView, frame: &mut Frame, area: Rect) {
    let gutter = |_: usize| -> Option<(Role, &'static str)> { None };
    let footer = match &view.kind {
        ViewKind::Logs(q) => {
            let since = match SINCE[q.since % SINCE.len()] {
                None => "tail".to_string(),
                Some(s) => crate::domain::duration_text::compact(s.unsigned_abs()),
            };
            let container = match (&q.container, q.containers.len()) {
                (Some(c), n) if n > 1 => format!("c container ({c} of {n}) · "),
                _ => String::new(),
            };
            format!(
                "p previous{} · {container}t since: {since} · f follow · w wrap · / search · Esc closes",
                if q.previous { " ✓" } else { "" }
            )
        }
        ViewKind::Once(_) => "/ search · w wrap · Esc closes".to_string(),
    };
    let decor = Decor {
        gutter: &gutter,
        footer,
    };
    text_view::render(app, &view.text, &decor, frame, area);
}

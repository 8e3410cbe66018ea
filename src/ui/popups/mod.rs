//! Modal layers drawn over the panes, one file per layer: its key handling
//! (`on_action -> Handled`), its paste handling and its rendering. The top layer gets keys
//! first (`stack` dispatches); what needs the reducers goes back as a `LayerRequest`.

pub mod action_menu;
pub mod choice;
pub mod cluster;
pub mod cluster_view;
pub mod compose;
pub mod confirm;
pub mod declare_severity;
pub mod drill_intro;
pub mod help;
pub mod key_hint;
pub mod line_failed;
pub mod messages;
pub mod next_moves;
pub mod note;
pub mod notice;
pub mod popup_frame;
pub mod prompt;
pub mod runbook_view;
pub mod stack;
pub mod target;
pub mod text_input;
pub mod text_view;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};

use super::action::Action;
use super::state::App;
use super::theme::Role;

pub fn popup_block<'a>(app: &App, title: impl Into<String>, role: Role) -> Block<'a> {
    let t = &app.theme;
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(t.style(role))
        .style(t.style(Role::Base))
        .title(Span::styled(format!(" {} ", title.into()), t.style(role)))
}

/// A rectangle of at most `width`×`height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// What a layer did with a key or a paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// The layer used it (scrolled, typed); nothing else happens.
    Consumed,
    /// The layer is done: pop it.
    Close,
    /// Not a key this layer uses.
    Ignored,
    /// The reducers take it from here (the layer stays until they pop it).
    Request(LayerRequest),
}

/// What a layer asks of the reducers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerRequest {
    /// `y` on the confirm layer: carry out its intent.
    Confirmed,
    SubmitPrompt,
    SubmitNote,
    SubmitComposer,
    NextMessageKind,
    /// `r` in the messages list: send the selected message again.
    RetryMessage,
    /// The typed name on a cluster action's confirmation.
    SubmitClusterConfirm,
    /// `y` on a cluster action's (untyped) confirmation.
    ConfirmCluster,
    CancelClusterConfirm,
    /// A key in the cluster actions menu.
    Menu(Option<Action>),
    /// A key on the next moves after a failed check.
    NextMove {
        check: usize,
        action: Option<Action>,
    },
    /// Any key on a drill's intro: close it and start the scenario.
    StartDrill,
    /// `p` in the messages list: the selected draft was posted by hand (asks where).
    PostedByHand,
    /// Enter on the severity declaration: ask why, then journal it.
    SeverityPicked,
    /// A member picked in the choice popup (group and member indices).
    Choose {
        group: usize,
        member: usize,
    },
    /// Enter on the target popup: connect to what it holds.
    SubmitTarget,
    /// A key on a failed line's question (retry, continue, stop).
    FailedLine(Option<Action>),
    /// `n` on the confirm layer: close it; a declined command is journaled as such.
    Declined,
    /// `r` in the runbook view: run its code block `block` (an index into its blocks).
    RunBlock {
        block: usize,
    },
    /// A logs view's `p`, `c` or `t`: stop its stream and read again as it now asks.
    RestartRead,
    /// Esc on a drill-down view: stop its read and close it.
    CloseClusterView,
    /// The auto-sync guard's key in a kubectl change's confirmation: turn the Argo CD
    /// application's auto-sync off first.
    AutoSyncOff,
}

/// Enter (or Ctrl-M / Ctrl-J): single-line editors do not take it as text.
pub fn is_newline(key: &KeyEvent) -> bool {
    key.code == KeyCode::Enter
        || (key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('m') | KeyCode::Char('j')))
}

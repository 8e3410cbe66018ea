//! Whole-screen snapshots of the console's main states (ratatui `TestBackend` + insta).

use chrono::Duration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::ui::msg::{Msg, Stream};
use crate::ui::state::App;
use crate::ui::testkit::*;
use crate::ui::theme::Theme;
use crate::ui::update::update;
use crate::ui::view;

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| view::render(app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Screen text plus the styles, for theme snapshots.
fn styled_screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| view::render(app, f)).expect("draw");
    format!("{:?}", terminal.backend().buffer())
}

fn mid_phase() -> App {
    let mut app = app();
    app.progress
        .bindings
        .insert("service-name".into(), "checkout-api".into());
    send(&mut app, key(' '));
    send(&mut app, key('j'));
    update(&mut app, key('s'));
    typed(&mut app, "deploys already frozen by release bot");
    send(&mut app, code(KeyCode::Enter));
    send(&mut app, key('j'));
    app.now = t0() + Duration::seconds(95);
    app
}

#[test]
fn start() {
    let app = app();
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn mid_phase_with_a_skipped_step() {
    let app = mid_phase();
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn confirm_dialog_shows_the_exact_command() {
    let mut app = mid_phase();
    update(&mut app, key('r'));
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn command_running_with_streaming_output() {
    let mut app = mid_phase();
    update(&mut app, key('r'));
    send(&mut app, key('y'));
    for line in [
        "deployment.apps/checkout-api rolled back",
        "Waiting for rollout to finish: 1 of 3 updated replicas are available...",
    ] {
        update(
            &mut app,
            Msg::Output {
                run: 1,
                stream: Stream::Stdout,
                line: line.into(),
            },
        );
    }
    update(
        &mut app,
        Msg::Output {
            run: 1,
            stream: Stream::Stderr,
            line: "W1122 warning: context deadline approaching".into(),
        },
    );
    app.now = t0() + Duration::seconds(104);
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn failed_command() {
    let mut app = mid_phase();
    update(&mut app, key('r'));
    send(&mut app, key('y'));
    update(
        &mut app,
        Msg::Output {
            run: 1,
            stream: Stream::Stderr,
            line: "error: no rollout history found for deployment \"checkout-api\"".into(),
        },
    );
    send(
        &mut app,
        Msg::Exited {
            run: 1,
            exit_code: Some(1),
            duration_ms: 431,
            cancelled: false,
        },
    );
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn placeholder_prompt() {
    let mut app = app();
    app.cursor = 2;
    update(&mut app, key('r'));
    typed(&mut app, "checkout-a");
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn note_editing() {
    let mut app = mid_phase();
    update(&mut app, key('n'));
    typed(&mut app, "Error rate still 11 % after undo.");
    update(&mut app, code(KeyCode::Enter));
    typed(&mut app, "Paging the database on-call.");
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn help_overlay_lists_every_key_from_the_keymap() {
    let mut app = app();
    update(&mut app, key('?'));
    insta::assert_snapshot!(screen(&app, 120, 50));
}

#[test]
fn smallest_supported_terminal() {
    let app = mid_phase();
    insta::assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn terminal_too_small() {
    let app = app();
    insta::assert_snapshot!(screen(&app, 70, 20));
}

#[test]
fn journal_pane_shows_the_newest_records() {
    let mut app = mid_phase();
    update(&mut app, key('n'));
    typed(&mut app, "ic: bob; comms: carol");
    send(&mut app, ctrl('s'));
    assert!(matches!(
        app.records.last().map(|r| &r.entry),
        Some(Entry::NoteAdded { .. })
    ));
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn each_theme() {
    for name in ["dark", "light", "high-contrast"] {
        let mut app = mid_phase();
        app.theme = Theme::preset(name).0;
        insta::assert_snapshot!(format!("theme_{name}"), styled_screen(&app, 80, 24));
    }
}

#[test]
fn no_color() {
    let mut app = mid_phase();
    app.theme.no_color = true;
    insta::assert_snapshot!(styled_screen(&app, 80, 24));
}

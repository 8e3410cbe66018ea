//! Snapshots of verification in progress, failed (with the next moves) and passed.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::domain::verify::{Observation, Outcome};
use crate::ui::state::App;
use crate::ui::testkit::*;
use crate::ui::update_verify_tests::{failed_outcome, finished, pass, sample, verify_app};
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

#[test]
fn verification_in_progress() {
    let mut app = verify_app(3);
    send(&mut app, key('v'));
    send(
        &mut app,
        sample(0, 1, 4, pass("HTTP 200 in 4ms, /status = ok"), 720),
    );
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn verification_failed_offers_the_next_moves() {
    let mut app = verify_app(4);
    send(&mut app, key('v'));
    send(
        &mut app,
        sample(
            1,
            1,
            1,
            Observation::Fail {
                seen: "error_rate = 0.12".into(),
                limit: "error_rate < 0.02".into(),
            },
            900,
        ),
    );
    let outcome = Outcome::Failed(crate::domain::verify::Failure {
        sample: 1,
        at: Duration::ZERO,
        seen: "error_rate = 0.12".into(),
        limit: Some("error_rate < 0.02".into()),
    });
    send(&mut app, finished(1, 1, outcome));
    insta::assert_snapshot!(screen(&app, 120, 32));
    // Closed, the step still says what failed.
    send(&mut app, key('q'));
    let _ = failed_outcome();
    insta::assert_snapshot!("verification_failed_step", screen(&app, 120, 32));
}

#[test]
fn verification_passed() {
    let mut app = verify_app(3);
    send(&mut app, key('v'));
    send(
        &mut app,
        finished(
            0,
            1,
            Outcome::Passed {
                samples: 16,
                last_seen: "HTTP 200 in 5ms, /status = ok".into(),
            },
        ),
    );
    insta::assert_snapshot!(screen(&app, 120, 32));
}

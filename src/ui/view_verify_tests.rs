//! Snapshots of verification in progress, failed (with the next moves) and passed.

use std::time::Duration;

use crate::domain::verify::{Observation, Outcome};
use crate::ui::testkit::*;
use crate::ui::update_verify_tests::{failed_outcome, finished, pass, sample, verify_app};

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

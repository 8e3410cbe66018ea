//! What `backout drill` adds to the console: the intro layer, the scenario's timeline
//! events (journaled as `DrillEvent`), and the operator acknowledging the severity the
//! matrix decided (`SeverityAcknowledged`, where the scorecard's time to detect ends).

use crate::domain::journal::Entry;

use crate::ui::effect::Effect;
use crate::ui::state::{App, FlashLevel, Then};

/// A timeline event of the scenario: journaled, and flashed so the operator sees it
/// happen.
pub fn on_drill_event(app: &mut App, what: String) -> Vec<Effect> {
    let what = app.mask_secrets(&what);
    app.flash(FlashLevel::Info, &format!("Drill: {what}"));
    vec![app.journal(Entry::DrillEvent { what }, None, Then::Nothing)]
}

/// Journals `SeverityAcknowledged` for the severity the matrix holds now. Nothing to
/// acknowledge (no metrics, nothing firing) is said, not journaled.
pub fn acknowledge_severity(app: &mut App) -> Vec<Effect> {
    let Some(live) = app.metrics.as_ref() else {
        app.flash(
            FlashLevel::Info,
            "No metrics are configured: there is no severity to acknowledge.",
        );
        return Vec::new();
    };
    let Some(severity) = live.severity().map(str::to_string) else {
        app.flash(
            FlashLevel::Info,
            "Nothing fires in the decision matrix: there is no severity to acknowledge.",
        );
        return Vec::new();
    };
    if app.last_acknowledged().as_deref() == Some(severity.as_str()) {
        app.flash(
            FlashLevel::Info,
            &format!("{severity} is already acknowledged."),
        );
        return Vec::new();
    }
    app.flash(
        FlashLevel::Info,
        &format!("{severity} acknowledged (journaled)."),
    );
    vec![app.journal(
        Entry::SeverityAcknowledged { severity },
        None,
        Then::Nothing,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::state::drill::DrillIntro;
    use crate::ui::state::{App, Layer};
    use crate::ui::testkit::*;

    fn awaiting_acknowledgement(app: &App) -> bool {
        app.awaiting_acknowledgement()
    }

    fn sev1(app: &mut App) {
        for (g, s) in [(1, 0), (2, 30), (3, 61)] {
            send(
                app,
                metrics_msg(
                    g,
                    s,
                    &[
                        ("error_rate", Some(0.15), s),
                        ("latency_p95", Some(0.25), s),
                    ],
                ),
            );
        }
        assert_eq!(
            app.metrics.as_ref().and_then(|m| m.severity()),
            Some("SEV-1")
        );
    }

    #[test]
    fn the_acknowledge_key_journals_the_severity_holding_now_once() {
        let mut app = metrics_app();
        sev1(&mut app);
        assert!(awaiting_acknowledgement(&app));
        let (_, written) = send(&mut app, key('A'));
        assert!(!awaiting_acknowledgement(&app));
        assert_eq!(
            written,
            [Entry::SeverityAcknowledged {
                severity: "SEV-1".into()
            }]
        );
        let (_, again) = send(&mut app, key('A'));
        assert!(again.is_empty(), "acknowledged once: {again:?}");
    }

    #[test]
    fn nothing_firing_or_no_metrics_acknowledges_nothing() {
        let mut app = metrics_app();
        let (_, written) = send(&mut app, key('A'));
        assert!(written.is_empty());
        assert!(
            app.flash
                .as_ref()
                .is_some_and(|f| f.text.contains("Nothing fires"))
        );
        let mut plain = app_without_metrics();
        let (_, written) = send(&mut plain, key('A'));
        assert!(written.is_empty());
    }

    fn app_without_metrics() -> App {
        crate::ui::testkit::app()
    }

    #[test]
    fn a_timeline_event_is_journaled_as_a_drill_event() {
        let mut app = metrics_app();
        let (_, written) = send(&mut app, Msg::DrillEvent("CI deploys 1.6.0".into()));
        assert_eq!(
            written,
            [Entry::DrillEvent {
                what: "CI deploys 1.6.0".into()
            }]
        );
        assert!(app.flash.as_ref().is_some_and(|f| f.text.contains("1.6.0")));
    }

    #[test]
    fn any_key_closes_the_intro_starts_the_scenario_and_does_nothing_else() {
        let mut app = metrics_app();
        app.layers.push(Layer::DrillIntro(Box::new(DrillIntro {
            title: "Drill".into(),
            story: vec!["x".into()],
            tasks: vec![],
            undo_rolls_back: true,
        })));
        let cursor = app.cursor;
        let (fx, written) = send(&mut app, key('j'));
        assert_eq!(
            fx,
            [crate::ui::effect::Effect::Drill(
                crate::ui::effect::DrillEffect::Start
            )]
        );
        assert!(written.is_empty());
        assert!(app.layers.is_empty());
        assert_eq!(app.cursor, cursor, "the key only closed the intro");
        // Without an intro, keys do their usual work and start nothing.
        let (fx, _) = send(&mut app, key('j'));
        assert!(
            !fx.contains(&crate::ui::effect::Effect::Drill(
                crate::ui::effect::DrillEffect::Start
            )),
            "{fx:?}"
        );
    }

    use crate::ui::msg::Msg;
}

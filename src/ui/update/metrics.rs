//! Live metrics: each refresh feeds the signals and steps the matrix; baselines are
//! journaled (the first complete refresh, and `b`).

use crate::domain::journal::Entry;
use crate::ui::effect::{Effect, MetricsEffect};
use crate::ui::state::metrics::MetricsUpdate;
use crate::ui::state::{App, FlashLevel, Then};

use super::matrix;

pub(super) fn on_metrics(app: &mut App, mut m: MetricsUpdate) -> Vec<Effect> {
    let at = m.at;
    let offset_read = m.baselines.take();
    let Some(live) = app.metrics.as_mut() else {
        return Vec::new();
    };
    if !live.absorb(m) {
        return Vec::new();
    }
    let mut fx = Vec::new();
    match (live.baseline_offset, offset_read) {
        (Some(offset), Some(read)) => {
            let (values, skipped) = live.absorb_offset_baselines(read, at, offset);
            if !skipped.is_empty() {
                let text = format!(
                    "Baseline {} back: no value for {}",
                    crate::domain::duration_text::compact(offset.as_secs()),
                    skipped.join("; ")
                );
                app.flash(FlashLevel::Warning, &text);
            }
            if !values.is_empty() {
                fx.push(app.journal(
                    Entry::BaselineCaptured {
                        values,
                        offset_secs: Some(offset.as_secs()),
                    },
                    None,
                    Then::Nothing,
                ));
            }
        }
        // With an offset, baselines come from Prometheus, never from the current values.
        (Some(_), None) => {}
        (None, _) => {
            if !live.baseline_captured && live.complete(at) {
                let (values, _) = live.capture_baselines(at);
                fx.push(app.journal(
                    Entry::BaselineCaptured {
                        values,
                        offset_secs: None,
                    },
                    None,
                    Then::Nothing,
                ));
            }
        }
    }
    fx.extend(matrix::evaluate_matrix(app, at));
    fx
}

pub(super) fn recapture_baseline(app: &mut App) -> Vec<Effect> {
    let now = app.now;
    let Some(live) = app.metrics.as_mut() else {
        app.flash(
            FlashLevel::Info,
            "No metrics are configured: there is no baseline to capture.",
        );
        return Vec::new();
    };
    if let Some(offset) = live.baseline_offset {
        let text = format!(
            "Reading baselines from Prometheus, {} back…",
            crate::domain::duration_text::compact(offset.as_secs())
        );
        app.flash(FlashLevel::Info, &text);
        return vec![Effect::Metrics(MetricsEffect::ReadBaselines)];
    }
    let (values, skipped) = live.capture_baselines(now);
    if values.is_empty() {
        app.flash(
            FlashLevel::Warning,
            &format!("No baseline captured: {}", skipped.join("; ")),
        );
        return Vec::new();
    }
    if skipped.is_empty() {
        app.flash(
            FlashLevel::Info,
            "Baselines re-captured from current values.",
        );
    } else {
        app.flash(
            FlashLevel::Warning,
            &format!(
                "Baselines re-captured; kept the old one for {}",
                skipped.join("; ")
            ),
        );
    }
    let mut fx = vec![app.journal(
        Entry::BaselineCaptured {
            values,
            offset_secs: None,
        },
        None,
        Then::Nothing,
    )];
    fx.extend(matrix::evaluate_matrix(app, now));
    fx
}

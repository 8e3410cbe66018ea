//! The decision matrix: stepped on each metrics refresh and each tick; a change of the
//! highest severity is journaled (`SeverityChanged`).

use crate::domain::journal::Entry;
use crate::ui::effect::Effect;
use crate::ui::state::{App, Then};

/// Steps the matrix at `now` and journals a change of the highest severity.
pub(super) fn evaluate_matrix(app: &mut App, now: chrono::DateTime<chrono::Utc>) -> Vec<Effect> {
    let Some(live) = app.metrics.as_mut() else {
        return Vec::new();
    };
    let verdict = live.step(now);
    let Some(change) = &verdict.severity_changed else {
        return Vec::new();
    };
    let entry = Entry::SeverityChanged {
        from: change.from.as_ref().map(|s| s.label().to_string()),
        to: change.to.as_ref().map(|s| s.label().to_string()),
        rule: verdict.deciding_rule().map(|r| r.when.clone()),
    };
    vec![app.journal(entry, None, Then::Nothing)]
}

//! One keymap section per popup (issue 11): the popups that shared a section with
//! another before have their own now, and a key an older `keymap.toml` binds in the old
//! section still reaches them — applied to the new section, with a warning naming it.

use std::ops::Range;

use super::action::Action;
use super::keymap_bindings::{Bindings, Written, bind};
use super::keymap_mode::Mode;

/// The sections split off an older one: `(old, new sections)`.
pub const SPLIT: &[(Mode, &[Mode])] = &[
    (Mode::Help, &[Mode::Messages]),
    (
        Mode::Confirm,
        &[Mode::NextMoves, Mode::Notice, Mode::ClusterConfirm],
    ),
    (Mode::Input, &[Mode::ClusterConfirmTyped]),
    (Mode::Note, &[Mode::Compose]),
    (Mode::View, &[Mode::RunbookView, Mode::ClusterView]),
];

fn has(bindings: &Bindings, mode: Mode, action: Action) -> bool {
    bindings
        .get(&mode)
        .is_some_and(|list| list.iter().any(|(a, _)| *a == action))
}

/// The section name a keymap file writes for a mode (`next_moves`).
pub(crate) fn section(mode: Mode) -> String {
    toml::Value::try_from(mode)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn action_name(action: Action) -> String {
    toml::Value::try_from(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Applies a file's bindings in an old section to the sections split off it that bind the
/// same action by default (unless the file binds it there too). An action that left the
/// old section is no longer bound there. Returns a warning per carried binding, at the
/// action's place in the file.
pub fn carry_over(
    written: &[Written],
    defaults: &Bindings,
    bindings: &mut Bindings,
) -> Vec<(Range<usize>, String)> {
    let mut warnings = Vec::new();
    for w in written {
        let Some((_, split)) = SPLIT.iter().find(|(old, _)| *old == w.mode) else {
            continue;
        };
        let targets: Vec<Mode> = split
            .iter()
            .copied()
            .filter(|new| has(defaults, *new, w.action))
            .filter(|new| {
                !written
                    .iter()
                    .any(|o| o.mode == *new && o.action == w.action)
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        for new in &targets {
            bind(
                bindings.entry(*new).or_default(),
                w.action,
                w.chords.clone(),
            );
        }
        let names: Vec<String> = targets
            .iter()
            .map(|m| format!("[{}]", section(*m)))
            .collect();
        let (old, action) = (section(w.mode), action_name(w.action));
        let msg = if has(defaults, w.mode, w.action) {
            format!(
                "[{old}] {action} is also bound in {} now (one section per popup): \
                 applied there too; bind it there to set them apart",
                names.join(", ")
            )
        } else {
            if let Some(list) = bindings.get_mut(&w.mode) {
                list.retain(|(a, _)| *a != w.action);
            }
            format!(
                "[{old}] {action} moved to {} (one section per popup): applied \
                 there; write it under {}",
                names.join(", "),
                names.join(", ")
            )
        };
        warnings.push((w.span.clone(), msg));
    }
    warnings
}

//! Each section's actions and their keys, as the keymap files are read into them: the
//! table both the keymap loader and the carry-over of split sections write.

use std::collections::BTreeMap;

use super::action::Action;
use super::key_chord::KeyChord;
use super::keymap_mode::Mode;

/// Each section's actions and their keys.
pub type Bindings = BTreeMap<Mode, Vec<(Action, Vec<KeyChord>)>>;

/// One binding a keymap file writes: its section, action, keys and where the action is.
pub struct Written {
    pub mode: Mode,
    pub action: Action,
    pub chords: Vec<KeyChord>,
    pub span: std::ops::Range<usize>,
}

/// Sets `action`'s keys in a section's list (replacing the keys it had).
pub fn bind(list: &mut Vec<(Action, Vec<KeyChord>)>, action: Action, chords: Vec<KeyChord>) {
    if let Some(slot) = list.iter_mut().find(|(a, _)| *a == action) {
        slot.1 = chords;
    } else {
        list.push((action, chords));
    }
}

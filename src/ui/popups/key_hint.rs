//! The keys a popup's hint line names: the first key the keymap binds to an action in the
//! popup's section, as the operator presses it (`Ctrl-s`, `Esc`).

use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;

/// The first key bound to `action` in `mode`'s section; empty when none is.
pub fn key_name(app: &App, mode: Mode, action: Action) -> String {
    app.keymap
        .first_key(mode, action)
        .map(|k| k.to_string())
        .unwrap_or_default()
}

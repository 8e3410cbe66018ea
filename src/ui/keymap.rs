//! Data-driven keymap: per mode, each action has a list of keys.
//!
//! Defaults come from `default_keymap.toml` (embedded); a user file with the same layout
//! replaces the keys of the actions it names. Bad entries become warnings, never errors.

use std::collections::BTreeMap;

use ratatui::crossterm::event::KeyEvent;
use serde::Deserialize;
use toml::Spanned;

use super::action::Action;
use super::config_position::located;
use super::keymap_sections as sections;

pub use super::key_chord::{KeyChord, KeyCodeName};
pub use super::keymap_bindings::{Bindings, Written, bind};
pub use super::keymap_mode::Mode;

/// The default keymap file.
pub(crate) const DEFAULT: &str = include_str!("default_keymap.toml");

/// The raw file layout: mode → action → keys, each with where it is in the file.
type RawKeymap = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Vec<Spanned<String>>>>;

/// Keys for every mode.
#[derive(Debug, Clone)]
pub struct Keymap {
    /// mode → (action, keys) in file order of actions.
    bindings: BTreeMap<Mode, Vec<(Action, Vec<KeyChord>)>>,
}

impl Keymap {
    /// The embedded defaults.
    pub fn defaults() -> Self {
        let mut warnings = Vec::new();
        let km = Self::from_layers(&[("default keymap", DEFAULT)], &mut warnings);
        debug_assert!(
            warnings.is_empty(),
            "default keymap has problems: {warnings:?}"
        );
        km
    }

    /// Defaults overlaid by a user file read from `origin` (named in the warnings, with
    /// the line and column of each problem); problems in the user file are warnings.
    pub fn with_overrides(user: &str, origin: &str) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let km = Self::from_layers(
            &[("default keymap", DEFAULT), (origin, user)],
            &mut warnings,
        );
        (km, warnings)
    }

    fn from_layers(layers: &[(&str, &str)], warnings: &mut Vec<String>) -> Self {
        let mut bindings: BTreeMap<Mode, Vec<(Action, Vec<KeyChord>)>> = BTreeMap::new();
        // The defaults' bindings (the first layer), which say where an action belongs.
        let mut defaults: Option<Bindings> = None;
        for (origin, layer) in layers {
            // This layer's problems, by where they are in the file.
            let mut found: Vec<(usize, String)> = Vec::new();
            let warn = |found: &mut Vec<(usize, String)>,
                        span: std::ops::Range<usize>,
                        msg: String| {
                let text = located(origin, layer, Some(span.clone()), &format!("keymap: {msg}"));
                found.push((span.start, text));
            };
            // What this layer binds, with where: for the sections split per popup.
            let mut written: Vec<Written> = Vec::new();
            let raw: RawKeymap = match toml::from_str(layer) {
                Ok(raw) => raw,
                Err(e) => {
                    warnings.push(located(
                        origin,
                        layer,
                        e.span(),
                        &format!("keymap: ignored, not valid TOML: {}", e.message().trim()),
                    ));
                    continue;
                }
            };
            for (mode_name, actions) in raw {
                let mode: Mode = match serde_plain_enum(mode_name.get_ref()) {
                    Some(m) => m,
                    None => {
                        warn(
                            &mut found,
                            mode_name.span(),
                            format!(
                                "unknown mode [{}] (modes: {})",
                                mode_name.get_ref(),
                                Mode::section_names().join(", ")
                            ),
                        );
                        continue;
                    }
                };
                let mode_name = mode_name.get_ref();
                let list = bindings.entry(mode).or_default();
                for (action_name, keys) in actions {
                    let Some(action) = serde_plain_enum::<Action>(action_name.get_ref()) else {
                        warn(
                            &mut found,
                            action_name.span(),
                            format!(
                                "unknown action `{}` in [{mode_name}]",
                                action_name.get_ref()
                            ),
                        );
                        continue;
                    };
                    let mut chords = Vec::new();
                    for k in &keys {
                        match KeyChord::parse(k.get_ref()) {
                            Ok(c) => chords.push(c),
                            Err(e) => warn(
                                &mut found,
                                k.span(),
                                format!("[{mode_name}] {}: {e}", action_name.get_ref()),
                            ),
                        }
                    }
                    written.push(Written {
                        mode,
                        action,
                        chords: chords.clone(),
                        span: action_name.span(),
                    });
                    bind(list, action, chords);
                }
            }
            if let Some(defaults) = &defaults {
                for (span, msg) in sections::carry_over(&written, defaults, &mut bindings) {
                    warn(&mut found, span, msg);
                }
            } else {
                defaults = Some(bindings.clone());
            }
            found.sort();
            warnings.extend(found.into_iter().map(|(_, text)| text));
        }
        for list in bindings.values_mut() {
            list.sort_by_key(|(a, _)| *a);
        }
        Keymap { bindings }
    }

    /// The action a key means in a mode.
    pub fn action_for(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        let chord = KeyChord::from_event(key)?;
        self.bindings
            .get(&mode)?
            .iter()
            .find(|(_, keys)| keys.contains(&chord))
            .map(|(a, _)| *a)
    }

    /// Every binding of a mode, in order, for the help overlay.
    pub fn bindings(&self, mode: Mode) -> &[(Action, Vec<KeyChord>)] {
        self.bindings.get(&mode).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The first key bound to an action, for hints ("r run").
    pub fn first_key(&self, mode: Mode, action: Action) -> Option<KeyChord> {
        self.bindings(mode)
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, keys)| keys.first().copied())
    }
}

/// Parses a snake_case enum name through serde.
fn serde_plain_enum<T: for<'de> Deserialize<'de>>(name: &str) -> Option<T> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(name)).ok()
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_map_vim_and_arrow_keys() {
        let km = Keymap::defaults();
        let n = Mode::Normal;
        assert_eq!(
            km.action_for(n, &key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action_for(n, &key(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action_for(n, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action_for(n, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::CancelCommand)
        );
        assert_eq!(
            km.action_for(n, &key(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Action::Choose)
        );
        assert_eq!(
            km.action_for(Mode::Confirm, &key(KeyCode::Char('y'), KeyModifiers::NONE)),
            Some(Action::Confirm)
        );
        assert_eq!(
            km.action_for(Mode::Note, &key(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(Action::Submit)
        );
    }

    #[test]
    fn user_overrides_replace_only_named_actions_and_warn_on_bad_entries() {
        let (km, warnings) = Keymap::with_overrides(
            "[normal]\nrun = [\"R\"]\nbogus = [\"z\"]\ntoggle = [\"hyper-x\", \"t\", \"f99\"]\n[nonsense]\nx = [\"y\"]\n",
            "keymap.toml",
        );
        let n = Mode::Normal;
        assert_eq!(
            km.action_for(n, &key(KeyCode::Char('R'), KeyModifiers::SHIFT)),
            Some(Action::Run)
        );
        assert_eq!(
            km.action_for(n, &key(KeyCode::Char('r'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            km.action_for(n, &key(KeyCode::Char('t'), KeyModifiers::NONE)),
            Some(Action::Toggle)
        );
        assert_eq!(
            km.action_for(n, &key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            warnings,
            vec![
                "keymap.toml:3:1: keymap: unknown action `bogus` in [normal]".to_string(),
                "keymap.toml:4:11: keymap: [normal] toggle: unknown key `hyper-x`".to_string(),
                "keymap.toml:4:27: keymap: [normal] toggle: unknown key `f99`".to_string(),
                "keymap.toml:5:2: keymap: unknown mode [nonsense] (modes: normal, cluster, runbook_view, cluster_view, actions, cluster_confirm, cluster_confirm_typed, severity, choice, target, confirm, next_moves, notice, input, note, compose, messages, help, line_failed)"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn broken_user_file_keeps_defaults_and_says_where() {
        let (km, warnings) =
            Keymap::with_overrides("[normal]\nrun = [\"r\"\nquit = 3\n", "keymap.toml");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("keymap.toml:3:1: "), "{warnings:?}");
        assert!(
            warnings[0].contains("keymap: ignored, not valid TOML"),
            "{warnings:?}"
        );
        let (_, warnings) = Keymap::with_overrides("[normal]\nrun = \"r\"\n", "keymap.toml");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("keymap.toml:2:7: "), "{warnings:?}");
        assert_eq!(
            km.action_for(Mode::Normal, &key(KeyCode::Char('r'), KeyModifiers::NONE)),
            Some(Action::Run)
        );
    }

    #[test]
    fn the_mode_list_holds_every_mode_and_names_it_as_a_section() {
        // A new `Mode` variant fails to compile here until it is placed in `Mode::ALL`.
        for m in Mode::ALL {
            match m {
                Mode::Normal
                | Mode::Confirm
                | Mode::Input
                | Mode::Note
                | Mode::Help
                | Mode::Actions
                | Mode::Severity
                | Mode::Choice
                | Mode::Target
                | Mode::LineFailed
                | Mode::Cluster
                | Mode::View
                | Mode::Messages
                | Mode::NextMoves
                | Mode::Notice
                | Mode::Compose
                | Mode::ClusterConfirm
                | Mode::ClusterConfirmTyped
                | Mode::RunbookView
                | Mode::ClusterView => {}
            }
        }
        let names = Mode::section_names();
        assert_eq!(names.len(), Mode::ALL.len());
        for (name, mode) in names.iter().zip(Mode::ALL) {
            assert_eq!(serde_plain_enum::<Mode>(name), Some(mode), "{name}");
        }
        assert!(names.contains(&"line_failed".to_string()));
    }

    #[test]
    fn chords_parse_and_display() {
        for (s, shown) in [
            ("ctrl-c", "Ctrl-c"),
            ("G", "G"),
            ("space", "Space"),
            ("alt-enter", "Alt-Enter"),
            ("f1", "F1"),
            ("shift-tab", "Shift-Tab"),
        ] {
            assert_eq!(
                KeyChord::parse(s).map(|c| c.to_string()),
                Ok(shown.to_string()),
                "{s}"
            );
        }
    }
}

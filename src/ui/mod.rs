//! The console: state (`state/`), the reducers (`update/`), keymap, theme, panes and
//! popups (one file per layer).
//!
//! Depends only on `domain`: everything else reaches it as a `Msg` and leaves it as an
//! `Effect` (see `runtime`).

pub mod action;
#[cfg(test)]
mod action_view_tests;
#[cfg(test)]
mod cluster_view_tests;
pub mod config_position;
pub mod effect;
pub mod format;
pub mod highlight;
pub mod key_chord;
pub mod keymap;
pub mod keymap_bindings;
pub mod keymap_mode;
pub mod keymap_sections;
#[cfg(test)]
mod keymap_sections_tests;
#[cfg(test)]
mod layout_tests;
pub mod msg;
pub mod panes;
pub mod placeholder_hint;
pub mod popups;
pub mod runbook_markdown;
#[cfg(test)]
mod runbook_view_tests;
pub mod scorecard_view;
pub mod state;
#[cfg(test)]
pub mod testkit;
pub mod theme;
pub mod update;
#[cfg(test)]
mod update_could_not_verify_tests;
#[cfg(test)]
mod update_verify_tests;
pub mod view;
#[cfg(test)]
mod view_tests;
#[cfg(test)]
mod view_verify_tests;

//! The console: state, the `update` reducer, keymap, theme, panes and popups.
//!
//! Depends only on `domain`: everything else reaches it as a `Msg` and leaves it as an
//! `Effect` (see `runtime`).

pub mod action;
pub mod action_menu;
#[cfg(test)]
mod action_view_tests;
pub mod cluster;
pub mod drill;
pub mod effect;
pub mod format;
pub mod keymap;
pub mod live;
pub mod messages;
pub mod msg;
pub mod native_step;
pub mod panes;
pub mod placeholder_hint;
pub mod popups;
pub mod scorecard_view;
pub mod state;
#[cfg(test)]
pub mod testkit;
pub mod theme;
pub mod update;
pub mod update_cluster;
mod update_verify;
#[cfg(test)]
mod update_verify_tests;
pub mod verify;
pub mod view;
#[cfg(test)]
mod view_tests;
#[cfg(test)]
mod view_verify_tests;

//! backout: a terminal incident console for rolling back a bad Kubernetes deployment.
//!
//! Layers (see `docs/architecture.md`): `domain` (pure), `adapters` (I/O),
//! `sim` (the simulated cluster), `ui` (state, update, view), `runtime` (terminal,
//! event loop, effect executor), `cli` (subcommands).

pub mod adapters;
pub mod cli;
pub mod domain;
pub mod runtime;
pub mod sim;
pub mod ui;

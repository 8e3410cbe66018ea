//! Runbooks: Markdown procedures, optionally with YAML front matter.
//!
//! [`load`] (or [`parse`], [`load_bytes`]) turns a Markdown file into a [`Runbook`]: phases
//! found from headings, steps from task items, numbered lists and fenced blocks, placeholders, decision
//! tables, and every problem as a [`Diagnostic`] at `file:line:col`. [`fill`] substitutes
//! placeholder values into a command so the console shows and runs exactly that.
//!
//! The format is described in `docs/runbook-format.md`.

mod change_badge;
mod checks;
mod code_blocks;
mod commands;
mod comment_blocks;
mod decision_table;
mod diagnostic;
pub mod front_matter;
mod load;
mod markdown;
mod model;
mod mojibake;
mod outline;
mod phase_words;
mod placeholders;
mod promql;
mod roles;
mod runnable;
pub mod shell_lines;
mod source;
mod time_budget;
mod verification;
mod verify_checks;

pub use code_blocks::{CodeBlockAt, code_blocks};
pub use diagnostic::{Diagnostic, Level};
pub use load::{LoadError, load, load_bytes, parse};
pub use model::*;
pub use placeholders::{fill, fill_text, in_script};

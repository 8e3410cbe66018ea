//! Runbooks: Markdown procedures, optionally with YAML front matter.
//!
//! [`load_bytes`] (or [`parse`]; `adapters::runbook_file::load` reads the file) turns a Markdown file into a [`Runbook`]: phases
//! found from headings, steps from task items, numbered lists and fenced blocks, placeholders, decision
//! tables, and every problem as a [`Diagnostic`] at `file:line:col`. [`fill`] substitutes
//! placeholder values into a command so the console shows and runs exactly that.
//!
//! The format is described in `docs/runbook-format.md`.

mod block_lines;
mod change_badge;
mod checks;
mod code_blocks;
mod commands;
mod comment_blocks;
mod decision_table;
mod diagnostic;
mod diagnostic_text;
mod foreign_lines;
pub mod front_matter;
mod line_guard;
mod load;
mod markdown;
pub mod message_templates;
mod metric_queries;
mod model;
mod mojibake;
mod outline;
mod phase_kind;
mod phase_words;
mod placeholder_fill;
mod placeholders;
mod promql;
mod roles;
mod runnable;
mod shell_lexer;
pub mod shell_lines;
mod shell_programs;
mod source;
pub mod target_inference;
mod text_lines;
mod time_budget;
mod verification;
mod verify_checks;

pub use block_lines::{Follow, block_lines, follow_of, line_label, line_of};
pub use change_badge::{change_of, command_change};
pub use code_blocks::{CodeBlockAt, code_blocks};
pub use diagnostic::{Diagnostic, Level};
pub use line_guard::{LineGuard, guard_of};
pub use load::{LoadError, load_bytes, parse};
pub use model::*;
pub use placeholder_fill::{fill, fill_text};
pub use placeholders::in_script;

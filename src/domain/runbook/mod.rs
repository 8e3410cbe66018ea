//! Runbooks: Markdown procedures, optionally with YAML front matter.

mod diagnostic;
pub mod front_matter;
mod model;

pub use diagnostic::{Diagnostic, Level};
pub use model::*;

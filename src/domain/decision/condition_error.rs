//! Why a matrix condition does not parse: the message, the byte offset, and a hint.

use thiserror::Error;

/// Why a condition does not parse.
///
/// Display is the message alone; the loader turns [`offset`](Self::offset) into
/// `file:line:col` and prints the [`hint`](Self::hint) on its own line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ConditionError {
    /// Byte offset within the condition string where the problem is.
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl ConditionError {
    pub(super) fn new(offset: usize, message: impl Into<String>) -> Self {
        ConditionError {
            offset,
            message: message.into(),
            hint: None,
        }
    }

    pub(super) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

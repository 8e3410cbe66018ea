//! The five phases of a rollback.

use serde::{Deserialize, Serialize};

/// The five phases of a rollback, in the order they are worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseKind {
    Preparation,
    Execution,
    Verification,
    Communication,
    PostRollback,
}

impl PhaseKind {
    pub const ALL: [PhaseKind; 5] = [
        PhaseKind::Preparation,
        PhaseKind::Execution,
        PhaseKind::Verification,
        PhaseKind::Communication,
        PhaseKind::PostRollback,
    ];

    /// Short label for narrow columns.
    pub fn label(self) -> &'static str {
        match self {
            PhaseKind::Preparation => "prepare",
            PhaseKind::Execution => "execute",
            PhaseKind::Verification => "verify",
            PhaseKind::Communication => "communicate",
            PhaseKind::PostRollback => "post-rollback",
        }
    }
}

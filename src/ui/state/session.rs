//! Who is working the session and on what.

/// Who is working the session and on what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: String,
    /// `user@host`, written as the actor of every record.
    pub actor: String,
}

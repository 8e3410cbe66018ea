//! Kube errors as the action pipeline's errors, and which of them are worth asking again
//! (shared by the action runner and `set env`'s reads of Secrets and ConfigMaps).

use std::time::Duration;

use super::guard;
pub use crate::domain::cluster::pipeline::ActionError;

/// Converts kube errors into action errors (the read-only guard's refusal included).
pub trait FromKube {
    fn api(what: impl Into<String>, e: kube::Error) -> Self;
    fn is_conflict(&self) -> bool;
}

impl FromKube for ActionError {
    fn api(what: impl Into<String>, e: kube::Error) -> Self {
        if let Some(v) = guard::violation(&e) {
            return ActionError::ReadOnly(v.to_string());
        }
        if super::timed_out::timed_out(&e) {
            return ActionError::TimedOut {
                what: what.into(),
                server: String::new(),
            };
        }
        let code = match &e {
            kube::Error::Api(s) => Some(s.code),
            _ => None,
        };
        let message = match &e {
            kube::Error::Api(s) => s.message.clone(),
            other => other.to_string(),
        };
        ActionError::Api {
            what: what.into(),
            message,
            code,
        }
    }

    fn is_conflict(&self) -> bool {
        matches!(
            self,
            ActionError::Api {
                code: Some(409),
                ..
            }
        )
    }
}

/// How many refused or lost reads (and dry runs, access reviews) planning an action
/// survives.
pub(super) const READ_RETRIES: u32 = 4;
/// The pause before the n-th read retry is n times this.
pub(super) const READ_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// A server-side failure (5xx, 429) or no answer at all (no HTTP status).
pub(super) fn transient(e: &ActionError) -> bool {
    match e {
        ActionError::Api { code, .. } => code.is_none_or(|c| c >= 500 || c == 429),
        _ => false,
    }
}

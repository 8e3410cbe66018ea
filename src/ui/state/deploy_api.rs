//! A deploy service's HTTP API in the console: a command step whose `curl` lines are aimed
//! at it runs them through the console (`ui::update::deploy_api_runs`), line by line, a
//! POST/PUT/DELETE previewed, confirmed by typing and journaled like a cluster action.

use crate::domain::deploy_api::CurlCall;
use crate::domain::journal::ChangeDetail;

use super::line_run::{LineCurrent, LineRun};

/// The deploy API as the console knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployApiState {
    /// In a drill whose simulator serves a deploy service: its base URL, bound to the
    /// runbook's `DEPLOY_API` (otherwise the runbook's own `DEPLOY_API` names it).
    pub sim_base: Option<String>,
    /// The step whose lines are running.
    pub run: Option<DeployRun>,
    /// Ids of the requests sent (answers for another id are stale).
    pub next_op: u64,
}

/// One `curl` line of the step: as written (filled) and as understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployLine {
    pub text: String,
    pub call: CurlCall,
    /// `POST /deployment/rollback`.
    pub preview: String,
}

/// A step's `curl` lines running.
pub type DeployRun = LineRun<DeployLine, DeployStage>;

/// The `curl` line in flight and where it is.
pub type DeployCurrent = LineCurrent<DeployLine, DeployStage>;

/// Where a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployStage {
    /// A GET sent.
    Reading,
    /// A POST/PUT/DELETE: the service's status being read for its preview.
    Previewing,
    /// A POST/PUT/DELETE waiting for the typed confirmation, with what it changes.
    Confirming {
        change: ChangeDetail,
        after: AfterCheck,
    },
    /// Its `ClusterActionRequested` record being written.
    Journaling { after: AfterCheck },
    /// Sent.
    Executing { after: AfterCheck },
    /// Answered (`ok`, `summary`); the service's status being read again.
    Checking {
        after: AfterCheck,
        ok: bool,
        summary: String,
    },
}

/// What a change is checked against once it was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterCheck {
    /// The status read before the change answered (so it is read again after); `None`
    /// when it could not be read (the outcome is then the answer alone).
    pub status: Option<CurlCall>,
    /// The environment a rollback goes to (`blue`), from the status.
    pub to_env: Option<String>,
}

/// What the executor answers (`Msg::DeployApi`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployAnswer {
    /// The service answered: judged by status and body; what to print (the status line,
    /// the body pretty-printed, and the `jq` part's output when the line pipes into jq),
    /// and the body as it came (the status read before and after a change).
    Answered {
        ok: bool,
        summary: String,
        printed: Vec<String>,
        body: String,
    },
    /// No answer (transport, missing token).
    Failed(String),
}

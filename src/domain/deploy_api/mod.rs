//! HTTP deploy services (a blue/green deploy API): a runbook's `curl` lines aimed at one,
//! recognised so the console can run them itself, their answers judged by status and
//! body, and the service's status read before and after a change.

pub mod base_inference;
pub mod curl_line;
pub mod inferred_base;
pub mod judge;
pub mod status;

pub use curl_line::{CurlCall, parse_curl_line};
pub use inferred_base::{BaseInference, InferredBase, infer_from_runbook};
pub use judge::{Verdict, judge};
pub use status::{ChangePreview, DeployStatus, outcome_after, preview_change, status_call};

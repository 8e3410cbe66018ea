//! What `backout check` says about a runbook's deploy API (docs/cluster.md, "Deploy API
//! lines"): the front matter's `deploy_api.url`, or the base its own `curl` lines name
//! (`domain::deploy_api::inferred_base`) with the lines it was read from — as an `info`
//! diagnostic and the JSON's `deploy_api`. (When they name more than one, the runbook's
//! own warnings say so: `inferred_base::infer_at_load`.)

use serde::Serialize;

use crate::domain::deploy_api::BaseInference;
use crate::domain::deploy_api::inferred_base::{ENDPOINTS, lines_text};
use crate::domain::runbook::{Diagnostic, Level, Runbook};

/// The deploy API the console knows for a runbook.
#[derive(Debug, Serialize)]
pub struct DeployApiReport {
    pub url: String,
    /// `front_matter` (declared) or `inferred` (from the runbook's `curl` lines).
    pub source: &'static str,
    /// The runbook lines it was inferred from (none when declared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<usize>,
}

/// The report's `deploy_api`, and the `info` diagnostics to add. (Lines naming two bases
/// are a warning of the runbook's own: `inferred_base::infer_at_load`.)
pub fn deploy_api_of(rb: &Runbook) -> (Option<DeployApiReport>, Vec<Diagnostic>) {
    if let Some(api) = rb.front.as_ref().and_then(|f| f.deploy_api.as_ref()) {
        let report = DeployApiReport {
            url: api.url.trim().to_string(),
            source: "front_matter",
            lines: Vec::new(),
        };
        return (Some(report), Vec::new());
    }
    let diagnostic = |level, line, message: String, hint: &str| Diagnostic {
        level,
        file: rb.source.clone(),
        line,
        col: 1,
        message,
        hint: Some(hint.to_string()),
    };
    match &rb.deploy_api_inferred {
        BaseInference::None | BaseInference::Ambiguous(_) => (None, Vec::new()),
        BaseInference::Inferred(base) => {
            let info = diagnostic(
                Level::Info,
                base.lines.first().copied().unwrap_or(1),
                format!(
                    "deploy API {} inferred from the curl lines on line{} {}: its {} requests run \
                     through the console (a change previewed from the status, every answer judged \
                     by its HTTP status); a block calling another path under it runs in the shell",
                    base.url,
                    if base.lines.len() == 1 { "" } else { "s" },
                    lines_text(&base.lines),
                    ENDPOINTS.join(", "),
                ),
                "declare it in front matter (`deploy_api: { url: …, token_env: … }`) to name its token",
            );
            let report = DeployApiReport {
                url: base.url.clone(),
                source: "inferred",
                lines: base.lines.clone(),
            };
            (Some(report), vec![info])
        }
    }
}

//! What the `curl` lines of a runbook say about its deploy API, as data: one base URL
//! with the lines it was read from, none, or several (then none is inferred). Computed by
//! `inferred_base::infer_from_runbook` once, when the runbook is loaded, and kept on it
//! (`Runbook::deploy_api_inferred`); this file names no runbook type, so the model can
//! hold it.

/// A base URL read from the runbook's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredBase {
    /// `http://localhost:8080` (no trailing slash).
    pub url: String,
    /// The 1-based runbook lines it was read from, in order.
    pub lines: Vec<usize>,
}

/// What the runbook's lines say about its deploy API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BaseInference {
    /// No line calls a deploy endpoint under a plain base.
    #[default]
    None,
    /// One base.
    Inferred(InferredBase),
    /// More than one base (in order of first appearance): none is inferred.
    Ambiguous(Vec<InferredBase>),
}

impl BaseInference {
    /// The inferred base, when there is exactly one.
    pub fn base(&self) -> Option<&InferredBase> {
        match self {
            BaseInference::Inferred(b) => Some(b),
            _ => None,
        }
    }

    /// The warning for an ambiguous inference: `(line, message)`.
    pub fn warning(&self) -> Option<(usize, String)> {
        let BaseInference::Ambiguous(bases) = self else {
            return None;
        };
        let named: Vec<String> = bases
            .iter()
            .map(|b| format!("{} (line {})", b.url, lines_text(&b.lines)))
            .collect();
        Some((
            bases
                .first()
                .and_then(|b| b.lines.first())
                .copied()
                .unwrap_or(1),
            format!(
                "curl lines call the deploy endpoints under {} different base URLs: {}; no deploy API \
                 is inferred, so these lines run in the shell",
                bases.len(),
                named.join(", ")
            ),
        ))
    }
}

/// `9, 12, 25`.
pub fn lines_text(lines: &[usize]) -> String {
    lines
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

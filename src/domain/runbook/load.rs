//! Loading a runbook: bytes → text → front matter + Markdown → [`Runbook`]. Pure: reading
//! the file is `adapters::runbook_file::load`.
//!
//! Loading never panics and never stops at the first problem: every error found is
//! reported, each at `file:line:col`, together with the warnings.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::checks;
use super::diagnostic::Diagnostic;
use super::front_matter::parse as front_matter;
use super::message_templates;
use super::model::Runbook;
use super::outline;
use super::phase_words;
use super::source::{Findings, Source};
use super::verification;
use crate::domain::deploy_api::base_inference::BaseInference;

/// Why a runbook did not load.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The file was read but is not a usable runbook.
    #[error("{}", Listing(errors))]
    Invalid {
        /// Every error found, in file order.
        errors: Vec<Diagnostic>,
        /// Warnings found along the way.
        warnings: Vec<Diagnostic>,
    },
}

impl LoadError {
    /// The errors (empty for [`LoadError::Read`], which has no position).
    pub fn errors(&self) -> &[Diagnostic] {
        match self {
            LoadError::Read { .. } => &[],
            LoadError::Invalid { errors, .. } => errors,
        }
    }

    /// The warnings found before loading failed.
    pub fn warnings(&self) -> &[Diagnostic] {
        match self {
            LoadError::Read { .. } => &[],
            LoadError::Invalid { warnings, .. } => warnings,
        }
    }
}

/// Diagnostics one per line.
struct Listing<'a>(&'a [Diagnostic]);

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Loads a runbook from text; `source` names it in diagnostics.
///
/// # Errors
///
/// [`LoadError::Invalid`] with every error found.
pub fn parse(source: &Path, text: &str) -> Result<Runbook, LoadError> {
    load_bytes(source, text.as_bytes())
}

/// Loads a runbook from raw bytes: invalid UTF-8 is replaced (with a warning), never
/// fatal. Never panics, whatever the bytes.
///
/// # Errors
///
/// [`LoadError::Invalid`] with every error found.
pub fn load_bytes(source: &Path, bytes: &[u8]) -> Result<Runbook, LoadError> {
    let mut findings = Findings::default();
    let text = Source::new(source, bytes, &mut findings);
    let front = front_matter::parse(source, &text, &mut findings);

    let overrides: outline::Overrides = front
        .front
        .as_ref()
        .map(|f| {
            f.phases
                .iter()
                .map(|(heading, role)| (phase_words::match_key(heading), *role))
                .collect()
        })
        .unwrap_or_default();
    let front_title = front
        .front
        .as_ref()
        .and_then(|f| f.title.clone())
        .or_else(|| front.foreign.as_ref().and_then(|f| f.title.clone()));
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "runbook".into());
    let outline = outline::build(
        source,
        &text,
        front.body_start,
        &overrides,
        front_title.as_deref(),
        &stem,
        &mut findings,
    );
    checks::run(source, &text, &front, &outline, &mut findings);
    let entry_lines: Vec<usize> = front
        .tree
        .as_ref()
        .and_then(|t| t.get("verify"))
        .map(|v| {
            v.items()
                .iter()
                .map(|n| front.first_line + n.line.saturating_sub(1) + 1)
                .collect()
        })
        .unwrap_or_default();
    let mut phases = outline.phases;
    let checks = verification::attach(front.front.as_ref(), &entry_lines, &mut phases);
    // Verification steps renumber the steps: list each alternative's steps by final id.
    let mut alternatives = outline.alternatives;
    for group in &mut alternatives {
        for member in &mut group.members {
            member.steps.clear();
        }
    }
    for step in phases.iter().flat_map(|p| &p.steps) {
        if let Some(at) = step.alternative
            && let Some(member) = alternatives
                .get_mut(at.group)
                .and_then(|g| g.members.get_mut(at.member))
        {
            member.steps.push(step.id);
        }
    }

    let Findings {
        mut errors,
        mut warnings,
        info,
    } = findings;
    errors.sort_by_key(|d| (d.line, d.col));
    warnings.sort_by_key(|d| (d.line, d.col));
    if !errors.is_empty() {
        return Err(LoadError::Invalid { errors, warnings });
    }
    let mut runbook = Runbook {
        source: source.to_path_buf(),
        title: outline.title,
        front: front.front,
        phases,
        references: outline.references,
        decision_tables: outline.decision_tables,
        placeholders: outline.placeholders.found,
        warnings,
        info,
        checks,
        sections: outline.sections,
        alternatives,
        message_templates: message_templates::find_after(&text.text, front.body_start),
        // The normalised text is not needed any more: moved, not copied.
        markdown: text.text,
        deploy_api_inferred: BaseInference::None,
    };
    crate::domain::deploy_api::inferred_base::infer_at_load(&mut runbook);
    Ok(runbook)
}

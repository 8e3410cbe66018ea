//! The runbook model: what a Markdown runbook means once loaded.
//!
//! Pure data. The loader (`super::load`) builds it from Markdown and optional
//! YAML front matter; the console, the checker and the report read it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::diagnostic::Diagnostic;
pub use super::foreign_lines::ForeignKind;
use super::front_matter::FrontMatter;
pub use super::phase_kind::PhaseKind;
use crate::domain::deploy_api::base_inference::BaseInference;
use crate::domain::verify::Check;

/// A loaded runbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Runbook {
    /// The path the runbook was loaded from, as given.
    pub source: PathBuf,
    /// Title: front matter `title`, else the first H1, else the file stem.
    pub title: String,
    /// Optional front matter (absent for ordinary runbooks).
    pub front: Option<FrontMatter>,
    /// Phases in document order. Every step belongs to exactly one phase.
    pub phases: Vec<Phase>,
    /// Sections whose heading is not a phase: kept readable as reference.
    pub references: Vec<ReferenceSection>,
    /// Markdown tables that read as a severity decision matrix.
    pub decision_tables: Vec<DecisionTable>,
    /// Every placeholder used anywhere, unique, in order of first appearance.
    pub placeholders: Vec<Placeholder>,
    /// Non-fatal findings (e.g. mojibake, a command block outside any phase).
    pub warnings: Vec<Diagnostic>,
    /// Remarks that need no action (e.g. another tool's front matter, read for its title).
    pub info: Vec<Diagnostic>,
    /// Verification checks, in step order (see `docs/verification.md`).
    pub checks: Vec<Check>,
    /// Every heading but the title, with the role of its section, in document order.
    pub sections: Vec<Section>,
    /// Groups of alternative ways to do the same thing (the operator chooses one).
    pub alternatives: Vec<AlternativeGroup>,
    /// The runbook's own message templates (fenced message blocks, template sections).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub message_templates: Vec<super::message_templates::MessageTemplate>,
    /// The Markdown as loaded (invalid UTF-8 replaced, mojibake repaired), for the runbook
    /// view; line numbers in this model are 1-based lines of it.
    #[serde(skip)]
    pub markdown: String,
    /// The deploy API base its own `curl` lines name when front matter declares none,
    /// inferred once at load (`domain::deploy_api::inferred_base`): every caller (the
    /// console's runs, the drill's scenario, `backout check`) reads it here.
    #[serde(skip)]
    pub deploy_api_inferred: BaseInference,
}

impl Runbook {
    /// Every step, in document order (ids `#1`, `#2`, …).
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.phases.iter().flat_map(|p| &p.steps)
    }

    /// The step with this id.
    pub fn step(&self, id: StepId) -> Option<&Step> {
        self.steps().find(|s| s.id == id)
    }

    /// The phase (index into [`Runbook::phases`]) holding a step.
    pub fn phase_of(&self, id: StepId) -> Option<usize> {
        self.phases
            .iter()
            .position(|p| p.steps.iter().any(|s| s.id == id))
    }

    /// Placeholder values bound in advance by front matter `vars`.
    pub fn bindings(&self) -> Bindings {
        self.front
            .as_ref()
            .map(|f| f.vars.clone())
            .unwrap_or_default()
    }

    /// Whether front matter `vars` binds this placeholder.
    pub fn is_bound(&self, placeholder: &Placeholder) -> bool {
        self.front
            .as_ref()
            .is_some_and(|f| f.vars.contains_key(&placeholder.name))
    }
}

/// A phase: a heading recognised as one of the [`PhaseKind`]s, with its steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub kind: PhaseKind,
    /// Heading text as written (mojibake repaired where possible).
    pub title: String,
    /// 1-based line of the heading.
    pub line: usize,
    /// Time budget written in the heading, e.g. "(5 min)" or "— 2 minutes".
    #[serde(with = "opt_duration_secs")]
    pub time_budget: Option<Duration>,
    /// The phase's prose (Markdown source of the section minus its steps), for reading.
    pub body: String,
    pub steps: Vec<Step>,
}

/// Stable identity of a step within one runbook: its index in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StepId(pub u32);

impl std::fmt::Display for StepId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0 + 1)
    }
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: StepId,
    /// 1-based line where the step starts.
    pub line: usize,
    /// One-line summary for lists (task text, or the first command line).
    pub title: String,
    /// Full text: the task item's text (a plain list item's, nested items included), or the
    /// prose just before a command block followed by the block, as Markdown.
    pub text: String,
    /// Heading path inside the phase (e.g. "Step 2: Roll back"), if any.
    pub section: Option<String>,
    pub kind: StepKind,
    /// The alternative this step belongs to, when it is written under one (the step stays
    /// in its phase's list; [`Runbook::alternatives`] says which steps each member has).
    pub alternative: Option<AlternativeRef>,
}

/// Which member of which group of alternatives a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlternativeRef {
    /// Index into [`Runbook::alternatives`].
    pub group: usize,
    /// Index into the group's [`AlternativeGroup::members`].
    pub member: usize,
}

/// A heading and what its section is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub heading: String,
    /// 1-based line of the heading.
    pub line: usize,
    pub level: u8,
    #[serde(flatten)]
    pub role: SectionRole,
}

/// What a section is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum SectionRole {
    /// A phase, or a section inside one.
    Phase { kind: PhaseKind },
    /// A member of a group of alternatives (or a section inside one), in a phase.
    Alternative {
        kind: PhaseKind,
        group: usize,
        member: usize,
    },
    /// Reading material: never produces steps.
    Reference,
}

/// Alternative ways to do the same thing ("Option A … Option D"): the operator chooses one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlternativeGroup {
    /// Stable id (`alt-1`, `alt-2`, … in document order).
    pub id: String,
    /// "Choose one: Option A: Quick rollback / Option B: …".
    pub label: String,
    /// 1-based line of the first member's heading.
    pub line: usize,
    /// The phase the group belongs to.
    pub phase: PhaseKind,
    pub members: Vec<Alternative>,
}

/// One of a group of alternatives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    /// Letter or number as written ("A", "2"), else its position ("1", "2", …).
    pub key: String,
    /// Heading text as written.
    pub title: String,
    /// 1-based line of its heading.
    pub line: usize,
    pub meta: AlternativeMeta,
    /// Its steps, in order.
    pub steps: Vec<StepId>,
}

/// Labelled lines of an alternative: `**When:** …`, `**Duration:** …`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlternativeMeta {
    pub when: Option<String>,
    /// From `Duration:` or `Time to complete:`.
    pub duration: Option<String>,
    pub complexity: Option<String>,
    pub risk: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepKind {
    /// A GFM task item `- [ ] …`, or a plain list item read as a step (a numbered item in a
    /// section without task items; a bullet in a phase with no other step).
    /// `checked_in_source` is `- [x]`.
    Checklist { checked_in_source: bool },
    /// A fenced `sh`/`bash`/`shell`/`console` (or unlabelled block of shell lines).
    Command(CommandBlock),
    /// A fenced `promql` block; `comparison` is set when it holds one (`expr > 0.05`).
    Promql {
        query: String,
        comparison: Option<String>,
    },
    /// A verification check from front matter `verify:`, by name (see [`Runbook::checks`]).
    Verify { check: String },
}

/// A fenced block of shell commands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandBlock {
    /// Info string language as written (`sh`, `bash`, `console`, …).
    pub lang: String,
    /// The script to run, exactly as written (for `console` blocks: with `$ ` prompts
    /// removed and output lines dropped).
    pub script: String,
    /// Logical command lines (continuations joined, comments and blank lines dropped).
    pub lines: Vec<CommandLine>,
    /// Lines that are no shell (SQL typed into a database client, YAML): shown, never run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub foreign: Vec<ForeignLine>,
}

/// A line of a shell block that is not shell (see [`ForeignKind`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeignLine {
    /// 1-based line in the runbook.
    pub line: usize,
    pub kind: ForeignKind,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandLine {
    /// 1-based line in the runbook where this command starts.
    pub line: usize,
    pub text: String,
    /// True when the line invokes `kubectl` (after `sudo`/env assignments).
    pub is_kubectl: bool,
    /// What it does, from the comment just above it in the block (`# Check current
    /// status`); commands written right under a titled one share its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A value the operator must supply before a command can run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Placeholder {
    /// Name without decoration: `service-name` for `<service-name>`, `NAMESPACE` for `$NAMESPACE`.
    pub name: String,
    pub form: PlaceholderForm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceholderForm {
    /// `<name>`
    Angle,
    /// `$NAME` or `${NAME}`
    Dollar,
}

impl Placeholder {
    /// How it is written in the runbook (`<name>` or `$NAME`).
    pub fn written(&self) -> String {
        match self.form {
            PlaceholderForm::Angle => format!("<{}>", self.name),
            PlaceholderForm::Dollar => format!("${}", self.name),
        }
    }
}

/// A section that is not a phase, kept for reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceSection {
    pub title: String,
    pub line: usize,
    pub body: String,
}

/// A Markdown table with a severity column: the runbook's decision matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionTable {
    pub line: usize,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Index of the column naming the severity.
    pub severity_column: usize,
}

/// A decision table row with its columns read by meaning (see `docs/runbook-format.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    pub severity: String,
    /// Symptom, condition, or metric and threshold.
    pub condition: Option<String>,
    pub action: Option<String>,
    /// Names an alternative ("Strategy 2", "Option A").
    pub strategy: Option<String>,
    /// Target time for this severity.
    pub timeline: Option<String>,
    /// Who must approve (and "can approve after").
    pub approval: Option<String>,
}

/// Values bound for placeholders, by name.
pub type Bindings = BTreeMap<String, String>;

mod opt_duration_secs {
    use serde::Serializer;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs()),
            None => s.serialize_none(),
        }
    }
}

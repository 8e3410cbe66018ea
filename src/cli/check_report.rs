//! The document `backout check -o json|yaml` prints for each file (kind `CheckResult`, see
//! docs/cli.md), read from a loaded runbook: its phases, sections, alternatives, steps with
//! their commands, counts and diagnostics.

use std::path::PathBuf;

use serde::Serialize;

use crate::domain::runbook::{self, Diagnostic, Level, Runbook, StepKind};

/// What `check` found in one file.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    pub ok: bool,
    pub title: Option<String>,
    pub phases: Vec<PhaseReport>,
    /// `None` when the file did not load.
    pub counts: Option<Counts>,
    pub warnings: Vec<JsonDiagnostic>,
    pub errors: Vec<JsonDiagnostic>,
    /// Remarks that need no action (e.g. another tool's front matter was ignored).
    pub info: Vec<JsonDiagnostic>,
    /// Every heading with its role (phase kind, alternative or reference).
    pub sections: Vec<SectionReport>,
    /// Groups of alternatives with their members.
    pub alternatives: Vec<AlternativeGroupReport>,
    pub steps: Vec<StepReport>,
    /// Decision table rows, columns read by meaning.
    pub matrix: Vec<runbook::MatrixRow>,
    /// The deploy API its `curl` lines run against: declared, or inferred from them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy_api: Option<super::check_deploy_api::DeployApiReport>,
}

impl FileReport {
    /// The report of `rb` with its deploy API and what was said about it.
    pub fn with_deploy_api(mut self, rb: &Runbook) -> FileReport {
        let (deploy_api, info) = super::check_deploy_api::deploy_api_of(rb);
        self.deploy_api = deploy_api;
        self.info.extend(info.iter().map(JsonDiagnostic::from));
        self
    }
}

/// One step as `check --format json` shows it.
#[derive(Debug, Serialize)]
pub struct StepReport {
    pub id: String,
    pub line: usize,
    pub title: String,
    pub phase: runbook::PhaseKind,
    /// `checklist`, `command`, `promql` or `verify`.
    pub kind: &'static str,
    pub commands: Vec<CommandReport>,
    /// Lines of its block that are no shell (SQL typed into a client, YAML): never run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub foreign_lines: Vec<runbook::ForeignLine>,
    pub mutating: bool,
    /// What it changes (`rollout undo deployment/web → revision 42`), when it does.
    pub change: Option<String>,
    /// The group (`alt-1`) and member (`B`) this step belongs to, when it is an alternative.
    pub alternative: Option<AlternativeRefReport>,
}

/// A group of alternatives as `check -o json` shows it: step ids as the console shows them
/// (`#7`), the same as `steps[].id`.
#[derive(Debug, Serialize)]
pub struct AlternativeGroupReport {
    pub id: String,
    pub label: String,
    pub line: usize,
    pub phase: runbook::PhaseKind,
    pub members: Vec<AlternativeReport>,
}

#[derive(Debug, Serialize)]
pub struct AlternativeReport {
    pub key: String,
    pub title: String,
    pub line: usize,
    pub meta: runbook::AlternativeMeta,
    pub steps: Vec<String>,
}

/// One heading as `check -o json` shows it: an alternative's section names its group and
/// member by the same ids as `alternatives[]` (`alt-1`, `B`), never by position.
#[derive(Debug, Serialize)]
pub struct SectionReport {
    pub heading: String,
    pub line: usize,
    pub level: u8,
    /// `phase`, `alternative` or `reference`.
    pub role: &'static str,
    /// The phase kind, for phases and alternatives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<runbook::PhaseKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl SectionReport {
    pub(super) fn of(rb: &Runbook, section: &runbook::Section) -> SectionReport {
        let (role, kind, group, member) = match section.role {
            runbook::SectionRole::Phase { kind } => ("phase", Some(kind), None, None),
            runbook::SectionRole::Alternative {
                kind,
                group,
                member,
            } => {
                let g = rb.alternatives.get(group);
                (
                    "alternative",
                    Some(kind),
                    g.map(|g| g.id.clone()),
                    g.and_then(|g| g.members.get(member)).map(|m| m.key.clone()),
                )
            }
            runbook::SectionRole::Reference => ("reference", None, None, None),
        };
        SectionReport {
            heading: section.heading.clone(),
            line: section.line,
            level: section.level,
            role,
            kind,
            group,
            member,
        }
    }
}

/// Which group and member a step belongs to, by the ids `alternatives` uses.
#[derive(Debug, Serialize)]
pub struct AlternativeRefReport {
    pub group: String,
    pub member: String,
}

impl AlternativeGroupReport {
    pub(super) fn of(group: &runbook::AlternativeGroup) -> AlternativeGroupReport {
        AlternativeGroupReport {
            id: group.id.clone(),
            label: group.label.clone(),
            line: group.line,
            phase: group.phase,
            members: group
                .members
                .iter()
                .map(|m| AlternativeReport {
                    key: m.key.clone(),
                    title: m.title.clone(),
                    line: m.line,
                    meta: m.meta.clone(),
                    steps: m.steps.iter().map(|id| id.to_string()).collect(),
                })
                .collect(),
        }
    }
}

/// `native` when the console runs the kubectl line through the API (a verb it knows),
/// `shell` otherwise.
/// Placeholders are read as a plain word (`1`, also a valid name and revision), the way the
/// console reads the line once they are filled in.
fn runs(line: &runbook::CommandLine) -> &'static str {
    use crate::domain::cluster::kubectl_line::{ParsedLine, parse_kubectl_line};
    if !line.is_kubectl {
        return "shell";
    }
    let bindings: runbook::Bindings = runbook::in_script(&line.text)
        .into_iter()
        .map(|p| (p.name, "1".to_string()))
        .collect();
    let filled = runbook::fill(&line.text, &bindings).unwrap_or_else(|_| line.text.clone());
    if matches!(parse_kubectl_line(&filled), ParsedLine::Parsed(_)) {
        "native"
    } else {
        "shell"
    }
}

#[derive(Debug, Serialize)]
pub struct CommandReport {
    pub line: usize,
    pub text: String,
    /// `native` (kubectl run through the API) or `shell`.
    pub runs: &'static str,
    /// What the command does, from the comment just above it in the block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl StepReport {
    pub(super) fn of(rb: &Runbook, phase: runbook::PhaseKind, step: &runbook::Step) -> StepReport {
        let (kind, commands, foreign_lines) = match &step.kind {
            StepKind::Checklist { .. } => ("checklist", Vec::new(), Vec::new()),
            StepKind::Command(block) => (
                "command",
                block
                    .lines
                    .iter()
                    .map(|l| CommandReport {
                        line: l.line,
                        text: l.text.clone(),
                        runs: runs(l),
                        title: l.title.clone(),
                    })
                    .collect(),
                block.foreign.clone(),
            ),
            StepKind::Promql { .. } => ("promql", Vec::new(), Vec::new()),
            StepKind::Verify { .. } => ("verify", Vec::new(), Vec::new()),
        };
        let change = step.change();
        StepReport {
            id: step.id.to_string(),
            line: step.line,
            title: step.title.clone(),
            phase,
            kind,
            commands,
            foreign_lines,
            mutating: change.is_some(),
            change,
            alternative: step.alternative.and_then(|a| {
                let group = rb.alternatives.get(a.group)?;
                Some(AlternativeRefReport {
                    group: group.id.clone(),
                    member: group.members.get(a.member)?.key.clone(),
                })
            }),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PhaseReport {
    pub name: String,
    pub kind: runbook::PhaseKind,
    pub line: usize,
    pub steps: usize,
}

/// What a runbook holds, in numbers.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub checklist_items: usize,
    pub command_steps: usize,
    pub kubectl_commands: usize,
    /// kubectl lines the operator can run from the console: in steps (alternatives
    /// included) and in the shell blocks of phase and reference text.
    pub kubectl_runnable: usize,
    pub promql_checks: usize,
    /// Steps that are front matter `verify:` checks.
    pub check_steps: usize,
    /// Verification checks in any form (front matter, PromQL blocks, rollout status lines).
    pub verification_checks: usize,
    /// Front matter matrix rules plus decision table rows.
    pub matrix_rows: usize,
    pub placeholders: usize,
}

impl Counts {
    pub fn of(runbook: &Runbook) -> Counts {
        let mut counts = Counts {
            matrix_rows: runbook.front.as_ref().map_or(0, |f| f.matrix.len())
                + runbook
                    .decision_tables
                    .iter()
                    .map(|t| t.rows.len())
                    .sum::<usize>(),
            placeholders: runbook.placeholders.len(),
            verification_checks: runbook.checks.len(),
            kubectl_runnable: runbook.kubectl_runnable(),
            ..Counts::default()
        };
        for step in runbook.phases.iter().flat_map(|p| &p.steps) {
            match &step.kind {
                StepKind::Checklist { .. } => counts.checklist_items += 1,
                StepKind::Command(block) => {
                    counts.command_steps += 1;
                    counts.kubectl_commands += block.lines.iter().filter(|l| l.is_kubectl).count();
                }
                StepKind::Promql { .. } => counts.promql_checks += 1,
                StepKind::Verify { .. } => counts.check_steps += 1,
            }
        }
        counts
    }
}

/// A diagnostic as JSON; `line`/`col` are null when there is no position (unreadable file).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub level: Level,
    pub message: String,
    pub hint: Option<String>,
}

impl From<&Diagnostic> for JsonDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        JsonDiagnostic {
            file: d.file.clone(),
            line: Some(d.line),
            col: Some(d.col),
            level: d.level,
            message: d.message.clone(),
            hint: d.hint.clone(),
        }
    }
}

//! The project's own corpus of runbooks as teams write them (issue 12): docs-site front
//! matter, prose only, strategies with When/Duration, Options A–D, scenarios with step
//! subsections, comment-only phases, emergency one-liners, reference tables, message
//! templates, decision tables of several shapes, mojibake and emoji, Helm, Argo CD and
//! HTTP-API rollbacks, a very long file.
//!
//! Each runbook's outline (sections and roles, alternatives, steps, titles, changes,
//! matrix) is an insta snapshot under `tests/snapshots/`, so every change of
//! interpretation is reviewed; the done-when properties hold over the whole corpus.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use backout::adapters::runbook_file;
use backout::domain::runbook::{Runbook, SectionRole, StepKind};

const DIR: &str = "tests/runbooks/teams";

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(DIR)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Runbook {
    runbook_file::load(path).unwrap_or_else(|e| panic!("{} must load:\n{e}", path.display()))
}

/// The outline as the snapshot shows it.
fn outline(rb: &Runbook) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "title: {}", rb.title);
    let _ = writeln!(out, "sections:");
    for s in &rb.sections {
        let role = match s.role {
            SectionRole::Phase { kind } => format!("phase {}", kind.label()),
            SectionRole::Alternative {
                kind,
                group,
                member,
            } => format!(
                "alternative {} of alt-{} ({})",
                member + 1,
                group + 1,
                kind.label()
            ),
            SectionRole::Reference => "reference".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:>4} {} {} — {role}",
            s.line,
            "#".repeat(usize::from(s.level)),
            s.heading
        );
    }
    let _ = writeln!(out, "alternatives:");
    for g in &rb.alternatives {
        let _ = writeln!(out, "  {} [{}] {}", g.id, g.phase.label(), g.label);
        for m in &g.members {
            let steps: Vec<String> = m.steps.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "    {}: {} (line {}) steps [{}] when={:?} duration={:?} complexity={:?} risk={:?}",
                m.key,
                m.title,
                m.line,
                steps.join(" "),
                m.meta.when,
                m.meta.duration,
                m.meta.complexity,
                m.meta.risk
            );
        }
    }
    let _ = writeln!(out, "phases:");
    for p in &rb.phases {
        let _ = writeln!(out, "  [{}] {} (line {})", p.kind.label(), p.title, p.line);
        for s in &p.steps {
            let kind = match &s.kind {
                StepKind::Checklist { .. } => "checklist".to_string(),
                StepKind::Command(b) => format!("command {}", b.lang),
                StepKind::Promql { .. } => "promql".to_string(),
                StepKind::Verify { .. } => "verify".to_string(),
            };
            let alt = s
                .alternative
                .map(|a| format!(" {{alt-{}/{}}}", a.group + 1, a.member + 1))
                .unwrap_or_default();
            let change = s.change().map(|c| format!(" ⟶ {c}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} L{} {kind}: {}{alt}{change}",
                s.id, s.line, s.title
            );
        }
    }
    let _ = writeln!(out, "matrix:");
    for t in &rb.decision_tables {
        for r in t.matrix_rows() {
            let _ = writeln!(
                out,
                "  {} | condition={:?} action={:?} strategy={:?} timeline={:?} approval={:?}",
                r.severity, r.condition, r.action, r.strategy, r.timeline, r.approval
            );
        }
    }
    let _ = writeln!(out, "checks:");
    for c in &rb.checks {
        let _ = writeln!(out, "  {} {}: {}", c.step, c.name, c.description());
    }
    let _ = writeln!(out, "kubectl_runnable: {}", rb.kubectl_runnable());
    for d in rb.info.iter().chain(&rb.warnings) {
        let _ = writeln!(out, "{:?} {}:{}: {}", d.level, d.line, d.col, d.message);
    }
    out
}

#[test]
fn the_corpus_has_at_least_twenty_runbooks_and_each_outline_is_reviewed() {
    let files = corpus();
    assert!(files.len() >= 20, "corpus shrank: {files:?}");
    for path in files {
        let rb = load(&path);
        let name = path.file_stem().and_then(|s| s.to_str()).expect("name");
        insta::assert_snapshot!(format!("teams__{name}"), outline(&rb));
    }
}

/// kubectl command lines in fenced shell blocks, counted from the raw text.
fn fenced_kubectl_lines(text: &str) -> usize {
    let mut in_shell = None::<bool>;
    let mut count = 0;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(info) = t.strip_prefix("```") {
            in_shell = match in_shell {
                Some(_) => None,
                None => Some(matches!(
                    info.trim(),
                    "bash" | "sh" | "shell" | "console" | "zsh" | ""
                )),
            };
            continue;
        }
        let command = t.strip_prefix("$ ").unwrap_or(t);
        if in_shell == Some(true) && command.starts_with("kubectl ") {
            count += 1;
        }
    }
    count
}

#[test]
fn every_fenced_kubectl_line_is_runnable() {
    for path in corpus() {
        let text = fs::read_to_string(&path).expect("read");
        let rb = load(&path);
        assert_eq!(
            rb.kubectl_runnable(),
            fenced_kubectl_lines(&text),
            "{}",
            path.display()
        );
    }
}

#[test]
fn no_reference_section_produces_a_step() {
    for path in corpus() {
        let rb = load(&path);
        for step in rb.steps() {
            // The section a step is written in: the last heading above it.
            let section = rb.sections.iter().rev().find(|s| s.line < step.line);
            if let Some(section) = section {
                assert_ne!(
                    section.role,
                    SectionRole::Reference,
                    "{}: step {} `{}` is under reference section `{}`",
                    path.display(),
                    step.id,
                    step.title,
                    section.heading
                );
            }
        }
    }
}

#[test]
fn every_alternative_group_is_one_group() {
    for path in corpus() {
        let rb = load(&path);
        for g in &rb.alternatives {
            assert!(g.members.len() >= 2, "{}: {}", path.display(), g.label);
            let mut keys: Vec<&str> = g.members.iter().map(|m| m.key.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(
                keys.len(),
                g.members.len(),
                "{}: {}",
                path.display(),
                g.label
            );
        }
        // Members of one series written one after the other are never split in two groups.
        for pair in rb.alternatives.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let last = a.members.last().map(|m| m.line);
            let sections_between = rb
                .sections
                .iter()
                .filter(|s| last.is_some_and(|l| s.line > l) && s.line < b.line)
                .filter(|s| !matches!(s.role, SectionRole::Alternative { .. }))
                .count();
            assert!(
                sections_between > 0,
                "{}: `{}` and `{}` are one group",
                path.display(),
                a.label,
                b.label
            );
        }
    }
}

/// Titles say what a step does: never a generic label ("Procedure", "Step 3", "Commands").
#[test]
fn no_step_is_titled_by_a_generic_label() {
    const GENERIC: &[&str] = &[
        "procedure",
        "steps",
        "step",
        "commands",
        "command",
        "code",
        "example",
        "run",
        "bash",
        "sh",
        "shell",
    ];
    for path in corpus() {
        let rb = load(&path);
        for step in rb.steps() {
            let t = step
                .title
                .trim()
                .trim_end_matches(':')
                .trim()
                .to_lowercase();
            let numbered_step = t
                .strip_prefix("step ")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            assert!(
                !t.is_empty() && !GENERIC.contains(&t.as_str()) && !numbered_step,
                "{}: step {} is titled `{}`",
                path.display(),
                step.id,
                step.title
            );
            // A command in a titled block carries a non-empty title.
            if let StepKind::Command(block) = &step.kind {
                for line in &block.lines {
                    assert!(line.title.as_ref().is_none_or(|t| !t.trim().is_empty()));
                }
            }
        }
    }
}

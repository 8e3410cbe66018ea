//! `backout check`'s human output: per file a summary line, the phases and alternatives
//! found, and every diagnostic as `file:line:col: level: message` with its hint.

use super::check_report::{FileReport, JsonDiagnostic};
use crate::domain::runbook::Level;

/// The human report of all files.
pub fn human(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&summary_line(r));
        out.push('\n');
        for p in &r.phases {
            out.push_str(&format!(
                "    {:<13} {} — {} step{} (line {})\n",
                p.kind.label(),
                p.name,
                p.steps,
                plural(p.steps),
                p.line
            ));
        }
        for g in &r.alternatives {
            out.push_str(&format!(
                "    {:<13} choose one (line {}):\n",
                "alternatives", g.line
            ));
            for m in &g.members {
                out.push_str(&format!(
                    "      {:>2}  {} — {}\n",
                    m.key,
                    m.title,
                    match m.steps.as_slice() {
                        [] => "no steps".to_string(),
                        ids => ids.join(" "),
                    }
                ));
            }
        }
        for d in r.errors.iter().chain(&r.warnings).chain(&r.info) {
            out.push_str(&human_diagnostic(d));
            out.push('\n');
        }
    }
    if reports.len() > 1 {
        let failed = reports.iter().filter(|r| !r.ok).count();
        out.push_str(&format!(
            "checked {} files: {} ok, {} failed\n",
            reports.len(),
            reports.len() - failed,
            failed
        ));
    }
    out
}

fn summary_line(r: &FileReport) -> String {
    let path = r.path.display();
    let warnings = if r.warnings.is_empty() {
        String::new()
    } else {
        format!(", {} warning{}", r.warnings.len(), plural(r.warnings.len()))
    };
    match (&r.counts, r.ok) {
        (Some(c), true) => {
            let steps = c.checklist_items + c.command_steps + c.promql_checks + c.check_steps;
            let checks = match (c.check_steps, c.verification_checks) {
                (_, 0) => String::new(),
                (0, n) => format!(", {n} verification check{}", plural(n)),
                (s, n) => format!(
                    ", {s} check step{}, {n} verification check{}",
                    plural(s),
                    plural(n)
                ),
            };
            format!(
                "✓ {path} — {} phase{}, {steps} step{} ({} checklist, {} command{} with {} kubectl, {} PromQL{checks}), {} matrix row{}, {} placeholder{}{warnings}",
                r.phases.len(),
                plural(r.phases.len()),
                plural(steps),
                c.checklist_items,
                c.command_steps,
                plural(c.command_steps),
                c.kubectl_commands,
                c.promql_checks,
                c.matrix_rows,
                plural(c.matrix_rows),
                c.placeholders,
                plural(c.placeholders),
            )
        }
        _ => format!(
            "✗ {path} — {} error{}{warnings}",
            r.errors.len(),
            plural(r.errors.len())
        ),
    }
}

fn human_diagnostic(d: &JsonDiagnostic) -> String {
    let level = match d.level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "info",
    };
    let place = match (d.line, d.col) {
        (Some(line), Some(col)) => format!("{}:{line}:{col}", d.file.display()),
        _ => d.file.display().to_string(),
    };
    let mut s = format!("{place}: {level}: {}", d.message);
    if let Some(hint) = &d.hint {
        s.push_str(&format!("\n  hint: {hint}"));
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

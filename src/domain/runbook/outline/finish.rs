//! The end of the walk: step ids, phase bodies without their steps, reference sections and
//! the warnings about stray steps and empty phases.

use super::*;
use crate::domain::runbook::text_lines;

impl Builder<'_> {
    pub(super) fn finish(mut self, mut groups: Vec<AlternativeGroup>) -> Outline {
        self.promote_prose();
        let full = self.source.text.as_str();
        let mut next_id = 0u32;
        // With no step at all, loading fails with one error that says so; a warning per
        // empty phase would only repeat it.
        let any_step = self.phases.iter().any(|p| !p.phase.steps.is_empty());
        for mut p in std::mem::take(&mut self.phases) {
            p.phase.body = body_without(full, p.start..p.end, &mut p.step_ranges);
            for step in &mut p.phase.steps {
                step.id = StepId(next_id);
                next_id += 1;
                if let Some(g) = step.alternative.and_then(|a| groups.get_mut(a.group)) {
                    g.phase = p.phase.kind;
                }
            }
            if p.phase.steps.is_empty() && self.any_phase && any_step {
                self.findings
                    .push(
                        self.source.position_at(p.phase.line - 1, 0).warning(
                            self.file,
                            format!("phase `{}` has no steps", p.phase.title),
                            Some(
                                "write what to do as task items (`- [ ] …`), numbered items (`1. …`) \
                                 or fenced shell blocks; prose, tables and message templates are not \
                                 steps"
                                    .into(),
                            ),
                        ),
                    );
            }
            self.out.phases.push(p.phase);
        }
        for (i, r) in std::mem::take(&mut self.references).into_iter().enumerate() {
            let body = full.get(r.start..r.end).unwrap_or("").trim().to_string();
            let [tasks, commands, queries] = r.stray;
            let preamble = i == 0 && self.any_phase;
            // A section named as reference ("Risks", "Contacts") is meant to make no steps.
            if tasks + commands + queries > 0 && !r.explicit {
                let what = describe_steps(tasks, commands, queries);
                let verdict = if tasks + commands + queries == 1 {
                    "is reference, not a step"
                } else {
                    "are reference, not steps"
                };
                let (message, hint) = if preamble {
                    (
                        format!("the text before the first section holds {what}, which {verdict}"),
                        "move steps under a phase heading (e.g. \"## Execute\")".to_string(),
                    )
                } else {
                    (
                        format!("section `{}` is not a phase: its {what} {verdict}", r.title),
                        format!(
                            "start the heading with a phase word (e.g. \"Execute …\") or map it in front matter: `phases: {{ \"{}\": execution }}`",
                            r.title
                        ),
                    )
                };
                self.findings
                    .push(self.source.position_at(r.line - 1, 0).warning(
                        self.file,
                        message,
                        Some(hint),
                    ));
            }
            if preamble && body.is_empty() {
                continue;
            }
            self.out.references.push(ReferenceSection {
                title: r.title,
                line: r.line,
                body,
            });
        }
        // A group's phase is the one its sections are in, even with no step.
        for section in &self.out.sections {
            if let SectionRole::Alternative { kind, group, .. } = section.role
                && let Some(g) = groups.get_mut(group)
            {
                g.phase = kind;
            }
        }
        self.out.alternatives = groups;
        self.out
    }
}

/// "2 task items and 1 command block"
pub(super) fn describe_steps(tasks: usize, commands: usize, queries: usize) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let parts: Vec<String> = [
        (tasks, "task item", "task items"),
        (commands, "command block", "command blocks"),
        (queries, "PromQL block", "PromQL blocks"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(n, one, many))
    .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The section's source with its steps cut out, blank runs collapsed.
pub(super) fn body_without(full: &str, range: Range<usize>, cuts: &mut [Range<usize>]) -> String {
    let Some(section) = full.get(range.clone()) else {
        return String::new();
    };
    cuts.sort_by_key(|r| r.start);
    let mut kept = String::with_capacity(section.len());
    let mut from = range.start;
    for cut in cuts.iter() {
        let start = cut.start.clamp(from, range.end);
        if let Some(piece) = full.get(from..start) {
            kept.push_str(piece);
        }
        from = from.max(cut.end.min(range.end));
    }
    if let Some(piece) = full.get(from..range.end) {
        kept.push_str(piece);
    }
    let mut out = String::with_capacity(kept.len());
    let mut blank_run = 0;
    for line in text_lines::lines(&kept) {
        let is_blank = line.trim().is_empty();
        blank_run = if is_blank { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.trim().to_string()
}

//! Every code block of a runbook as the runbook view shows it: where it is, which section
//! holds it (a phase, an alternative or reference), the step it became if any, and, for a
//! shell block, the command block it runs — read exactly as the loader reads a step's.

use super::commands;
use super::markdown::{self, Block};
use super::model::{CommandBlock, Runbook, SectionRole, Step, StepId, StepKind};

impl Runbook {
    /// The shell blocks that are no step (reference sections, prose) as steps the runbook
    /// view can run: ids after the last real step (`#N+1`, … in document order), titled by
    /// where they are (`runbook view: Useful commands (line 88)`). They never join a
    /// phase or the progress count; they exist so that a run from the view takes the same
    /// path, and journals the same records, as a step's. The same runbook always gives
    /// the same ids, so a journal's run resolves to its block again on resume and in the
    /// report.
    pub fn view_steps(&self) -> Vec<Step> {
        let first = self.steps().map(|s| s.id.0 + 1).max().unwrap_or(0);
        code_blocks(self)
            .into_iter()
            .filter(|b| b.step.is_none())
            .filter_map(|b| {
                let origin = b.origin();
                let command = b.command?;
                Some((b.first_line, b.section, origin, command))
            })
            .enumerate()
            .map(|(k, (line, section, origin, command))| Step {
                id: StepId(first + k as u32),
                line,
                title: origin,
                text: command.script.clone(),
                section,
                kind: StepKind::Command(command),
                alternative: None,
            })
            .collect()
    }
}

/// One code block of the runbook's Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlockAt {
    /// 1-based first line of the block (its opening fence when fenced).
    pub first_line: usize,
    /// 1-based last line of the block (its closing fence when fenced and closed).
    pub last_line: usize,
    /// Whether the block is fenced (its first and last lines are fences, not code).
    pub fenced: bool,
    /// First word of the info string, lower-cased, or empty.
    pub lang: String,
    /// The commands it runs, for a shell block (a `sh`/`bash`/`console` block, or an
    /// unlabelled one that reads as shell) with at least one command.
    pub command: Option<CommandBlock>,
    /// The step the loader made of it, when it is one.
    pub step: Option<StepId>,
    /// The heading of the section holding it (`None` before the first heading).
    pub section: Option<String>,
    /// 1-based line of that heading.
    pub section_line: Option<usize>,
    /// The section is reference material (never steps; runnable only from the view).
    pub reference: bool,
}

impl CodeBlockAt {
    /// Where a run of this block comes from, as the journal and the report say it:
    /// `step #4`, `runbook view: Rollback commands (line 88)`.
    pub fn origin(&self) -> String {
        match (self.step, &self.section) {
            (Some(step), _) => format!("step {step}"),
            (None, Some(section)) => format!("runbook view: {section} (line {})", self.first_line),
            (None, None) => format!("runbook view: line {}", self.first_line),
        }
    }
}

/// Every code block of the runbook, in document order.
pub fn code_blocks(rb: &Runbook) -> Vec<CodeBlockAt> {
    let text = rb.markdown.as_str();
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect();
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
    markdown::blocks(text, 0, line_of)
        .into_iter()
        .filter_map(|block| match block {
            Block::Code {
                lang,
                content,
                range,
                content_line,
                ..
            } => {
                let start_line = line_of(range.start);
                let end_line = line_of(range.end.saturating_sub(1).max(range.start));
                let fenced = content_line > start_line;
                let shell = commands::is_shell_lang(&lang)
                    || (lang.is_empty() && commands::looks_like_shell(&content));
                let command = shell.then(|| {
                    let script = commands::script(&lang, &content);
                    let lexed = commands::lex(&script.text);
                    let lines = commands::command_lines_lexed(&script, &lexed, content_line + 1);
                    let foreign = commands::foreign_lines(&script, &lexed, content_line + 1);
                    CommandBlock {
                        lang: if lang.is_empty() {
                            "sh".into()
                        } else {
                            lang.clone()
                        },
                        script: script.text,
                        lines,
                        foreign,
                    }
                });
                let command = command.filter(|c| !c.lines.is_empty());
                Some(place(
                    rb,
                    CodeBlockAt {
                        first_line: start_line + 1,
                        last_line: end_line + 1,
                        fenced,
                        lang,
                        command,
                        step: None,
                        section: None,
                        section_line: None,
                        reference: false,
                    },
                ))
            }
            _ => None,
        })
        .collect()
}

/// Fills in the block's section and the step it became.
fn place(rb: &Runbook, mut block: CodeBlockAt) -> CodeBlockAt {
    let at = block.first_line;
    if let Some(section) = rb.sections.iter().rev().find(|s| s.line <= at) {
        block.section = Some(section.heading.clone());
        block.section_line = Some(section.line);
        block.reference = matches!(section.role, SectionRole::Reference);
    }
    block.step = rb
        .steps()
        .find(|s| match &s.kind {
            StepKind::Command(c) => c
                .lines
                .first()
                .is_some_and(|l| l.line > at && l.line <= block.last_line),
            _ => false,
        })
        .map(|s| s.id);
    block
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const RUNBOOK: &str = "# Checkout rollback\n\
\n\
## Execute\n\
\n\
Roll back:\n\
\n\
```bash\n\
kubectl rollout undo deployment/web -n shop\n\
```\n\
\n\
## Useful commands\n\
\n\
```sh\n\
kubectl get pods -n shop\n\
kubectl describe deployment/web -n shop\n\
```\n\
\n\
```yaml\n\
replicas: 3\n\
```\n";

    #[test]
    fn blocks_know_their_lines_section_step_and_commands() {
        let rb = crate::domain::runbook::parse(Path::new("t.md"), RUNBOOK).unwrap();
        let blocks = code_blocks(&rb);
        assert_eq!(blocks.len(), 3);
        let undo = &blocks[0];
        assert_eq!((undo.first_line, undo.last_line), (7, 9));
        assert!(undo.fenced);
        assert_eq!(undo.step, rb.steps().next().map(|s| s.id));
        assert!(!undo.reference);
        assert_eq!(undo.origin(), "step #1");

        let reference = &blocks[1];
        assert_eq!((reference.first_line, reference.last_line), (13, 16));
        assert!(reference.reference, "{:?}", rb.sections);
        assert_eq!(reference.step, None);
        assert_eq!(reference.section.as_deref(), Some("Useful commands"));
        let lines: Vec<&str> = reference
            .command
            .as_ref()
            .unwrap()
            .lines
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(
            lines,
            [
                "kubectl get pods -n shop",
                "kubectl describe deployment/web -n shop"
            ]
        );
        assert_eq!(
            reference.origin(),
            "runbook view: Useful commands (line 13)"
        );

        let yaml = &blocks[2];
        assert_eq!(yaml.lang, "yaml");
        assert!(yaml.command.is_none(), "a YAML block runs nothing");
    }

    #[test]
    fn view_steps_are_the_shell_blocks_no_step_holds_numbered_after_the_steps() {
        let rb = crate::domain::runbook::parse(Path::new("t.md"), RUNBOOK).unwrap();
        assert_eq!(rb.steps().count(), 1);
        let view = rb.view_steps();
        assert_eq!(view.len(), 1, "the YAML block is not runnable");
        assert_eq!(view[0].id, StepId(1));
        assert_eq!(view[0].title, "runbook view: Useful commands (line 13)");
        assert_eq!(view[0].line, 13);
        assert!(matches!(&view[0].kind, StepKind::Command(c) if c.lines.len() == 2));
        assert_eq!(rb.view_steps(), view, "the same runbook, the same ids");
    }
}

//! How many `kubectl` lines the operator can run from the console: those in steps (of
//! phases and alternatives) and those in the shell blocks left in phase and reference text
//! (reference blocks are readable and runnable in the runbook view).

use super::commands;
use super::markdown::{self, Block};
use super::model::{Runbook, StepKind};

impl Runbook {
    /// `kubectl` lines in steps plus those in shell blocks of phase and reference text.
    pub fn kubectl_runnable(&self) -> usize {
        let in_steps: usize = self
            .steps()
            .map(|s| match &s.kind {
                StepKind::Command(block) => block.lines.iter().filter(|l| l.is_kubectl).count(),
                _ => 0,
            })
            .sum();
        let bodies = self
            .phases
            .iter()
            .map(|p| p.body.as_str())
            .chain(self.references.iter().map(|r| r.body.as_str()));
        in_steps + bodies.map(kubectl_lines_in).sum::<usize>()
    }
}

/// `kubectl` lines in the shell blocks of Markdown text.
pub(super) fn kubectl_lines_in(text: &str) -> usize {
    if !text.contains("kubectl") {
        return 0;
    }
    markdown::blocks(text, 0, |_| 0)
        .into_iter()
        .map(|block| match block {
            Block::Code { lang, content, .. }
                if commands::is_shell_lang(&lang)
                    || (lang.is_empty() && commands::looks_like_shell(&content)) =>
            {
                let script = commands::script(&lang, &content);
                let lexed = commands::lex(&script.text);
                commands::command_lines_lexed(&script, &lexed, 1)
                    .iter()
                    .filter(|l| l.is_kubectl)
                    .count()
            }
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn counts_kubectl_lines_in_steps_alternatives_and_reference_blocks() {
        let rb = crate::domain::runbook::parse(
            Path::new("t.md"),
            "# R\n\n## Execute\n\n```bash\nkubectl rollout undo deployment/web\n```\n\n\
             ## Cheat sheet\n\n```bash\nkubectl get pods\nkubectl rollout history deployment/web\n```\n\n\
             ```yaml\nkubectl: not a command\n```\n",
        )
        .expect("loads");
        assert_eq!(rb.kubectl_runnable(), 3);
    }
}

//! The step pane's run-path line for a block that runs in `/bin/sh`: which runbook line
//! keeps it from running natively, by its line number in the runbook file and its first
//! words (`runbook line 57 `argocd app sync …`: not a kubectl command`).

use crate::domain::runbook::{Bindings, CommandBlock, fill};
use crate::ui::state::native_run::ShellReason;

/// Words of the command named in the reason.
const FIRST_WORDS: usize = 3;

/// `runbook line N `first words …`: why`, for the reason's line of `block` (filled with
/// `bindings`); `block line N` when the line cannot be found in the runbook's model.
pub fn shell_reason(reason: &ShellReason, block: &CommandBlock, bindings: &Bindings) -> String {
    let words = first_words(&reason.command, FIRST_WORDS);
    let place = match runbook_line(reason, block, bindings) {
        Some(line) => format!("runbook line {line}"),
        None => format!("block line {}", reason.index + 1),
    };
    format!("{place} `{words}`: {}", reason.why)
}

/// The runbook line where the reason's command starts: the block's command whose filled
/// text is the reason's line, else the command at the same position.
fn runbook_line(reason: &ShellReason, block: &CommandBlock, bindings: &Bindings) -> Option<usize> {
    let wanted = normalized(&reason.command);
    let same_text = block.lines.iter().find(|l| {
        let filled = fill(&l.text, bindings).unwrap_or_else(|_| l.text.clone());
        normalized(&filled) == wanted
    });
    same_text
        .or_else(|| block.lines.get(reason.index))
        .map(|l| l.line)
}

/// Words separated by single spaces, line continuations joined.
fn normalized(s: &str) -> String {
    s.replace("\\\n", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first `n` words of `command`, then ` …` when it goes on.
fn first_words(command: &str, n: usize) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    let mut out = words.iter().take(n).copied().collect::<Vec<_>>().join(" ");
    if words.len() > n {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::runbook::CommandLine;

    fn block(lines: &[(usize, &str)]) -> CommandBlock {
        CommandBlock {
            lang: "sh".into(),
            script: lines.iter().map(|(_, t)| format!("{t}\n")).collect(),
            lines: lines
                .iter()
                .map(|&(line, text)| CommandLine {
                    line,
                    text: text.into(),
                    is_kubectl: text.starts_with("kubectl"),
                    title: None,
                })
                .collect(),
            foreign: Vec::new(),
        }
    }

    fn reason(index: usize, command: &str, why: &str) -> ShellReason {
        ShellReason {
            index,
            command: command.into(),
            why: why.into(),
        }
    }

    #[test]
    fn names_the_runbook_line_and_the_commands_first_words() {
        let b = block(&[
            (55, "kubectl -n $NS rollout undo deployment/app"),
            (57, "argocd app sync $APP --prune"),
        ]);
        let bindings: Bindings = [("NS", "shop"), ("APP", "checkout")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(
            shell_reason(
                &reason(
                    1,
                    "argocd app sync checkout --prune",
                    "not a kubectl command"
                ),
                &b,
                &bindings
            ),
            "runbook line 57 `argocd app sync …`: not a kubectl command"
        );
        // A short command is named whole.
        assert_eq!(first_words("ls -l", 3), "ls -l");
    }

    #[test]
    fn a_line_the_model_reads_differently_is_found_by_position_else_by_block_line() {
        let b = block(&[(12, "kubectl get pods"), (14, "echo done # a note")]);
        let why = reason(1, "echo done", "not a kubectl command");
        assert_eq!(
            shell_reason(&why, &b, &Bindings::new()),
            "runbook line 14 `echo done`: not a kubectl command"
        );
        let beyond = reason(4, "echo more", "not a kubectl command");
        assert_eq!(
            shell_reason(&beyond, &b, &Bindings::new()),
            "block line 5 `echo more`: not a kubectl command"
        );
    }
}
